"""``torch.nn.modules.pooling``: the names torch defines there, re-exported."""

from .. import pooling as _pooling
from ..pooling import *  # noqa: F403

__all__ = list(_pooling.__all__)
