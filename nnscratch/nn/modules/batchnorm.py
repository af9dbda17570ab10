"""``torch.nn.modules.batchnorm``: the names torch defines there, re-exported."""

from ..lazy import LazyBatchNorm1d, LazyBatchNorm2d
from ..normalization import BatchNorm1d, BatchNorm2d

__all__ = ["BatchNorm1d", "BatchNorm2d", "LazyBatchNorm1d", "LazyBatchNorm2d"]
