"""Reductions: sum, mean (more to come)."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function

__all__ = ["sum", "mean"]


def _axes(dim, ndim: int, name: str):
    """torch's ``dim`` (None, an int, or a tuple of ints) as a tuple of numpy axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    rank = max(ndim, 1)
    for d in dims:
        if not -rank <= d < rank:
            raise IndexError(
                f"{name}: dim {d} is out of range for a tensor with {ndim} dimensions "
                f"(expected a dim in [{-rank}, {rank - 1}])"
            )
    return tuple(sorted({d % rank for d in dims})) if ndim else ()


def _restore(grad: np.ndarray, axes: tuple, keepdim: bool) -> np.ndarray:
    """Put reduced axes back as size-1 dims so ``grad`` broadcasts against the input."""
    return grad if keepdim else np.expand_dims(grad, axes)


class Sum(Function):
    """y = sum(x, axes);  dy/dx = 1 (broadcast back over the reduced axes)"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return np.broadcast_to(_restore(grad, ctx.axes, ctx.keepdim), ctx.shape), None, None


class Mean(Function):
    """y = sum(x, axes) / n;  dy/dx = 1 / n"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        ctx.count = int(np.prod([x.shape[a] for a in axes]))
        return x.mean(axis=axes, keepdims=keepdim) if ctx.count else _empty_mean(x, axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        grad = _restore(grad, ctx.axes, ctx.keepdim) / grad.dtype.type(max(ctx.count, 1))
        return np.broadcast_to(grad, ctx.shape), None, None


def _empty_mean(x, axes, keepdim):
    """The mean of no elements is nan, as in torch, without numpy's RuntimeWarning."""
    shape = np.sum(x, axis=axes, keepdims=keepdim).shape
    return np.full(shape, np.nan, dtype=x.dtype)


def _float_input(input, name: str):
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point tensor, received {input.dtype}")


def sum(input, dim=None, keepdim: bool = False):  # noqa: A001 (torch's name)
    """Sum over ``dim`` (all dims when None).

    >>> import nnscratch as ns
    >>> ns.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(dim=0).tolist()
    [4.0, 6.0]
    """
    axes = _axes(dim, input.ndim, "sum")
    if input.dtype.kind == "b":
        input = input.long()  # torch counts bools as int64
    return Sum.apply(input, axes, keepdim)


def mean(input, dim=None, keepdim: bool = False):
    """Mean over ``dim`` (all dims when None); float tensors only, as in torch."""
    _float_input(input, "mean")
    return Mean.apply(input, _axes(dim, input.ndim, "mean"), keepdim)
