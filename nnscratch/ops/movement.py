"""Movement: ops that rearrange elements without computing new values.

This file joins and splits tensors: cat, stack, split and chunk; only ``Cat`` carries a
derivative (split is ``Narrow`` per piece, stack is ``cat`` of unsqueezed tensors). The
single-tensor movements (reshape, transpose, permute, squeeze, unsqueeze, flatten, expand,
narrow) live in ``reshaping.py`` and are re-exported here, their long-standing import path.
Padding lives in ``padding.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..autograd.dtypes import result_type
from ..autograd.function import Function
from ..autograd.numpy_names import numpy_names
from ..autograd.tensor import Tensor
from .checks import wrap_dim

# The single-tensor movements, re-exported: this is where callers have always imported them.
from .reshaping import (  # noqa: F401
    Expand,
    Narrow,
    Permute,
    Reshape,
    Transpose,
    expand,
    flatten,
    narrow,
    permute,
    reshape,
    squeeze,
    transpose,
    unsqueeze,
    view,
)

__all__ = [
    "reshape", "transpose", "permute", "squeeze", "unsqueeze", "flatten", "expand", "narrow",
    "cat", "concat", "concatenate", "stack", "split", "chunk",
]  # fmt: skip


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


concat = concatenate = cat  # torch's other names for it (torch.concat, torch.concatenate)


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
