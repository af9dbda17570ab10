"""Overlap losses for segmentation: Dice and Tversky.

Both compare soft predictions with the labels through sums over ``axis`` (None: every element
of the batch, giving one number): 1 minus an overlap ratio, so perfect overlap scores 0.

>>> import nnscratch as ns
>>> y, p = ns.tensor([[1.0, 0.0], [1.0, 1.0]]), ns.tensor([[0.8, 0.1], [0.7, 0.9]])
>>> round(dice(y, p).item(), 4)
0.1273
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from .functions import EPSILON, _pair
from .loss import Loss, LossFunctionWrapper

__all__ = ["dice", "tversky", "Dice", "Tversky"]


def _sum(x: Tensor, axis) -> Tensor:
    return x.sum() if axis is None else x.sum(axis)


def dice(y_true, y_pred, axis=None) -> Tensor:
    """``1 - 2 sum(y p) / (sum(y) + sum(p) + 1e-7)`` along ``axis``."""
    y_true, y_pred = _pair(y_true, y_pred)
    intersection = _sum(y_true * y_pred, axis)
    total = _sum(y_true, axis) + _sum(y_pred, axis) + np.asarray(EPSILON, y_pred.dtype)
    return 1.0 - 2.0 * intersection / total


def tversky(y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None) -> Tensor:
    """``1 - tp / (tp + alpha fp + beta fn + 1e-7)`` with soft counts along ``axis``:
    ``tp = sum(y p)``, and, as Keras names them, ``fp = sum((1 - p) y)``,
    ``fn = sum(p (1 - y))``. With ``alpha = beta = 0.5`` it is the Dice loss."""
    y_true, y_pred = _pair(y_true, y_pred)
    tp = _sum(y_true * y_pred, axis)
    fp = _sum((1.0 - y_pred) * y_true, axis)
    fn = _sum(y_pred * (1.0 - y_true), axis)
    return 1.0 - tp / (tp + fp * alpha + fn * beta + np.asarray(EPSILON, y_pred.dtype))


class Dice(LossFunctionWrapper):
    """The Dice loss (see ``dice``)."""

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "axis": self.axis}


class Tversky(LossFunctionWrapper):
    """The Tversky loss (see ``tversky``): ``alpha`` weighs the missed positives, ``beta``
    the false alarms."""

    def __init__(
        self, alpha: float = 0.5, beta: float = 0.5, reduction="sum_over_batch_size",
        name="tversky", axis=None, dtype=None,
    ):  # fmt: skip
        super().__init__(
            tversky, reduction=reduction, name=name, dtype=dtype, alpha=alpha, beta=beta,
            axis=axis,
        )  # fmt: skip
        self.alpha, self.beta, self.axis = alpha, beta, axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta, "axis": self.axis}
