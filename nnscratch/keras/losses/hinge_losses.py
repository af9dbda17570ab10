"""The squared and the categorical hinge losses (the plain hinge is in ``functions.py``).

>>> import nnscratch as ns
>>> squared_hinge(ns.tensor([[1.0, 0.0]]), ns.tensor([[0.5, 0.5]])).tolist()
[1.25]
>>> categorical_hinge(ns.tensor([[0.0, 1.0]]), ns.tensor([[0.3, 0.6]])).tolist()
[0.699999988079071]
"""

from __future__ import annotations

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from .functions import _pair
from .loss import Loss, LossFunctionWrapper

__all__ = ["squared_hinge", "categorical_hinge", "SquaredHinge", "CategoricalHinge"]


def _signed_labels(y_true: Tensor) -> Tensor:
    """Labels all in {0, 1} become {-1, 1}; any other labels are used as they are."""
    labels = np.asarray(y_true)
    return 2.0 * y_true - 1.0 if ((labels == 0) | (labels == 1)).all() else y_true


def squared_hinge(y_true, y_pred) -> Tensor:
    """``mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1)``; labels in {0, 1} become {-1, 1}."""
    y_true, y_pred = _pair(y_true, y_pred)
    margin = ops.relu(1.0 - _signed_labels(y_true) * y_pred)
    return (margin * margin).mean(-1)


def categorical_hinge(y_true, y_pred) -> Tensor:
    """``max(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)`` (the true class's score)
    and ``neg = max((1 - y_true) * y_pred)`` (the best wrong class's), along the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = (y_true * y_pred).sum(-1)
    neg = ops.amax((1.0 - y_true) * y_pred, -1)
    return ops.relu(neg - pos + 1.0)


class SquaredHinge(LossFunctionWrapper):
    """``mean(max(1 - y_true * y_pred, 0) ** 2)`` with labels in {-1, 1} (or {0, 1})."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class CategoricalHinge(LossFunctionWrapper):
    """The multi-class hinge of one-hot labels (see ``categorical_hinge``)."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
