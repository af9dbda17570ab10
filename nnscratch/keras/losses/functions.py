"""Keras's loss functions, per sample: the loss reduced over the last axis."""

from __future__ import annotations

import warnings

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from ...ops.creation import from_numpy

EPSILON = 1e-7  # keras.backend.epsilon(): the clip applied to probabilities
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ---- conversions and shapes -----------------------------------------------------------------
def _float_tensor(x, dtype=None) -> Tensor:
    """``x`` as a float Tensor (Tensors keep their graph; a cast is differentiable)."""
    if isinstance(x, Tensor):
        already = x.dtype.kind == "f" if dtype is None else x.dtype == dtype
        if already:
            return x
        if x.requires_grad:
            return ops.to(x, dtype or "float32")
        return from_numpy(x._data.astype(dtype or "float32", copy=False))  # labels: no graph
    a = np.asarray(x)
    return Tensor(a, dtype=dtype or (None if a.dtype.kind == "f" else "float32"))


def _pair(y_true, y_pred) -> tuple[Tensor, Tensor]:
    """y_pred as a float Tensor and y_true cast to its dtype, as each Keras loss starts."""
    y_pred = _float_tensor(y_pred)
    return _float_tensor(y_true, y_pred.dtype), y_pred


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Keras's rank fix: when ranks differ by one and the longer ends in 1, squeeze it (or,
    for a rank-1 partner and ``expand_rank_1``, expand the partner). Arrays or Tensors."""
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            return x1, _reshape(x2, tuple(x2.shape) + (1,))
        return _reshape(x1, tuple(x1.shape[:-1])), x2
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            return _reshape(x1, tuple(x1.shape) + (1,)), x2
        return x1, _reshape(x2, tuple(x2.shape[:-1]))
    return x1, x2


def _reshape(x, shape: tuple):
    """``x.reshape(shape)``; a Tensor that needs no gradient (the labels, every batch) is
    reshaped as an array, without the cost of dispatching an op."""
    if isinstance(x, Tensor) and not x.requires_grad:
        return from_numpy(x._data.reshape(shape))
    return x.reshape(shape)


def _same_shape(name: str, y_true: Tensor, y_pred: Tensor) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{name}: y_true and y_pred must have the same shape, received "
            f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape}"
        )


# ---- the loss functions (per sample) ------------------------------------------------------------
def binary_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """Mean over ``axis`` of ``-[y log p + (1 - y) log(1 - p)]``, p clipped to [1e-7, 1 - 1e-7].

    ``label_smoothing`` squeezes the labels towards 0.5: ``y (1 - s) + s / 2``.

    >>> import nnscratch as ns
    >>> loss = binary_crossentropy(ns.tensor([[1.0]]), ns.tensor([[2.0]]), from_logits=True)
    >>> round(loss.item(), 4)
    0.1269
    """
    return _bce_elements(y_true, y_pred, from_logits, label_smoothing).mean(axis)


def _bce_elements(y_true, y_pred, from_logits=False, label_smoothing=0.0, reduction="none"):
    """The elementwise binary cross-entropy of ``binary_crossentropy`` (before its mean over
    ``axis``), or its ``"mean"`` or ``"sum"`` over every element, in one op."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _same_shape("binary_crossentropy", y_true, y_pred)
    if from_logits:
        return ops.binary_cross_entropy_with_logits(y_pred, y_true, reduction=reduction)
    return ops.clipped_binary_cross_entropy(y_pred, y_true, EPSILON, reduction=reduction)


def _log_probabilities(y_pred: Tensor, from_logits: bool, axis: int) -> Tensor:
    """log-softmax of logits, or the log of probabilities renormalised and clipped (Keras)."""
    if from_logits:
        return ops.log_softmax(y_pred, axis)
    p = y_pred / y_pred.sum(axis, keepdim=True)
    return ops.clamp(p, EPSILON, 1.0 - EPSILON).log()


def _check_axis(name: str, axis) -> None:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{name}: axis must be an int, received axis={axis!r}")


def categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """``-sum(y * log p, axis)`` for one-hot (or soft) labels ``y``.

    ``label_smoothing`` s gives labels ``y (1 - s) + s / num_classes``.

    >>> import nnscratch as ns
    >>> y, p = ns.tensor([[0.0, 1.0, 0.0]]), ns.tensor([[0.05, 0.95, 0.0]])
    >>> round(categorical_crossentropy(y, p).item(), 4)
    0.0513
    """
    _check_axis("categorical_crossentropy", axis)
    y_true, y_pred = _pair(y_true, y_pred)
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn(
            "categorical_crossentropy expects y_pred of shape (batch_size, num_classes) with "
            f"num_classes > 1, received {y_pred.shape}; use binary_crossentropy for 2 classes",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        classes = np.asarray(y_true.shape[-1], y_pred.dtype)
        y_true = (
            y_true * (1.0 - label_smoothing) + np.asarray(label_smoothing, classes.dtype) / classes
        )
    _same_shape("categorical_crossentropy", y_true, y_pred)
    if y_pred.ndim < 1:
        raise ValueError("categorical_crossentropy: y_true and y_pred must be at least rank 1")
    return -(y_true * _log_probabilities(y_pred, from_logits, axis)).sum(axis)


def _sparse(y_true, y_pred, from_logits: bool, ignore_class, axis: int):
    """The per-element sparse loss and the mask of labels kept (None without ignore_class)."""
    _check_axis("sparse_categorical_crossentropy", axis)
    y_pred = _float_tensor(y_pred)
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
        # any finite row will do: its loss is replaced by 0 and gets no gradient (Keras fills 0,
        # which makes 0/0 in the probability path, masked the same way)
        y_pred = ops.where(np.expand_dims(valid, axis), y_pred, 1.0)
    labels = _checked_labels(labels.astype(np.int64), y_pred, axis)
    if from_logits and valid is None and y_pred.ndim == 2 and axis in (-1, 1):
        # (N, C) logits: torch's layout, so the fused log-softmax-and-pick op serves (one node)
        return ops.cross_entropy(y_pred, from_numpy(labels), reduction="none"), None
    log_p = _log_probabilities(y_pred, from_logits, axis)
    index = Tensor(np.expand_dims(labels, axis))
    loss = -ops.take_along_dim(log_p, index, axis).squeeze(axis)
    return (loss, None) if valid is None else (ops.where(valid, loss, 0.0), valid)


def _checked_labels(labels: np.ndarray, y_pred: Tensor, axis: int) -> np.ndarray:
    expected = list(y_pred.shape)
    classes = expected.pop(axis)
    if list(labels.shape) != expected:
        raise ValueError(
            "sparse_categorical_crossentropy: y_true must have y_pred's shape without the class "
            f"axis, received y_true.shape={labels.shape} and y_pred.shape={y_pred.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"sparse_categorical_crossentropy: labels must be in [0, {classes}), received "
            f"values from {labels.min()} to {labels.max()}"
        )
    return labels


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
) -> Tensor:
    """``-log p[label]`` for integer labels; labels equal to ``ignore_class`` give 0.

    >>> import nnscratch as ns
    >>> p = ns.tensor([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    >>> [round(v, 4) for v in sparse_categorical_crossentropy([1, 2], p).tolist()]
    [0.0513, 2.3026]
    """
    return _sparse(y_true, y_pred, from_logits, ignore_class, axis)[0]


def mean_squared_error(y_true, y_pred) -> Tensor:
    """``mean((y_true - y_pred) ** 2, axis=-1)``.

    >>> import nnscratch as ns
    >>> mean_squared_error(ns.tensor([[0.0, 1.0]]), ns.tensor([[1.0, 1.0]])).tolist()
    [0.5]
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    d = y_true - y_pred
    return (d * d).mean(-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """``mean(|y_true - y_pred|, axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return (y_true - y_pred).abs().mean(-1)


def huber(y_true, y_pred, delta: float = 1.0) -> Tensor:
    """Mean over the last axis of ``e^2 / 2`` where ``|e| <= delta``, else
    ``delta |e| - delta^2 / 2`` (``e = y_pred - y_true``)."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    delta = np.asarray(delta, y_pred.dtype)
    half = np.asarray(0.5, y_pred.dtype)
    error = y_pred - y_true
    size = error.abs()
    linear = delta * size - half * delta * delta
    return ops.where(size <= delta, half * (error * error), linear).mean(-1)


def hinge(y_true, y_pred) -> Tensor:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; labels in {0, 1} become {-1, 1}."""
    y_true, y_pred = _pair(y_true, y_pred)
    labels = np.asarray(y_true)
    if ((labels == 0) | (labels == 1)).all():
        y_true = 2.0 * y_true - 1.0
    margin = 1.0 - y_true * y_pred
    return ops.maximum(margin, ops.zeros_like(margin)).mean(-1)


def kl_divergence(y_true, y_pred) -> Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to [1e-7, 1]."""
    y_true, y_pred = _pair(y_true, y_pred)
    low = float(np.float32(EPSILON))  # keras.ops.clip passes its bounds through float32
    y_true = ops.clamp(y_true, low, 1.0)
    y_pred = ops.clamp(y_pred, low, 1.0)
    return (y_true * (y_true / y_pred).log()).sum(-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
bce = BCE = binary_crossentropy
kld = KLD = kl_divergence
