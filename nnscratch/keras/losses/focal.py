"""Focal cross-entropies (down-weighting the easy examples) and the generalized
cross-entropy (robust to noisy labels).

The focal losses multiply each cross-entropy term by ``(1 - p_t) ** gamma``, ``p_t`` being the
probability the model gives the true label. On probabilities they clip as Keras does (to
``[1e-7, 1 - 1e-7]``); with ``from_logits=True`` the logarithms come from the stable
log-sigmoid / log-softmax forms instead of the log of a clipped probability (equal to Keras's
numbers wherever the probability stays inside the clip, and finite with exact gradients
beyond it).

>>> import nnscratch as ns
>>> y, p = ns.tensor([[1.0, 0.0]]), ns.tensor([[0.9, 0.2]])
>>> round(binary_focal_crossentropy(y, p).item(), 5)
0.00499
"""

from __future__ import annotations

import warnings

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from .functions import EPSILON, _check_axis, _pair
from .loss import Loss, LossFunctionWrapper

__all__ = [
    "binary_focal_crossentropy", "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy", "BinaryFocalCrossentropy",
    "CategoricalFocalCrossentropy", "CategoricalGeneralizedCrossEntropy",
]  # fmt: skip


def binary_focal_crossentropy(
    y_true, y_pred, apply_class_balancing: bool = False, alpha: float = 0.25,
    gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:  # fmt: skip
    """Mean over ``axis`` of ``w (1 - p_t) ** gamma * bce``, with ``p_t = y p + (1 - y)(1 - p)``
    and ``w = y alpha + (1 - y)(1 - alpha)`` when ``apply_class_balancing`` (else 1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        bce = ops.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
        y_pred = ops.sigmoid(y_pred)
    else:
        bce = ops.clipped_binary_cross_entropy(y_pred, y_true, EPSILON, reduction="none")
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return focal.mean(axis)


def categorical_focal_crossentropy(
    y_true, y_pred, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
    label_smoothing: float = 0.0, axis: int = -1,
) -> Tensor:  # fmt: skip
    """``sum(alpha (1 - p) ** gamma * -y log p, axis)`` over the classes, ``p`` the predicted
    probabilities (renormalised along ``axis`` and clipped, or the softmax of logits)."""
    _check_axis("categorical_focal_crossentropy", axis)
    y_true, y_pred = _pair(y_true, y_pred)
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn(
            "categorical_focal_crossentropy expects y_pred of shape (batch_size, num_classes) "
            f"with num_classes > 1, received {y_pred.shape}; use binary_crossentropy for 2 "
            "classes",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        classes = np.asarray(y_true.shape[-1], y_pred.dtype)
        y_true = (
            y_true * (1.0 - label_smoothing) + np.asarray(label_smoothing, y_pred.dtype) / classes
        )
    if from_logits:
        log_p = ops.log_softmax(y_pred, axis)
        p = ops.softmax(y_pred, axis)
    else:
        p = ops.clamp(y_pred / y_pred.sum(axis, keepdim=True), EPSILON, 1.0 - EPSILON)
        log_p = p.log()
    return (alpha * ops.pow(1.0 - p, gamma) * (-y_true * log_p)).sum(axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q: float) -> Tensor:
    """``(1 - p[label] ** q) / q`` for integer labels: cross-entropy as ``q -> 0``, MAE at
    ``q = 1`` (Zhang & Sabuncu, 2018)."""
    y_pred = _pair(y_pred, y_pred)[1]
    labels = np.asarray(y_true).astype(np.int64)
    one_hot = np.eye(y_pred.shape[-1], dtype=y_pred.dtype)[labels]
    p = (y_pred * one_hot).sum(-1)
    return (1.0 - ops.pow(p, q)) / q


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """The binary focal cross-entropy (see ``binary_focal_crossentropy``)."""

    def __init__(
        self, apply_class_balancing: bool = False, alpha: float = 0.25, gamma: float = 2.0,
        from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
        reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None,
    ):  # fmt: skip
        super().__init__(
            binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
            apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma

    def get_config(self) -> dict:
        """Keras's keys, in Keras's order."""
        return {
            **Loss.get_config(self), "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing, "axis": self.axis,
            "apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
            "gamma": self.gamma,
        }  # fmt: skip


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """The categorical focal cross-entropy (see ``categorical_focal_crossentropy``)."""

    def __init__(
        self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
        label_smoothing: float = 0.0, axis: int = -1, reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy", dtype=None,
    ):  # fmt: skip
        super().__init__(
            categorical_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
            alpha=alpha, gamma=gamma, from_logits=from_logits,
            label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.alpha, self.gamma = alpha, gamma

    def get_config(self) -> dict:
        """Keras's keys, in Keras's order."""
        return {
            **Loss.get_config(self), "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing, "axis": self.axis, "alpha": self.alpha,
            "gamma": self.gamma,
        }  # fmt: skip


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """The generalized cross-entropy of integer labels, ``q`` in (0, 1)."""

    def __init__(
        self, q: float = 0.5, reduction="sum_over_batch_size",
        name="categorical_generalized_cross_entropy", dtype=None,
    ):  # fmt: skip
        if not 0 < q < 1:
            raise ValueError(
                f"CategoricalGeneralizedCrossEntropy: q must be in (0, 1), received {q}"
            )
        super().__init__(
            categorical_generalized_cross_entropy, reduction=reduction, name=name, dtype=dtype, q=q
        )
        self.q = q

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "q": self.q}
