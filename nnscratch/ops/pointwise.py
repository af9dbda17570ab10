"""More elementwise math, one input each: rounding, sign, inverse trig and hyperbolic.

Integer inputs follow torch: the rounding functions and ``sign`` keep the dtype, the
transcendental ones give the default float dtype. Logs and powers are in ``exponential``.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .checks import check_floating, check_tensor, is_int
from .elementwise import _floating, _silent

__all__ = [
    "floor", "ceil", "round", "trunc", "fix", "frac", "sign", "sgn", "asin", "acos", "atan",
    "sinh", "cosh", "tan",
]  # fmt: skip


class _Flat(Function):
    """A piecewise-constant function: dy/dx = 0 (torch's gradient for floor, sign, ...)."""

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), None


class Floor(_Flat):
    """y = floor(x);  dy/dx = 0"""

    @staticmethod
    def forward(ctx, x):
        return np.floor(x) if x.dtype.kind == "f" else x.copy()


class Ceil(_Flat):
    """y = ceil(x);  dy/dx = 0"""

    @staticmethod
    def forward(ctx, x):
        return np.ceil(x) if x.dtype.kind == "f" else x.copy()


class Trunc(_Flat):
    """y = trunc(x) (towards 0);  dy/dx = 0"""

    @staticmethod
    def forward(ctx, x):
        return np.trunc(x) if x.dtype.kind == "f" else x.copy()


class Round(_Flat):
    """y = x rounded half to even at ``decimals`` places;  dy/dx = 0"""

    @staticmethod
    def forward(ctx, x, decimals):
        if x.dtype.kind != "f":
            return x.copy()
        return np.rint(x) if decimals == 0 else np.round(x, decimals)


class Sign(_Flat):
    """y = sign(x) in {-1, 0, 1};  dy/dx = 0"""

    @staticmethod
    def forward(ctx, x):
        return np.sign(x) if x.dtype.kind != "b" else x.copy()


class Frac(Function):
    """y = x - trunc(x);  dy/dx = 1"""

    @staticmethod
    def forward(ctx, x):
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Asin(Function):
    """y = asin(x);  dy/dx = 1 / sqrt(1 - x**2)"""

    @staticmethod
    @_silent
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    @_silent
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / np.sqrt(1 - x * x)


class Acos(Function):
    """y = acos(x);  dy/dx = -1 / sqrt(1 - x**2)"""

    @staticmethod
    @_silent
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    @_silent
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad / np.sqrt(1 - x * x)


class Atan(Function):
    """y = atan(x);  dy/dx = 1 / (1 + x**2)"""

    @staticmethod
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x * x)


class Sinh(Function):
    """y = sinh(x);  dy/dx = cosh(x)"""

    @staticmethod
    @_silent
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    @_silent
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.cosh(x)


class Cosh(Function):
    """y = cosh(x);  dy/dx = sinh(x)"""

    @staticmethod
    @_silent
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    @_silent
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.sinh(x)


class Tan(Function):
    """y = tan(x);  dy/dx = 1 + y**2"""

    @staticmethod
    def forward(ctx, x):
        y = np.tan(_floating(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 + y * y)


def _checked(input, name: str, floats_only: bool = False) -> Tensor:
    check_tensor(input, name)
    if floats_only:
        check_floating(input, name)
    return input


def floor(input: Tensor) -> Tensor:
    """The largest integer <= each element (integers pass through); its gradient is 0.

    >>> import nnscratch as ns
    >>> ns.floor(ns.tensor([-1.5, 0.5, 2.0])).tolist()
    [-2.0, 0.0, 2.0]
    """
    return Floor.apply(_checked(input, "floor"))


def ceil(input: Tensor) -> Tensor:
    """The smallest integer >= each element; its gradient is 0.

    >>> import nnscratch as ns
    >>> ns.ceil(ns.tensor([-1.5, 0.5])).tolist()
    [-1.0, 1.0]
    """
    return Ceil.apply(_checked(input, "ceil"))


def trunc(input: Tensor) -> Tensor:
    """Each element rounded towards zero; its gradient is 0.

    >>> import nnscratch as ns
    >>> ns.trunc(ns.tensor([-1.5, 1.5])).tolist()
    [-1.0, 1.0]
    """
    return Trunc.apply(_checked(input, "trunc"))


fix = trunc  # torch.fix is torch.trunc


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 (torch's name)
    """Round half to even, at ``decimals`` decimal places (negative: tens, hundreds...).

    >>> import nnscratch as ns
    >>> ns.round(ns.tensor([0.5, 1.5, 2.345]), decimals=0).tolist()
    [0.0, 2.0, 2.0]
    >>> ns.round(ns.tensor([1234.0]), decimals=-2).tolist()
    [1200.0]
    """
    if not is_int(decimals):
        raise TypeError(f"round: expected decimals to be an int, received {decimals!r}")
    return Round.apply(_checked(input, "round"), int(decimals))


def frac(input: Tensor) -> Tensor:
    """The fractional part, ``input - trunc(input)`` (sign of input); floats only, as torch.

    >>> import nnscratch as ns
    >>> ns.frac(ns.tensor([-1.25, 2.5])).tolist()
    [-0.25, 0.5]
    """
    return Frac.apply(_checked(input, "frac", floats_only=True))


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (bool stays bool); its gradient is 0.

    >>> import nnscratch as ns
    >>> ns.sign(ns.tensor([-2.0, 0.0, 3.0])).tolist()
    [-1.0, 0.0, 1.0]
    """
    return Sign.apply(_checked(input, "sign"))


def sgn(input: Tensor) -> Tensor:
    """torch's complex-aware sign; for the real tensors of nnscratch it is ``sign``.

    >>> import nnscratch as ns
    >>> ns.sgn(ns.tensor([-2.0])).tolist()
    [-1.0]
    """
    return Sign.apply(_checked(input, "sgn"))


def asin(input: Tensor) -> Tensor:
    """Inverse sine elementwise; nan outside [-1, 1].

    >>> import nnscratch as ns
    >>> ns.asin(ns.tensor([0.0])).tolist()
    [0.0]
    """
    return Asin.apply(_checked(input, "asin"))


def acos(input: Tensor) -> Tensor:
    """Inverse cosine elementwise; nan outside [-1, 1].

    >>> import nnscratch as ns
    >>> ns.acos(ns.tensor([1.0])).tolist()
    [0.0]
    """
    return Acos.apply(_checked(input, "acos"))


def atan(input: Tensor) -> Tensor:
    """Inverse tangent elementwise, in (-pi/2, pi/2).

    >>> import nnscratch as ns
    >>> ns.atan(ns.tensor([0.0])).tolist()
    [0.0]
    """
    return Atan.apply(_checked(input, "atan"))


def sinh(input: Tensor) -> Tensor:
    """Hyperbolic sine elementwise.

    >>> import nnscratch as ns
    >>> ns.sinh(ns.tensor([0.0])).tolist()
    [0.0]
    """
    return Sinh.apply(_checked(input, "sinh"))


def cosh(input: Tensor) -> Tensor:
    """Hyperbolic cosine elementwise.

    >>> import nnscratch as ns
    >>> ns.cosh(ns.tensor([0.0])).tolist()
    [1.0]
    """
    return Cosh.apply(_checked(input, "cosh"))


def tan(input: Tensor) -> Tensor:
    """Tangent elementwise, in radians.

    >>> import nnscratch as ns
    >>> ns.tan(ns.tensor([0.0])).tolist()
    [0.0]
    """
    return Tan.apply(_checked(input, "tan"))
