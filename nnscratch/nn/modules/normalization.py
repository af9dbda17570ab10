"""``torch.nn.modules.normalization``: the names torch defines there, re-exported."""

from ..normalization import GroupNorm, LayerNorm

__all__ = ["GroupNorm", "LayerNorm"]
