"""``torch.nn.modules.conv``: the names torch defines there, re-exported."""

from .. import conv as _conv
from ..conv import *  # noqa: F403
from ..lazy import LazyConv1d, LazyConv2d, LazyConvTranspose2d

__all__ = [*_conv.__all__, "LazyConv1d", "LazyConv2d", "LazyConvTranspose2d"]
