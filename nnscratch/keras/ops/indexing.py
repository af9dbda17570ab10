"""``keras.ops`` that pick elements: diagonals, triangles, ``take``, ``where`` and friends.

Picking is an index into ``x`` with an integer array, so the gradient of each picked element
flows back to where it came from (summed when an element is picked twice). Index outputs
(``nonzero``, ``unravel_index``) are int32, as Keras makes them.

>>> x = reshape(arange(9.0), (3, 3))
>>> diagonal(x).tolist(), take(x, [2, 0], axis=1).tolist()[0], trace(x).item()
([0.0, 4.0, 8.0], [2.0, 0.0], 12.0)
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .conversion import as_tensor
from .creation import arange, cast  # noqa: F401  (arange: the doctest's)
from .dtype_rules import result_type
from .shaping import canonical_axis, ravel, reshape, take_slices  # noqa: F401  (reshape: doctest)
from .symbolic import symbolic

__all__ = [
    "diag", "diagflat", "diagonal", "get_item", "nonzero", "select", "take",
    "take_along_axis", "tril", "triu", "trace", "unravel_index", "where", "isin",
]  # fmt: skip


def _indices(value) -> np.ndarray:
    """Integer positions as a NumPy array (from a Tensor, an array or a list)."""
    array = value.numpy() if isinstance(value, Tensor) else np.asarray(value)
    if array.dtype.kind not in "iu":
        raise TypeError(f"expected integer indices, received dtype {array.dtype}")
    return array.astype(np.int64)


def _diagonal_positions(n1: int, n2: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each element of diagonal ``offset`` of an n1 x n2 matrix."""
    start_row, start_col = max(-offset, 0), max(offset, 0)
    length = max(0, min(n1 - start_row, n2 - start_col))
    return start_row + np.arange(length), start_col + np.arange(length)


@symbolic
def diagonal(x, offset=0, axis1=0, axis2=1) -> Tensor:
    """The diagonal ``offset`` of the matrices spanned by ``axis1`` and ``axis2``, as a new
    last axis (the other axes stay in front)."""
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"diagonal: expects at least 2 dims, received shape {x.shape}")
    a, b = (canonical_axis(ax, x.ndim, "diagonal") for ax in (axis1, axis2))
    if a == b:
        raise ValueError(f"diagonal: axis1 and axis2 must differ, both are {a}")
    x = ns.ops.moveaxis(x, (a, b), (-2, -1))
    rows, cols = _diagonal_positions(x.shape[-2], x.shape[-1], offset)
    return ns.ops.index(x, (Ellipsis, rows, cols))


@symbolic
def diag(x, k=0) -> Tensor:
    """A 1-D ``x`` laid on diagonal ``k`` of a square matrix, or diagonal ``k`` of a 2-D ``x``."""
    x = as_tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"diag: expects a 1-D or 2-D tensor, received shape {x.shape}")
    return ns.ops.diag(x, k)


@symbolic
def diagflat(x, k=0) -> Tensor:
    """``x`` flattened and laid on diagonal ``k`` of a square matrix."""
    return ns.ops.diag(ravel(x), k)


@symbolic
def tril(x, k=0) -> Tensor:
    """``x`` with the elements above diagonal ``k`` of its last two axes set to zero."""
    return ns.ops.tril(as_tensor(x), k)


@symbolic
def triu(x, k=0) -> Tensor:
    """``x`` with the elements below diagonal ``k`` of its last two axes set to zero."""
    return ns.ops.triu(as_tensor(x), k)


@symbolic
def trace(x, offset=0, axis1=0, axis2=1) -> Tensor:
    """The sum along diagonal ``offset``; bool and small ints sum as int32."""
    x = as_tensor(x)
    small = x.dtype.kind == "b" or (x.dtype.kind in "iu" and x.dtype.itemsize < 4)
    return cast(ns.ops.sum(diagonal(x, offset, axis1, axis2), -1), "int32" if small else x.dtype)


@symbolic
def get_item(x, key) -> Tensor:
    """``x[key]``: ints, slices, None, Ellipsis, integer arrays and boolean masks."""
    return as_tensor(x)[key]


@symbolic
def take(x, indices, axis=None) -> Tensor:
    """The elements of ``x`` at ``indices`` along ``axis`` (of the flattened ``x`` when
    None); negative indices count from the end. The result has ``indices``' shape in place
    of that axis."""
    x = as_tensor(x)
    if axis is None:
        x, axis = ravel(x), 0
    axis = canonical_axis(axis, x.ndim, "take")
    picks = _indices(indices)
    n = x.shape[axis]
    if picks.size and (picks.max() >= n or picks.min() < -n):
        raise IndexError(f"take: index out of range for axis {axis} of size {n}")
    return take_slices(x, axis, picks)


@symbolic
def take_along_axis(x, indices, axis=None) -> Tensor:
    """Pick from ``x`` along ``axis`` with ``indices`` of the same number of dims (the other
    axes broadcast): what ``argsort`` or ``argmax(keepdims=True)`` give back."""
    x = as_tensor(x)
    if axis is None:
        x, axis = ravel(x), 0
    axis = canonical_axis(axis, x.ndim, "take_along_axis")
    picks = _indices(indices)
    if picks.ndim != x.ndim:
        raise ValueError(f"take_along_axis: indices need {x.ndim} dims like x, received "
                         f"shape {picks.shape}")  # fmt: skip
    shape = np.broadcast_shapes(
        tuple(1 if d == axis else n for d, n in enumerate(x.shape)),
        tuple(1 if d == axis else n for d, n in enumerate(picks.shape)),
    )
    grid = list(np.indices(shape[:axis] + (1,) + shape[axis + 1 :], sparse=True))
    grid = [np.zeros_like(g) if x.shape[d] == 1 else g for d, g in enumerate(grid)]
    grid[axis] = picks
    return ns.ops.index(x, tuple(grid))


@symbolic
def nonzero(x) -> Tensor:
    """The positions of the non-zero elements, one row per axis: shape (ndim, count), int32."""
    positions = np.stack(np.nonzero(as_tensor(x).detach().numpy()))
    return ns.from_numpy(positions.astype(np.int32))


@symbolic
def where(condition, x1=None, x2=None) -> Tensor:
    """``x1`` where ``condition`` holds, else ``x2`` (broadcast; differentiable in both).
    Without ``x1``/``x2``: the positions where it holds, shape (ndim, count), int64."""
    condition = cast(as_tensor(condition), "bool")
    if x1 is None or x2 is None:
        return ns.from_numpy(np.stack(np.nonzero(condition.numpy())).astype(np.int64))
    return ns.ops.where(condition, as_tensor(x1), as_tensor(x2))


@symbolic
def select(condlist, choicelist, default=0) -> Tensor:
    """For each element, the value from the first choice whose condition holds, else
    ``default``: ``where`` chained from the last condition to the first."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist differ in length "
                         f"({len(condlist)} and {len(choicelist)})")  # fmt: skip
    out = as_tensor(default)
    for condition, choice in reversed(list(zip(condlist, choicelist))):
        out = ns.ops.where(cast(as_tensor(condition), "bool"), as_tensor(choice), out)
    return out


@symbolic
def unravel_index(indices, shape) -> tuple[Tensor, ...]:
    """Flat positions in a tensor of ``shape`` as one coordinate tensor per axis."""
    flat = as_tensor(indices)
    dtype = result_type(flat.dtype)
    coordinates = np.unravel_index(flat.numpy(), tuple(int(s) for s in shape))
    return tuple(ns.from_numpy(np.asarray(c, dtype=dtype)) for c in coordinates)


@symbolic
def isin(x1, x2, assume_unique=False, invert=False) -> Tensor:
    """Whether each element of ``x1`` occurs in ``x2`` (its negation with ``invert``)."""
    a, b = as_tensor(x1).detach().numpy(), as_tensor(x2).detach().numpy()
    return ns.from_numpy(np.isin(a, b, assume_unique=assume_unique, invert=invert))
