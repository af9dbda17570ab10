"""Scores accumulated per column: FBetaScore / F1Score (classification) and R2Score
(regression). Both take 2-D inputs ``(batch_size, output_dim)`` and keep float32 sums per
column, so several batches give the score of their union.

>>> m = F1Score(average="micro", threshold=0.5)
>>> m.update_state([[1, 0], [0, 1]], [[0.9, 0.2], [0.7, 0.6]])
>>> round(float(m.result()), 4)
0.8
"""

from __future__ import annotations

import warnings

import numpy as np

from ...autograd.tensor import Tensor
from ..losses import squeeze_or_expand_to_same_rank
from .base import FLOATX, Metric, _array

__all__ = ["FBetaScore", "F1Score", "R2Score"]

EPSILON = FLOATX(1e-7)


def _two_d(name: str, y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if y_true.ndim != 2 or y_pred.ndim != 2:
        raise ValueError(
            f"{name} expects 2D inputs with shape (batch_size, output_dim), received "
            f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape}"
        )


class FBetaScore(Metric):
    """``(1 + beta^2) P R / (beta^2 P + R)`` from per-class counts: one score per class
    (``average=None``), their mean (``"macro"``), their mean weighted by each class's true
    count (``"weighted"``), or one score of the pooled counts (``"micro"``).

    Without ``threshold`` a row's predicted classes are those tied at its maximum (and
    non-zero); with it, those above ``threshold``.
    """

    _direction = "up"

    def __init__(self, average=None, beta: float = 1.0, threshold=None, name="fbeta_score",
                 dtype=None):  # fmt: skip
        cls = type(self).__name__
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                f"{cls}: average must be one of None, 'micro', 'macro', 'weighted', "
                f"received {average!r}"
            )
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(f"{cls}: beta must be a Python float > 0, received {beta!r}")
        if threshold is not None and (not isinstance(threshold, float) or not 0 < threshold <= 1):
            raise ValueError(
                f"{cls}: threshold must be a Python float in (0, 1], received {threshold!r}"
            )
        super().__init__(name=name, dtype=dtype)
        self.average, self.beta, self.threshold = average, beta, threshold
        self._counts = None  # built from the first batch's number of classes

    def reset_state(self) -> None:
        if self._counts is not None:
            self._counts = {key: np.zeros_like(v) for key, v in self._counts.items()}

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = _array(y_true).astype(self.dtype)
        y_pred = _array(y_pred).astype(self.dtype)
        _two_d(type(self).__name__, y_true, y_pred)
        if self.threshold is None:
            top = y_pred.max(-1, keepdims=True)
            y_pred = (y_pred >= top) & (np.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > FLOATX(self.threshold)
        y_pred = y_pred.astype(self.dtype)
        weight = None if sample_weight is None else np.asarray(sample_weight, self.dtype)[:, None]
        cells = {
            "tp": y_pred * y_true, "fp": y_pred * (1 - y_true), "fn": (1 - y_pred) * y_true,
            "support": y_true,
        }  # fmt: skip
        axis = None if self.average == "micro" else 0
        sums = {k: (v if weight is None else v * weight).sum(axis, dtype=self.dtype)
                for k, v in cells.items()}  # fmt: skip
        if self._counts is None:
            self._counts = {k: np.zeros_like(v) for k, v in sums.items()}
        for key, value in sums.items():
            self._counts[key] = self._counts[key] + value

    def result(self) -> Tensor:
        if self._counts is None:
            raise ValueError(f"{type(self).__name__}: result() before any update_state()")
        c, b2 = self._counts, FLOATX(self.beta**2)
        precision = c["tp"] / (c["tp"] + c["fp"] + EPSILON)
        recall = c["tp"] / (c["tp"] + c["fn"] + EPSILON)
        score = precision * recall / (b2 * precision + recall + EPSILON) * (1 + b2)
        if self.average == "weighted":
            score = (score * (c["support"] / (c["support"].sum() + EPSILON))).sum()
        elif self.average is not None:
            score = score.mean()
        return Tensor(np.asarray(score, self.dtype))

    def get_config(self) -> dict:
        return {
            **super().get_config(), "average": self.average, "beta": self.beta,
            "threshold": self.threshold,
        }  # fmt: skip


class F1Score(FBetaScore):
    """``FBetaScore`` with ``beta = 1``: ``2 P R / (P + R)``."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(Metric):
    """The coefficient of determination ``1 - SS_res / SS_tot`` per output column, then
    averaged (``"uniform_average"``), weighted by each column's variance
    (``"variance_weighted_average"``) or not (None). ``num_regressors`` p > 0 gives the
    adjusted score ``1 - (1 - R2)(n - 1) / (n - p - 1)``, n counting every value seen."""

    _direction = "up"

    def __init__(self, class_aggregation="uniform_average", num_regressors: int = 0,
                 name="r2_score", dtype=None):  # fmt: skip
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                f"R2Score: class_aggregation must be one of {list(valid)}, received "
                f"{class_aggregation!r}"
            )
        if num_regressors < 0:
            raise ValueError(f"R2Score: num_regressors must be >= 0, received {num_regressors}")
        super().__init__(name=name, dtype=dtype)
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self._sums = None
        self.num_samples = FLOATX(0)

    def reset_state(self) -> None:
        if self._sums is not None:
            self._sums = {key: np.zeros_like(v) for key, v in self._sums.items()}
        self.num_samples = FLOATX(0)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = _array(y_true).astype(self.dtype)
        y_pred = _array(y_pred).astype(self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        _two_d("R2Score", y_true, y_pred)
        weight = np.asarray(1 if sample_weight is None else sample_weight, self.dtype)
        weight = np.broadcast_to(weight[:, None] if weight.ndim == 1 else weight, y_true.shape)
        sums = {
            "sum": (y_true * weight).sum(0), "squared_sum": (y_true * y_true * weight).sum(0),
            "residual": ((y_true - y_pred) ** 2 * weight).sum(0), "count": weight.sum(0),
        }  # fmt: skip
        if self._sums is None:
            self._sums = {k: np.zeros_like(v) for k, v in sums.items()}
        for key, value in sums.items():
            self._sums[key] = self._sums[key] + value
        self.num_samples += FLOATX(y_true.size)

    def result(self) -> Tensor:
        if self._sums is None:
            raise ValueError(
                "R2Score: result() expects at least one update_state() call first, received none"
            )
        s = self._sums
        with np.errstate(divide="ignore", invalid="ignore"):
            total = s["squared_sum"] - s["sum"] * (s["sum"] / s["count"])
            raw = 1 - s["residual"] / total
        raw = np.where(np.isinf(raw), FLOATX(0), raw)
        if self.class_aggregation == "uniform_average":
            score = raw.mean(dtype=self.dtype)
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * raw).sum() / total.sum()
        else:
            score = raw
        return Tensor(np.asarray(self._adjusted(score), self.dtype))

    def _adjusted(self, score):
        p, n = self.num_regressors, self.num_samples
        if p == 0:
            return score
        if p >= n - 1:
            warnings.warn(
                "R2Score: adjusted R2 needs more values than num_regressors + 1; the plain R2 "
                "score is returned",
                stacklevel=3,
            )
            return score
        return 1 - (1 - score) * (n - 1) / (n - FLOATX(p) - 1)

    def get_config(self) -> dict:
        return {
            **super().get_config(), "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }  # fmt: skip
