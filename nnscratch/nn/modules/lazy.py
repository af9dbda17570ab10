"""``torch.nn.modules.lazy``: the names torch defines there, re-exported."""

from ..lazy import LazyModuleMixin

__all__ = ["LazyModuleMixin"]
