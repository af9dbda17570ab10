"""softmax, log_softmax and logsumexp: each a single max-shifted (overflow-free) op."""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import get_default_dtype, to_dtype
from ..autograd.function import Function
from ..autograd.numpy_names import numpy_names
from ..autograd.tensor import Tensor
from .axes import _axes, _restore
from .checks import is_int

__all__ = ["softmax", "log_softmax", "logsumexp"]


class Softmax(Function):
    """y = exp(x - max x) / sum(exp(x - max x));  dx = y * (g - sum(g * y))"""

    @staticmethod
    def forward(ctx, x, axis, dtype):
        x = x if dtype is None else x.astype(dtype, copy=False)
        # The shift makes every exponent <= 0, so nothing overflows; an all -inf slice gives
        # nan (-inf - -inf), as in torch. `initial` lets a zero-size dim through.
        with np.errstate(invalid="ignore"):
            e = np.exp(x - x.max(axis=axis, keepdims=True, initial=-np.inf))
        y = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(axis=ctx.axis, keepdims=True)), None, None


class LogSoftmax(Function):
    """y = x - max x - log(sum(exp(x - max x)));  dx = g - exp(y) * sum(g)"""

    @staticmethod
    def forward(ctx, x, axis, dtype):
        x = x if dtype is None else x.astype(dtype, copy=False)
        # An all -inf slice gives nan, as in torch; a zero-size one takes log(0) of nothing.
        with np.errstate(invalid="ignore", divide="ignore"):
            shifted = x - x.max(axis=axis, keepdims=True, initial=-np.inf)
            y = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - np.exp(y) * grad.sum(axis=ctx.axis, keepdims=True), None, None


def softmax(input, dim: int, *, dtype=None) -> Tensor:
    """exp(input) / sum(exp(input)) along ``dim``: non-negative, summing to 1 along ``dim``.

    ``dtype`` casts the input first (torch's way to compute a float16 softmax in float32).

    >>> import nnscratch as ns
    >>> ns.softmax(ns.tensor([[1.0, 1.0], [0.0, 1e4]]), dim=1).tolist()
    [[0.5, 0.5], [0.0, 1.0]]
    """
    return Softmax.apply(input, *_check(input, dim, dtype, "softmax"))


def log_softmax(input, dim: int, *, dtype=None) -> Tensor:
    """log(softmax(input, dim)), computed directly so it stays finite for large inputs.

    >>> import nnscratch as ns
    >>> ns.log_softmax(ns.tensor([0.0, 1e4]), dim=0).tolist()
    [-10000.0, 0.0]
    """
    return LogSoftmax.apply(input, *_check(input, dim, dtype, "log_softmax"))


def _check(input, dim, dtype, name):
    """The numpy axis and dtype for ``input``; torch needs an explicit int ``dim``."""
    if dim is None:
        raise TypeError(
            f"{name}(): dim is required, e.g. {name}(x, dim=-1) to normalise each row "
            "(torch deprecated choosing the dim implicitly)"
        )
    if not is_int(dim):
        raise TypeError(f"{name}(): dim must be an int, received {dim!r}")
    dtype = None if dtype is None else to_dtype(dtype)
    if (dtype or input.dtype).kind != "f":
        raise TypeError(
            f"{name}(): expected a floating point tensor, received {input.dtype} "
            f"(convert it, or pass dtype=nnscratch.float32)"
        )
    return _axes(dim, input.ndim, name), dtype


class LogSumExp(Function):
    """y = m + log(sum(exp(x - m))), m = max(x) (0 if infinite);  dy/dx = exp(x - y) = softmax"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        if x.dtype.kind != "f":
            x = x.astype(get_default_dtype())  # torch: integers give the default float dtype
        m = np.max(x, axis=axes, keepdims=True, initial=-np.inf)  # initial: empty slices
        m = np.where(np.isinf(m), 0, m)  # all -inf (or a +inf) slice: no shift, as torch
        with np.errstate(divide="ignore"):  # log(0) = -inf for all -inf or empty slices
            y = np.log(np.exp(x - m).sum(axis=axes, keepdims=True)) + m
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdim = axes, keepdim
        return y if keepdim else np.squeeze(y, axes)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        with np.errstate(invalid="ignore"):  # -inf - (-inf): nan, as torch gives
            return _restore(grad, ctx.axes, ctx.keepdim) * np.exp(x - y), None, None


@numpy_names
def logsumexp(input, dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over ``dim``, computed without overflow (max-shifted).

    >>> import nnscratch as ns
    >>> round(ns.logsumexp(ns.tensor([1e4, 1e4]), dim=0).item(), 3)
    10000.693
    """
    return LogSumExp.apply(input, _axes(dim, input.ndim, "logsumexp"), keepdim)
