"""The confusion counts (TruePositives, FalsePositives, TrueNegatives, FalseNegatives) and
the metrics that read one rate where another reaches a target (SensitivityAtSpecificity,
SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision).

Every count is of ``y_pred > threshold`` against ``y_true != 0``, weighted by
``sample_weight``, in float32 (``_confusion`` in ``confusion.py``). A single threshold gives a
scalar result; a list gives one count per threshold.

>>> m = TruePositives(thresholds=[0.3, 0.7])
>>> m.update_state([1, 1, 0, 1], [0.9, 0.5, 0.8, 0.2])
>>> m.result().tolist()
[2.0, 1.0]
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from .base import FLOATX, Metric, _divide_no_nan
from .confusion import _confusion, _evenly_spaced, _plain, _thresholds

__all__ = [
    "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
    "SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall",
    "RecallAtPrecision",
]  # fmt: skip


class _ConditionCount(Metric):
    """The weighted count of one cell of the confusion matrix, per threshold."""

    _cell = "tp"  # which count: "tp", "fp", "tn" or "fn"

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _thresholds(thresholds, 0.5)
        self.reset_state()

    def reset_state(self) -> None:
        self.accumulator = np.zeros(len(self.thresholds), FLOATX)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        evenly = _evenly_spaced(self.thresholds)
        counts = _confusion(y_true, y_pred, self.thresholds, evenly, sample_weight)
        self.accumulator += counts[self._cell]

    def result(self) -> Tensor:
        value = self.accumulator[0] if len(self.thresholds) == 1 else self.accumulator
        return Tensor(np.array(value, FLOATX))

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": _plain(self.init_thresholds)}


class TruePositives(_ConditionCount):
    """The (weighted) number of positives predicted above the threshold (default 0.5)."""

    _cell = "tp"


class FalsePositives(_ConditionCount):
    """The (weighted) number of negatives predicted above the threshold (default 0.5)."""

    _cell = "fp"


class TrueNegatives(_ConditionCount):
    """The (weighted) number of negatives predicted at or below the threshold (default 0.5)."""

    _cell = "tn"


class FalseNegatives(_ConditionCount):
    """The (weighted) number of positives predicted at or below the threshold (default 0.5)."""

    _cell = "fn"


class _RateAtRate(Metric):
    """Counts at ``num_thresholds`` thresholds evenly spaced over [0, 1]; the result is the
    best ``dependent`` rate among the thresholds where the ``constrained`` rate reaches
    ``value`` (0 when none does)."""

    _direction = "up"
    _target = "value"  # the constructor argument holding the constraint, for messages/config

    def __init__(self, value: float, num_thresholds: int = 200, class_id=None, name=None,
                 dtype=None):  # fmt: skip
        cls = type(self).__name__
        if not 0 <= value <= 1:
            raise ValueError(f"{cls}: {self._target} must be in [0, 1], received {value}")
        if num_thresholds <= 0:
            raise ValueError(f"{cls}: num_thresholds must be > 0, received {num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = [0.5] if num_thresholds == 1 else [0.0, *inner, 1.0]
        self.reset_state()

    def reset_state(self) -> None:
        zeros = np.zeros(len(self.thresholds), FLOATX)
        self.true_positives, self.false_positives = zeros.copy(), zeros.copy()
        self.true_negatives, self.false_negatives = zeros.copy(), zeros.copy()

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        evenly = len(self.thresholds) > 1
        counts = _confusion(
            y_true, y_pred, self.thresholds, evenly, sample_weight, class_id=self.class_id
        )
        self.true_positives += counts["tp"]
        self.false_positives += counts["fp"]
        self.true_negatives += counts["tn"]
        self.false_negatives += counts["fn"]

    def _rates(self) -> dict[str, np.ndarray]:
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        recall = _divide_no_nan(tp, tp + fn)
        return {
            "sensitivity": recall, "recall": recall,
            "specificity": _divide_no_nan(tn, tn + fp), "precision": _divide_no_nan(tp, tp + fp),
        }  # fmt: skip

    def _best(self, constrained: str, dependent: str) -> Tensor:
        rates = self._rates()
        feasible = rates[constrained] >= FLOATX(self.value)
        return Tensor(np.max(np.where(feasible, rates[dependent], 0), initial=0).astype(FLOATX))

    def get_config(self) -> dict:
        return {
            **super().get_config(), "class_id": self.class_id,
            "num_thresholds": self.num_thresholds, self._target: self.value,
        }  # fmt: skip


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) over the thresholds whose specificity is at least
    ``specificity``."""

    _target = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)
        self.specificity = specificity

    def result(self) -> Tensor:
        return self._best("specificity", "sensitivity")


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity over the thresholds whose sensitivity is at least
    ``sensitivity``."""

    _target = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
        self.sensitivity = sensitivity

    def result(self) -> Tensor:
        return self._best("sensitivity", "specificity")


class PrecisionAtRecall(_RateAtRate):
    """The best precision over the thresholds whose recall is at least ``recall``."""

    _target = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)
        self.recall = recall

    def result(self) -> Tensor:
        return self._best("recall", "precision")


class RecallAtPrecision(_RateAtRate):
    """The best recall over the thresholds whose precision is at least ``precision``."""

    _target = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
        self.precision = precision

    def result(self) -> Tensor:
        return self._best("precision", "recall")
