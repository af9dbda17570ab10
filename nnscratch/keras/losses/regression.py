"""Regression losses beyond MSE/MAE: percentage, logarithmic, cosine, log-cosh and Poisson.

Each function returns the per-sample loss (reduced over the last axis, as Keras does) and is
composed from nnscratch ops, so gradients flow to ``y_pred``. The classes wrap them with
Keras's weighted reduction; their ``get_config`` holds Keras's keys (``name`` and
``reduction`` only: like Keras, ``CosineSimilarity`` does not save its ``axis``).

>>> import nnscratch as ns
>>> y, p = ns.tensor([[2.0, 4.0]]), ns.tensor([[1.0, 5.0]])
>>> round(mean_absolute_percentage_error(y, p).item(), 4)
37.5
"""

from __future__ import annotations

import math

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from .functions import EPSILON, _pair, squeeze_or_expand_to_same_rank
from .loss import Loss, LossFunctionWrapper

__all__ = [
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "cosine_similarity",
    "log_cosh", "poisson", "mape", "msle", "MAPE", "MSLE", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "CosineSimilarity", "LogCosh", "Poisson",
]  # fmt: skip


def _aligned(y_true, y_pred) -> tuple[Tensor, Tensor]:
    return squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))


def _constant(value: float, like: Tensor) -> np.ndarray:
    """A scalar in ``like``'s dtype (a float64 constant would promote a float32 loss)."""
    return np.asarray(value, like.dtype)


def mean_absolute_percentage_error(y_true, y_pred) -> Tensor:
    """``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7), axis=-1)``."""
    y_true, y_pred = _aligned(y_true, y_pred)
    scale = ops.clamp(y_true.abs(), min=float(_constant(EPSILON, y_pred)))
    return _constant(100.0, y_pred) * ((y_true - y_pred) / scale).abs().mean(-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> Tensor:
    """``mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1)) ** 2, axis=-1)``."""
    y_true, y_pred = _aligned(y_true, y_pred)
    low = float(np.float32(EPSILON))  # Keras's epsilon here is a float32 tensor
    d = (ops.clamp(y_pred, min=low) + 1.0).log() - (ops.clamp(y_true, min=low) + 1.0).log()
    return (d * d).mean(-1)


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    """``x / ||x||`` along ``axis``, the inverse norm capped at 1e7 (a zero vector stays 0)."""
    inverse = ops.rsqrt((x * x).sum(axis, keepdim=True))
    return x * ops.clamp(inverse, max=float(_constant(1.0 / EPSILON, x)))


def cosine_similarity(y_true, y_pred, axis: int = -1) -> Tensor:
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: -1 for parallel vectors,
    0 for orthogonal ones (and for a zero vector)."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return -(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis)).sum(axis)


def log_cosh(y_true, y_pred) -> Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, as ``x + softplus(-2x) - log 2`` (no
    overflow of cosh for large errors)."""
    y_true, y_pred = _aligned(y_true, y_pred)
    x = y_pred - y_true
    return (x + ops.softplus(x * _constant(-2.0, x)) - _constant(math.log(2.0), x)).mean(-1)


def poisson(y_true, y_pred) -> Tensor:
    """``mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_pred - y_true * (y_pred + _constant(EPSILON, y_pred)).log()).mean(-1)


mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error


class _PlainConfig(LossFunctionWrapper):
    """A wrapper whose config is Keras's bare ``{name, reduction}``."""

    def get_config(self) -> dict:
        return Loss.get_config(self)


class MeanAbsolutePercentageError(_PlainConfig):
    """``100 * mean(|y_true - y_pred| / |y_true|)`` (see ``mean_absolute_percentage_error``)."""

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None
    ):
        super().__init__(
            mean_absolute_percentage_error, reduction=reduction, name=name, dtype=dtype
        )


class MeanSquaredLogarithmicError(_PlainConfig):
    """``mean((log(y_pred + 1) - log(y_true + 1)) ** 2)``."""

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None
    ):
        super().__init__(
            mean_squared_logarithmic_error, reduction=reduction, name=name, dtype=dtype
        )


class CosineSimilarity(_PlainConfig):
    """The negated cosine similarity along ``axis`` (see ``cosine_similarity``)."""

    def __init__(
        self, axis: int = -1, reduction="sum_over_batch_size", name="cosine_similarity",
        dtype=None,
    ):  # fmt: skip
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)


class LogCosh(_PlainConfig):
    """``mean(log(cosh(y_pred - y_true)))``: about ``x^2 / 2`` for small errors, ``|x| -
    log 2`` for large ones."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


class Poisson(_PlainConfig):
    """``mean(y_pred - y_true * log(y_pred))``, for counts predicted as rates."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)
