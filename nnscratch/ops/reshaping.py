"""Reshaping: one tensor's elements seen in another shape or order, without new values.

reshape (and view), transpose, permute, squeeze, unsqueeze, flatten, expand and narrow. Only
``Reshape``, ``Transpose``, ``Permute``, ``Expand`` and ``Narrow`` carry derivatives; the rest
are compositions of them. Joining and splitting tensors (cat, stack, split, chunk) live in
``movement.py``, which also re-exports everything here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .checks import wrap_dim

__all__ = [
    "reshape", "transpose", "permute", "squeeze", "unsqueeze", "flatten", "expand", "narrow",
]  # fmt: skip


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
