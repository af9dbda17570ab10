"""The metric base, the means, and the per-sample metrics (accuracies, mean losses)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...ops.creation import from_numpy
from .. import losses as _losses
from ..losses import _snake, squeeze_or_expand_to_same_rank
from ..variables import Variable

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


def _binary_accuracy_count(y_true, y_pred, threshold: float = 0.5) -> tuple[int, int] | None:
    """How many of ``binary_accuracy``'s values are 1, and of how many samples, for one
    prediction per sample
    (shapes (n,) or (n, 1)): what a Mean of them adds up, in three ufuncs instead of a dozen
    (fit calls it every batch). None for other shapes (their per-sample means are fractions)."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    n = y_pred.shape[0] if y_pred.ndim else 0
    if y_pred.shape not in ((n,), (n, 1)) or y_true.shape not in ((n,), (n, 1)) or n == 0:
        return None
    hits = y_true.reshape(n) == (y_pred.reshape(n) > FLOATX(threshold))
    return int(np.count_nonzero(hits)), n


_COUNTS = {binary_accuracy: _binary_accuracy_count}  # metric fn -> (its count of ones, n)


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
        self._variables: list[Variable] = []

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A state variable (a non-trainable ``keras.Variable``) that ``reset_state`` zeroes:
        how a user's metric keeps its running totals."""
        variable = Variable(initializer, shape=shape, dtype=dtype or self.dtype, trainable=False,
                            aggregation=aggregation, name=name)  # fmt: skip
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        return self.add_variable(shape, initializer or "zeros", dtype=dtype, name=name)

    @property
    def variables(self) -> list[Variable]:
        return list(self._variables)

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_state")

    def result(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement result")

    def reset_state(self) -> None:
        """Zero every state variable (``add_variable``), as Keras's base class does."""
        for variable in self._variables:
            variable.assign(np.zeros(variable.shape, variable.dtype))

    def __call__(self, *args, **kwargs) -> Tensor:
        self.update_state(*args, **kwargs)
        return self.result()

    def float_result(self) -> float:
        """``result()`` as a Python float: what ``fit`` logs."""
        return float(_array(self.result()))

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _samplewise(values: np.ndarray, weight, dtype) -> tuple[np.ndarray, np.ndarray | None]:
    """Keras's reduce_to_samplewise_values: weight each sample, mean the rest away."""
    values = values.astype(dtype, copy=False)
    if weight is not None:
        values, weight = squeeze_or_expand_to_same_rank(values, np.asarray(weight, dtype))
        w_ndim = weight.ndim
        if values.ndim > w_ndim:
            values = _mean(values, tuple(range(w_ndim, values.ndim)), dtype)
        weight = np.broadcast_to(weight, values.shape)
        values = values * weight
        if w_ndim > 1:
            weight = weight.mean(tuple(range(1, w_ndim)), dtype=dtype)
    if values.ndim > 1:
        values = _mean(values, tuple(range(1, values.ndim)), dtype)
    return values, weight


def _mean(values: np.ndarray, axes: tuple, dtype) -> np.ndarray:
    """``values.mean(axes, dtype=dtype)`` over trailing ``axes``: the same sum divided by the
    count, without the overhead of ``ndarray.mean`` (it runs on every batch of ``fit``); over
    axes of size 1 (one output unit) the mean is the values themselves."""
    count = math.prod(values.shape[axes[0] :])  # (the axes are the trailing ones)
    if count == 1:
        return values.reshape(values.shape[: axes[0]])
    return values.sum(axes, dtype=dtype) / count


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
        # NumPy scalars of the metric's dtype (Keras's float32 variables): the same roundings
        # as 0-d arrays, at a fraction of the cost of their in-place ufuncs (fit adds to them
        # on every batch)
        self.total = self.count = np.dtype(self.dtype).type(0)

    def update_state(self, values, sample_weight=None) -> None:
        if isinstance(values, float) and isinstance(sample_weight, (int, float, type(None))):
            # one number (fit's loss, every batch): the lines below, without their reshaping
            number = type(self.total)
            weight = number(1 if sample_weight is None else sample_weight)
            self.total += number(values) * weight
            self.count += weight
            return
        values, weight = _samplewise(_array(values), sample_weight, self.dtype)
        self.total += values.sum(dtype=self.dtype)
        if weight is not None:
            self.count += weight.sum(dtype=self.dtype)
        else:
            self.count += values.shape[0] if values.ndim else 1

    def float_result(self) -> float:
        if type(self).result is not Mean.result:  # a subclass's own result (say, a root)
            return super().float_result()
        return float(self.total / self.count) if self.count else 0.0

    def result(self) -> Tensor:
        # 0-d state: a plain division (``_divide_no_nan``'s where and errstate cost more than
        # the rest of the step's metric update)
        value = self.total / self.count if self.count else np.zeros((), self.dtype)
        return from_numpy(np.asarray(value, self.dtype))


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function ``fn(y_true, y_pred, **kwargs)`` (a metric function
    or a loss function, whose Tensors are read without recording a graph)."""

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None) or "mean", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def _values(self, y_true, y_pred) -> tuple[np.ndarray, np.ndarray | None]:
        if not getattr(y_pred, "requires_grad", False):  # (fit's: detached, no graph to skip)
            return _array(self._fn(y_true, y_pred, **self._fn_kwargs)), None
        with no_grad():
            return _array(self._fn(y_true, y_pred, **self._fn_kwargs)), None

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        count = _COUNTS.get(self._fn)
        if count is not None and sample_weight is None:
            counted = count(y_true, y_pred, **self._fn_kwargs)
            if counted is not None:  # 0/1 values: their float32 sum is exactly their count
                self.total += counted[0]
                self.count += counted[1]
                return
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
