"""``keras.ops`` that move, join, split and reshape tensors without changing their values.

Each is a reshape, a permutation, a concatenation or an index into ``x``, so gradients flow
back to every input element that reaches the output. Axes follow NumPy: negative axes count
from the end, and ``axis=None`` usually means "the flattened tensor".

>>> x = reshape(arange(6), (2, 3))
>>> transpose(x).shape, concatenate([x, x], axis=1).shape, [p.shape for p in split(x, 3, 1)]
((3, 2), (2, 6), [(2, 1), (2, 1), (2, 1)])
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor
from nnscratch.keras.layers.keras_tensor import KerasTensor

from .conversion import as_tensor
from .creation import arange  # noqa: F401  (the doctest's)
from .symbolic import symbolic

__all__ = [
    "append", "array_split", "broadcast_to", "concatenate", "copy", "dsplit", "dstack",
    "expand_dims", "flip", "fliplr", "flipud", "hsplit", "hstack", "moveaxis", "ndim", "pad",
    "ravel", "repeat", "reshape", "roll", "rot90", "size", "split", "squeeze", "stack",
    "swapaxes", "tile", "transpose", "vsplit", "vstack", "view",
]  # fmt: skip


def canonical_axis(axis: int, ndim: int, name: str) -> int:
    """``axis`` as a non-negative int, or a ValueError naming the op ``name``."""
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for a tensor of {ndim} dims")
    return axis % ndim


def take_slices(x: Tensor, axis: int, key) -> Tensor:
    """``x[..., key, ...]`` with ``key`` (a slice or an int array) at ``axis``."""
    return ns.ops.index(x, (slice(None),) * axis + (key,))


def _tensors(xs) -> list[Tensor]:
    return [as_tensor(x) for x in xs]


def _fits(numel: int, shape: tuple) -> bool:
    """Whether ``numel`` elements fill ``shape``, whose one -1 (if any) takes what is left."""
    known = int(np.prod([s for s in shape if s != -1]))
    if -1 not in shape:
        return known == numel
    return shape.count(-1) == 1 and known > 0 and numel % known == 0


@symbolic
def reshape(x, newshape) -> Tensor:
    """``x``'s elements (row-major order) in shape ``newshape``; one entry may be -1."""
    x = as_tensor(x)
    shape = (int(newshape),) if np.ndim(newshape) == 0 else tuple(int(s) for s in newshape)
    if not _fits(x.numel(), shape):
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {x.shape} ({x.numel()} elements) "
            f"into shape {shape}"
        )
    return ns.ops.reshape(x, shape)


@symbolic
def ravel(x) -> Tensor:
    """``x`` flattened to 1-D."""
    return reshape(x, -1)


@symbolic
def transpose(x, axes=None) -> Tensor:
    """``x`` with its axes permuted by ``axes`` (reversed when None)."""
    x = as_tensor(x)
    axes = tuple(range(x.ndim))[::-1] if axes is None else tuple(axes)
    if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of {x.ndim} dims")
    return ns.ops.permute(x, axes)


@symbolic
def swapaxes(x, axis1, axis2) -> Tensor:
    """``x`` with ``axis1`` and ``axis2`` exchanged."""
    x = as_tensor(x)
    a, b = (canonical_axis(ax, x.ndim, "swapaxes") for ax in (axis1, axis2))
    return ns.ops.swapaxes(x, a, b)


@symbolic
def moveaxis(x, source, destination) -> Tensor:
    """``x`` with axes ``source`` moved to positions ``destination`` (the rest keep order)."""
    return ns.ops.moveaxis(as_tensor(x), source, destination)


@symbolic
def expand_dims(x, axis) -> Tensor:
    """``x`` with new size-1 axes at ``axis`` (an int or a tuple, positions in the result)."""
    x = as_tensor(x)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    out_ndim = x.ndim + len(axes)
    for a in sorted(canonical_axis(a, out_ndim, "expand_dims") for a in axes):
        x = ns.ops.unsqueeze(x, a)
    return x


@symbolic
def squeeze(x, axis=None) -> Tensor:
    """``x`` without its size-1 axes (only those in ``axis`` when given)."""
    x = as_tensor(x)
    if axis is None:
        return ns.ops.squeeze(x)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    axes = tuple(canonical_axis(a, x.ndim, "squeeze") for a in axes)
    wide = [a for a in axes if x.shape[a] != 1]
    if wide:
        raise ValueError(f"squeeze: cannot squeeze axis {wide[0]} of size "
                         f"{x.shape[wide[0]]} (shape {x.shape})")  # fmt: skip
    return ns.ops.reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


@symbolic
def broadcast_to(x, shape) -> Tensor:
    """``x`` broadcast to ``shape`` (NumPy's rules; size-1 axes stretch, new axes in front)."""
    x = as_tensor(x)
    shape = tuple(int(s) for s in shape)
    if len(shape) < x.ndim or any(a not in (1, b) for a, b in zip(x.shape[::-1], shape[::-1])):
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}")
    return ns.ops.expand(x.reshape((1,) * (len(shape) - x.ndim) + x.shape), shape)


@symbolic
def concatenate(xs, axis=0) -> Tensor:
    """The tensors ``xs`` joined along ``axis`` (they agree on every other axis)."""
    xs = _tensors(xs)
    if axis is None:
        return ns.ops.cat([ns.ops.reshape(x, (-1,)) for x in xs], 0)
    return ns.ops.cat(xs, canonical_axis(axis, xs[0].ndim, "concatenate"))


@symbolic
def append(x1, x2, axis=None) -> Tensor:
    """``x2`` appended to ``x1`` along ``axis``; both flattened first when ``axis`` is None."""
    return concatenate([x1, x2], axis)


@symbolic
def stack(x, axis=0) -> Tensor:
    """The same-shape tensors ``x`` stacked along a new axis ``axis``."""
    xs = _tensors(x)
    return ns.ops.stack(xs, canonical_axis(axis, xs[0].ndim + 1, "stack"))


def _at_least(x: Tensor, ndim: int) -> Tensor:
    """NumPy's atleast_2d/3d: a 1-D (n,) becomes (1, n) and (1, n, 1); a 2-D gets a last 1."""
    if x.ndim >= ndim:
        return x
    shapes = {0: (1,) * ndim, 1: (1, x.numel(), 1)[:ndim], 2: x.shape + (1,)}
    return ns.ops.reshape(x, shapes[x.ndim])


@symbolic
def hstack(xs) -> Tensor:
    """Tensors joined column-wise: along axis 1, or axis 0 for 1-D tensors."""
    xs = [_at_least(x, 1) for x in _tensors(xs)]
    return ns.ops.cat(xs, 0 if xs[0].ndim == 1 else 1)


@symbolic
def vstack(xs) -> Tensor:
    """Tensors joined row-wise (axis 0), 1-D ones first made rows of shape (1, n)."""
    return ns.ops.cat([_at_least(x, 2) for x in _tensors(xs)], 0)


@symbolic
def dstack(xs) -> Tensor:
    """Tensors joined depth-wise (axis 2), after making each at least 3-D."""
    return ns.ops.cat([_at_least(x, 3) for x in _tensors(xs)], 2)


def _cuts(n: int, indices_or_sections, name: str, even: bool) -> list[int]:
    """The start of each piece: ``sections`` equal parts (``even``) or nearly equal ones (the
    first ``n % sections`` one longer), or the given split points."""
    if np.ndim(indices_or_sections) == 0:
        sections = int(indices_or_sections)
        if sections <= 0 or (even and n % sections):
            raise ValueError(f"{name}: cannot split an axis of size {n} into "
                             f"{sections} equal sections")  # fmt: skip
        size, extra = divmod(n, sections)
        return [i * size + min(i, extra) for i in range(sections)]
    return [0] + [int(i) for i in np.asarray(_numpy(indices_or_sections)).ravel()]


def _numpy(value):
    return value.numpy() if isinstance(value, Tensor) else value


def _ints(value):
    """An int or a tuple of ints, from Python values, arrays or integer tensors."""
    value = np.asarray(_numpy(value))
    return int(value) if value.ndim == 0 else tuple(int(v) for v in value.ravel())


def _split(x, indices_or_sections, axis: int, name: str, even: bool) -> list[Tensor]:
    x = as_tensor(x)
    axis = canonical_axis(axis, x.ndim, name)
    n = x.shape[axis]
    starts = _cuts(n, indices_or_sections, name, even)
    stops = starts[1:] + [n]
    return [take_slices(x, axis, slice(min(a, n), max(min(b, n), min(a, n))))
            for a, b in zip(starts, stops)]  # fmt: skip


@symbolic
def split(x, indices_or_sections, axis=0) -> list[Tensor]:
    """``x`` cut along ``axis`` into equal sections (an int that must divide the axis) or at
    the given indices."""
    return _split(x, indices_or_sections, axis, "split", even=True)


@symbolic
def array_split(x, indices_or_sections, axis=0) -> list[Tensor]:
    """As ``split``, but a number of sections need not divide the axis: the first pieces are
    one longer."""
    return _split(x, indices_or_sections, axis, "array_split", even=False)


def _split_needs(x, ndim: int, name: str) -> Tensor:
    x = as_tensor(x)
    if x.ndim < ndim:
        raise ValueError(f"{name}: expects a tensor of at least {ndim} dims, received "
                         f"shape {x.shape}")  # fmt: skip
    return x


@symbolic
def hsplit(x, indices_or_sections) -> list[Tensor]:
    """``split`` along axis 1 (axis 0 for a 1-D tensor)."""
    x = _split_needs(x, 1, "hsplit")
    return _split(x, indices_or_sections, 0 if x.ndim == 1 else 1, "hsplit", even=True)


@symbolic
def vsplit(x, indices_or_sections) -> list[Tensor]:
    """``split`` along axis 0 of a tensor of at least 2 dims."""
    return _split(_split_needs(x, 2, "vsplit"), indices_or_sections, 0, "vsplit", even=True)


@symbolic
def dsplit(x, indices_or_sections) -> list[Tensor]:
    """``split`` along axis 2 of a tensor of at least 3 dims."""
    return _split(_split_needs(x, 3, "dsplit"), indices_or_sections, 2, "dsplit", even=True)


@symbolic
def copy(x) -> Tensor:
    """A copy of ``x`` (its own storage; the gradient passes through)."""
    return ns.ops.clone(as_tensor(x))


@symbolic
def flip(x, axis=None) -> Tensor:
    """``x`` with the order of elements reversed along ``axis`` (all axes when None)."""
    x = as_tensor(x)
    axes = range(x.ndim) if axis is None else ((axis,) if np.ndim(axis) == 0 else axis)
    return ns.ops.flip(x, tuple(canonical_axis(a, x.ndim, "flip") for a in axes))


@symbolic
def fliplr(x) -> Tensor:
    """``x`` reversed left to right (axis 1)."""
    return flip(_split_needs(x, 2, "fliplr"), 1)


@symbolic
def flipud(x) -> Tensor:
    """``x`` reversed upside down (axis 0)."""
    return flip(_split_needs(x, 1, "flipud"), 0)


@symbolic
def rot90(array, k=1, axes=(0, 1)) -> Tensor:
    """``array`` rotated by 90 degrees ``k`` times in the plane of ``axes``, from the first
    axis towards the second: a flip and a transpose."""
    x = _split_needs(array, 2, "rot90")
    a, b = (canonical_axis(ax, x.ndim, "rot90") for ax in axes)
    if len(axes) != 2 or a == b:
        raise ValueError(f"rot90: axes must be two different axes, received {axes}")
    k %= 4
    if k == 2:
        return ns.ops.flip(x, (a, b))
    if k == 1:
        return ns.ops.swapaxes(ns.ops.flip(x, (b,)), a, b)
    return x if k == 0 else ns.ops.flip(ns.ops.swapaxes(x, a, b), (b,))


@symbolic
def roll(x, shift, axis=None) -> Tensor:
    """``x`` shifted by ``shift`` places along ``axis`` (of the flattened tensor when None);
    elements leaving one end come back at the other."""
    x = as_tensor(x)
    shift = _ints(shift)
    if axis is None:
        return ns.ops.reshape(ns.ops.roll(ns.ops.reshape(x, (-1,)), shift, 0), x.shape)
    return ns.ops.roll(x, shift, _ints(axis))


@symbolic
def repeat(x, repeats, axis=None) -> Tensor:
    """Each element of ``x`` repeated ``repeats`` times (or ``repeats[i]`` times for element
    i) along ``axis``, of the flattened tensor when None."""
    x = as_tensor(x)
    if axis is None:
        x, axis = ns.ops.reshape(x, (-1,)), 0
    axis = canonical_axis(axis, x.ndim, "repeat")
    picks = np.repeat(np.arange(x.shape[axis]), np.asarray(_numpy(repeats)))
    return take_slices(x, axis, picks)


@symbolic
def tile(x, repeats) -> Tensor:
    """``x`` repeated as a block ``repeats`` times along each axis."""
    reps = (int(repeats),) if np.ndim(repeats) == 0 else tuple(int(r) for r in _numpy(repeats))
    return ns.ops.tile(as_tensor(x), reps)


_PAD_MODES = {"constant", "reflect", "symmetric", "edge", "wrap", "circular"}


def _pad_widths(pad_width, ndim: int) -> list[tuple[int, int]]:
    """NumPy's forms: an int, one (before, after) pair for every axis, or a pair per axis."""
    widths = np.asarray(_numpy(pad_width), dtype=np.int64)
    if widths.ndim == 0 or widths.shape in ((1,), (2,)) or widths.shape == (1, 2):
        widths = np.broadcast_to(widths.reshape(-1)[:2] if widths.size > 1 else widths, (ndim, 2))
    if widths.shape == (ndim, 1):
        widths = np.repeat(widths, 2, axis=1)
    if widths.shape != (ndim, 2):
        raise ValueError(f"pad: pad_width must give (before, after) for each of the {ndim} "
                         f"axes, received {pad_width}")  # fmt: skip
    return [(int(a), int(b)) for a, b in widths]


@symbolic
def pad(x, pad_width, mode="constant", constant_values=None) -> Tensor:
    """``x`` padded by ``pad_width`` (NumPy's forms) with ``constant_values`` (mode
    "constant"), a mirror image ("reflect" without the edge, "symmetric" with it), the edge
    value ("edge") or wrapped around ("wrap"/"circular"), as ``numpy.pad``."""
    x = as_tensor(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {sorted(_PAD_MODES)}, received {mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError(f"pad: constant_values only goes with mode 'constant', not {mode!r}")
    widths = _pad_widths(pad_width, x.ndim)
    if mode == "constant":
        flat = [w for pair in reversed(widths) for w in pair]
        return ns.ops.pad(x, flat, value=0 if constant_values is None else constant_values)
    numpy_mode = "wrap" if mode == "circular" else mode
    for axis, (before, after) in enumerate(widths):
        if before or after:
            picks = np.pad(np.arange(x.shape[axis]), (before, after), mode=numpy_mode)
            x = take_slices(x, axis, picks)
    return x


def ndim(x) -> int:
    """The number of axes of ``x``; a KerasTensor's too, as a Python int (its rank is known
    while the model is built)."""
    if isinstance(x, KerasTensor):
        return len(x.shape)
    return as_tensor(x).ndim


@symbolic
def size(x) -> Tensor:
    """The number of elements of ``x``, as an int64 scalar tensor."""
    return ns.tensor(as_tensor(x).numel(), dtype=ns.int64)


@symbolic
def view(x, dtype=None) -> Tensor:
    """The bits of ``x`` read as ``dtype`` (a wider dtype merges last-axis elements, a
    narrower one splits them); not differentiable."""
    x = as_tensor(x)
    if dtype is None:
        return x
    return ns.from_numpy(np.array(x.detach().numpy(), order="C").view(np.dtype(dtype)))
