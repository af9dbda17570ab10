"""Products and running totals: prod, cumsum, cumprod; and torch's paired statistics
std_mean and var_mean (composed of std, var and mean).

Integer and bool inputs accumulate as int64, as in torch; ``dtype=`` casts the input first.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.numpy_names import numpy_names
from ..autograd.tensor import Tensor
from .axes import _axes, _restore
from .cast import to
from .checks import check_tensor, is_int
from .reduce import _var_args, mean, std, var

__all__ = ["prod", "cumsum", "cumprod", "std_mean", "var_mean"]


def _others_product(x: np.ndarray, axis: int) -> np.ndarray:
    """For each element, the product of the other elements along ``axis``: exclusive prefix
    products times exclusive suffix products (no division, so zeros are exact)."""
    x = np.moveaxis(x, axis, -1)
    n, ones = x.shape[-1], np.ones((*x.shape[:-1], 1), dtype=x.dtype)
    left = np.cumprod(np.concatenate([ones, x[..., :-1]], axis=-1), axis=-1)[..., :n]
    right = np.cumprod(np.concatenate([ones, x[..., :0:-1]], axis=-1), axis=-1)[..., n - 1 :: -1]
    return np.moveaxis(left * right, -1, axis)


class Prod(Function):
    """y = prod(x, axis);  dy/dx_i = prod of the other x_j along axis"""

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.save_for_backward(x)
        ctx.axis, ctx.keepdim = axis, keepdim
        if axis is None:
            return np.asarray(np.prod(x))
        return np.prod(x, axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.axis is None:
            others = _others_product(x.reshape(-1), 0).reshape(x.shape)
            return grad * others, None, None
        grad = _restore(grad, (ctx.axis,), ctx.keepdim)
        return grad * _others_product(x, ctx.axis), None, None


class Cumsum(Function):
    """y_i = sum_{j <= i} x_j;  dx_j = sum_{i >= j} g_i (a reversed running sum)"""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return np.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        flipped = np.flip(grad, ctx.axis)
        return np.flip(np.cumsum(flipped, axis=ctx.axis), ctx.axis), None


class Cumprod(Function):
    """y_i = prod_{j <= i} x_j;  dx_j = prod_{k < j} x_k * s_j,  s_j = g_j + x_{j+1} s_{j+1}
    (a backward recurrence along the axis: no division, so zeros are exact)"""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.save_for_backward(x)
        ctx.axis = axis
        return np.cumprod(x, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        x, g = np.moveaxis(x, ctx.axis, 0), np.moveaxis(grad, ctx.axis, 0)
        s = np.empty_like(g)
        if len(g):
            s[-1] = g[-1]
        for j in range(len(g) - 2, -1, -1):
            s[j] = g[j] + x[j + 1] * s[j + 1]
        ones = np.ones_like(x[:1])
        before = np.cumprod(np.concatenate([ones, x[:-1]]), axis=0)[: len(x)]
        return np.moveaxis(before * s, 0, ctx.axis), None


def _accumulating(input, dtype, name: str) -> Tensor:
    """``input`` in ``dtype`` when given, else bool and integers as int64 (torch's rule)."""
    check_tensor(input, name)
    if dtype is not None:
        return to(input, dtype)
    if input.dtype.kind != "f" and input.dtype != np.int64:
        return to(input, np.int64)
    return input


def _one_dim(dim, input, name: str) -> int:
    if not is_int(dim):
        raise TypeError(f"{name}: expected dim to be an int, received {dim!r}")
    axes = _axes(int(dim), input.ndim, name)
    return axes[0] if axes else None


@numpy_names
def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The product of all elements, or along the int ``dim``. The gradient is exact where
    elements are 0 (no division).

    >>> import nnscratch as ns
    >>> ns.prod(ns.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=1).tolist()
    [2.0, 12.0]
    >>> ns.tensor([2, 3, 4]).prod().item()
    24
    """
    input = _accumulating(input, dtype, "prod")
    if dim is None:
        return Prod.apply(input, None, False)
    axis = _one_dim(dim, input, "prod")
    if axis is None:  # a 0-d tensor: dim 0 or -1 is the tensor itself
        return Prod.apply(input, None, False)
    return Prod.apply(input, axis, keepdim)


@numpy_names
def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running sums along ``dim``.

    >>> import nnscratch as ns
    >>> ns.cumsum(ns.tensor([1.0, 2.0, 3.0]), dim=0).tolist()
    [1.0, 3.0, 6.0]
    """
    return _scan(Cumsum, input, dim, dtype, "cumsum")


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running products along ``dim``.

    >>> import nnscratch as ns
    >>> ns.cumprod(ns.tensor([1.0, 2.0, 3.0]), dim=0).tolist()
    [1.0, 2.0, 6.0]
    """
    return _scan(Cumprod, input, dim, dtype, "cumprod")


def _scan(op, input, dim, dtype, name: str) -> Tensor:
    input = _accumulating(input, dtype, name)
    axis = _one_dim(dim, input, name)
    if axis is None:  # 0-d
        return op.apply(input.reshape(1), 0).reshape(())
    return op.apply(input, axis)


def std_mean(input: Tensor, dim=None, *, correction=1, keepdim: bool = False, unbiased=None):
    """``(std, mean)`` over ``dim`` in one call, as ``torch.std_mean``.

    >>> import nnscratch as ns
    >>> s, m = ns.std_mean(ns.tensor([1.0, 3.0]))
    >>> round(s.item(), 4), m.item()
    (1.4142, 2.0)
    """
    axes, correction, keepdim = _var_args(input, dim, correction, keepdim, unbiased, "std_mean")
    return std(input, axes, correction=correction, keepdim=keepdim), mean(input, axes, keepdim)


def var_mean(input: Tensor, dim=None, *, correction=1, keepdim: bool = False, unbiased=None):
    """``(var, mean)`` over ``dim`` in one call, as ``torch.var_mean``.

    >>> import nnscratch as ns
    >>> v, m = ns.var_mean(ns.tensor([1.0, 3.0]), correction=0)
    >>> v.item(), m.item()
    (1.0, 2.0)
    """
    axes, correction, keepdim = _var_args(input, dim, correction, keepdim, unbiased, "var_mean")
    return var(input, axes, correction=correction, keepdim=keepdim), mean(input, axes, keepdim)
