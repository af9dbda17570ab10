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

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from .. import losses as _losses
from ..losses import _snake, squeeze_or_expand_to_same_rank

from .base import (
    FLOATX,
    NEG_INF,
    _array,
    _divide_no_nan,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    top_k_categorical_accuracy,
    Metric,
    _samplewise,
    Mean,
    MeanMetricWrapper,
    _wrapper,
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    MeanSquaredError,
    MeanAbsoluteError,
    Hinge,
    KLDivergence,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
from .confusion import (
    _weights,
    _top_k,
    _confusion,
    _bucket_counts,
    _thresholds,
    _evenly_spaced,
    _PrecisionRecall,
    Precision,
    Recall,
    AUC,
    _pr_auc,
    _choice,
    ConfusionMatrix,
)

__all__ = [
    "Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
    "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "Precision", "Recall", "AUC",
    "ConfusionMatrix", "MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge", "KLDivergence",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "get", "get_for_output",
]  # fmt: skip


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

# ---- the rest of Keras 3.15's list --------------------------------------------------------
from .confusion_counts import (
    FalseNegatives,
    FalsePositives,
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from .correlation import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from .iou import IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from .means import (
    CategoricalHinge,
    CosineSimilarity,
    LogCoshError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    RootMeanSquaredError,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    Sum,
    sparse_top_k_categorical_accuracy,
)
from .scores import F1Score, FBetaScore, R2Score
from .serialization import deserialize, serialize
from ..losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)

_MORE_CLASSES = (
    TruePositives, FalsePositives, TrueNegatives, FalseNegatives, SensitivityAtSpecificity,
    SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision, F1Score, FBetaScore,
    R2Score, RootMeanSquaredError, Sum, SparseTopKCategoricalAccuracy, CosineSimilarity,
    LogCoshError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Poisson,
    SquaredHinge, CategoricalHinge, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
    PearsonCorrelation, ConcordanceCorrelation,
)  # fmt: skip
_MORE_FUNCTIONS = (
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, hinge,
    squared_hinge, categorical_hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error,
    poisson, sparse_top_k_categorical_accuracy, binary_focal_crossentropy,
    categorical_focal_crossentropy, pearson_correlation, concordance_correlation,
)  # fmt: skip
ALL_OBJECTS.update({c.__name__: c for c in _MORE_CLASSES})
ALL_OBJECTS.update({_snake(c.__name__): c for c in _MORE_CLASSES})
ALL_OBJECTS.update(dict.fromkeys(("mape", "MAPE"), MeanAbsolutePercentageError))
ALL_OBJECTS.update(dict.fromkeys(("msle", "MSLE"), MeanSquaredLogarithmicError))
__all__ += [o.__name__ for o in (*_MORE_CLASSES, *_MORE_FUNCTIONS)]
__all__ += ["serialize", "deserialize"]


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

    >>> get_for_output("accuracy", (4,), (4, 1)).name
    'accuracy'
    >>> type(get_for_output("acc", (4,), (4, 3))).__name__
    'SparseCategoricalAccuracy'
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
