"""Metrics with Keras's names, defaults and maths: stateful objects computed in NumPy.

A metric accumulates batches with ``update_state(y_true, y_pred, sample_weight=None)``,
reports with ``result()`` (a Tensor without gradient) and starts over with ``reset_state()``;
calling it does both, as in Keras. The state is float32, as Keras's variables.

>>> from nnscratch import keras
>>> m = keras.metrics.get("binary_accuracy")
>>> m.update_state([[1], [0]], [[0.9], [0.7]])
>>> m.update_state([[1]], [[0.6]])
>>> round(float(m.result()), 4)
0.6667
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from . import losses as _losses
from .losses import _snake, squeeze_or_expand_to_same_rank

__all__ = [
    "Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
    "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "Precision", "Recall", "AUC",
    "ConfusionMatrix", "MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge", "KLDivergence",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "get", "get_for_output",
]  # fmt: skip

FLOATX = np.float32
NEG_INF = -1e10  # Keras's stand-in for -inf in top-k precision and recall


def _array(x) -> np.ndarray:
    """The values of a Tensor (even one in a graph) or anything array-like."""
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _divide_no_nan(a, b):
    b = np.asarray(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0, a / np.where(b == 0, 1, b)).astype(np.result_type(a, b))


# ---- the per-sample metric functions -------------------------------------------------------------
def accuracy(y_true, y_pred) -> np.ndarray:
    """1 where ``y_true == y_pred`` (exact match), else 0."""
    y_pred = _array(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_array(y_true).astype(y_pred.dtype), y_pred)
    return (y_true == y_pred).astype(FLOATX)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> np.ndarray:
    """1 where ``(y_pred > threshold) == y_true``.

    >>> binary_accuracy([[1], [0]], [[0.9], [0.7]]).tolist()
    [[1.0], [0.0]]
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_array(y_true), _array(y_pred))
    return (y_true == (y_pred > FLOATX(threshold)).astype(y_true.dtype)).astype(FLOATX)


def categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """1 where the argmax of ``y_pred`` is the argmax of the one-hot ``y_true``."""
    y_pred = _array(y_pred)
    return sparse_categorical_accuracy(np.argmax(_array(y_true), -1).astype(y_pred.dtype), y_pred)


def sparse_categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """1 where the argmax of ``y_pred`` equals the integer label ``y_true``.

    >>> sparse_categorical_accuracy([2, 0], [[0.1, 0.2, 0.7], [0.2, 0.5, 0.3]]).tolist()
    [1.0, 0.0]
    """
    y_pred = _array(y_pred)
    y_true = _array(y_true).astype(y_pred.dtype)
    shape = y_true.shape
    squeeze = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    labels = y_true[..., 0] if squeeze else y_true
    matches = (labels == np.argmax(y_pred, -1).astype(labels.dtype)).astype(FLOATX)
    matches = matches.reshape(shape) if squeeze else matches
    return matches[..., 0] if matches.ndim > 1 and matches.shape[-1] == 1 else matches


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """1 where the one-hot label's class is among the ``k`` highest predictions (ties count)."""
    y_pred = _array(y_pred)
    labels = np.argmax(_array(y_true).astype(y_pred.dtype), -1)
    shape = labels.shape
    scores = y_pred.reshape(-1, y_pred.shape[-1])
    kth = np.sort(scores, -1)[:, -min(k, scores.shape[-1])]
    picked = np.take_along_axis(scores, labels.reshape(-1, 1), -1)[:, 0]
    return (picked >= kth).astype(FLOATX).reshape(shape)


# ---- the base and the means ---------------------------------------------------------------------
class Metric:
    """The base of Keras metrics: state, ``update_state``, ``result``, ``reset_state``."""

    _direction = None  # "up" or "down": which way is better, for callbacks in mode="auto"

    def __init__(self, name: str | None = None, dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.dtype = np.dtype(dtype or FLOATX).name

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_state")

    def result(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement result")

    def reset_state(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement reset_state")

    def __call__(self, *args, **kwargs) -> Tensor:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _samplewise(values: np.ndarray, weight, dtype) -> tuple[np.ndarray, np.ndarray | None]:
    """Keras's reduce_to_samplewise_values: weight each sample, mean the rest away."""
    values = values.astype(dtype)
    if weight is not None:
        values, weight = squeeze_or_expand_to_same_rank(values, np.asarray(weight, dtype))
        w_ndim = weight.ndim
        if values.ndim > w_ndim:
            values = values.mean(tuple(range(w_ndim, values.ndim)), dtype=dtype)
        weight = np.broadcast_to(weight, values.shape)
        values = values * weight
        if w_ndim > 1:
            weight = weight.mean(tuple(range(1, w_ndim)), dtype=dtype)
    if values.ndim > 1:
        values = values.mean(tuple(range(1, values.ndim)), dtype=dtype)
    return values, weight


class Mean(Metric):
    """The (weighted) mean of the values seen: ``sum(w * v) / sum(w)``.

    >>> m = Mean()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self.total = np.zeros((), self.dtype)
        self.count = np.zeros((), self.dtype)

    def update_state(self, values, sample_weight=None) -> None:
        values, weight = _samplewise(_array(values), sample_weight, self.dtype)
        self.total += values.sum(dtype=self.dtype)
        if weight is not None:
            self.count += weight.sum(dtype=self.dtype)
        else:
            self.count += values.shape[0] if values.ndim else 1

    def result(self) -> Tensor:
        return Tensor(_divide_no_nan(self.total, self.count))


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function ``fn(y_true, y_pred, **kwargs)`` (a metric function
    or a loss function, whose Tensors are read without recording a graph)."""

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None) or "mean", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def _values(self, y_true, y_pred) -> tuple[np.ndarray, np.ndarray | None]:
        with no_grad():
            return _array(self._fn(y_true, y_pred, **self._fn_kwargs)), None

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        values, mask = self._values(y_true, y_pred)
        if mask is not None and sample_weight is not None:  # Keras masks weighted values only
            values, weight = squeeze_or_expand_to_same_rank(values, np.asarray(sample_weight))
            sample_weight = mask.astype(self.dtype) * weight
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper(fn: Callable, default_name: str, doc: str, direction="down", **defaults) -> type:
    """A MeanMetricWrapper subclass for ``fn`` with keyword options ``defaults``; ``direction``
    ("up" or "down") tells callbacks in ``mode="auto"`` which way is better, as in Keras."""

    def __init__(self, name: str = default_name, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{type(self).__name__} got unexpected arguments {sorted(unknown)}")
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **{**defaults, **kwargs})

    name = {"kl_divergence": "KLDivergence"}.get(default_name) or default_name.title().replace(
        "_", ""
    )
    attributes = {"__init__": __init__, "__doc__": doc, "_direction": direction}
    return type(name, (MeanMetricWrapper,), attributes)


Accuracy = _wrapper(accuracy, "accuracy", "How often y_pred equals y_true exactly.", "up")
BinaryAccuracy = _wrapper(
    binary_accuracy, "binary_accuracy", "How often (y_pred > threshold) matches the binary y_true.",
    "up", threshold=0.5,
)  # fmt: skip
CategoricalAccuracy = _wrapper(
    categorical_accuracy,
    "categorical_accuracy",
    "How often argmax(y_pred) is the one-hot label.",
    "up",
)
SparseCategoricalAccuracy = _wrapper(
    sparse_categorical_accuracy, "sparse_categorical_accuracy",
    "How often argmax(y_pred) is the integer label.", "up",
)  # fmt: skip
TopKCategoricalAccuracy = _wrapper(
    top_k_categorical_accuracy, "top_k_categorical_accuracy",
    "How often the one-hot label is among the k highest predictions.", "up", k=5,
)  # fmt: skip
MeanSquaredError = _wrapper(_losses.mean_squared_error, "mean_squared_error", "The mean of MSE.")
MeanAbsoluteError = _wrapper(_losses.mean_absolute_error, "mean_absolute_error", "Mean of MAE.")
Hinge = _wrapper(_losses.hinge, "hinge", "The mean hinge loss.")
KLDivergence = _wrapper(_losses.kl_divergence, "kl_divergence", "The mean KL divergence.")
BinaryCrossentropy = _wrapper(
    _losses.binary_crossentropy, "binary_crossentropy", "The mean binary cross-entropy.",
    from_logits=False, label_smoothing=0.0,
)  # fmt: skip
CategoricalCrossentropy = _wrapper(
    _losses.categorical_crossentropy, "categorical_crossentropy",
    "The mean categorical cross-entropy.", from_logits=False, label_smoothing=0.0, axis=-1,
)  # fmt: skip


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean sparse categorical cross-entropy (``ignore_class`` as in the loss)."""

    _direction = "down"

    def __init__(
        self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
        ignore_class=None, axis=-1,
    ):  # fmt: skip
        super().__init__(
            _losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
            from_logits=from_logits, ignore_class=ignore_class, axis=axis,
        )  # fmt: skip

    def _values(self, y_true, y_pred):
        with no_grad():
            loss, mask = _losses._sparse(y_true, y_pred, **self._fn_kwargs)
        return _array(loss), mask


# ---- confusion counts: precision, recall, AUC ----------------------------------------------------
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
_CLASSES = (
    Mean, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, Precision, Recall, AUC, MeanSquaredError, MeanAbsoluteError,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge,
    KLDivergence,
)  # fmt: skip
_ALIASES = {"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
            "MSE": MeanSquaredError, "mae": MeanAbsoluteError,
            "MAE": MeanAbsoluteError}  # fmt: skip
ALL_OBJECTS = (
    {c.__name__: c for c in _CLASSES} | {_snake(c.__name__): c for c in _CLASSES} | _ALIASES
)


def get(identifier) -> Metric | Callable | None:
    """A metric from a name (class names and their snake_case, e.g. ``"binary_accuracy"``,
    give an instance, as in Keras), a ``Metric`` instance or class, or any callable.

    >>> type(get("binary_accuracy")).__name__
    'BinaryAccuracy'
    """
    if identifier is None:
        return None
    obj = ALL_OBJECTS.get(identifier) if isinstance(identifier, str) else identifier
    if isinstance(obj, type) and issubclass(obj, Metric):
        return obj()
    if callable(obj):
        return obj
    if isinstance(identifier, str):
        raise ValueError(
            f"Unknown metric {identifier!r}; valid names are: {', '.join(sorted(ALL_OBJECTS))} "
            "(and 'accuracy' / 'acc' in compile, which picks the kind from the shapes)"
        )
    raise ValueError(
        f"Could not interpret metric identifier {identifier!r}: expected a metric name, a "
        f"Metric or a callable, received {type(identifier).__name__}"
    )


def get_for_output(identifier, y_true_shape: tuple, y_pred_shape: tuple) -> Metric:
    """What ``compile(metrics=[...])`` makes of one entry, as Keras: ``"accuracy"``/``"acc"``
    become binary, sparse or categorical accuracy by the shapes; a plain function is wrapped
    in ``MeanMetricWrapper``; a string keeps its spelling as the metric's name.

    >>> get_for_output("accuracy", (4,), (4, 1)).name, type(get_for_output("acc", (4,), (4, 3)))
    ('accuracy', <class 'nnscratch.keras.metrics.SparseCategoricalAccuracy'>)
    """
    if str(identifier).lower() in ("accuracy", "acc"):
        binary = y_pred_shape[-1] == 1
        sparse = len(y_true_shape) < len(y_pred_shape) or (
            y_true_shape[-1] == 1 and y_pred_shape[-1] > 1
        )
        kind = BinaryAccuracy if binary else SparseCategoricalAccuracy if sparse else None
        metric = (kind or CategoricalAccuracy)(name=str(identifier))
    else:
        metric = get(identifier)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric
