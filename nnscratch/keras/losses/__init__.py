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


from .functions import (
    BCE,
    EPSILON,
    KLD,
    MAE,
    MSE,
    REDUCTIONS,
    _sparse,
    bce,
    binary_crossentropy,
    categorical_crossentropy,
    hinge,
    huber,
    kl_divergence,
    kld,
    mae,
    mean_absolute_error,
    mean_squared_error,
    mse,
    sparse_categorical_crossentropy,
    squeeze_or_expand_to_same_rank,
)
from .loss import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Hinge,
    Huber,
    KLDivergence,
    Loss,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    _snake,
    reduce_weighted_values,
)

__all__ = [
    "EPSILON", "Loss", "LossFunctionWrapper", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "MeanSquaredError", "MeanAbsoluteError", "Huber", "Hinge",
    "KLDivergence", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "mean_squared_error", "mean_absolute_error", "huber",
    "hinge", "kl_divergence", "mse", "mae", "bce", "kld", "get", "logits_form",
    "reduce_weighted_values", "squeeze_or_expand_to_same_rank",
]  # fmt: skip


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

# ---- the rest of Keras 3.15's list (focal, hinge, regression, segmentation) ----------------
from .focal import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
)
from .hinge_losses import CategoricalHinge, SquaredHinge, categorical_hinge, squared_hinge
from .regression import (
    MAPE,
    MSLE,
    CosineSimilarity,
    LogCosh,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    cosine_similarity,
    log_cosh,
    mape,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    msle,
    poisson,
)
from .circle_loss import Circle, circle
from .ctc_loss import CTC, ctc
from .segmentation import Dice, Tversky, dice, tversky
from .serialization import deserialize, serialize

_MORE = (
    BinaryFocalCrossentropy, CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy,
    CategoricalHinge, SquaredHinge, CosineSimilarity, LogCosh, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Poisson, Dice, Tversky, binary_focal_crossentropy,
    categorical_focal_crossentropy, categorical_generalized_cross_entropy, categorical_hinge,
    squared_hinge, cosine_similarity, log_cosh, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, poisson, dice, tversky, Circle, circle, CTC, ctc,
)  # fmt: skip
ALL_OBJECTS.update({obj.__name__: obj for obj in _MORE})
ALL_OBJECTS.update({"mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle})
__all__ += [obj.__name__ for obj in _MORE] + ["mape", "msle", "serialize", "deserialize"]


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
