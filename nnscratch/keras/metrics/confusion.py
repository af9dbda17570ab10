"""Metrics from confusion counts: Precision, Recall, AUC, and a ConfusionMatrix."""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ..losses import squeeze_or_expand_to_same_rank
from .base import (
    FLOATX,
    NEG_INF,
    Metric,
    _array,
    _divide_no_nan,
)


def _weights(y_true, y_pred, sample_weight):
    """Keras's alignment of labels and weights with the predictions (rank fixes, broadcast)."""
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is None:
        return y_true, y_pred, None
    weight = np.expand_dims(np.asarray(sample_weight, FLOATX), -1)
    _, weight = squeeze_or_expand_to_same_rank(y_true, weight, expand_rank_1=False)
    return y_true, y_pred, weight


def _top_k(y_pred: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest values of each row; the rest become NEG_INF."""
    keep = np.zeros(y_pred.shape, bool)
    top = np.argsort(-y_pred, -1, kind="stable")[..., :k]
    np.put_along_axis(keep, top, True, -1)
    return np.where(keep, y_pred, FLOATX(NEG_INF))


def _confusion(y_true, y_pred, thresholds, evenly, sample_weight=None, top_k=None, class_id=None):
    """True/false positives/negatives (float32, one per threshold) of ``y_pred > threshold``."""
    y_true, y_pred = _array(y_true).astype(FLOATX), _array(y_pred).astype(FLOATX)
    y_true, y_pred, weight = _weights(y_true, y_pred, sample_weight)
    if top_k is not None:
        y_pred = _top_k(y_pred, top_k)
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    weight = np.ones(y_pred.shape, FLOATX) if weight is None else weight
    weight = np.broadcast_to(weight, y_pred.shape).reshape(-1)
    label, pred = y_true.reshape(-1) != 0, y_pred.reshape(-1)
    if evenly:
        tp, fp = _bucket_counts(label, pred, weight, thresholds)
    else:
        positive = pred[None, :] > np.asarray(thresholds, FLOATX)[:, None]
        tp = np.where(positive & label, weight, 0).sum(1, dtype=FLOATX)
        fp = np.where(positive & ~label, weight, 0).sum(1, dtype=FLOATX)
    total_true, total_false = weight[label].sum(dtype=FLOATX), weight[~label].sum(dtype=FLOATX)
    return {"tp": tp, "fp": fp, "fn": total_true - tp, "tn": total_false - fp}


def _bucket_counts(label, pred, weight, thresholds) -> tuple[np.ndarray, np.ndarray]:
    """Keras's fast path for evenly spaced thresholds: bucket each prediction once; a reverse
    cumulative sum then counts the predictions above every threshold."""
    n = len(thresholds)
    bucket = np.ceil(np.clip(pred, 0.0, 1.0) * FLOATX(n - 1)) - 1
    if thresholds[0] < 0 or thresholds[-1] > 1:  # ends widened by epsilon: 0 joins bucket 0
        bucket = np.maximum(bucket, 0)
    keep = bucket >= 0
    bucket, weight, label = bucket[keep].astype(np.int64), weight[keep], label[keep]
    tp = np.bincount(bucket, np.where(label, weight, 0), n)[::-1].cumsum()[::-1]
    fp = np.bincount(bucket, np.where(label, 0, weight), n)[::-1].cumsum()[::-1]
    return tp.astype(FLOATX), fp.astype(FLOATX)


def _thresholds(thresholds, default: float) -> list[float]:
    values = [default] if thresholds is None else list(np.atleast_1d(thresholds))
    bad = [t for t in values if thresholds is not None and not 0 <= t <= 1]
    if bad:
        raise ValueError(f"threshold values must be in [0, 1], received {bad}")
    return values


def _evenly_spaced(thresholds) -> bool:
    n = len(thresholds)
    return n >= 3 and np.allclose(thresholds, np.arange(n, dtype=FLOATX) / (n - 1), atol=1e-7)


class _PrecisionRecall(Metric):
    """Counts true positives and one kind of error per threshold."""

    _direction = "up"

    _error = "fp"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.thresholds = _thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self.reset_state()

    def reset_state(self) -> None:
        self.true_positives = np.zeros(len(self.thresholds), FLOATX)
        self.errors = np.zeros(len(self.thresholds), FLOATX)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        evenly = _evenly_spaced(self.thresholds)
        counts = _confusion(
            y_true, y_pred, self.thresholds, evenly, sample_weight, self.top_k, self.class_id
        )
        self.true_positives += counts["tp"]
        self.errors += counts[self._error]

    def result(self) -> Tensor:
        value = _divide_no_nan(self.true_positives, self.true_positives + self.errors)
        return Tensor(value[0] if len(self.thresholds) == 1 else value)

    def get_config(self) -> dict:
        """Keras's keys: every constructor argument, so a reloaded metric counts the same."""
        return {
            **super().get_config(),
            "thresholds": _plain(self.init_thresholds),
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecall):
    """``tp / (tp + fp)`` of ``y_pred > threshold`` (0.5 by default; one value per threshold
    when several are given); ``top_k`` and ``class_id`` as in Keras."""

    _error = "fp"


class Recall(_PrecisionRecall):
    """``tp / (tp + fn)`` of ``y_pred > threshold`` (see ``Precision``)."""

    _error = "fn"


class AUC(Metric):
    """Area under the ROC (or PR) curve, from counts at ``num_thresholds`` evenly spaced
    thresholds with Keras's trapezoid ("interpolation") rule.

    >>> m = AUC()
    >>> m.update_state([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9])
    >>> round(float(m.result()), 4)
    0.75
    """

    _direction = "up"

    def __init__(
        self, num_thresholds: int = 200, curve: str = "ROC",
        summation_method: str = "interpolation", name=None, dtype=None, thresholds=None,
        multi_label: bool = False, num_labels=None, label_weights=None, from_logits: bool = False,
    ):  # fmt: skip
        super().__init__(name=name, dtype=dtype)
        if multi_label or label_weights is not None or num_labels is not None:
            raise NotImplementedError(
                "AUC: multi_label, num_labels and label_weights are not built"
            )
        self.curve = _choice("curve", curve.upper(), ("ROC", "PR"))
        self.summation_method = _choice(
            "summation_method", summation_method.lower(), ("interpolation", "majoring", "minoring")
        )
        self.from_logits = from_logits
        self._set_thresholds(num_thresholds, thresholds)
        self.reset_state()

    def _set_thresholds(self, num_thresholds, thresholds) -> None:
        self._given_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_thresholds(thresholds, 0.5))
            self.evenly = _evenly_spaced([0.0, *inner, 1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be > 1, received {num_thresholds}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.evenly = True
        self.num_thresholds = len(inner) + 2
        self.thresholds = [-1e-7, *inner, 1.0 + 1e-7]  # the ends catch predictions of 0 and 1

    def get_config(self) -> dict:
        """Keras's keys (``thresholds`` only when given), so a reloaded AUC counts the same."""
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": False,
            "num_labels": None,
            "label_weights": None,
            "from_logits": self.from_logits,
        }
        if self._given_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return config

    def reset_state(self) -> None:
        zeros = np.zeros(self.num_thresholds, FLOATX)
        self.true_positives, self.false_positives = zeros.copy(), zeros.copy()
        self.true_negatives, self.false_negatives = zeros.copy(), zeros.copy()

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = _array(y_pred)
        if self.from_logits:
            y_pred = (1 / (1 + np.exp(-y_pred.astype(FLOATX)))).astype(FLOATX)
        counts = _confusion(y_true, y_pred, self.thresholds, self.evenly, sample_weight)
        self.true_positives += counts["tp"]
        self.false_positives += counts["fp"]
        self.true_negatives += counts["tn"]
        self.false_negatives += counts["fn"]

    def result(self) -> Tensor:
        tp, fp, tn, fn = (self.true_positives, self.false_positives,
                          self.true_negatives, self.false_negatives)  # fmt: skip
        if self.curve == "PR" and self.summation_method == "interpolation":
            return Tensor(_pr_auc(tp, fp, fn))
        recall = _divide_no_nan(tp, tp + fn)
        x, y = (_divide_no_nan(fp, fp + tn), recall) if self.curve == "ROC" else (
            recall, _divide_no_nan(tp, tp + fp))  # fmt: skip
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / FLOATX(2)
        else:
            heights = (np.minimum if self.summation_method == "minoring" else np.maximum)(
                y[:-1], y[1:]
            )
        return Tensor(((x[:-1] - x[1:]) * heights).sum(dtype=FLOATX))


def _pr_auc(tp, fp, fn) -> np.ndarray:
    """Davis & Goadrich's interpolation of the PR curve (precision varies as tp / p within
    each interval, integrated in closed form), as Keras computes it."""
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    slope = _divide_no_nan(dtp, np.maximum(p[:-1] - p[1:], 0))
    intercept = tp[1:] - slope * p[1:]
    both = (p[:-1] > 0) & (p[1:] > 0)
    ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1).astype(FLOATX)
    area = _divide_no_nan(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
    return area.sum(dtype=FLOATX)


def _plain(thresholds):
    """Thresholds as JSON values: None, a float, or a list of floats."""
    if thresholds is None or np.ndim(thresholds) == 0:
        return None if thresholds is None else float(thresholds)
    return [float(t) for t in np.asarray(thresholds).reshape(-1)]


def _choice(arg: str, value: str, valid: tuple) -> str:
    if value not in valid:
        raise ValueError(f"AUC: {arg} must be one of {list(valid)}, received {value!r}")
    return value


class ConfusionMatrix(Metric):
    """The (weighted) count of samples of true class i predicted as class j, in row i,
    column j (not in Keras). Labels are integers or one-hot rows; predictions are class
    scores (argmax), integers, or for two classes probabilities cut at ``threshold``.

    >>> m = ConfusionMatrix(2)
    >>> m.update_state([0, 1, 1], [[0.2], [0.9], [0.4]])
    >>> m.result().tolist()
    [[1.0, 0.0], [1.0, 1.0]]
    """

    def __init__(self, num_classes: int, threshold: float = 0.5, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_classes < 2:
            raise ValueError(f"ConfusionMatrix: num_classes must be >= 2, received {num_classes}")
        self.num_classes, self.threshold = num_classes, threshold
        self.reset_state()

    def reset_state(self) -> None:
        self.matrix = np.zeros((self.num_classes, self.num_classes), self.dtype)

    def _classes(self, x, what: str) -> np.ndarray:
        x = _array(x)
        if x.ndim > 1 and x.shape[-1] == self.num_classes:
            x = np.argmax(x, -1)
        elif x.ndim > 1 and x.shape[-1] == 1:
            x = x[..., 0]
        if x.dtype.kind == "f" and what == "y_pred" and self.num_classes == 2:
            x = x > FLOATX(self.threshold)
        x = x.astype(np.int64).reshape(-1)
        if x.size and (x.min() < 0 or x.max() >= self.num_classes):
            raise ValueError(
                f"ConfusionMatrix({self.num_classes}): {what} classes must be in "
                f"[0, {self.num_classes}), received values from {x.min()} to {x.max()}"
            )
        return x

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        t, p = self._classes(y_true, "y_true"), self._classes(y_pred, "y_pred")
        w = (
            1
            if sample_weight is None
            else np.broadcast_to(np.asarray(sample_weight).reshape(-1), t.shape)
        )
        np.add.at(self.matrix, (t, p), np.asarray(w, self.dtype))

    def result(self) -> Tensor:
        return Tensor(self.matrix.copy())


# ---- lookup -------------------------------------------------------------------------------------
