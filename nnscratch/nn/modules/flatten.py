"""``torch.nn.modules.flatten``: the names torch defines there, re-exported."""

from ..linear import Flatten

__all__ = ["Flatten"]
