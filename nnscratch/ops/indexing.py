"""Indexing: ``x[key]`` with numpy/torch rules, and index_select, gather, take_along_dim.

One primitive, ``Index``, reads ``x[key]`` for any key; its backward scatters the gradient into
zeros of the input's shape. The named functions only build keys for it.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .checks import wrap_dim
from .movement import expand, reshape

__all__ = ["index", "index_put", "index_select", "gather", "take_along_dim"]


class Index(Function):
    """y = x[key];  dy/dx = zeros(x.shape) with grad added at key (repeats accumulate)"""

    @staticmethod
    def forward(ctx, x, key, accumulate):
        ctx.shape, ctx.key, ctx.accumulate = x.shape, key, accumulate
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, grad.dtype)
        if ctx.accumulate:  # integer arrays may name one element twice: add, don't overwrite
            np.add.at(out, ctx.key, grad)
        else:  # slices, ints and masks never repeat an element
            out[ctx.key] = grad
        return out, None, None


class IndexPut(Function):
    """y = x with y[key] = v;  dy/dx = grad with 0 at key,  dy/dv = grad[key]"""

    @staticmethod
    def forward(ctx, x, v, key):
        ctx.key = key
        out = x.copy()
        out[key] = v  # cast to x's dtype, broadcast to the indexed region (as torch)
        return out

    @staticmethod
    def backward(ctx, grad):
        need_x, need_v = ctx.needs_input_grad[:2]
        grad_x = None
        if need_x:
            grad_x = grad.copy()
            grad_x[ctx.key] = 0  # those elements were overwritten: x no longer reaches y there
        return grad_x, (grad[ctx.key] if need_v else None), None


def index_put(input: Tensor, indices, values) -> Tensor:
    """``input`` with ``values`` written at ``indices``, out of place: what ``x[indices] =
    values`` does in place. ``indices`` is any key ``x[...]`` takes (NumPy's rules).

    >>> import nnscratch as ns
    >>> ns.zeros(4).index_put((slice(1, 3),), ns.tensor(7.0)).tolist()
    [0.0, 7.0, 7.0, 0.0]
    """
    key = tuple(_unwrap(k) for k in indices) if isinstance(indices, tuple) else _unwrap(indices)
    try:
        return IndexPut.apply(input, values, key)
    except (IndexError, ValueError) as error:
        raise type(error)(f"index_put: {error} (a tensor of shape {input.shape})") from None


def index(input: Tensor, key) -> Tensor:
    """``input[key]``: slices, ints, None, Ellipsis, integer arrays/lists/tensors and bool masks.

    As in torch, ints are applied before advanced (array) indices, so ``x[0, :, [1, 2]]`` keeps
    the sliced dim in front. Negative slice steps are allowed (numpy's rule; torch refuses them).

    >>> import nnscratch as ns
    >>> x = ns.arange(12).reshape(3, 4)
    >>> x[1:, ::2].tolist(), x[[0, 0, 2], -1].tolist(), x[x > 9].tolist()
    ([[4, 6], [8, 10]], [3, 3, 11], [10, 11])
    """
    key = tuple(_unwrap(k) for k in (key if isinstance(key, tuple) else (key,)))
    arrays = [k for k in key if isinstance(k, np.ndarray)]
    if arrays and any(_is_int(k) for k in key):
        input = _apply(input, _ints_only(key), False)  # torch selects before advanced indexing
        key = tuple(k for k in key if not _is_int(k))
    accumulate = any(a.dtype.kind in "iu" for a in arrays)
    return _apply(input, key, accumulate)


def _apply(input: Tensor, key: tuple, accumulate: bool) -> Tensor:
    try:
        return Index.apply(input, key, accumulate)
    except IndexError as error:
        raise IndexError(f"index: {error} (indexing a tensor of shape {input.shape})") from None


def _is_int(k) -> bool:
    return isinstance(k, int) and not isinstance(k, bool)


def _unwrap(k):
    """One key entry as numpy understands it: tensors and lists become arrays, 0-d ints ints."""
    if isinstance(k, Tensor):
        k = k._data.astype(bool) if k.dtype == np.uint8 else k._data  # torch: uint8 is a mask
    elif isinstance(k, list):
        k = np.asarray(k) if k else np.empty(0, np.int64)
    if isinstance(k, (np.ndarray, np.generic)):
        if k.dtype.kind not in "iub":
            raise IndexError(
                f"index: tensors used as indices must be integer or bool, got {k.dtype}"
            )
        if k.ndim == 0 and k.dtype.kind in "iu":
            return int(k)
    return k


def _ints_only(key: tuple) -> tuple:
    """The first of torch's two steps: the key's ints, with every other dim kept whole."""
    out = []
    for k in key:
        if _is_int(k) or k is Ellipsis:
            out.append(k)
        elif isinstance(k, np.ndarray):
            out += [slice(None)] * (k.ndim if k.dtype == bool else 1)
        elif k is not None and not isinstance(k, bool):
            out.append(slice(None))
    return tuple(out)


def _index_array(index, name: str, ndim: int | None = None) -> np.ndarray:
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must be an integer tensor, received {_describe(index)}")
    if ndim is not None and index.ndim != ndim:
        raise RuntimeError(
            f"{name}: index must have {ndim} dimensions like the input, got shape {index.shape}"
        )
    return index._data


def _describe(x) -> str:
    return f"a {x.dtype} tensor" if isinstance(x, Tensor) else type(x).__name__


def _check_bounds(index: np.ndarray, size: int, dim: int, name: str) -> None:
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index.min() if index.min() < 0 else index.max()
        raise IndexError(
            f"{name}: index {bad} is out of bounds for dimension {dim} with size {size}"
        )


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of ``input`` along ``dim`` at the positions in the 1-D ``index``.

    >>> import nnscratch as ns
    >>> ns.index_select(ns.arange(6).reshape(2, 3), 1, ns.tensor([2, 0])).tolist()
    [[2, 0], [5, 3]]
    """
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select: index must be 0-D or 1-D, got shape {idx.shape}")
    dim = wrap_dim(dim, input.ndim, "index_select")
    _check_bounds(idx, input.shape[dim] if input.ndim else 1, dim, "index_select")
    if input.ndim == 0:
        return Index.apply(input, (), False)
    return Index.apply(input, (slice(None),) * dim + (idx.reshape(-1),), True)


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = input[index[i][j]][j]`` for ``dim=0`` (likewise for other dims).

    ``index`` has the input's number of dims and is no larger than it outside ``dim``.

    >>> import nnscratch as ns
    >>> ns.gather(ns.tensor([[1, 2], [3, 4]]), 1, ns.tensor([[0, 0], [1, 0]])).tolist()
    [[1, 1], [4, 3]]
    """
    idx = _index_array(index, "gather", input.ndim)
    dim = wrap_dim(dim, input.ndim, "gather")
    if input.ndim == 0:
        _check_bounds(idx, 1, dim, "gather")
        return Index.apply(input, (), False)
    if any(i > n for d, (i, n) in enumerate(zip(idx.shape, input.shape, strict=True)) if d != dim):
        raise RuntimeError(
            f"gather: index of shape {idx.shape} must be no larger than the input "
            f"{input.shape} apart from dimension {dim}"
        )
    _check_bounds(idx, input.shape[dim], dim, "gather")
    return Index.apply(input, _gather_key(idx, dim), True)


def _gather_key(idx: np.ndarray, dim: int) -> tuple:
    """An advanced key reading ``input[..., idx[i, j, ...], ...]`` at every position of idx."""
    ranges = np.ogrid[tuple(slice(n) for n in idx.shape)]
    return tuple(idx if d == dim else r for d, r in enumerate(ranges))


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """``gather`` with broadcasting outside ``dim`` (and negative indices); with ``dim=None``
    it reads the flattened input.

    >>> import nnscratch as ns
    >>> x = ns.tensor([[10, 30, 20], [60, 40, 50]])
    >>> ns.take_along_dim(x, x.argmax(dim=1, keepdim=True), dim=1).tolist()
    [[30], [60]]
    """
    if not isinstance(indices, Tensor) or indices.dtype != np.int64:
        raise TypeError(
            f"take_along_dim: indices must be an int64 tensor, received {_describe(indices)}"
        )
    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)))
    if input.ndim != indices.ndim:
        raise RuntimeError(
            f"take_along_dim: input and indices should have the same number of dimensions, "
            f"got shapes {input.shape} and {indices.shape}"
        )
    dim = wrap_dim(dim, input.ndim, "take_along_dim")
    input_shape, index_shape = _broadcast_except(input.shape, indices.shape, dim)
    indices = _wrapped(expand(indices, index_shape), input.shape[dim] if input.ndim else 1)
    return gather(expand(input, input_shape), dim, indices)


def _wrapped(indices: Tensor, size: int) -> Tensor:
    """Negative indices count from the end, as in torch's take_along_dim with a dim (only)."""
    data = indices._data
    return Tensor._make(np.where((data < 0) & (data >= -size), data + size, data), False, None)


def _broadcast_except(a: tuple, b: tuple, dim: int) -> tuple[tuple, tuple]:
    """Shapes a and b broadcast against each other everywhere but at ``dim``."""
    try:
        common = np.broadcast_shapes(a[:dim] + a[dim + 1 :], b[:dim] + b[dim + 1 :])
    except ValueError:
        raise RuntimeError(
            f"take_along_dim: input of shape {a} and indices of shape {b} cannot be "
            f"broadcast outside dimension {dim}"
        ) from None
    return common[:dim] + a[dim : dim + 1] + common[dim:], common[:dim] + b[dim : dim + 1] + common[
        dim:
    ]
