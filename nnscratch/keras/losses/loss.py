"""The ``Loss`` classes and Keras's weighted reduction of per-sample losses."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from ...ops.creation import from_numpy
from .functions import (
    EPSILON,
    REDUCTIONS,
    _float_tensor,
    _sparse,
    binary_crossentropy,
    categorical_crossentropy,
    hinge,
    huber,
    kl_divergence,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
    squeeze_or_expand_to_same_rank,
)


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
    if reduction != "sum" and weight is None and values.dtype == np.float32 and values.numel():
        return values.mean()  # the float32 sum / n below, as one node instead of two
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

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        if sample_weight is None and self.fn is binary_crossentropy:
            loss = _one_unit_bce(self, y_true, y_pred)
            if loss is not None:
                return loss
        return super().__call__(y_true, y_pred, sample_weight)

    def call(self, y_true, y_pred) -> Tensor:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}


def _one_unit_bce(loss: LossFunctionWrapper, y_true, y_pred) -> Tensor | None:
    """Binary cross-entropy on one output unit, averaged over the batch, in one op (the
    article's loss, on every training step); None where the general path must run.

    With y_pred of shape (n, 1), the per-sample mean over the last axis is the identity, so
    the float32 sum / n of the per-sample losses is the mean of the n elementwise ones: the
    same numbers, one node where the general path records three. Labels that need no
    gradient (the usual case) are shaped and cast as arrays, as the general path would.
    """
    options = loss._fn_kwargs
    fits = loss.reduction in _MEANS and options.get("axis", -1) in (-1, 1)
    if not (fits and loss.dtype in (None, "float32") and isinstance(y_pred, Tensor)):
        return None
    shape = y_pred.shape
    if y_pred.dtype != np.float32 or len(shape) != 2 or shape[1] != 1 or shape[0] == 0:
        return None
    if isinstance(y_true, Tensor) and y_true.requires_grad:
        return None
    labels = y_true._data if isinstance(y_true, Tensor) else np.asarray(y_true)
    if labels.shape not in ((shape[0],), shape) or labels.dtype.kind not in "biuf":
        return None  # (the general path says what is wrong)
    labels = labels.reshape(shape).astype(np.float32, copy=False)
    smoothing = options.get("label_smoothing", 0.0)
    if smoothing:
        labels = labels * (1.0 - smoothing) + 0.5 * smoothing
    y_true = from_numpy(labels)
    if options.get("from_logits", False):
        return ops.binary_cross_entropy_with_logits(y_pred, y_true, reduction="mean")
    return ops.clipped_binary_cross_entropy(y_pred, y_true, EPSILON, reduction="mean")


_MEANS = ("sum_over_batch_size", "mean", "mean_with_sample_weight")  # unweighted: sum / n


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
