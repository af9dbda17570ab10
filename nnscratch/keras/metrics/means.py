"""Sum, the root of a mean, and the means of per-sample functions (losses used as metrics,
sparse top-k accuracy), with Keras's names, defaults and configs.

>>> m = RootMeanSquaredError()
>>> m.update_state([[0.0, 1.0]], [[1.0, 1.0]])
>>> round(float(m.result()), 4)
0.7071
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.creation import from_numpy
from .. import losses as _losses
from ..losses import squeeze_or_expand_to_same_rank
from .base import FLOATX, Mean, MeanMetricWrapper, Metric, _array

__all__ = [
    "Sum", "RootMeanSquaredError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "LogCoshError", "Poisson", "SquaredHinge",
    "CategoricalHinge", "CosineSimilarity", "sparse_top_k_categorical_accuracy",
    "SparseTopKCategoricalAccuracy",
]  # fmt: skip


class Sum(Metric):
    """The (weighted) sum of every value seen.

    >>> m = Sum()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    4.0
    """

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self.total = np.zeros((), self.dtype)

    def update_state(self, values, sample_weight=None) -> None:
        values = _array(values).astype(self.dtype)
        if sample_weight is not None:
            weight = np.asarray(sample_weight, self.dtype)
            values, weight = squeeze_or_expand_to_same_rank(values, weight)
            if values.ndim > weight.ndim:  # one weight per leading index: sum the rest first
                values = values.sum(tuple(range(weight.ndim, values.ndim)), dtype=self.dtype)
            values = values * weight
        self.total = self.total + values.sum(dtype=self.dtype)

    def result(self) -> Tensor:
        return from_numpy(np.asarray(self.total, self.dtype))


class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_pred - y_true) ** 2))`` over every value seen (weighted)."""

    _direction = "down"

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = _array(y_true).astype(self.dtype)
        y_pred = _array(y_pred).astype(self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state((y_pred - y_true) ** 2, sample_weight=sample_weight)

    def result(self) -> Tensor:
        return from_numpy(np.asarray(np.sqrt(_array(super().result()))))


class _LossMean(MeanMetricWrapper):
    """The mean of a loss function, lower is better; config ``{name, dtype}`` as in Keras."""

    _direction = "down"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsolutePercentageError(_LossMean):
    """The mean of ``keras.losses.mean_absolute_percentage_error``."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(_losses.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_LossMean):
    """The mean of ``keras.losses.mean_squared_logarithmic_error``."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(_losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(_LossMean):
    """The mean of ``keras.losses.log_cosh`` (named ``"logcosh"``, as in Keras)."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(_losses.log_cosh, name=name, dtype=dtype)


class Poisson(_LossMean):
    """The mean of ``keras.losses.poisson``."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(_losses.poisson, name=name, dtype=dtype)


class SquaredHinge(_LossMean):
    """The mean of ``keras.losses.squared_hinge``."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(_losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(_LossMean):
    """The mean of ``keras.losses.categorical_hinge``."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(_losses.categorical_hinge, name=name, dtype=dtype)


def _cosine(y_true, y_pred, axis=-1):
    """The cosine similarity itself (the loss's negative): 1 for parallel vectors."""
    return -_array(_losses.cosine_similarity(y_true, y_pred, axis=axis))


class CosineSimilarity(_LossMean):
    """The mean cosine similarity along ``axis`` (higher is better; Keras does not save
    ``axis`` in the config)."""

    _direction = "up"

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine, name=name, dtype=dtype, axis=axis)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5, from_sorted_ids=False):
    """1 where the integer label is among the ``k`` highest predictions (ties count), or,
    with ``from_sorted_ids``, among the first ``k`` ids of ``y_pred`` (ids sorted by score).

    >>> sparse_top_k_categorical_accuracy([2, 0], [[0.1, 0.2, 0.7], [0.2, 0.5, 0.3]], k=1).tolist()
    [1.0, 0.0]
    """
    y_pred = _array(y_pred)
    y_true = _array(y_true).astype(y_pred.dtype if from_sorted_ids else np.int64)
    shape = y_true.shape
    labels = y_true.reshape(-1)
    scores = y_pred.reshape(-1, y_pred.shape[-1])
    if from_sorted_ids:
        matches = (scores[:, :k] == labels[:, None]).any(-1)
    else:
        kth = np.sort(scores, -1)[:, -min(k, scores.shape[-1])]
        matches = np.take_along_axis(scores, labels[:, None], -1)[:, 0] >= kth
    return matches.astype(FLOATX).reshape(shape if y_true.ndim > 1 else labels.shape)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest predictions."""

    _direction = "up"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):  # fmt: skip
        super().__init__(
            sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
            from_sorted_ids=from_sorted_ids,
        )  # fmt: skip
        self.k, self.from_sorted_ids = k, from_sorted_ids

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        return {**config, "from_sorted_ids": True} if self.from_sorted_ids else config
