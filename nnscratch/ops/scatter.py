"""Writing by index and by mask: scatter, scatter_add, masked_fill, masked_select; and the
index finders nonzero, argwhere and one_hot.

``Scatter`` and ``ScatterAdd`` are the two primitives; they address the input with
``indexing``'s gather key, so ``scatter`` is gather's mirror image.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .checks import wrap_dim
from .elementwise import where
from .extremes import _long
from .indexing import IndexPut, _check_bounds, _describe, _gather_key
from .indexing import index as read_at
from .movement import expand

# one_hot is nn.functional's (as in torch), not a top-level function
__all__ = ["scatter", "scatter_add", "masked_fill", "masked_select", "nonzero", "argwhere"]


class Scatter(IndexPut):
    """y = x with y[index[i]][j] = src[i][j] (dim 0);  dy/dx = grad, 0 where written;
    dy/dsrc = grad gathered at index  (``index_put`` at ``indexing``'s gather key; a repeated
    index keeps one of the values, torch leaves which unspecified)"""


class ScatterAdd(Function):
    """y = x with src[i][j] added at y[index[i]][j] (dim 0);  dy/dx = grad;
    dy/dsrc = grad gathered at index"""

    @staticmethod
    def forward(ctx, x, src, key):
        ctx.key = key
        out = x.copy()
        np.add.at(out, key, src)  # a repeated index adds every value
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad[ctx.key] if ctx.needs_input_grad[1] else None), None


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce: str | None = None) -> Tensor:  # fmt: skip
    """A copy of ``input`` with ``src[i][j]`` (or the number ``value``) written at
    ``[index[i][j]][j]`` for ``dim=0`` (likewise for other dims); ``reduce='add'`` adds.

    >>> import nnscratch as ns
    >>> ns.zeros(3, 2).scatter(0, ns.tensor([[2, 0]]), ns.tensor([[1.0, 2.0]])).tolist()
    [[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]]
    """
    if reduce not in (None, "add"):
        raise NotImplementedError(
            f"scatter: reduce={reduce!r} is not supported; nnscratch supports reduce='add' "
            "(or scatter_add)"
        )
    src = _source(input, src, value, "scatter")
    key, src = _prepare(input, dim, index, src, "scatter")
    return (ScatterAdd if reduce == "add" else Scatter).apply(input, src, key)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with each ``src[i][j]`` added at ``[index[i][j]][j]`` for ``dim=0``;
    repeated indices add up.

    >>> import nnscratch as ns
    >>> ns.zeros(3).scatter_add(0, ns.tensor([0, 2, 0]), ns.tensor([1.0, 2.0, 3.0])).tolist()
    [4.0, 0.0, 2.0]
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a Tensor, received {_describe(src)}")
    key, src = _prepare(input, dim, index, src, "scatter_add")
    return ScatterAdd.apply(input, src, key)


def _source(input: Tensor, src, value, name: str):
    if (src is None) == (value is None):
        raise TypeError(f"{name}: give exactly one of src (a Tensor) and value (a number)")
    if src is None or not isinstance(src, Tensor):  # scatter(x, dim, index, 1.5) is allowed
        number = value if src is None else src
        if not isinstance(number, (bool, int, float, np.number)):
            raise TypeError(f"{name}: value must be a number, received {type(number).__name__}")
        return np.asarray(number, dtype=input.dtype)
    return src


def _prepare(input: Tensor, dim: int, index: Tensor, src, name: str):
    """The gather key of ``index`` along ``dim``, and ``src`` cut to ``index``'s shape."""
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must be an integer tensor, received {_describe(index)}")
    if isinstance(src, Tensor) and src.dtype != input.dtype:
        raise RuntimeError(
            f"{name}: expected src to have the input's dtype {input.dtype}, received {src.dtype}"
        )
    if input.ndim == 0:
        raise RuntimeError(f"{name}: expected an input with at least one dim, received a 0-d one")
    dim = wrap_dim(dim, input.ndim, name)
    idx = index._data.reshape(-1) if index.ndim == 0 else index._data  # torch: 0-d is 1-d
    if isinstance(src, Tensor) and src.ndim == 0:
        src = read_at(src, None)  # a (1,) view in the graph
    _check_shapes(input.shape, idx.shape, src.shape if isinstance(src, Tensor) else None, dim, name)
    _check_bounds(idx, input.shape[dim], dim, name)
    if isinstance(src, Tensor) and src.shape != idx.shape:  # torch reads src's leading corner
        src = read_at(src, tuple(slice(n) for n in idx.shape))
    return _gather_key(idx, dim), src


def _check_shapes(shape: tuple, index: tuple, src: tuple | None, dim: int, name: str) -> None:
    fits = len(index) == len(shape) and all(
        i <= n for d, (i, n) in enumerate(zip(index, shape, strict=True)) if d != dim
    )
    if src is not None:
        fits = fits and len(src) == len(index)
        fits = fits and all(i <= s for i, s in zip(index, src, strict=True))
    if not fits:
        raise RuntimeError(
            f"{name}: index of shape {index} must have the input's {len(shape)} dims and be no "
            f"larger than the input {shape} (except at dim {dim}) or the src {src}"
        )


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``input`` with ``value`` (a number or a 0-d tensor) where the bool ``mask`` holds;
    ``mask`` broadcasts. The result keeps ``input``'s dtype.

    >>> import nnscratch as ns
    >>> ns.tensor([1.0, 2.0, 3.0]).masked_fill(ns.tensor([True, False, True]), 0).tolist()
    [0.0, 2.0, 0.0]
    """
    _check_mask(mask, "masked_fill")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                f"masked_fill: value must be a number or a 0-d tensor, received shape {value.shape}"
            )
        value = value.to(input.dtype)
    elif isinstance(value, (bool, int, float, np.number)):
        value = Tensor._make(np.asarray(value, dtype=input.dtype), False, None)
    else:
        raise TypeError(f"masked_fill: value must be a number, received {type(value).__name__}")
    return where(mask, value, input)


def _check_mask(mask, name: str) -> None:
    if not isinstance(mask, Tensor) or mask.dtype != np.bool_:
        raise TypeError(f"{name}: mask must be a bool tensor, received {_describe(mask)}")


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where the bool ``mask`` holds, as a 1-D tensor (the two
    broadcast against each other first).

    >>> import nnscratch as ns
    >>> ns.masked_select(ns.tensor([[1, 2], [3, 4]]), ns.tensor([True, False])).tolist()
    [1, 3]
    """
    _check_mask(mask, "masked_select")
    try:
        shape = np.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_select: the mask of shape {mask.shape} does not broadcast with the "
            f"input's shape {input.shape}"
        ) from None
    return read_at(expand(input, shape), np.broadcast_to(mask._data, shape))


def nonzero(input: Tensor, *, as_tuple: bool = False):
    """The indices of the nonzero elements: an int64 tensor of shape (count, ndim), or with
    ``as_tuple=True`` one 1-D tensor per dim (what ``x[...]`` takes).

    >>> import nnscratch as ns
    >>> x = ns.tensor([[0, 1], [2, 0]])
    >>> ns.nonzero(x).tolist(), [t.tolist() for t in x.nonzero(as_tuple=True)]
    ([[0, 1], [1, 0]], [[0, 1], [1, 0]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"nonzero: expected a Tensor, received {type(input).__name__}")
    data = input._data
    if as_tuple:
        return tuple(_long(i) for i in np.nonzero(np.atleast_1d(data)))
    return _long(np.argwhere(data))


def argwhere(input: Tensor) -> Tensor:
    """``nonzero(input)``: the (count, ndim) int64 indices of the nonzero elements."""
    return nonzero(input)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 rows with a 1 at each class index of ``tensor`` (int64), ``num_classes`` wide
    (``max + 1`` when -1).

    >>> import nnscratch as ns
    >>> ns.nn.functional.one_hot(ns.tensor([0, 2]), 3).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    if not isinstance(tensor, Tensor) or tensor.dtype != np.int64:
        raise TypeError(f"one_hot: expected an int64 index tensor, received {_describe(tensor)}")
    data = tensor._data
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("one_hot: can not infer the number of classes from an empty tensor")
        num_classes = int(data.max()) + 1
    if data.size and data.min() < 0:
        raise RuntimeError(f"one_hot: class values must be non-negative, received {data.min()}")
    if data.size and data.max() >= num_classes:
        raise RuntimeError(
            f"one_hot: class values must be smaller than num_classes={num_classes}, received "
            f"{data.max()}"
        )
    return _long(data[..., None] == np.arange(num_classes))
