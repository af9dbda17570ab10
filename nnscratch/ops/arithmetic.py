"""Arithmetic: add, sub, mul, div, neg, pow, and matmul."""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import get_default_dtype, promote
from ..autograd.function import Function
from . import blas
from .out import write_out

__all__ = ["add", "sub", "mul", "div", "neg", "pow", "matmul"]


class Add(Function):
    """y = a + b;  dy/da = 1, dy/db = 1"""

    @staticmethod
    def forward(ctx, a, b):
        if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype is not b.dtype:
            a, b = promote(a, b)  # (the check inline: same-dtype arrays are the hot case)
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """y = a - b;  dy/da = 1, dy/db = -1"""

    @staticmethod
    def forward(ctx, a, b):
        if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype is not b.dtype:
            a, b = promote(a, b)  # (the check inline: same-dtype arrays are the hot case)
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """y = a * b;  dy/da = b, dy/db = a"""

    @staticmethod
    def forward(ctx, a, b):
        if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype is not b.dtype:
            a, b = promote(a, b)  # (the check inline: same-dtype arrays are the hot case)
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    """y = a / b;  dy/da = 1 / b, dy/db = -a / b**2"""

    @staticmethod
    def forward(ctx, a, b):
        a, b = _true_division_operands(a, b)
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad / b
        return (grad_a if need_a else None), (-grad_a * a / b if need_b else None)


def _true_division_operands(a, b):
    """torch divides integers as floats of the default dtype (7 / 2 == 3.5, in float32)."""
    a, b = promote(a, b)
    array = a if isinstance(a, np.ndarray) else b
    if array.dtype.kind == "f":
        return a, b
    floats = get_default_dtype()
    return np.asarray(a, dtype=floats), np.asarray(b, dtype=floats)


class Neg(Function):
    """y = -x;  dy/dx = -1"""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """y = a ** b;  dy/da = b a**(b-1),  dy/db = a**b log(a)"""

    @staticmethod
    def forward(ctx, a, b):
        if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype is not b.dtype:
            a, b = promote(a, b)  # (the check inline: same-dtype arrays are the hot case)
        y = a**b
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, b, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad * b * a ** (b - 1) if need_a else None
        grad_b = grad * y * _log_base(a) if need_b else None
        return grad_a, grad_b


def _log_base(a):
    """log(a) for dy/db, with torch's convention that a == 0 contributes 0 (0 ** b is flat in b)."""
    safe = np.where(a == 0, 1, a)
    with np.errstate(invalid="ignore"):
        return np.where(a == 0, 0, np.log(safe))


class MatMul(Function):
    """y = a @ b;  dy/da = grad @ b^T,  dy/db = a^T @ grad  (1-D operands as in numpy.matmul)"""

    @staticmethod
    def forward(ctx, a, b):
        if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype is not b.dtype:
            a, b = promote(a, b)  # (the check inline: same-dtype arrays are the hot case)
        ctx.save_for_backward(a, b)
        try:  # shapes are checked only on failure, to say clearly what did not fit
            return blas.dot(a, b) if a.ndim == 2 and b.ndim == 2 else blas.matmul(a, b)
        except (ValueError, AttributeError):
            _check_matmul(a, b)
            raise

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, without the general bookkeeping
            grad_a = blas.dot(grad, b.T) if need_a else None
            return grad_a, (blas.dot(a.T, grad) if need_b else None)
        if a.ndim == 1 and b.ndim == 1:  # a dot product
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # Lift 1-D operands to matrices so one formula covers every case; the engine sums
        # away broadcast batch dimensions.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        grad_a = grad_b = None
        if need_a:
            grad_a = blas.matmul(g, np.swapaxes(b2, -1, -2))
            grad_a = grad_a[..., 0, :] if a.ndim == 1 else grad_a
        if need_b:
            grad_b = blas.matmul(np.swapaxes(a2, -1, -2), g)
            grad_b = grad_b[..., 0] if b.ndim == 1 else grad_b
        return grad_a, grad_b


def add(input, other, *, alpha: float = 1, out=None):
    """``input + alpha * other``, as ``torch.add`` (``out=``: see ``ops.out.write_out``)."""
    if out is not None:
        return write_out("add", out, add, input, other, alpha=alpha)
    return Add.apply(input, other if alpha == 1 else other * alpha)


def sub(input, other, *, alpha: float = 1, out=None):
    """``input - alpha * other``, as ``torch.sub``."""
    if out is not None:
        return write_out("sub", out, sub, input, other, alpha=alpha)
    return Sub.apply(input, other if alpha == 1 else other * alpha)


def mul(input, other, *, out=None):
    """``input * other`` elementwise, with broadcasting and torch's type promotion."""
    if out is not None:
        return write_out("mul", out, mul, input, other)
    return Mul.apply(input, other)


def div(input, other, *, out=None):
    """``input / other``, true division (integers divide as float32, as in torch)."""
    if out is not None:
        return write_out("div", out, div, input, other)
    return Div.apply(input, other)


def neg(input):
    """``-input``."""
    return Neg.apply(input)


def pow(input, exponent):  # noqa: A001 (torch's name)
    """``input ** exponent``; either may be a tensor (the gradient flows to both)."""
    return Pow.apply(input, exponent)


def matmul(input, other, *, out=None):
    """Matrix product with numpy/torch rules for 1-D, 2-D and batched operands.

    >>> import nnscratch as ns
    >>> ns.matmul(ns.ones(2, 3), ns.ones(3)).tolist()
    [3.0, 3.0]
    """
    if out is not None:
        return write_out("matmul", out, matmul, input, other)
    return MatMul.apply(input, other)


def _check_matmul(a, b) -> None:
    sa, sb = getattr(a, "shape", ()), getattr(b, "shape", ())
    if not sa or not sb:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got {sa} and {sb}")
    inner_b = sb[0] if len(sb) == 1 else sb[-2]
    if sa[-1] != inner_b:
        raise RuntimeError(
            f"matmul: shapes {sa} and {sb} cannot be multiplied "
            f"(the last dimension of the first, {sa[-1]}, must equal {inner_b})"
        )
