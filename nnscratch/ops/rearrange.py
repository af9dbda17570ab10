"""Rearranging: repeat, tile, repeat_interleave, flip, roll, movedim, unbind, meshgrid, ...

Every function here is a composition of the primitives in ``movement.py`` and ``indexing.py``
(reshape, expand, permute, narrow, cat and ``x[key]``), so no derivative is written here.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from ..autograd.tensor import Tensor
from .cast import Clone
from .checks import is_int, wrap_dim
from .indexing import index, index_select
from .movement import cat, expand, flatten, narrow, permute, reshape, transpose, unsqueeze

__all__ = [
    "tile", "repeat_interleave", "flip", "fliplr", "flipud", "roll", "swapaxes", "swapdims",
    "movedim", "moveaxis", "unbind", "meshgrid",
]  # fmt: skip


def _ints(value, name: str, what: str) -> tuple[int, ...]:
    """An int or a sequence of ints, as a tuple (torch takes both for dims and sizes)."""
    values = (value,) if isinstance(value, (int, np.integer)) else tuple(value)
    for v in values:
        if not is_int(v):
            raise TypeError(f"{name}: {what} must be ints, received {value!r}")
    return tuple(int(v) for v in values)


def repeat(input: Tensor, sizes: Sequence[int]) -> Tensor:
    """``input`` repeated ``sizes[i]`` times along dim ``i`` (``Tensor.repeat``); extra leading
    sizes add dims.

    >>> import nnscratch as ns
    >>> ns.tensor([1, 2]).repeat(2, 2).tolist()
    [[1, 2, 1, 2], [1, 2, 1, 2]]
    """
    sizes = _ints(sizes, "repeat", "sizes")
    if len(sizes) < input.ndim or any(n < 0 for n in sizes):
        raise RuntimeError(
            f"repeat: expected one non-negative count per dimension of the tensor (shape "
            f"{input.shape}) or more, received {sizes}"
        )
    shape = (1,) * (len(sizes) - input.ndim) + input.shape
    spread = tuple(n for s in shape for n in (1, s))  # a size-1 dim before each dim
    grown = tuple(n for r, s in zip(sizes, shape, strict=True) for n in (r, s))
    out = expand(reshape(input, spread), grown)
    return reshape(out, tuple(r * s for r, s in zip(sizes, shape, strict=True)))


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """``repeat`` that also takes fewer counts than dims (missing leading ones are 1).

    >>> import nnscratch as ns
    >>> ns.tile(ns.tensor([[1, 2]]), (2,)).tolist()
    [[1, 2, 1, 2]]
    """
    dims = _ints(dims, "tile", "dims")
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:  # fmt: skip
    """Each element repeated ``repeats`` times (an int, or one count per element) along
    ``dim``, of the flattened input when ``dim`` is None. ``repeat_interleave(counts)`` alone
    gives ``arange(len(counts))`` repeated by ``counts``.

    >>> import nnscratch as ns
    >>> x = ns.tensor([[1, 2], [3, 4]])
    >>> ns.repeat_interleave(x, 2).tolist(), x.repeat_interleave(ns.tensor([1, 2]), dim=0).tolist()
    ([1, 1, 2, 2, 3, 3, 4, 4], [[1, 2], [3, 4], [3, 4]])
    """
    if repeats is None:
        counts = _counts(input, None, "repeat_interleave")
        return Tensor._make(np.repeat(np.arange(counts.size), counts), False, None)
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    dim = wrap_dim(dim, input.ndim, "repeat_interleave")
    if isinstance(repeats, Tensor) and repeats.numel() != 1:
        counts = _counts(repeats, input.shape[dim], "repeat_interleave")
        picks = Tensor._make(np.repeat(np.arange(counts.size), counts), False, None)
        return index_select(input, dim, picks)
    count = int(repeats.item() if isinstance(repeats, Tensor) else repeats)
    if count < 0:
        raise RuntimeError(f"repeat_interleave: repeats must be non-negative, received {count}")
    if input.ndim == 0:
        input = reshape(input, (1,))
    grown = input.shape[: dim + 1] + (count,) + input.shape[dim + 1 :]
    return flatten(expand(unsqueeze(input, dim + 1), grown), dim, dim + 1)


def _counts(repeats, size: int | None, name: str) -> np.ndarray:
    if not isinstance(repeats, Tensor) or repeats.dtype.kind not in "iu" or repeats.ndim > 1:
        raise TypeError(f"{name}: repeats must be a 0-D or 1-D integer tensor, received {repeats}")
    counts = repeats._data.reshape(-1)
    if size is not None and counts.size != size:
        raise RuntimeError(
            f"{name}: repeats must have {size} entries (the size of the repeated dim), "
            f"received {counts.size}"
        )
    if counts.size and counts.min() < 0:
        raise RuntimeError(f"{name}: repeats must be non-negative, received {counts.tolist()}")
    return counts


def flip(input: Tensor, dims) -> Tensor:
    """``input`` with the order of elements reversed along each of ``dims``.

    >>> import nnscratch as ns
    >>> ns.flip(ns.tensor([[1, 2], [3, 4]]), (0, 1)).tolist()
    [[4, 3], [2, 1]]
    """
    axes = [wrap_dim(d, input.ndim, "flip") for d in _ints(dims, "flip", "dims")]
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"flip: dims {dims} name a dimension more than once")
    if input.ndim == 0:
        return index(input, ())
    return index(input, tuple(slice(None, None, -1) if d in axes else slice(None)
                              for d in range(input.ndim)))  # fmt: skip


def fliplr(input: Tensor) -> Tensor:
    """``flip(input, (1,))``: columns in reverse order (the input must be at least 2-D)."""
    if input.ndim < 2:
        raise RuntimeError(f"fliplr: input must be at least 2-D, received shape {input.shape}")
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    """``flip(input, (0,))``: rows in reverse order (the input must be at least 1-D)."""
    if input.ndim < 1:
        raise RuntimeError("flipud: input must be at least 1-D, received a 0-d tensor")
    return flip(input, (0,))


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Elements shifted by ``shifts`` along ``dims`` (those past the end come round to the
    start); with ``dims=None`` the flattened tensor is rolled and the shape restored.

    >>> import nnscratch as ns
    >>> ns.roll(ns.tensor([1, 2, 3, 4]), 1).tolist(), ns.roll(ns.tensor([1, 2, 3]), -1).tolist()
    ([4, 1, 2, 3], [2, 3, 1])
    """
    shifts = _ints(shifts, "roll", "shifts")
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: with dims=None give one shift, received {shifts}")
        return reshape(roll(reshape(input, (-1,)), shifts, 0), input.shape)
    dims = _ints(dims, "roll", "dims")
    if len(dims) != len(shifts):
        raise RuntimeError(
            f"roll: shifts and dims must have the same length, received {shifts} and {dims}"
        )
    for shift, dim in zip(shifts, dims, strict=True):
        input = _roll_one(input, shift, wrap_dim(dim, input.ndim, "roll"))
    return input


def _roll_one(input: Tensor, shift: int, dim: int) -> Tensor:
    size = input.shape[dim] if input.ndim else 1
    shift = shift % size if size else 0
    if shift == 0 or input.ndim == 0:
        return input
    return cat([narrow(input, dim, size - shift, shift), narrow(input, dim, 0, size - shift)], dim)


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """``transpose(input, axis0, axis1)`` under NumPy's name.

    >>> import nnscratch as ns
    >>> ns.swapaxes(ns.zeros(2, 3), 0, 1).shape
    (3, 2)
    """
    return transpose(input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """``transpose(input, dim0, dim1)`` under another of torch's names."""
    return transpose(input, dim0, dim1)


def movedim(input: Tensor, source, destination) -> Tensor:
    """``input`` with dims ``source`` moved to positions ``destination``; the other dims keep
    their order.

    >>> import nnscratch as ns
    >>> x = ns.zeros(2, 3, 4)
    >>> ns.movedim(x, 0, -1).shape, ns.movedim(x, (0, 1), (2, 0)).shape
    ((3, 4, 2), (3, 4, 2))
    """
    source = [wrap_dim(d, input.ndim, "movedim") for d in _ints(source, "movedim", "source")]
    dest = [wrap_dim(d, input.ndim, "movedim") for d in _ints(destination, "movedim", "dims")]
    if len(source) != len(dest):
        raise RuntimeError(
            f"movedim: source and destination must have the same number of dims, received "
            f"{source} and {dest}"
        )
    if len(set(source)) != len(source) or len(set(dest)) != len(dest):
        raise RuntimeError(f"movedim: repeated dim in source {source} or destination {dest}")
    rest = iter(d for d in range(input.ndim) if d not in source)
    placed = dict(zip(dest, source, strict=True))
    order = tuple(placed[i] if i in placed else next(rest) for i in range(input.ndim))
    return permute(input, order) if input.ndim else input


moveaxis = movedim


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``input`` along ``dim``, without that dim.

    >>> import nnscratch as ns
    >>> [t.tolist() for t in ns.unbind(ns.tensor([[1, 2], [3, 4]]), 1)]
    [[1, 3], [2, 4]]
    """
    if input.ndim == 0:
        raise IndexError("unbind: dimension specified as 0 but the tensor has no dimensions")
    dim = wrap_dim(dim, input.ndim, "unbind")
    return tuple(index(input, (slice(None),) * dim + (i,)) for i in range(input.shape[dim]))


def meshgrid(*tensors, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: with ``indexing='ij'`` (torch's default) output
    ``i`` varies along dim ``i``; ``'xy'`` swaps the first two dims (NumPy's default).

    >>> import nnscratch as ns
    >>> x, y = ns.meshgrid(ns.tensor([1, 2, 3]), ns.tensor([4, 5]), indexing="ij")
    >>> x.shape, y.tolist()
    ((3, 2), [[4, 5], [4, 5], [4, 5]])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "meshgrid: in an upcoming release it will be required to pass the indexing "
            "argument; using 'ij' (torch's default)",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', received {indexing!r}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor) or t.ndim > 1:
            raise TypeError(f"meshgrid: expected 0-D or 1-D tensors, element {i} is {t!r:.60}")
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors = (tensors[1], tensors[0], *tensors[2:])
    grids = list(_grids(tensors))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def _grids(tensors: tuple):
    shape = tuple(t.numel() for t in tensors)
    for i, t in enumerate(tensors):
        lined = (1,) * i + (shape[i],) + (1,) * (len(shape) - i - 1)
        yield expand(reshape(t, lined), shape)


def contiguous(input: Tensor) -> Tensor:
    """``input`` itself when its array is C-contiguous, else a C-ordered copy in the graph
    (``Tensor.contiguous``)."""
    return input if input._data.flags.c_contiguous else Clone.apply(input)
