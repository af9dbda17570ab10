"""Movement: ops that rearrange elements without computing new values.

reshape, transpose, permute, squeeze, unsqueeze, flatten, expand, narrow, cat, stack, split
and chunk. Only ``Reshape``, ``Transpose``, ``Permute``, ``Expand``, ``Narrow`` and ``Cat``
carry derivatives; the rest are compositions of them. Padding lives in ``padding.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..autograd.dtypes import result_type
from ..autograd.function import Function
from ..autograd.numpy_names import numpy_names
from ..autograd.tensor import Tensor

__all__ = [
    "reshape", "transpose", "permute", "squeeze", "unsqueeze", "flatten", "expand", "narrow",
    "cat", "stack", "split", "chunk",
]  # fmt: skip


def wrap_dim(dim: int, ndim: int, name: str) -> int:
    """torch's dim wrapping: ``dim`` in ``[-ndim, ndim)`` (a 0-d tensor accepts 0 and -1)."""
    rank = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}: dim must be an int, received {dim!r}")
    if not -rank <= dim < rank:
        raise IndexError(
            f"{name}: dimension out of range (expected to be in range of [{-rank}, {rank - 1}], "
            f"but got {dim})"
        )
    return int(dim) % rank


class Reshape(Function):
    """y = x with a new shape (same elements in row-major order);  dy/dx: reshape back"""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class Transpose(Function):
    """y = x with dims dim0 and dim1 swapped;  dy/dx: swap them back"""

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return np.swapaxes(x, dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return np.swapaxes(grad, *ctx.dims), None, None


class Permute(Function):
    """y = x with dims reordered (y.shape[i] = x.shape[dims[i]]);  dy/dx: the inverse order"""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, grad):
        return np.transpose(grad, np.argsort(ctx.dims)), None


class Expand(Function):
    """y = x broadcast to ``shape`` (a view);  dy/dx = 1, summed over the broadcast dims"""

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad, None  # the engine's unbroadcast sums grad back to x's shape


class Narrow(Function):
    """y = x[..., start:start + length, ...] along ``dim``;  dy/dx: grad placed back in zeros"""

    @staticmethod
    def forward(ctx, x, dim, start, length):
        ctx.shape, ctx.key = x.shape, (slice(None),) * dim + (slice(start, start + length),)
        return x[ctx.key]

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, grad.dtype)
        out[ctx.key] = grad
        return out, None, None, None


class Cat(Function):
    """y = [x_1, ..., x_n] joined along ``dim``;  dy/dx_i = the slice of grad that x_i filled"""

    @staticmethod
    def forward(ctx, dim, *arrays):
        dtype = arrays[0].dtype
        for a in arrays[1:]:
            dtype = result_type(np.empty(1, dtype), a)
        # torch skips 1-D empty tensors (a legacy "nothing to add" placeholder)
        ctx.skipped = [a.shape == (0,) and any(b.ndim != 1 for b in arrays) for a in arrays]
        kept = [
            a.astype(dtype, copy=False) for a, s in zip(arrays, ctx.skipped, strict=True) if not s
        ]
        ctx.dim, ctx.ends = dim, np.cumsum([a.shape[dim] for a in kept])[:-1]
        return np.concatenate(kept, axis=dim) if kept else np.empty((0,), dtype)

    @staticmethod
    def backward(ctx, grad):
        pieces = iter(np.split(grad, ctx.ends, axis=ctx.dim))
        grads = [np.zeros((0,), grad.dtype) if skip else next(pieces) for skip in ctx.skipped]
        return None, *grads


def reshape(input: Tensor, shape: Sequence[int]) -> Tensor:
    """``input`` with the same elements in ``shape``; one entry may be -1 (inferred).

    >>> import nnscratch as ns
    >>> ns.reshape(ns.arange(6), (2, -1)).shape
    (2, 3)
    """
    return Reshape.apply(input, _infer_shape(input.shape, tuple(shape)))


view = reshape  # numpy arrays have no strides to honour, so view and reshape coincide


def _infer_shape(old: tuple, shape: tuple) -> tuple:
    size = int(np.prod(old))
    known = 1
    for i, n in enumerate(shape):
        if not isinstance(n, (int, np.integer)) or n < -1:
            raise RuntimeError(f"reshape: invalid size {n!r} at index {i} of shape {shape}")
        known *= n if n != -1 else 1
    if list(shape).count(-1) > 1:
        raise RuntimeError(f"reshape: only one dimension can be inferred, got shape {shape}")
    if -1 in shape and known == 0 and size == 0:
        raise RuntimeError(
            f"reshape: cannot reshape a tensor of 0 elements (shape {old}) into shape {shape}: "
            "the size of the -1 dimension is ambiguous"
        )
    inferred = size // known if -1 in shape and known else 0
    target = tuple(int(inferred if n == -1 else n) for n in shape)
    if int(np.prod(target)) != size:
        raise RuntimeError(
            f"reshape: shape {shape} is invalid for a tensor of shape {old} ({size} elements)"
        )
    return target


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """``input`` with dimensions ``dim0`` and ``dim1`` swapped.

    >>> import nnscratch as ns
    >>> ns.transpose(ns.zeros(2, 3, 4), 0, -1).shape
    (4, 3, 2)
    """
    d0, d1 = wrap_dim(dim0, input.ndim, "transpose"), wrap_dim(dim1, input.ndim, "transpose")
    return Reshape.apply(input, ()) if input.ndim == 0 else Transpose.apply(input, d0, d1)


def permute(input: Tensor, dims: Sequence[int]) -> Tensor:
    """``input`` with its dimensions in the order ``dims`` (a permutation of ``range(ndim)``).

    >>> import nnscratch as ns
    >>> ns.permute(ns.zeros(2, 3, 4), (2, 0, 1)).shape
    (4, 2, 3)
    """
    dims = tuple(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            f"permute: dims {dims} must have one entry per dimension of the input "
            f"(shape {input.shape}, {input.ndim} dims)"
        )
    wrapped = tuple(wrap_dim(d, input.ndim, "permute") for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"permute: duplicate dims are not allowed, got {dims}")
    return Permute.apply(input, wrapped)


def squeeze(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """``input`` without its size-1 dims (only those in ``dim`` when given; others are kept).

    >>> import nnscratch as ns
    >>> ns.squeeze(ns.zeros(1, 3, 1)).shape, ns.squeeze(ns.zeros(1, 3, 1), (0, 1)).shape
    ((3,), (3, 1))
    """
    if dim is None:
        dims = set(range(input.ndim))
    else:
        given = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        dims = [wrap_dim(d, input.ndim, "squeeze") for d in given]
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"squeeze: dim {dim} names a dimension more than once")
    shape = tuple(n for i, n in enumerate(input.shape) if not (i in dims and n == 1))
    return reshape(input, shape)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """``input`` with a new size-1 dimension at position ``dim`` (in ``[-ndim-1, ndim]``)."""
    dim = wrap_dim(dim, input.ndim + 1, "unsqueeze")
    shape = input.shape
    return Reshape.apply(input, shape[:dim] + (1,) + shape[dim:])


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """``input`` with dims ``start_dim..end_dim`` merged into one (a 0-d input becomes 1-D).

    >>> import nnscratch as ns
    >>> ns.flatten(ns.zeros(2, 3, 4), 1).shape
    (2, 12)
    """
    start = wrap_dim(start_dim, input.ndim, "flatten")
    end = wrap_dim(end_dim, input.ndim, "flatten")
    if start > end:
        raise RuntimeError(
            f"flatten: start_dim ({start_dim}) cannot come after end_dim ({end_dim})"
        )
    shape = input.shape
    merged = int(np.prod(shape[start : end + 1]))
    return reshape(input, shape[:start] + (merged,) + shape[end + 1 :])


def expand(input: Tensor, sizes: Sequence[int]) -> Tensor:
    """``input`` broadcast to ``sizes``: -1 keeps a dim, size-1 dims grow, new dims lead.

    >>> import nnscratch as ns
    >>> ns.expand(ns.zeros(3, 1), (2, -1, 4)).shape
    (2, 3, 4)
    """
    sizes = tuple(sizes)
    shape = input.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be at least the number "
            f"of dimensions of the tensor (shape {shape})"
        )
    target = tuple(_expanded_size(sizes, shape, i, lead) for i in range(len(sizes)))
    return Expand.apply(input, target)


def _expanded_size(sizes: tuple, shape: tuple, i: int, lead: int) -> int:
    n = int(sizes[i])
    if i < lead:
        if n < 0:
            raise RuntimeError(
                f"expand: size {n} is not allowed in a new leading dimension {i} "
                f"(target sizes {sizes}, tensor shape {shape})"
            )
        return n
    old = shape[i - lead]
    if n == -1 or n == old:
        return old
    if old != 1 or n < 0:
        raise RuntimeError(
            f"expand: the expanded size ({n}) must match the existing size ({old}) at "
            f"non-singleton dimension {i}; target sizes {sizes}, tensor shape {shape}"
        )
    return n


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``input[..., start:start + length]`` along ``dim`` (``start`` may be negative)."""
    if input.ndim == 0:
        raise RuntimeError("narrow: cannot be applied to a 0-d tensor")
    dim = wrap_dim(dim, input.ndim, "narrow")
    size = input.shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"narrow: start {start} is out of range for dimension of size {size}")
    start = start % size if start < 0 else start
    if length < 0 or start + length > size:
        raise RuntimeError(
            f"narrow: start ({start}) + length ({length}) must lie within dimension {dim} "
            f"of size {size} (tensor shape {input.shape})"
        )
    return Narrow.apply(input, dim, start, length)


@numpy_names
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along ``dim``; shapes must match elsewhere and dtypes promote as in torch.

    >>> import nnscratch as ns
    >>> ns.cat([ns.zeros(2, 3), ns.ones(1, 3)]).shape
    (3, 3)
    """
    tensors = _tensor_list(tensors, "cat")
    shapes = [t.shape for t in tensors if t.shape != (0,)] or [(0,)]
    dim = wrap_dim(dim, len(shapes[0]), "cat")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat: zero-dimensional tensor (at position {i}) cannot be joined")
        if t.shape != (0,) or len(shapes[0]) == 1:
            _check_cat_shape(shapes[0], t.shape, dim, i)
    return Cat.apply(dim, *tensors)


def _check_cat_shape(first: tuple, shape: tuple, dim: int, i: int) -> None:
    if len(shape) != len(first):
        raise RuntimeError(
            f"cat: tensors must have the same number of dimensions, got shape {first} and "
            f"shape {shape} (tensor {i})"
        )
    if any(a != b for k, (a, b) in enumerate(zip(first, shape, strict=True)) if k != dim):
        raise RuntimeError(
            f"cat: sizes of tensors must match except in dimension {dim}; expected shape "
            f"{first} apart from that dimension, got {shape} for tensor {i} in the list"
        )


def _tensor_list(tensors, name: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence):
        raise TypeError(f"{name}: expected a list or tuple of Tensors, received {type(tensors)}")
    if not tensors:
        raise ValueError(f"{name}: expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: expected Tensors, but element {i} is {type(t).__name__}")
    return list(tensors)


@numpy_names
def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equal-shaped tensors along a new dimension ``dim``.

    >>> import nnscratch as ns
    >>> ns.stack([ns.zeros(2, 3), ns.ones(2, 3)], dim=1).shape
    (2, 2, 3)
    """
    tensors = _tensor_list(tensors, "stack")
    first = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {first} at entry 0 "
                f"and {t.shape} at entry {i}"
            )
    dim = wrap_dim(dim, len(first) + 1, "stack")
    return cat([unsqueeze(t, dim) for t in tensors], dim)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of given sizes.

    >>> import nnscratch as ns
    >>> [t.shape for t in ns.split(ns.zeros(5, 2), 2)]
    [(2, 2), (2, 2), (1, 2)]
    """
    if tensor.ndim == 0:
        raise RuntimeError("split: expected a tensor with at least 1 dimension, got a 0-d one")
    dim = wrap_dim(dim, tensor.ndim, "split")
    size = tensor.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        sizes = _even_sizes(size, int(split_size_or_sections))
    else:
        sizes = [int(n) for n in split_size_or_sections]
        _check_sections(sizes, size, dim)
    starts = np.cumsum([0, *sizes[:-1]])
    return tuple(Narrow.apply(tensor, dim, int(s), n) for s, n in zip(starts, sizes, strict=True))


def _even_sizes(size: int, step: int) -> list[int]:
    if step < 0:
        raise RuntimeError(f"split: split_size must be non-negative, got {step}")
    if step == 0:
        if size:
            raise RuntimeError(
                f"split: split_size can only be 0 if the dimension is empty, not {size}"
            )
        return [0]
    count = max(-(-size // step), 1)
    return [step] * (count - 1) + [size - step * (count - 1)]


def _check_sections(sizes: list, size: int, dim: int) -> None:
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"split: sizes must be non-negative, got {sizes}")
    if sum(sizes) != size:
        raise RuntimeError(
            f"split: sizes must sum exactly to {size} (the tensor's size at dimension "
            f"{dim}), but got {sizes}"
        )


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` pieces of ``ceil(size / chunks)`` along ``dim`` (torch's rule).

    >>> import nnscratch as ns
    >>> [t.shape[0] for t in ns.chunk(ns.zeros(6), 4)]
    [2, 2, 2]
    """
    if chunks <= 0:
        raise RuntimeError(f"chunk: expected chunks to be greater than 0, got {chunks}")
    if input.ndim == 0:
        raise RuntimeError("chunk: expected a tensor with at least 1 dimension, got a 0-d one")
    size = input.shape[wrap_dim(dim, input.ndim, "chunk")]
    if size == 0:  # torch returns ``chunks`` empty pieces here
        return split(input, [0] * chunks, dim)
    return split(input, -(-size // chunks), dim)
