"""``Linear`` (the affine layer) and the shape-only layers ``Identity`` and ``Flatten``."""

from __future__ import annotations

import math
from numbers import Integral

from ..autograd.device import check as check_device
from ..autograd.dtypes import get_default_dtype, to_dtype
from ..autograd.tensor import Tensor
from ..ops.creation import empty
from ..ops.linalg import linear
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Identity", "Linear", "Flatten"]


class Identity(Module):
    """Returns its input unchanged; its arguments are accepted and ignored, as in torch.

    >>> import nnscratch as ns
    >>> x = ns.ones(2)
    >>> ns.nn.Identity(54, unused="argument")(x) is x
    True
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x W^T + b, with ``weight`` of shape (out_features, in_features).

    Initialised as torch does: ``kaiming_uniform_(weight, a=sqrt(5))``, i.e.
    U(-1/sqrt(in_features), 1/sqrt(in_features)), and the bias from the same range, drawn
    from nnscratch's global generator (``ns.manual_seed`` repeats them).

    >>> import nnscratch as ns
    >>> layer = ns.nn.Linear(3, 2)
    >>> layer.weight.shape, layer.bias.shape, layer(ns.zeros(5, 3)).shape
    ((2, 3), (2,), (5, 2))
    >>> layer
    Linear(in_features=3, out_features=2, bias=True)
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__()
        check_device(type(self).__name__, device)
        dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
        self.in_features = _size("in_features", in_features)
        self.out_features = _size("out_features", out_features)
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights and bias with torch's default scheme."""
        # a = sqrt(5) gives the gain sqrt(1/3), so the bound is sqrt(3) * gain / sqrt(fan_in)
        # = 1 / sqrt(fan_in): the same range as the bias.
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        shape = getattr(input, "shape", None)
        if not shape or shape[-1] != self.in_features:
            raise ValueError(
                f"{self!r} expects inputs with last dimension {self.in_features}, "
                f"received shape {shape if shape is not None else type(input).__name__}"
            )
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Flatten(Module):
    """Flattens dimensions ``start_dim`` to ``end_dim`` into one (the batch dim stays).

    >>> import nnscratch as ns
    >>> ns.nn.Flatten()(ns.zeros(4, 3, 2, 2)).shape
    (4, 12)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


def _size(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ValueError(f"Linear: {name} must be a non-negative int, received {value!r}")
    return int(value)
