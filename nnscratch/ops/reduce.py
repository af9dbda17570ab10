"""Reductions that combine: sum, mean, var and std.

Their gradients spread over every reduced element. The reductions that select (max, min,
argmax, argmin, amax, amin) live in ``extremes.py`` and are re-exported here, their
long-standing import path; torch's ``dim`` argument becomes numpy axes in ``axes.py``.
"""

from __future__ import annotations

import builtins
import math
import warnings
from numbers import Real

import numpy as np

from ..autograd.function import Function
from ..autograd.numpy_names import numpy_names
from ..autograd.tensor import Tensor
from .axes import _axes, _restore
from .checks import check_floating
from .extremes import amax, amin, argmax, argmin, max, min

# This module defines sum and re-exports max and min, as torch names them; the builtins stay
# reachable here.
_max = builtins.max

__all__ = [
    "sum", "mean", "var", "std", "max", "min", "argmax", "argmin", "amax", "amin",
]  # fmt: skip


def _expand(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """A new array of ``shape`` filled from ``grad`` (cheaper than np.broadcast_to for small
    arrays, and writeable)."""
    out = np.empty(shape, dtype=grad.dtype)
    out[...] = grad
    return out


def _count(shape: tuple, axes: tuple) -> int:
    """How many elements each output element is reduced from."""
    return math.prod(shape[a] for a in axes)


class Sum(Function):
    """y = sum(x, axes);  dy/dx = 1 (broadcast back over the reduced axes)"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _expand(_restore(grad, ctx.axes, ctx.keepdim), ctx.shape), None, None


class Mean(Function):
    """y = sum(x, axes) / n;  dy/dx = 1 / n"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        ctx.count = _count(x.shape, axes)
        if not ctx.count:
            return _empty_mean(x, axes, keepdim)
        return x.sum(axis=axes, keepdims=keepdim) / ctx.count  # what x.mean does, for less

    @staticmethod
    def backward(ctx, grad):
        grad = _restore(grad, ctx.axes, ctx.keepdim) / grad.dtype.type(_max(ctx.count, 1))
        return _expand(grad, ctx.shape), None, None


def _empty_mean(x, axes, keepdim):
    """The mean of no elements is nan, as in torch, without numpy's RuntimeWarning."""
    shape = np.sum(x, axis=axes, keepdims=keepdim).shape
    return np.full(shape, np.nan, dtype=x.dtype)


def _centered_squares(ctx, x, axes, correction, keepdim):
    """sum((x - mean)^2) / max(0, n - c), keeping what both Var and Std need in ``ctx``."""
    n = _count(x.shape, axes)
    centered = x - x.sum(axis=axes, keepdims=True) / _max(n, 1)
    ctx.axes, ctx.keepdim, ctx.dof = axes, keepdim, n - correction
    # n <= c: torch divides by zero, giving inf (or nan for an empty or constant slice).
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (centered * centered).sum(axis=axes, keepdims=keepdim) / _max(n - correction, 0)
    return centered, np.asarray(var)


def _var_grad(ctx, grad, centered):
    """torch's var_backward: (2 / (n - c)) * grad * (x - mean); n - c is not clamped there."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = grad.dtype.type(2) / grad.dtype.type(ctx.dof)
        return scale * _restore(grad, ctx.axes, ctx.keepdim) * centered


class Var(Function):
    """y = sum((x - mean)^2) / (n - c);  dy/dx = 2 (x - mean) / (n - c)"""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        centered, var = _centered_squares(ctx, x, axes, correction, keepdim)
        ctx.save_for_backward(centered)
        return var

    @staticmethod
    def backward(ctx, grad):
        (centered,) = ctx.saved_tensors
        return _var_grad(ctx, grad, centered), None, None, None


class Std(Function):
    """y = sqrt(var(x));  dy/dx = (x - mean) / ((n - c) y), and 0 where y == 0 (as torch)"""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        centered, var = _centered_squares(ctx, x, axes, correction, keepdim)
        y = np.sqrt(var)
        ctx.save_for_backward(centered, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        centered, y = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            half = np.where(y == 0, 0, grad / (2 * y))  # a constant slice has no slope
        return _var_grad(ctx, half, centered), None, None, None


@numpy_names
def sum(input, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001 (torch's name)
    """Sum over ``dim`` (all dims when None or empty); bool and integers sum as int64.

    >>> import nnscratch as ns
    >>> ns.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(dim=0).tolist()
    [4.0, 6.0]
    """
    axes = None if dim is None else _axes(dim, input.ndim, "sum")  # None: numpy sums it all
    if input.dtype.kind != "f" and input.dtype != np.int64:
        input = input.long()  # torch sums bool and every integer type as int64
    return Sum.apply(input, axes, keepdim)


@numpy_names
def mean(input, dim=None, keepdim: bool = False) -> Tensor:
    """Mean over ``dim`` (all dims when None or empty); float tensors only, as in torch."""
    check_floating(input, "mean")
    return Mean.apply(input, _axes(dim, input.ndim, "mean"), keepdim)


@numpy_names
def var(input, dim=None, *, correction=1, keepdim: bool = False, unbiased=None) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction``: sum((x - mean)^2) / (n - correction).

    ``unbiased`` (and ``var(x, True)``) is torch's older spelling of correction=1 / 0.

    >>> import nnscratch as ns
    >>> ns.tensor([1.0, 2.0, 3.0, 4.0]).var().item()
    1.6666666269302368
    >>> ns.tensor([1.0, 2.0, 3.0, 4.0]).var(correction=0).item()
    1.25
    """
    return Var.apply(input, *_var_args(input, dim, correction, keepdim, unbiased, "var"))


@numpy_names
def std(input, dim=None, *, correction=1, keepdim: bool = False, unbiased=None) -> Tensor:
    """Standard deviation over ``dim``: sqrt(var(input, dim, correction=correction)).

    >>> import nnscratch as ns
    >>> ns.tensor([[1.0, 3.0], [2.0, 2.0]]).std(dim=1).tolist()
    [1.4142135381698608, 0.0]
    """
    return Std.apply(input, *_var_args(input, dim, correction, keepdim, unbiased, "std"))


def _var_args(input, dim, correction, keepdim, unbiased, name):
    """Check var/std's arguments; warn, as torch does, when there are no degrees of freedom."""
    check_floating(input, name)
    if isinstance(dim, bool):  # torch's overload var(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None:
        correction = int(unbiased)
    if correction is None:
        correction = 1
    if not isinstance(correction, Real):
        raise TypeError(f"{name}: correction must be a number, received {correction!r}")
    axes = _axes(dim, input.ndim, name)
    if (n := _count(input.shape, axes)) - correction <= 0:
        message = f"correction {correction} with {n} elements per slice gives inf or nan"
        warnings.warn(f"{name}(): degrees of freedom is <= 0 ({message})", stacklevel=3)
    return axes, correction, keepdim
