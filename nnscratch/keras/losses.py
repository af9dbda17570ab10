"""Losses with Keras's names, defaults and maths, composed from nnscratch ops.

Each function returns the per-sample loss (reduced over the last axis, as Keras does); each
``Loss`` class calls its function and applies Keras's weighted reduction
(``sum_over_batch_size``: the sum of ``loss * sample_weight`` divided by the number of losses).
The numbers are those of Keras 3 on its torch backend: probabilities are clipped to
``[1e-7, 1 - 1e-7]`` (categorical ones renormalised along ``axis`` first) before the log, and
``from_logits=True`` takes the stable softplus / log-softmax path.

Keras's TensorFlow backend also feeds a sigmoid or softmax output to the loss through the
logits it came from; its torch backend does not. ``logits_form(loss, activation)`` gives the
equivalent loss on logits, so a model whose last layer is a sigmoid (softmax) can apply it to
the pre-activation instead.

>>> import nnscratch as ns
>>> from nnscratch import keras
>>> y, p = ns.tensor([[0.0, 1.0], [0.0, 0.0]]), ns.tensor([[0.6, 0.4], [0.4, 0.6]])
>>> [round(v, 3) for v in keras.losses.binary_crossentropy(y, p).tolist()]
[0.916, 0.714]
>>> round(keras.losses.get("binary_crossentropy")(y, p).mean().item(), 3)
0.815
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

import numpy as np

from .. import ops
from ..autograd.tensor import Tensor

__all__ = [
    "EPSILON", "Loss", "LossFunctionWrapper", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "MeanSquaredError", "MeanAbsoluteError", "Huber", "Hinge",
    "KLDivergence", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "mean_squared_error", "mean_absolute_error", "huber",
    "hinge", "kl_divergence", "mse", "mae", "bce", "kld", "get", "logits_form",
    "reduce_weighted_values", "squeeze_or_expand_to_same_rank",
]  # fmt: skip

EPSILON = 1e-7  # keras.backend.epsilon(): the clip applied to probabilities
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ---- conversions and shapes -----------------------------------------------------------------
def _float_tensor(x, dtype=None) -> Tensor:
    """``x`` as a float Tensor (Tensors keep their graph; a cast is differentiable)."""
    if isinstance(x, Tensor):
        if dtype is None and x.dtype.kind == "f":
            return x
        return ops.to(x, dtype or "float32")
    a = np.asarray(x)
    return Tensor(a, dtype=dtype or (None if a.dtype.kind == "f" else "float32"))


def _pair(y_true, y_pred) -> tuple[Tensor, Tensor]:
    """y_pred as a float Tensor and y_true cast to its dtype, as each Keras loss starts."""
    y_pred = _float_tensor(y_pred)
    return _float_tensor(y_true, y_pred.dtype), y_pred


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Keras's rank fix: when ranks differ by one and the longer ends in 1, squeeze it (or,
    for a rank-1 partner and ``expand_rank_1``, expand the partner). Arrays or Tensors."""
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            return x1, x2.reshape(tuple(x2.shape) + (1,))
        return x1.reshape(tuple(x1.shape[:-1])), x2
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            return x1.reshape(tuple(x1.shape) + (1,)), x2
        return x1, x2.reshape(tuple(x2.shape[:-1]))
    return x1, x2


def _same_shape(name: str, y_true: Tensor, y_pred: Tensor) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{name}: y_true and y_pred must have the same shape, received "
            f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape}"
        )


# ---- the loss functions (per sample) ------------------------------------------------------------
def binary_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """Mean over ``axis`` of ``-[y log p + (1 - y) log(1 - p)]``, p clipped to [1e-7, 1 - 1e-7].

    ``label_smoothing`` squeezes the labels towards 0.5: ``y (1 - s) + s / 2``.

    >>> import nnscratch as ns
    >>> loss = binary_crossentropy(ns.tensor([[1.0]]), ns.tensor([[2.0]]), from_logits=True)
    >>> round(loss.item(), 4)
    0.1269
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _same_shape("binary_crossentropy", y_true, y_pred)
    if from_logits:
        loss = ops.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        p = ops.clamp(y_pred, EPSILON, 1.0 - EPSILON)
        loss = ops.binary_cross_entropy(p, y_true, reduction="none")
    return loss.mean(axis)


def _log_probabilities(y_pred: Tensor, from_logits: bool, axis: int) -> Tensor:
    """log-softmax of logits, or the log of probabilities renormalised and clipped (Keras)."""
    if from_logits:
        return ops.log_softmax(y_pred, axis)
    p = y_pred / y_pred.sum(axis, keepdim=True)
    return ops.clamp(p, EPSILON, 1.0 - EPSILON).log()


def _check_axis(name: str, axis) -> None:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{name}: axis must be an int, received axis={axis!r}")


def categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """``-sum(y * log p, axis)`` for one-hot (or soft) labels ``y``.

    ``label_smoothing`` s gives labels ``y (1 - s) + s / num_classes``.

    >>> import nnscratch as ns
    >>> y, p = ns.tensor([[0.0, 1.0, 0.0]]), ns.tensor([[0.05, 0.95, 0.0]])
    >>> round(categorical_crossentropy(y, p).item(), 4)
    0.0513
    """
    _check_axis("categorical_crossentropy", axis)
    y_true, y_pred = _pair(y_true, y_pred)
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn(
            "categorical_crossentropy expects y_pred of shape (batch_size, num_classes) with "
            f"num_classes > 1, received {y_pred.shape}; use binary_crossentropy for 2 classes",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        classes = np.asarray(y_true.shape[-1], y_pred.dtype)
        y_true = (
            y_true * (1.0 - label_smoothing) + np.asarray(label_smoothing, classes.dtype) / classes
        )
    _same_shape("categorical_crossentropy", y_true, y_pred)
    if y_pred.ndim < 1:
        raise ValueError("categorical_crossentropy: y_true and y_pred must be at least rank 1")
    return -(y_true * _log_probabilities(y_pred, from_logits, axis)).sum(axis)


def _sparse(y_true, y_pred, from_logits: bool, ignore_class, axis: int):
    """The per-element sparse loss and the mask of labels kept (None without ignore_class)."""
    _check_axis("sparse_categorical_crossentropy", axis)
    y_pred = _float_tensor(y_pred)
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
        # any finite row will do: its loss is replaced by 0 and gets no gradient (Keras fills 0,
        # which makes 0/0 in the probability path, masked the same way)
        y_pred = ops.where(np.expand_dims(valid, axis), y_pred, 1.0)
    labels = _checked_labels(labels.astype(np.int64), y_pred, axis)
    log_p = _log_probabilities(y_pred, from_logits, axis)
    index = Tensor(np.expand_dims(labels, axis))
    loss = -ops.take_along_dim(log_p, index, axis).squeeze(axis)
    return (loss, None) if valid is None else (ops.where(valid, loss, 0.0), valid)


def _checked_labels(labels: np.ndarray, y_pred: Tensor, axis: int) -> np.ndarray:
    expected = list(y_pred.shape)
    classes = expected.pop(axis)
    if list(labels.shape) != expected:
        raise ValueError(
            "sparse_categorical_crossentropy: y_true must have y_pred's shape without the class "
            f"axis, received y_true.shape={labels.shape} and y_pred.shape={y_pred.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"sparse_categorical_crossentropy: labels must be in [0, {classes}), received "
            f"values from {labels.min()} to {labels.max()}"
        )
    return labels


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
) -> Tensor:
    """``-log p[label]`` for integer labels; labels equal to ``ignore_class`` give 0.

    >>> import nnscratch as ns
    >>> p = ns.tensor([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    >>> [round(v, 4) for v in sparse_categorical_crossentropy([1, 2], p).tolist()]
    [0.0513, 2.3026]
    """
    return _sparse(y_true, y_pred, from_logits, ignore_class, axis)[0]


def mean_squared_error(y_true, y_pred) -> Tensor:
    """``mean((y_true - y_pred) ** 2, axis=-1)``.

    >>> import nnscratch as ns
    >>> mean_squared_error(ns.tensor([[0.0, 1.0]]), ns.tensor([[1.0, 1.0]])).tolist()
    [0.5]
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    d = y_true - y_pred
    return (d * d).mean(-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """``mean(|y_true - y_pred|, axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return (y_true - y_pred).abs().mean(-1)


def huber(y_true, y_pred, delta: float = 1.0) -> Tensor:
    """Mean over the last axis of ``e^2 / 2`` where ``|e| <= delta``, else
    ``delta |e| - delta^2 / 2`` (``e = y_pred - y_true``)."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    delta = np.asarray(delta, y_pred.dtype)
    half = np.asarray(0.5, y_pred.dtype)
    error = y_pred - y_true
    size = error.abs()
    linear = delta * size - half * delta * delta
    return ops.where(size <= delta, half * (error * error), linear).mean(-1)


def hinge(y_true, y_pred) -> Tensor:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; labels in {0, 1} become {-1, 1}."""
    y_true, y_pred = _pair(y_true, y_pred)
    labels = np.asarray(y_true)
    if ((labels == 0) | (labels == 1)).all():
        y_true = 2.0 * y_true - 1.0
    margin = 1.0 - y_true * y_pred
    return ops.maximum(margin, ops.zeros_like(margin)).mean(-1)


def kl_divergence(y_true, y_pred) -> Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to [1e-7, 1]."""
    y_true, y_pred = _pair(y_true, y_pred)
    low = float(np.float32(EPSILON))  # keras.ops.clip passes its bounds through float32
    y_true = ops.clamp(y_true, low, 1.0)
    y_pred = ops.clamp(y_pred, low, 1.0)
    return (y_true * (y_true / y_pred).log()).sum(-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
bce = BCE = binary_crossentropy
kld = KLD = kl_divergence


# ---- the weighted reduction -------------------------------------------------------------------
def _merge_mask(weight, mask, dtype, reduction):
    """Keras's apply_mask: kept entries weigh total/kept under a mean, so the mean is theirs."""
    if mask is None:
        return weight
    kept = np.count_nonzero(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        scale = np.float32(mask.size) / np.float32(kept) if kept else 0.0
        mask = np.where(mask, scale, 0.0).astype(dtype)
    else:
        mask = mask.astype(dtype)
    if weight is None:
        return mask
    mask, weight = squeeze_or_expand_to_same_rank(mask, weight)
    return weight * mask


def _divide_no_nan(total: Tensor, divisor) -> Tensor:
    # Keras divides in floatx (float32) even for float64 losses; so does this
    total = ops.to(total, "float32")
    divisor = np.float32(divisor)
    return total / divisor if divisor != 0 else total * np.float32(0.0)


def reduce_weighted_values(
    values: Tensor, sample_weight=None, mask=None, reduction: str | None = "sum_over_batch_size"
) -> Tensor:
    """Keras's reduction: weight each loss, then sum, or sum and divide by the number of
    losses (``sum_over_batch_size``, ``mean``) or by the sum of the weights."""
    _check_reduction(reduction)
    weight = None if sample_weight is None else np.asarray(sample_weight, values.dtype)
    weight = _merge_mask(weight, mask, values.dtype, reduction)
    if weight is not None:
        values, weight = squeeze_or_expand_to_same_rank(values, weight)
        values = values * weight
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weight is not None:
        return _divide_no_nan(total, weight.sum())
    return _divide_no_nan(total, values.numel())


def _check_reduction(reduction) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {list(REDUCTIONS)}, received {reduction!r}")


# ---- the Loss classes -------------------------------------------------------------------------
def _snake(name: str) -> str:
    """Keras's to_snake_case: ``TopKCategoricalAccuracy`` -> ``top_k_categorical_accuracy``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", name))
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Loss:
    """The base of Keras losses: ``loss(y_true, y_pred, sample_weight=None)`` is a scalar
    Tensor (under the default reduction) through which gradients flow to ``y_pred``.

    Subclasses write ``call(y_true, y_pred)``, returning per-sample losses.
    """

    def __init__(
        self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None
    ):
        _check_reduction(reduction)
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction
        self.dtype = np.dtype(dtype or "float32").name

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        y_pred = _float_tensor(y_pred, self.dtype)
        y_true = _float_tensor(y_true, self.dtype)
        losses, mask = self._call_with_mask(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight, mask, self.reduction)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def _call_with_mask(self, y_true, y_pred) -> tuple[Tensor, np.ndarray | None]:
        return self.call(y_true, y_pred), None

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class LossFunctionWrapper(Loss):
    """A ``Loss`` from a per-sample function ``fn(y_true, y_pred, **kwargs)`` (how Keras's
    ``compile`` wraps a loss given as a function)."""

    def __init__(
        self, fn: Callable, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs
    ):
        super().__init__(
            name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype
        )
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred) -> Tensor:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}


class MeanSquaredError(LossFunctionWrapper):
    """``mean((y_true - y_pred) ** 2)``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean(|y_true - y_pred|)``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class Huber(LossFunctionWrapper):
    """Quadratic below ``delta``, linear above (see ``huber``)."""

    def __init__(
        self, delta: float = 1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None
    ):
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)


class Hinge(LossFunctionWrapper):
    """``mean(max(1 - y_true * y_pred, 0))`` with labels in {-1, 1} (or {0, 1})."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class KLDivergence(LossFunctionWrapper):
    """``sum(y_true * log(y_true / y_pred))``."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy for labels in {0, 1}, on probabilities or (``from_logits``) logits.

    >>> import nnscratch as ns
    >>> loss = BinaryCrossentropy()(ns.tensor([[0.0, 1.0]]), ns.tensor([[0.6, 0.4]]))
    >>> round(loss.item(), 3)
    0.916
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot labels, on probabilities or (``from_logits``) logits."""

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer labels; under a mean, ``ignore_class`` labels are left out
    of both the sum and the count."""

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction="sum_over_batch_size",
        axis: int = -1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
            from_logits=from_logits, ignore_class=ignore_class, axis=axis,
        )  # fmt: skip
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def _call_with_mask(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return _sparse(y_true, y_pred, self.from_logits, self.ignore_class, self.axis)


# ---- lookup -------------------------------------------------------------------------------------
_CLASSES = (
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, MeanSquaredError,
    MeanAbsoluteError, Huber, Hinge, KLDivergence,
)  # fmt: skip
_FUNCTIONS = (
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
    mean_squared_error, mean_absolute_error, huber, hinge, kl_divergence,
)  # fmt: skip
_ALIASES = {"bce": bce, "BCE": bce, "kld": kld, "KLD": kld, "mae": mae, "MAE": mae,
            "mse": mse, "MSE": mse}  # fmt: skip
ALL_OBJECTS = {obj.__name__: obj for obj in (*_CLASSES, *_FUNCTIONS)} | _ALIASES


def get(identifier) -> Loss | Callable | None:
    """A loss from a name (a class name gives an instance, a function name the function, as
    in Keras), a ``Loss`` instance or class, or any callable; None stays None.

    >>> get("mse") is mean_squared_error, type(get("BinaryCrossentropy")).__name__
    (True, 'BinaryCrossentropy')
    """
    if identifier is None:
        return None
    obj = ALL_OBJECTS.get(identifier) if isinstance(identifier, str) else identifier
    if isinstance(obj, type) and issubclass(obj, Loss):
        return obj()
    if callable(obj):
        return obj
    if isinstance(identifier, str):
        raise ValueError(
            f"Unknown loss {identifier!r}; valid names are: {', '.join(sorted(ALL_OBJECTS))}"
        )
    raise ValueError(
        f"Could not interpret loss identifier {identifier!r}: expected a loss name, a Loss or "
        f"a callable, received {type(identifier).__name__}"
    )


_LOGITS_PAIRS = {  # the loss on probabilities -> (the activation that makes them, its class)
    binary_crossentropy: ("sigmoid", BinaryCrossentropy),
    categorical_crossentropy: ("softmax", CategoricalCrossentropy),
    sparse_categorical_crossentropy: ("softmax", SparseCategoricalCrossentropy),
}


def logits_form(loss, activation: str) -> Loss | None:
    """The same loss taking the logits of a ``sigmoid`` (``softmax``) output, or None when
    ``loss`` (from ``get``) has no such form, is already on logits or pairs with another
    activation. A model may then feed its last layer's pre-activation to it.

    >>> type(logits_form(get("binary_crossentropy"), "sigmoid")).__name__
    'BinaryCrossentropy'
    >>> logits_form(get("mse"), "sigmoid") is None
    True
    """
    fn = getattr(loss, "fn", loss)
    kwargs = dict(getattr(loss, "_fn_kwargs", {}))
    pair = _LOGITS_PAIRS.get(fn)
    if pair is None or pair[0] != activation or kwargs.pop("from_logits", False):
        return None
    reduction = getattr(loss, "reduction", "sum_over_batch_size")
    return pair[1](
        from_logits=True, reduction=reduction, dtype=getattr(loss, "dtype", None), **kwargs
    )
