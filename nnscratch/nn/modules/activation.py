"""``torch.nn.modules.activation``: the names torch defines there, re-exported (torch keeps
``MultiheadAttention`` in this file too). New activation layers show up here by themselves."""

from .. import activation as _activation
from ..activation import *  # noqa: F403
from ..attention import MultiheadAttention

__all__ = [*_activation.__all__, "MultiheadAttention"]
