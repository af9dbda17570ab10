"""Sorting and order statistics: sort, argsort, topk, kthvalue, median, mode, unique.

NumPy finds the order; the values are then read with ``gather``, so their gradient flows back
to the positions they came from and no derivative is written here. Sorts are stable and put
NaN last (first when descending), as torch does.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..autograd.tensor import Tensor
from .checks import wrap_dim
from .indexing import gather
from .movement import reshape, squeeze

__all__ = ["sort", "argsort", "topk", "kthvalue", "median", "mode", "unique"]

# torch.return_types.*: tuples that also read as ``.values`` and ``.indices``.
SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])
KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
MedianResult = namedtuple("median", ["values", "indices"])
ModeResult = namedtuple("mode", ["values", "indices"])


def _order(data: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """A stable argsort along ``axis``; descending keeps equal elements in their order too."""
    if not descending:
        return np.argsort(data, axis=axis, kind="stable")
    size = data.shape[axis]
    flipped = np.flip(data, axis)  # sort reversed, then reverse: ties stay in input order
    return size - 1 - np.flip(np.argsort(flipped, axis=axis, kind="stable"), axis)


def _long(array: np.ndarray) -> Tensor:
    # contiguous (unlike extremes._long): topk's and kthvalue's slices would keep the whole sort
    return Tensor._make(np.ascontiguousarray(array, dtype=np.int64), False, None)


def _sorted(input: Tensor, dim: int, descending: bool, name: str) -> tuple[Tensor, int]:
    """The sorting indices of ``input`` along ``dim`` (at least 1-D), and the wrapped dim."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a Tensor, received {type(input).__name__}")
    dim = wrap_dim(dim, input.ndim, name)
    return _long(_order(np.atleast_1d(input._data), dim, descending)), dim


def _gathered(input: Tensor, dim: int, indices: Tensor) -> tuple[Tensor, Tensor]:
    """``(gather(input, dim, indices), indices)``; a 0-d input gives 0-d results, as torch."""
    if input.ndim:
        return gather(input, dim, indices), indices
    values = gather(reshape(input, (1,)), 0, indices)
    return reshape(values, ()), reshape(indices, ())


def sort(input: Tensor, dim: int = -1, descending: bool = False, *,
         stable: bool = False) -> SortResult:  # fmt: skip
    """``(values, indices)``: ``input`` sorted along ``dim`` and where each value came from.
    The sort is always stable (``stable=True`` asks for nothing more).

    >>> import nnscratch as ns
    >>> values, indices = ns.sort(ns.tensor([3.0, 1.0, 2.0]), descending=True)
    >>> values.tolist(), indices.tolist()
    ([3.0, 2.0, 1.0], [0, 2, 1])
    """
    indices, dim = _sorted(input, dim, descending, "sort")
    return SortResult(*_gathered(input, dim, indices))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:  # fmt: skip
    """The int64 indices that sort ``input`` along ``dim`` (stably).

    >>> import nnscratch as ns
    >>> ns.argsort(ns.tensor([[3, 1, 2]])).tolist()
    [[1, 2, 0]]
    """
    indices, _ = _sorted(input, dim, descending, "argsort")
    return reshape(indices, ()) if input.ndim == 0 else indices


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> TopkResult:  # fmt: skip  # noqa: A002 (torch's name)
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``, in
    order (also with ``sorted=False``, which allows any order). Ties keep the lower index.

    >>> import nnscratch as ns
    >>> ns.topk(ns.tensor([1.0, 5.0, 3.0, 4.0]), 2).indices.tolist()
    [1, 3]
    """
    indices, dim = _sorted(input, dim, largest, "topk")
    size = input.shape[dim] if input.ndim else 1
    if not isinstance(k, (int, np.integer)) or not 0 <= k <= size:
        raise RuntimeError(f"topk: k ({k!r}) is out of range for dimension {dim} of size {size}")
    picked = _long(indices._data[(slice(None),) * dim + (slice(0, int(k)),)])
    if input.ndim == 0 and k == 0:
        return TopkResult(gather(reshape(input, (1,)), 0, picked), picked)
    return TopkResult(*_gathered(input, dim, picked))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> KthvalueResult:
    """``(values, indices)`` of the ``k``-th smallest element (1-based) along ``dim``.

    >>> import nnscratch as ns
    >>> ns.kthvalue(ns.tensor([[3.0, 1.0, 2.0]]), 2).values.tolist()
    [2.0]
    """
    indices, dim = _sorted(input, dim, False, "kthvalue")
    size = input.shape[dim] if input.ndim else 1
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= size:
        raise IndexError(f"kthvalue: k ({k!r}) is out of range for dimension {dim} of size {size}")
    key = (slice(None),) * dim + (slice(k - 1, k),)
    return KthvalueResult(*_pick(input, _long(indices._data[key]), dim, keepdim))


def _pick(input: Tensor, picked: Tensor, dim: int, keepdim: bool) -> tuple[Tensor, Tensor]:
    """Values at ``picked`` (one index along ``dim``, kept as size 1), with ``dim`` dropped
    unless ``keepdim``."""
    if input.ndim == 0:
        return _gathered(input, dim, picked)
    values = gather(input, dim, picked)
    if keepdim:
        return values, picked
    return squeeze(values, dim), squeeze(picked, dim)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """The lower median (no averaging of the two middle values), NaN if a NaN is present:
    one value when ``dim`` is None, else ``(values, indices)`` along ``dim``.

    >>> import nnscratch as ns
    >>> x = ns.tensor([[1.0, 4.0, 2.0, 3.0]])
    >>> x.median().item(), x.median(dim=1).indices.tolist()
    (2.0, [2])
    """
    if dim is None:
        if input.numel() == 0:
            return Tensor._make(np.asarray(np.nan, input.dtype), False, None)
        return median(reshape(input, (-1,)), 0).values
    indices, dim = _sorted(input, dim, False, "median")
    data = np.atleast_1d(input._data)
    size = data.shape[dim]
    if size == 0:
        raise IndexError(f"median: dimension {dim} is empty (input shape {input.shape})")
    shape = data.shape[:dim] + (1,) + data.shape[dim + 1 :]
    nans = np.isnan(data).sum(axis=dim, keepdims=True) if data.dtype.kind == "f" else 0
    position = np.where(nans > 0, size - nans, (size - 1) // 2)  # the first NaN, if any
    picked = np.take_along_axis(indices._data, np.broadcast_to(position, shape), dim)
    return MedianResult(*_pick(input, _long(picked), dim, keepdim))


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> ModeResult:
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest of equally
    frequent ones) and the index of its last occurrence, as torch on the CPU.

    >>> import nnscratch as ns
    >>> ns.mode(ns.tensor([3, 1, 3, 1, 2])).indices.item()
    3
    """
    _, dim = _sorted(input, dim, False, "mode")
    data = np.moveaxis(np.atleast_1d(input._data), dim, -1)
    rows = data.reshape(-1, data.shape[-1])
    if rows.shape[1] == 0:
        raise IndexError(f"mode: dimension {dim} is empty (input shape {input.shape})")
    last = np.array([_last_of_mode(row) for row in rows], np.int64)
    picked = np.expand_dims(last.reshape(data.shape[:-1]), dim)
    return ModeResult(*_pick(input, _long(picked), dim, keepdim))


def _last_of_mode(row: np.ndarray) -> int:
    values, counts = np.unique(row, return_counts=True)
    value = values[np.argmax(counts)]  # the first of the most frequent: the smallest
    return row.size - 1 - int(np.argmax(row[::-1] == value))


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None):  # fmt: skip
    """The distinct elements of ``input`` in ascending order (also for ``sorted=False``), or
    its distinct slices along ``dim``; with ``return_inverse`` where each element went, with
    ``return_counts`` how often each occurs. Not differentiable, as in torch.

    >>> import nnscratch as ns
    >>> values, inverse, counts = ns.unique(ns.tensor([3, 1, 3]), return_inverse=True,
    ...                                     return_counts=True)
    >>> values.tolist(), inverse.tolist(), counts.tolist()
    ([1, 3], [1, 0, 1], [1, 2])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"unique: expected a Tensor, received {type(input).__name__}")
    data = input._data
    axis = None if dim is None else wrap_dim(dim, input.ndim, "unique")
    values, inverse, counts = np.unique(data, return_inverse=True, return_counts=True, axis=axis)
    inverse = inverse.reshape(data.shape if axis is None else (-1,))
    out = [Tensor._make(values, False, None)]
    out += [_long(inverse)] if return_inverse else []
    out += [_long(counts)] if return_counts else []
    return out[0] if len(out) == 1 else tuple(out)
