"""Per-sample correlations along an axis, and their means: PearsonCorrelation and
ConcordanceCorrelation (computed in NumPy, in the inputs' float dtype).

>>> round(float(pearson_correlation([[1.0, 2.0, 3.0]], [[2.0, 4.0, 7.0]])[0]), 4)
0.9934
"""

from __future__ import annotations

import numpy as np

from ..losses import squeeze_or_expand_to_same_rank
from .base import MeanMetricWrapper, _array

__all__ = [
    "pearson_correlation", "concordance_correlation", "PearsonCorrelation",
    "ConcordanceCorrelation",
]  # fmt: skip

EPSILON = 1e-7


def _floats(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_pred = _array(y_pred)
    y_pred = y_pred if y_pred.dtype.kind == "f" else y_pred.astype(np.float32)
    return squeeze_or_expand_to_same_rank(_array(y_true).astype(y_pred.dtype), y_pred)


def pearson_correlation(y_true, y_pred, axis: int = -1) -> np.ndarray:
    """``mean(z(y_true) * z(y_pred), axis)``, ``z`` centring and dividing by the (population)
    standard deviation along ``axis``."""
    y_true, y_pred = _floats(y_true, y_pred)
    t = y_true - y_true.mean(axis, keepdims=True)
    p = y_pred - y_pred.mean(axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (t / t.std(axis, keepdims=True) * (p / p.std(axis, keepdims=True))).mean(axis)


def concordance_correlation(y_true, y_pred, axis: int = -1) -> np.ndarray:
    """Lin's concordance ``2 cov / (var_t + var_p + (mean_t - mean_p)^2 + 1e-7)``, averaged
    along ``axis``; as in Keras 3.15, the covariance term centres ``y_true`` on the mean of
    ``y_pred``."""
    y_true, y_pred = _floats(y_true, y_pred)
    mean_t, mean_p = y_true.mean(axis, keepdims=True), y_pred.mean(axis, keepdims=True)
    var_t, var_p = (
        (y_true - mean_t).var(axis, keepdims=True),
        (y_pred - mean_p).var(axis, keepdims=True),
    )
    covar = (y_true - mean_p) * (y_pred - mean_p)
    norm = var_t + var_p + (mean_t - mean_p) ** 2
    return (2 * covar / (norm + np.asarray(EPSILON, norm.dtype))).mean(axis)


class _Correlation(MeanMetricWrapper):
    _direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class PearsonCorrelation(_Correlation):
    """The mean Pearson correlation of ``y_true`` and ``y_pred`` along ``axis``."""

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(_Correlation):
    """The mean concordance correlation of ``y_true`` and ``y_pred`` along ``axis``."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
