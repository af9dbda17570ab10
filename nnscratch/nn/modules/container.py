"""``torch.nn.modules.container``: the names torch defines there, re-exported."""

from ..container import ModuleDict, ModuleList, Sequential

__all__ = ["ModuleDict", "ModuleList", "Sequential"]
