"""``embedding``: look rows of a weight matrix up by integer id (a table of learned vectors)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from ..autograd.function import Function
from ..autograd.inplace import mark_written
from ..autograd.tensor import Tensor
from . import workspace

__all__ = ["embedding"]


class Embedding(Function):
    """y = W[ids];  dL/dW[i] = sum of g over the positions whose id is i (none for padding_idx)
    Replaces: index_select on rows, whose backward would use a slower multi-dimensional scatter."""

    @staticmethod
    def forward(ctx, ids, weight, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(ids)
        ctx.weight_shape, ctx.padding_idx = weight.shape, padding_idx
        ctx.scale_grad_by_freq = scale_grad_by_freq
        out = workspace.empty((*ids.shape, weight.shape[1]), weight.dtype)
        return np.take(weight, ids, axis=0, out=out, mode="clip")  # ids are checked in range

    @staticmethod
    def backward(ctx, grad):
        (ids,) = ctx.saved_tensors
        num, dim = ctx.weight_shape
        ids = ids.reshape(-1)
        rows = grad.reshape(ids.size, dim)
        if ctx.scale_grad_by_freq:
            rows = rows / np.bincount(ids, minlength=num)[ids, None].astype(rows.dtype)
        return None, _scatter_rows(ids, rows, num, ctx.padding_idx), None, None


def _scatter_rows(ids: np.ndarray, rows: np.ndarray, num: int, padding_idx) -> np.ndarray:
    """out[ids[k]] += rows[k] for every k, repeats accumulating.

    A 1-D ``np.add.at`` over flat element positions takes NumPy's fast path: several times
    quicker than ``np.add.at(out, ids, rows)`` on rows, or sorting and ``np.add.reduceat``.
    """
    dim = rows.shape[1]
    out = np.zeros((num, dim), rows.dtype)
    flat = workspace.empty((ids.size, dim), ids.dtype)
    np.add(ids[:, None] * dim, np.arange(dim), out=flat)
    flat = flat.reshape(-1)
    np.add.at(out.reshape(-1), flat, rows.reshape(-1))
    if padding_idx is not None:
        out[padding_idx] = 0
    return out


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """The rows of ``weight`` (num_embeddings, embedding_dim) at the integer ids in ``input``.

    The result has shape ``(*input.shape, embedding_dim)``. The row ``padding_idx`` gets no
    gradient. ``max_norm`` first rescales, in place, every looked-up row whose ``norm_type``
    norm exceeds it; ``scale_grad_by_freq`` divides each row's gradient by its id's count.

    >>> import nnscratch as ns
    >>> weight = ns.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> ns.nn.functional.embedding(ns.tensor([[2, 1, 2]]), weight).tolist()
    [[[3.0, 4.0], [1.0, 2.0], [3.0, 4.0]]]
    >>> ns.nn.functional.embedding(ns.tensor([2, 1, 2]), weight).sum().backward()
    >>> weight.grad.tolist()
    [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
    """
    ids = _check_ids(input, weight)
    if sparse:
        raise NotImplementedError("embedding: nnscratch has no sparse gradients; use sparse=False")
    padding_idx = _padding_index(padding_idx, weight.shape[0], "embedding")
    if max_norm is not None:
        _renorm_rows(weight, ids, max_norm, norm_type)
    return Embedding.apply(ids, weight, padding_idx, bool(scale_grad_by_freq))


def _check_ids(input, weight) -> np.ndarray:
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        found = f"shape {weight.shape}" if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(
            f"embedding: weight must be a 2-D Tensor (num_embeddings, embedding_dim), "
            f"received {found}"
        )
    if not isinstance(input, Tensor) or input.dtype.kind not in "iu":
        found = f"a {input.dtype} tensor" if isinstance(input, Tensor) else type(input).__name__
        raise TypeError(
            f"embedding: expected input to be an integer Tensor of ids, received {found}"
        )
    ids, num = input._data, weight.shape[0]
    if ids.size and (ids.min() < 0 or ids.max() >= num):
        bad = ids.min() if ids.min() < 0 else ids.max()
        raise IndexError(
            f"embedding: index {bad} is out of range for num_embeddings={num} "
            f"(ids must lie in [0, {num - 1}]; the input holds ids from {ids.min()} to "
            f"{ids.max()})"
        )
    return ids


def _padding_index(padding_idx, num: int, name: str) -> int | None:
    """padding_idx in [0, num): negative values count from the end, as in torch."""
    if padding_idx is None:
        return None
    if not isinstance(padding_idx, Integral) or not -num <= padding_idx < num:
        raise ValueError(
            f"{name}: padding_idx must be within num_embeddings={num} (in [{-num}, {num - 1}]), "
            f"received {padding_idx!r}"
        )
    return int(padding_idx) % num


def _renorm_rows(weight: Tensor, ids: np.ndarray, max_norm, norm_type) -> None:
    """Rescale, in place, the looked-up rows whose norm exceeds ``max_norm`` (torch's rule)."""
    for arg, value in (("max_norm", max_norm), ("norm_type", norm_type)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"embedding: {arg} must be a number, received {value!r}")
    rows = np.unique(ids)
    norms = np.linalg.norm(weight._data[rows], ord=norm_type, axis=1)
    too_long = norms > max_norm
    if too_long.any():
        scale = max_norm / (norms[too_long] + 1e-7)  # torch's 1e-7 guard
        weight._data[rows[too_long]] *= scale[:, None].astype(weight.dtype)
        mark_written(weight)
