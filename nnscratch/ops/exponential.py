"""Logs, exponentials and powers, one input each: log2, log10, log1p, expm1, reciprocal,
rsqrt, square; and nan_to_num.

Integer inputs follow torch: ``square`` keeps the dtype (bool becomes int64), the others give
the default float dtype.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .elementwise import _divide, _floating, _silent
from .pointwise import _checked

__all__ = ["log2", "log10", "log1p", "expm1", "reciprocal", "rsqrt", "square", "nan_to_num"]


class _ScaledLog(Function):
    """log_b(x) = ln(x) / ln(b);  dy/dx = 1 / (x ln b). A subclass names its ufunc and ln(b)."""

    @staticmethod
    @_silent
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return ctx.function._log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _divide(grad, x * x.dtype.type(ctx.function._ln_base))


class Log2(_ScaledLog):
    """y = log2(x);  dy/dx = 1 / (x ln 2)"""

    _log, _ln_base = np.log2, math.log(2.0)


class Log10(_ScaledLog):
    """y = log10(x);  dy/dx = 1 / (x ln 10)"""

    _log, _ln_base = np.log10, math.log(10.0)


class Log1p(Function):
    """y = ln(1 + x);  dy/dx = 1 / (1 + x)"""

    @staticmethod
    @_silent
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _divide(grad, 1 + x)


class Expm1(Function):
    """y = e**x - 1;  dy/dx = y + 1"""

    @staticmethod
    @_silent
    def forward(ctx, x):
        y = np.expm1(_floating(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y + 1)


class Reciprocal(Function):
    """y = 1 / x;  dy/dx = -y**2"""

    @staticmethod
    def forward(ctx, x):
        x = _floating(x)
        y = _divide(x.dtype.type(1), x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * -(y * y)


class Rsqrt(Function):
    """y = 1 / sqrt(x);  dy/dx = -y**3 / 2"""

    @staticmethod
    @_silent
    def forward(ctx, x):
        x = _floating(x)
        y = x.dtype.type(1) / np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y * y * y) * grad.dtype.type(-0.5)


class Square(Function):
    """y = x**2;  dy/dx = 2 x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x if x.dtype.kind != "b" else x.astype(np.int64)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x + x)


class NanToNum(Function):
    """y = x, with nan, +inf and -inf replaced by given numbers;  dy/dx = 1[x finite]"""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(x)
        if x.dtype.kind != "f":
            return x.copy()
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return np.where(np.isfinite(x), grad, 0), None, None, None


def log2(input: Tensor) -> Tensor:
    """Base-2 logarithm elementwise: -inf at 0, nan below.

    >>> import nnscratch as ns
    >>> ns.log2(ns.tensor([8.0])).tolist()
    [3.0]
    """
    return Log2.apply(_checked(input, "log2"))


def log10(input: Tensor) -> Tensor:
    """Base-10 logarithm elementwise: -inf at 0, nan below.

    >>> import nnscratch as ns
    >>> ns.log10(ns.tensor([100.0, 0.0])).tolist()[1]
    -inf
    """
    return Log10.apply(_checked(input, "log10"))


def log1p(input: Tensor) -> Tensor:
    """``ln(1 + input)``, accurate for small inputs.

    >>> import nnscratch as ns
    >>> ns.log1p(ns.tensor([0.0])).tolist()
    [0.0]
    """
    return Log1p.apply(_checked(input, "log1p"))


def expm1(input: Tensor) -> Tensor:
    """``e ** input - 1``, accurate for small inputs.

    >>> import nnscratch as ns
    >>> ns.expm1(ns.tensor([0.0])).tolist()
    [0.0]
    """
    return Expm1.apply(_checked(input, "expm1"))


def reciprocal(input: Tensor) -> Tensor:
    """``1 / input`` (integers give the default float dtype); inf at 0.

    >>> import nnscratch as ns
    >>> ns.reciprocal(ns.tensor([4, 2])).tolist()
    [0.25, 0.5]
    """
    return Reciprocal.apply(_checked(input, "reciprocal"))


def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(input)``: inf at 0, nan below.

    >>> import nnscratch as ns
    >>> ns.rsqrt(ns.tensor([4.0])).tolist()
    [0.5]
    """
    return Rsqrt.apply(_checked(input, "rsqrt"))


def square(input: Tensor) -> Tensor:
    """``input ** 2`` (integers stay integers; bool becomes int64, as in torch).

    >>> import nnscratch as ns
    >>> ns.square(ns.tensor([-3, 2])).tolist()
    [9, 4]
    """
    return Square.apply(_checked(input, "square"))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """``input`` with nan replaced by ``nan`` and +-inf by ``posinf``/``neginf`` (default: the
    dtype's largest and lowest finite values). The gradient is 0 at replaced elements.

    >>> import nnscratch as ns
    >>> ns.nan_to_num(ns.tensor([float("nan"), 1.0]), nan=-1.0).tolist()
    [-1.0, 1.0]
    """
    for arg, value in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if value is not None and not isinstance(value, (int, float, np.number)):
            raise TypeError(f"nan_to_num: expected {arg} to be a number, received {value!r}")
    return NanToNum.apply(_checked(input, "nan_to_num"), nan, posinf, neginf)
