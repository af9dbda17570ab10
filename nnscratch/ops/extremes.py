"""Reductions that select: max, min, argmax, argmin, amax and amin.

Each picks elements of its input rather than combining them, so its gradient goes to the
chosen elements only: along a dim to the first extreme (whose index is returned), over whole
tensors and in amax/amin shared evenly among ties, as torch does. The reductions that combine
(sum, mean, var, std) live in ``reduce.py``, which also re-exports everything here.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..autograd.function import Function
from ..autograd.numpy_names import numpy_names
from ..autograd.tensor import Tensor
from .axes import _axes, _restore
from .checks import is_int

__all__ = ["max", "min", "argmax", "argmin", "amax", "amin"]

# torch.return_types.max / .min: a tuple that also reads as ``.values`` and ``.indices``.
MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


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


def _reduced_shape(shape: tuple, axes: tuple, keepdim: bool) -> tuple:
    return tuple(1 if i in axes else n for i, n in enumerate(shape) if keepdim or i not in axes)


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
    if not is_int(dim):
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
