"""``keras.ops`` nn part: one-hot encodings and the cross-entropies, per sample (no reduction).

Keras's probability losses clip ``output`` to ``[epsilon, 1 - epsilon]`` (``epsilon = 1e-7``)
before the log, and its categorical ones first rescale ``output`` to sum to 1 along ``axis``;
with ``from_logits=True`` they take a log-softmax (or log-sigmoid) of ``output`` instead.

>>> from nnscratch.keras import ops
>>> ops.one_hot([0, 2, -1], 3).tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.dtypes import to_dtype
from nnscratch.autograd.tensor import Tensor

from .arguments import float_tensor, tensor_arg
from .symbolic import symbolic

__all__ = [
    "one_hot", "multi_hot", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy",
]  # fmt: skip

EPSILON = 1e-7  # keras.config.epsilon()


def _dtype(dtype) -> np.dtype:
    return to_dtype("float32" if dtype is None else dtype)


@symbolic
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False) -> Tensor:
    """Integer labels ``x`` as one-hot vectors of length ``num_classes`` on a new ``axis``;
    a negative label gives a row of zeros."""
    if sparse:
        raise ValueError("keras.ops.one_hot: sparse=True is not supported (no sparse tensors)")
    labels = tensor_arg(x, "one_hot").numpy().astype(np.int64)
    if labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"keras.ops.one_hot: labels must be below num_classes={num_classes}, "
            f"received {labels.max()}"
        )
    out = np.arange(num_classes) == labels[..., None]
    out = np.moveaxis(out, -1, axis) if axis not in (-1, out.ndim - 1) else out
    return ns.from_numpy(np.ascontiguousarray(out.astype(_dtype(dtype))))


@symbolic
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs) -> Tensor:
    """For each row of integer labels, 1 at every class that appears (a 1-D input is one row)."""
    num_classes = kwargs.pop("num_tokens", num_classes)
    if num_classes is None:
        raise ValueError("keras.ops.multi_hot: num_classes must be given")
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return encoded.amax(dim=1 if encoded.ndim > 2 else 0)


def _same_shapes(name: str, target: Tensor, output: Tensor) -> None:
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(
            f"keras.ops.{name}: target and output must have the same shape, received "
            f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )


@symbolic
def binary_crossentropy(target, output, from_logits=False) -> Tensor:
    """``-(t log(p) + (1 - t) log(1 - p))`` elementwise, ``p`` the clipped ``output`` (or its
    sigmoid when ``from_logits``)."""
    target = float_tensor(target, "binary_crossentropy", "target")
    output = float_tensor(output, "binary_crossentropy", "output")
    _same_shapes("binary_crossentropy", target, output)
    if from_logits:
        return ns.binary_cross_entropy_with_logits(output, target, reduction="none")
    p = ns.clamp(output, EPSILON, 1.0 - EPSILON)
    return ns.binary_cross_entropy(p, target, reduction="none")


def _log_probabilities(output: Tensor, axis: int, from_logits: bool) -> Tensor:
    if from_logits:
        return ns.log_softmax(output, dim=axis)
    p = output / output.sum(dim=axis, keepdim=True)
    return ns.log(ns.clamp(p, EPSILON, 1.0 - EPSILON))


@symbolic
def categorical_crossentropy(target, output, from_logits=False, axis=-1) -> Tensor:
    """``-sum(target * log(p))`` along ``axis``, ``p`` the rescaled, clipped ``output`` (or its
    softmax when ``from_logits``)."""
    target = float_tensor(target, "categorical_crossentropy", "target")
    output = float_tensor(output, "categorical_crossentropy", "output")
    _same_shapes("categorical_crossentropy", target, output)
    if output.ndim < 1:
        raise ValueError("keras.ops.categorical_crossentropy: expected rank >= 1, received 0-d")
    return -(target * _log_probabilities(output, axis, from_logits)).sum(dim=axis)


@symbolic
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1) -> Tensor:
    """``-log(p[target])``, integer class ``target`` indexing ``output``'s ``axis``."""
    name = "sparse_categorical_crossentropy"
    output = float_tensor(output, name, "output")
    target = tensor_arg(target, name, "target").to(np.dtype("int64"))
    if output.ndim < 1:
        raise ValueError(f"keras.ops.{name}: expected output of rank >= 1, received 0-d")
    if target.ndim == output.ndim and target.shape[axis] == 1:
        target = target.squeeze(axis)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError(
            f"keras.ops.{name}: target must have output's shape without the class axis, "
            f"received target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    log_p = _log_probabilities(output, axis, from_logits)
    axis = axis % output.ndim
    picked = ns.take_along_dim(log_p, target.unsqueeze(axis), dim=axis)
    return -picked.squeeze(axis)
