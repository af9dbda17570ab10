"""``torch.nn.modules.module``: the names torch defines there, re-exported."""

from ..module import Module

__all__ = ["Module"]
