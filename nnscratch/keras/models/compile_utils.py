"""What ``compile`` turns its arguments into: the compiled loss and the compiled metrics (the
loss tracker is a ``keras.metrics.Mean``, as in Keras).

Names go through ``keras.losses.get`` and ``keras.metrics.get_for_output``; a plain function
``fn(y_true, y_pred) -> per-sample values`` is wrapped into a mean, as Keras wraps its
function losses (``LossFunctionWrapper``) and metrics (``MeanMetricWrapper``).
"""

from __future__ import annotations

from operator import methodcaller

import numpy as np

from ...autograd.tensor import Tensor
from .. import losses as losses_module
from .. import metrics as metrics_module

__all__ = ["CompiledLoss", "CompiledMetrics", "loss_weight", "to_float"]


def to_float(value) -> float:
    """A loss or metric result (Tensor, NumPy scalar or float) as a Python float."""
    if isinstance(value, Tensor):
        value = value._data  # its values, in a graph or not
    return float(np.asarray(value))


def loss_weight(loss_weights) -> float | None:
    """The weight of the single output's loss from ``compile``'s ``loss_weights``: a number, or
    a one-entry list, tuple or dict (the multi-output forms, as Keras accepts them).

    Keras 3's third positional argument is ``loss_weights``: Keras 2's ``compile("adam",
    "mse", ["mae"])`` lands here, and is refused with a pointer to ``metrics=``.

    >>> loss_weight(0.5), loss_weight([2]), loss_weight(None)
    (0.5, 2.0, None)
    >>> loss_weight("binary_accuracy")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Model.compile: `loss_weights` ... received 'binary_accuracy' (str); ... metrics=...
    """
    if loss_weights is None:
        return None
    values = loss_weights
    if isinstance(loss_weights, dict):
        values = list(loss_weights.values())
    elif not isinstance(loss_weights, (list, tuple)):
        values = [loss_weights]
    if len(values) == 1 and _is_number(values[0]):
        return float(values[0])
    hint = ""
    if any(isinstance(v, str) for v in values):
        hint = (
            "; it looks like metrics: Keras 3's third positional argument of compile() is "
            "`loss_weights`, so pass them by keyword: compile(optimizer=..., loss=..., "
            f"metrics={loss_weights!r})"
        )
    raise ValueError(
        "Model.compile: `loss_weights` expects a number, the weight of the model's single "
        f"loss (or a one-entry list or dict of it), received {loss_weights!r} "
        f"({type(loss_weights).__name__}){hint}"
    )


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


class CompiledLoss:
    """``(y_true, y_pred, sample_weight) -> scalar Tensor`` from a name, a Loss or a function,
    times ``weight`` when given (``compile``'s ``loss_weights``).

    >>> import nnscratch as ns
    >>> loss = CompiledLoss("mse")
    >>> loss(ns.tensor([1.0, 3.0]), ns.tensor([[1.0], [1.0]])).item()
    2.0
    >>> CompiledLoss("mse", weight=0.5)(ns.tensor([1.0, 3.0]), ns.tensor([[1.0], [1.0]])).item()
    1.0
    """

    metrics = ()  # one output: no per-output loss trackers (``multi_output.OutputLosses``)

    def __init__(self, identifier, weight: float | None = None) -> None:
        self.weight = weight
        fn = losses_module.get(identifier)
        if fn is None:
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r}; compile() expects a "
                "loss name, a Loss or a callable(y_true, y_pred), received a "
                f"{type(identifier).__name__}"
            )
        if not isinstance(fn, losses_module.Loss):
            name = identifier if isinstance(identifier, str) else getattr(fn, "__name__", None)
            fn = losses_module.LossFunctionWrapper(fn, name=name)
        self.fn, self.name = fn, fn.name

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        loss = self.fn(y_true, y_pred, sample_weight=sample_weight)
        return loss if self.weight is None else loss * self.weight


_float_result = methodcaller("float_result")  # each metric's result as a float, for the logs


def _as_list(identifiers) -> list:
    if identifiers is None:
        return []
    if not isinstance(identifiers, (list, tuple)):
        return [identifiers]  # the article's metrics="binary_accuracy" (tf.keras 2)
    return list(identifiers)


class CompiledMetrics:
    """The ``metrics`` and ``weighted_metrics`` given to ``compile``, resolved on the first
    batch (``"accuracy"`` picks binary, sparse-categorical or categorical accuracy from the
    shapes, as Keras). As in Keras 3, only ``weighted_metrics`` see the sample weights."""

    name = "compile_metrics"  # its entry in model.metrics (Keras's container's name)

    def __init__(self, metrics, weighted_metrics=None) -> None:
        self.identifiers = _as_list(metrics)
        self.weighted_identifiers = _as_list(weighted_metrics)
        self.metrics: list | None = None
        self.weighted: list = []

    def build(self, y_true: Tensor, y_pred: Tensor) -> None:
        shapes = (tuple(y_true.shape), tuple(y_pred.shape))
        self.metrics = [metrics_module.get_for_output(i, *shapes) for i in self.identifiers]
        self.weighted = [
            metrics_module.get_for_output(i, *shapes) for i in self.weighted_identifiers
        ]
        self._names = _unique_names(self.metrics, self.weighted)

    @property
    def names(self) -> list[str]:
        return list(self._names) if self.metrics is not None else []

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if not (self.identifiers or self.weighted_identifiers):
            return  # (no metrics: y_true may be None, a model trained on its add_loss terms)
        if self.metrics is None:
            self.build(y_true, y_pred)
        for metric in self.metrics:
            metric.update_state(y_true, y_pred)
        for metric in self.weighted:
            metric.update_state(y_true, y_pred, sample_weight=sample_weight)

    def reset_state(self) -> None:
        for metric in (self.metrics or []) + self.weighted:
            metric.reset_state()

    def result(self) -> dict[str, float]:
        if self.metrics is None:
            return {}
        return dict(zip(self._names, map(_float_result, self.metrics + self.weighted)))


def _unique_names(metrics: list, weighted: list) -> list[str]:
    """Keras's log names: a repeated name gets ``_1``, ``_2``; a weighted metric whose name is
    taken becomes ``weighted_<name>`` (then ``_1``, ... if that repeats too)."""
    counts: dict[str, int] = {}

    def claim(name: str) -> str:
        index = counts.get(name, 0)
        counts[name] = index + 1
        return name if index == 0 else f"{name}_{index}"

    names = [claim(m.name) for m in metrics]
    for metric in weighted:
        names.append(claim(metric.name if metric.name not in counts else f"weighted_{metric.name}"))
    return names
