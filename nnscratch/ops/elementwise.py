"""Elementwise math: exp, log, sqrt, abs, sin, cos, tanh, clamp, maximum, minimum, where."""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import bool_, get_default_dtype, int64, promote
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .checks import check_tensor
from .masking import keep_where, zero_where

__all__ = [
    "exp", "log", "sqrt", "abs", "sin", "cos", "tanh",
    "clamp", "maximum", "minimum", "where",
]  # fmt: skip


def _floating(x: np.ndarray) -> np.ndarray:
    """torch computes float functions of integer/bool tensors in the default float dtype."""
    return x if x.dtype.kind == "f" else x.astype(get_default_dtype())


# torch gives inf, -inf and nan here silently; NumPy would warn. np.errstate as a decorator is
# the cheapest way to say so (the context-manager form costs several times more per call).
_silent = np.errstate(divide="ignore", invalid="ignore", over="ignore")


@_silent
def _exp(x: np.ndarray) -> np.ndarray:
    return np.exp(x)


@_silent
def _log(x: np.ndarray) -> np.ndarray:
    return np.log(x)


@_silent
def _sqrt(x: np.ndarray) -> np.ndarray:
    return np.sqrt(x)


@_silent
def _divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a / b


class Exp(Function):
    """y = e**x;  dy/dx = y"""

    @staticmethod
    def forward(ctx, x):
        y = _exp(_floating(x))  # exp(1e4) is inf
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class Log(Function):
    """y = ln(x);  dy/dx = 1 / x"""

    @staticmethod
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return _log(x)  # log(0) = -inf, log(-1) = nan

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _divide(grad, x)


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 y)"""

    @staticmethod
    def forward(ctx, x):
        y = _sqrt(_floating(x))  # sqrt(-1) = nan
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return _divide(grad, 2 * y)  # inf at 0


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)  (0 at x = 0)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.sign(x)


class Sin(Function):
    """y = sin(x);  dy/dx = cos(x)"""

    @staticmethod
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.cos(x)


class Cos(Function):
    """y = cos(x);  dy/dx = -sin(x)"""

    @staticmethod
    def forward(ctx, x):
        x = _floating(x)
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -np.sin(x)


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - y**2"""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(_floating(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)


class Clamp(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1[lo <= x <= hi],
    dy/dlo = 1[x < lo < hi],  dy/dhi = 1[x > hi or hi < lo]  (a missing bound is +-inf)"""

    @staticmethod
    def forward(ctx, x, lo, hi):
        x, lo, hi = _clamp_operands(x, lo, hi)
        ctx.save_for_backward(x, lo, hi)
        return np.clip(x, lo, hi)  # when lo > hi, every element becomes hi, as in torch

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        need_x, need_lo, need_hi = ctx.needs_input_grad
        above_lo = True if lo is None else x >= lo
        below_hi = True if hi is None else x <= hi
        grad_x = keep_where(above_lo & below_hi, grad) if need_x else None
        grad_lo = grad_hi = None
        if need_lo:
            mask = x < lo if hi is None else (x < lo) & (lo < hi)
            grad_lo = keep_where(mask, grad)
        if need_hi:
            mask = x > hi if lo is None else (x > hi) | (hi < lo)
            grad_hi = keep_where(mask, grad)
        return grad_x, grad_lo, grad_hi


def _clamp_operands(x, lo, hi):
    """Promote x with each bound (dimensioned bounds first, as they outrank 0-dim ones)."""
    bounds = sorted((b for b in (lo, hi) if b is not None), key=lambda b: -np.ndim(b))
    for bound in bounds:
        x, _ = promote(x, bound)
    return x, _cast_bound(lo, x.dtype), _cast_bound(hi, x.dtype)


def _cast_bound(bound, dtype):
    return bound.astype(dtype, copy=False) if isinstance(bound, np.ndarray) else bound


class Maximum(Function):
    """y = max(a, b);  dy/da = 1[a > b] + 1[a == b] / 2,  dy/db = 1[b > a] + 1[a == b] / 2"""

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_at_ties(grad, a, b, a < b, a > b, ctx.needs_input_grad)


class Minimum(Function):
    """y = min(a, b);  dy/da = 1[a < b] + 1[a == b] / 2,  dy/db = 1[b < a] + 1[a == b] / 2"""

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_at_ties(grad, a, b, a > b, a < b, ctx.needs_input_grad)


def _split_at_ties(grad, a, b, a_loses, b_loses, needs):
    """torch halves the gradient between equal operands; NaN (no order) sends it to both."""
    shared = np.where(a == b, grad * 0.5, grad)
    grad_a = zero_where(a_loses, shared) if needs[0] else None
    grad_b = zero_where(b_loses, shared) if needs[1] else None
    return grad_a, grad_b


class Where(Function):
    """y = cond ? a : b;  dy/da = 1[cond],  dy/db = 1[not cond]"""

    @staticmethod
    def forward(ctx, condition, a, b):
        a, b = _where_operands(a, b)
        ctx.save_for_backward(condition)
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[1:]
        grad_a = keep_where(condition, grad) if need_a else None
        grad_b = zero_where(condition, grad) if need_b else None
        return None, grad_a, grad_b


def _where_operands(a, b):
    """torch's dtype for where's two branches; two Python numbers give bool, int64 or float32."""
    a, b = (v.item() if isinstance(v, np.generic) else v for v in (a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = promote(a, b)
        dtype = (a if isinstance(a, np.ndarray) else b).dtype
    elif isinstance(a, float) or isinstance(b, float):
        dtype = get_default_dtype()
    else:
        dtype = bool_ if isinstance(a, bool) and isinstance(b, bool) else int64
    return np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype)


def exp(input: Tensor) -> Tensor:
    """``e ** input`` elementwise (integers give the default float dtype).

    >>> import nnscratch as ns
    >>> ns.exp(ns.tensor([0.0])).tolist()
    [1.0]
    """
    check_tensor(input, "exp")
    return Exp.apply(input)


def log(input: Tensor) -> Tensor:
    """Natural logarithm elementwise: ``-inf`` at 0 and ``nan`` below, as in torch."""
    check_tensor(input, "log")
    return Log.apply(input)


def sqrt(input: Tensor) -> Tensor:
    """Square root elementwise: ``nan`` for negative inputs, as in torch."""
    check_tensor(input, "sqrt")
    return Sqrt.apply(input)


def abs(input: Tensor) -> Tensor:  # noqa: A001 (torch's name)
    """``|input|``; its gradient at 0 is 0, as in torch. Keeps integer dtypes."""
    check_tensor(input, "abs")
    if input.dtype == bool_:
        raise TypeError("abs: expected a numeric tensor, received a bool tensor")
    return Abs.apply(input)


def sin(input: Tensor) -> Tensor:
    """Sine elementwise, in radians."""
    check_tensor(input, "sin")
    return Sin.apply(input)


def cos(input: Tensor) -> Tensor:
    """Cosine elementwise, in radians."""
    check_tensor(input, "cos")
    return Cos.apply(input)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise.

    >>> import nnscratch as ns
    >>> ns.tanh(ns.tensor([0.0])).tolist()
    [0.0]
    """
    check_tensor(input, "tanh")
    return Tanh.apply(input)


def clamp(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 (torch's names)
    """Limit ``input`` to ``[min, max]``; each bound a number, a Tensor or None.

    The gradient flows to ``input`` where ``min <= input <= max`` (bounds included), and to a
    tensor bound where that bound is the result, as in torch.

    >>> import nnscratch as ns
    >>> ns.clamp(ns.tensor([-2.0, 0.5, 3.0]), -1.0, 1.0).tolist()
    [-1.0, 0.5, 1.0]
    """
    check_tensor(input, "clamp")
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    return Clamp.apply(input, _bound(min, "min"), _bound(max, "max"))


def _bound(bound, arg: str):
    """A NumPy scalar becomes a Python number, which never widens the input's dtype."""
    if isinstance(bound, np.generic):
        return bound.item()
    if bound is None or isinstance(bound, (Tensor, int, float, np.ndarray)):
        return bound
    raise TypeError(
        f"clamp: expected '{arg}' to be a number, a Tensor or None, received {type(bound).__name__}"
    )


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum with broadcasting; ties split the gradient in half, as in torch.

    >>> import nnscratch as ns
    >>> x = ns.tensor([1.0, 2.0], requires_grad=True)
    >>> ns.maximum(x, ns.tensor([1.0, 3.0])).sum().backward()
    >>> x.grad.tolist()
    [0.5, 0.0]
    """
    _check_pair(input, other, "maximum")
    return Maximum.apply(input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum with broadcasting; ties split the gradient in half, as in torch."""
    _check_pair(input, other, "minimum")
    return Minimum.apply(input, other)


def _check_pair(input, other, name: str) -> None:
    check_tensor(input, name)
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{name}: expected other to be a Tensor, received {type(other).__name__} "
            "(for a number bound use clamp)"
        )


def where(condition, input, other) -> Tensor:
    """``input`` where ``condition`` is True, else ``other``, broadcasting all three.

    ``condition`` is a bool Tensor (or array); ``input`` and ``other`` are Tensors or numbers.

    >>> import nnscratch as ns
    >>> ns.where(ns.tensor([True, False]), ns.tensor([1.0, 2.0]), 0.0).tolist()
    [1.0, 0.0]
    """
    dtype = getattr(condition, "dtype", None)
    if dtype != bool_:
        found = type(condition).__name__ if dtype is None else f"a tensor of {dtype}"
        raise TypeError(f"where: expected condition to be a bool tensor, received {found}")
    for arg, value in (("input", input), ("other", other)):
        if not isinstance(value, (Tensor, np.ndarray, bool, int, float, np.number)):
            raise TypeError(
                f"where: expected {arg} to be a Tensor or a number, received {type(value).__name__}"
            )
    return Where.apply(condition, input, other)
