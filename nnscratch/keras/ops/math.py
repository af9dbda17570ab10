"""``keras.ops`` math part: special functions, top-k, segment reductions, sequences, distances
and the real-input Fourier transforms.

Keras passes complex numbers as ``(real, imag)`` pairs of float tensors, so ``fft``, ``fft2``,
``ifft2``, ``rfft`` and ``irfft`` work here without a complex dtype: each is a product with the
discrete Fourier matrix (its cosine and sine parts), differentiable like any ``matmul``, and
exact enough for the sizes Keras models use (O(n**2), not the FFT's O(n log n)).

>>> from nnscratch.keras import ops
>>> ops.segment_sum([1.0, 2.0, 3.0], [0, 0, 1]).tolist()
[3.0, 3.0]
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor
from nnscratch.ops.error_function import erf as _erf
from nnscratch.ops.error_function import erfc as _erfc
from nnscratch.ops.error_function import erfinv as _erfinv

from .arguments import axes_arg, float_tensor, tensor_arg
from .math_fourier import *  # noqa: F403
from .math_fourier import __all__ as _fourier
from .symbolic import symbolic
from .unsupported import view_as_complex, view_as_real

__all__ = [
    "erf", "erfc", "erfinv", "logsumexp", "rsqrt", "top_k", "in_top_k", "segment_sum",
    "segment_max", "segment_min", "segment_prod", "extract_sequences", "logdet", "cdist",
    *_fourier, "view_as_complex", "view_as_real",
]  # fmt: skip


@symbolic
def erf(x) -> Tensor:
    """The error function."""
    return _erf(float_tensor(x, "erf"))


@symbolic
def erfc(x) -> Tensor:
    """The complementary error function ``1 - erf(x)``."""
    return _erfc(float_tensor(x, "erfc"))


@symbolic
def erfinv(x) -> Tensor:
    """The inverse error function on [-1, 1]."""
    return _erfinv(float_tensor(x, "erfinv"))


@symbolic
def rsqrt(x) -> Tensor:
    """``1 / sqrt(x)``."""
    return ns.rsqrt(float_tensor(x, "rsqrt"))


@symbolic
def logsumexp(x, axis=None, keepdims=False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis`` (all axes when None), without overflow."""
    x = float_tensor(x, "logsumexp")
    return ns.logsumexp(x, dim=axes_arg(axis, x.ndim, "logsumexp"), keepdim=keepdims)


@symbolic
def top_k(x, k, sorted=True):  # noqa: A002 (Keras's name)
    """The ``k`` largest values along the last axis and their int64 indices (a named pair)."""
    x = tensor_arg(x, "top_k")
    if not 0 <= k <= x.shape[-1]:
        raise ValueError(f"keras.ops.top_k: k={k} is out of range for last axis {x.shape[-1]}")
    return ns.topk(x, k, dim=-1, largest=True, sorted=sorted)


@symbolic
def in_top_k(targets, predictions, k) -> Tensor:
    """Whether each row's ``targets`` class is among its ``k`` highest ``predictions`` (a tie
    with the k-th value counts)."""
    predictions = tensor_arg(predictions, "in_top_k", "predictions")
    labels = tensor_arg(targets, "in_top_k", "targets").to(np.dtype("int64"))
    kth = ns.topk(predictions, k, dim=-1).values[:, -1:]
    picked = ns.take_along_dim(predictions, labels[:, None], dim=-1)
    return (picked >= kth)[:, 0]


def _segments(name, data, segment_ids, num_segments):
    data = tensor_arg(data, name, "data")
    ids = tensor_arg(segment_ids, name, "segment_ids").numpy().astype(np.int64)
    if ids.ndim != 1 or data.ndim < 1 or ids.shape[0] != data.shape[0]:
        raise ValueError(
            f"keras.ops.{name}: segment_ids must be 1-D with data's first size, received "
            f"segment_ids {ids.shape}, data {tuple(data.shape)}"
        )
    count = int(num_segments) if num_segments is not None else int(ids.max(initial=-1)) + 1
    return data, ids, count


def _segment_reduce(name, data, segment_ids, num_segments, fill, reduce) -> Tensor:
    """Per segment s, ``reduce`` over the rows whose id is s (others filled with ``fill``);
    ids out of ``[0, num_segments)`` are dropped."""
    data, ids, count = _segments(name, data, segment_ids, num_segments)
    shape = (-1,) + (1,) * (data.ndim - 1)
    filler = ns.full_like(data, fill)
    rows = [reduce(ns.where(ns.from_numpy((ids == s).reshape(shape)), data, filler))
            for s in range(count)]  # fmt: skip
    if not rows:
        return ns.zeros(0, *data.shape[1:], dtype=data.dtype)
    return ns.stack(rows)


@symbolic
def segment_sum(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002
    """The sum of ``data``'s rows in each segment (0 for an empty one)."""
    return _segment_reduce("segment_sum", data, segment_ids, num_segments, 0,
                           lambda t: t.sum(dim=0))  # fmt: skip


@symbolic
def segment_max(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002
    """The elementwise maximum of each segment's rows (-inf for an empty one)."""
    return _segment_reduce("segment_max", data, segment_ids, num_segments, -np.inf,
                           lambda t: t.amax(dim=0))  # fmt: skip


@symbolic
def segment_min(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002
    """The elementwise minimum of each segment's rows (inf for an empty one)."""
    return _segment_reduce("segment_min", data, segment_ids, num_segments, np.inf,
                           lambda t: t.amin(dim=0))  # fmt: skip


@symbolic
def segment_prod(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002
    """The elementwise product of each segment's rows (1 for an empty one)."""
    return _segment_reduce("segment_prod", data, segment_ids, num_segments, 1,
                           lambda t: t.prod(dim=0))  # fmt: skip


@symbolic
def extract_sequences(x, sequence_length, sequence_stride) -> Tensor:
    """Frames of ``sequence_length`` along the last axis, every ``sequence_stride`` samples:
    shape ``(..., num_frames, sequence_length)``."""
    x = tensor_arg(x, "extract_sequences")
    n = x.shape[-1]
    if sequence_length < 1 or sequence_stride < 1 or sequence_length > n:
        raise ValueError(
            f"keras.ops.extract_sequences: need 1 <= sequence_length <= {n} and a positive "
            f"stride, received {sequence_length}, {sequence_stride}"
        )
    starts = range(0, n - sequence_length + 1, sequence_stride)
    return ns.stack([x[..., s : s + sequence_length] for s in starts], dim=-2)


@symbolic
def logdet(x) -> Tensor:
    """``log(det(x))`` of (batches of) square matrices (NaN where the determinant is negative)."""
    x = float_tensor(x, "logdet")
    return ns.log(ns.linalg.det(x))


@symbolic
def cdist(x, y) -> Tensor:
    """Euclidean distances between the rows of ``x`` and of ``y``: ``(..., n, m)``."""
    x, y = float_tensor(x, "cdist", "x"), float_tensor(y, "cdist", "y")
    if x.ndim < 2 or y.ndim < 2 or x.shape[-1] != y.shape[-1]:
        raise ValueError(
            f"keras.ops.cdist: expected inputs of rank >= 2 with the same last size, received "
            f"{tuple(x.shape)} and {tuple(y.shape)}"
        )
    diff = x.unsqueeze(-2) - y.unsqueeze(-3)
    return ns.sqrt((diff * diff).sum(dim=-1))
