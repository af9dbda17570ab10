"""Reductions: sum, mean, var, std, max/min (+ arg and a- variants), and logsumexp."""

from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple
from numbers import Real

import numpy as np

from ..autograd.function import Function
from ..autograd.numpy_names import numpy_names
from ..autograd.tensor import Tensor

# This module defines sum, max and min as torch does; the builtins stay reachable here.
_max = builtins.max

__all__ = [
    "sum", "mean", "var", "std", "max", "min", "argmax", "argmin", "amax", "amin",
]  # fmt: skip

# torch.return_types.max / .min: a tuple that also reads as ``.values`` and ``.indices``.
MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def _axes(dim, ndim: int, name: str):
    """torch's ``dim`` (None, an int, or a sequence of ints) as a sorted tuple of numpy axes.

    None and an empty sequence both mean every dim, as in torch.
    """
    if dim is None or isinstance(dim, (int, np.integer)):
        dims = () if dim is None else (dim,)
    elif isinstance(dim, (tuple, list)):
        dims = tuple(dim)
    else:
        raise TypeError(f"{name}: dim must be an int or a tuple of ints, received {dim!r}")
    if not dims:
        return tuple(range(ndim))
    rank = _max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1
    for d in dims:
        if not isinstance(d, (int, np.integer)):
            raise TypeError(f"{name}: dim must be an int or a tuple of ints, received {dim!r}")
        if not -rank <= d < rank:
            raise IndexError(
                f"{name}: dim {d} is out of range for a tensor with {ndim} dimensions "
                f"(expected a dim in [{-rank}, {rank - 1}])"
            )
    axes = [int(d) % rank for d in dims]
    for a in axes:
        if axes.count(a) > 1:
            raise RuntimeError(f"{name}: dim {a} appears multiple times in the list of dims {dim}")
    return tuple(sorted(axes)) if ndim else ()


def _restore(grad: np.ndarray, axes: tuple, keepdim: bool) -> np.ndarray:
    """Put reduced axes back as size-1 dims so ``grad`` broadcasts against the input."""
    if keepdim or grad.ndim == 0:  # a 0-d gradient broadcasts as it is
        return grad
    return np.expand_dims(grad, axes)


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


def _tie_split(x, y, grad, axes, keepdim, nan_ties):
    """Share each slice's gradient evenly among the elements equal to its extreme.

    torch's full ``max()`` also counts NaNs as ties of a NaN result; ``amax`` does not, so a
    NaN slice there gets a nan gradient (0 / 0), as in torch.
    """
    y, grad = _restore(y, axes, keepdim), _restore(grad, axes, keepdim)
    mask = x == y
    if nan_ties:
        mask |= np.isnan(x) & np.isnan(y)
    count = mask.sum(axis=axes, keepdims=True).astype(grad.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return grad / count * mask


class Amax(Function):
    """y = max(x, axes);  dy/dx = 1 / (number of ties) at the maxima, 0 elsewhere"""

    @staticmethod
    def forward(ctx, x, axes, keepdim, nan_ties):
        ctx.axes, ctx.keepdim, ctx.nan_ties = axes, keepdim, nan_ties
        ctx.save_for_backward(x, np.asarray(x.max(axis=axes, keepdims=keepdim)))
        return ctx.saved_tensors[1]

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _tie_split(x, y, grad, ctx.axes, ctx.keepdim, ctx.nan_ties), None, None, None


class Amin(Function):
    """y = min(x, axes);  dy/dx = 1 / (number of ties) at the minima, 0 elsewhere"""

    @staticmethod
    def forward(ctx, x, axes, keepdim, nan_ties):
        ctx.axes, ctx.keepdim, ctx.nan_ties = axes, keepdim, nan_ties
        ctx.save_for_backward(x, np.asarray(x.min(axis=axes, keepdims=keepdim)))
        return ctx.saved_tensors[1]

    backward = Amax.backward  # the same even split among ties


class TakeAlongDim(Function):
    """y = x at ``index`` along ``axis`` (max/min with a dim);  dy/dx = grad at index, else 0"""

    @staticmethod
    def forward(ctx, x, index, axis, shape):
        # index has keepdim shape on x viewed as at least 1-D (a 0-d x reduces over dim 0).
        ctx.shape, ctx.index, ctx.axis = x.shape, index, axis
        return np.take_along_axis(np.atleast_1d(x), index, axis).reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape or (1,), dtype=grad.dtype)
        np.put_along_axis(out, ctx.index, grad.reshape(ctx.index.shape), ctx.axis)
        return out.reshape(ctx.shape), None, None, None


def _float_input(input, name: str):
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point tensor, received {input.dtype}")


def _reduced_shape(shape: tuple, axes: tuple, keepdim: bool) -> tuple:
    return tuple(1 if i in axes else n for i, n in enumerate(shape) if keepdim or i not in axes)


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
    _float_input(input, "mean")
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
    _float_input(input, name)
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


@numpy_names
def max(input, dim=None, keepdim: bool = False) -> Tensor | MaxResult:  # noqa: A001 (torch's name)
    """The largest element (``dim=None``), or ``(values, indices)`` along an int ``dim``.

    At ties the full reduction shares the gradient evenly; along a dim it goes to the first
    maximum, whose index is returned.

    >>> import nnscratch as ns
    >>> x = ns.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> x.max().item()
    7.0
    >>> values, indices = x.max(dim=1)
    >>> values.tolist(), indices.tolist()
    ([5.0, 7.0], [1, 0])
    """
    return _extreme(input, dim, keepdim, "max")


@numpy_names
def min(input, dim=None, keepdim: bool = False) -> Tensor | MinResult:  # noqa: A001 (torch's name)
    """The smallest element (``dim=None``), or ``(values, indices)`` along an int ``dim``.

    >>> import nnscratch as ns
    >>> ns.tensor([[1.0, 5.0], [7.0, 2.0]]).min(dim=0).indices.tolist()
    [0, 1]
    """
    return _extreme(input, dim, keepdim, "min")


def _extreme(input, dim, keepdim, name):
    if isinstance(dim, Tensor):
        return _elementwise_extreme(input, dim, name)
    if dim is None:
        if keepdim:
            raise TypeError(
                f"{name}(): keepdim=True needs a dim, e.g. {name}(x, dim=0, keepdim=True)"
            )
        _require_elements(input, name)
        return (Amax if name == "max" else Amin).apply(input, tuple(range(input.ndim)), False, True)
    _require_int_dim(dim, name, f"for several dims use a{name}(x, dim=(0, 1))")
    index, axis, shape = _arg_extreme(input, dim, keepdim, name)
    result = MaxResult if name == "max" else MinResult
    return result(TakeAlongDim.apply(input, index, axis, shape), _long(index.reshape(shape)))


def _elementwise_extreme(input, other, name):
    """torch.max(x, other) is the elementwise maximum: use it where it exists."""
    from . import elementwise  # looked up at call time: elementwise is a sibling module

    fn_name = "maximum" if name == "max" else "minimum"
    fn = getattr(elementwise, fn_name, None)
    if fn is None:
        raise TypeError(
            f"{name}(input, other) with a tensor `other` is the elementwise {fn_name}: "
            f"call nnscratch.{fn_name}(input, other)"
        )
    return fn(input, other)


@numpy_names
def argmax(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the first largest element; of the flattened tensor when ``dim`` is None.

    >>> import nnscratch as ns
    >>> ns.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax().item()
    2
    """
    return _arg(input, dim, keepdim, "argmax")


@numpy_names
def argmin(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the first smallest element; of the flattened tensor when ``dim`` is None."""
    return _arg(input, dim, keepdim, "argmin")


def _arg(input, dim, keepdim, name):
    if input.dtype.kind == "b":
        raise TypeError(f"{name}(): does not support bool input (convert with .long() first)")
    if dim is not None:
        _require_int_dim(dim, name, "argmax/argmin reduce one dim at a time")
        index, _, shape = _arg_extreme(input, dim, keepdim, name[3:])
        return _long(index.reshape(shape))
    _require_elements(input, name)
    flat = (np.argmax if name == "argmax" else np.argmin)(input._data)  # C-order flat index
    return _long(np.reshape(flat, (1,) * input.ndim if keepdim else ()))


def _arg_extreme(input, dim, keepdim, name):
    """The index of the first max/min along ``dim`` (NaN counts as extreme, as in torch)."""
    axes = _axes(dim, input.ndim, name)
    axis = axes[0] if axes else 0
    data = np.atleast_1d(input._data)
    if data.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    index = (np.argmax if name == "max" else np.argmin)(data, axis=axis, keepdims=True)
    return index, axis, _reduced_shape(input.shape, axes, keepdim)


def _require_int_dim(dim, name, hint):
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): dim must be an int, received {dim!r} ({hint})")


def _require_elements(input, name):
    if input.numel() == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0 "
            f"(shape {input.shape}). Specify the reduction dim with the 'dim' argument."
        )


def _long(index: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(index, dtype=np.int64), False, None)


@numpy_names
def amax(input, dim=None, keepdim: bool = False) -> Tensor:
    """Largest values over ``dim`` (an int or a tuple; all when None or empty).

    Ties share the gradient evenly, as in torch.

    >>> import nnscratch as ns
    >>> ns.amax(ns.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=(0, 1)).item()
    7.0
    """
    return Amax.apply(input, _extreme_axes(input, dim, "amax"), keepdim, False)


@numpy_names
def amin(input, dim=None, keepdim: bool = False) -> Tensor:
    """Smallest values over ``dim`` (an int or a tuple; all when None or empty)."""
    return Amin.apply(input, _extreme_axes(input, dim, "amin"), keepdim, False)


def _extreme_axes(input, dim, name):
    """amax/amin's axes; like torch, refuse to reduce an empty dim (there is no extreme)."""
    axes = _axes(dim, input.ndim, name)
    if input.numel() == 0 and (dim is None or np.ndim(dim) == 1 and len(dim) == 0):
        _require_elements(input, name)
    for a in axes:
        if input.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")
    return axes
