"""What ``compile`` makes of its loss and metrics for a model with several outputs.

Each output has a name (the output layer's name, or the key of a dict of outputs), and
``compile`` takes, as Keras 3 does:

- ``loss``: one loss for every output, a list (one per output, by position) or a dict keyed
  by output names; ``None`` for an output trains nothing through it, and so does leaving an
  output out of the dict (for a model whose outputs are a list, Keras then refuses the dict
  when ``fit`` or ``evaluate`` starts: so do we);
- ``loss_weights``: one number for every output, a list or a dict keyed by output names;
- ``metrics`` and ``weighted_metrics``: a list with one entry per output (an entry is one
  metric or a list of them) or a dict keyed by output names (outputs left out get none).

The total loss is the sum of the weighted per-output losses. Its logs are Keras's:
``loss`` (the total), ``<output>_loss`` (each output's unweighted loss, when more than one
output has a loss) and ``<output>_<metric>`` (``<output>_weighted_<metric>`` for a weighted
metric whose name is taken; ``_1``, ``_2`` for repeats).

Deliberate differences from Keras 3.15, where Keras does something else: a loss list shorter
than the outputs is refused (Keras silently trains the first outputs only); a dict of
``loss_weights`` beside a list of losses is matched by output name (Keras pairs the dict's
values, in sorted key order, with the list's positions); one loss with a list or dict of
``loss_weights`` weighs each output (Keras refuses it); a dict of targets with sample weights
trains (Keras fails with ``KeyError: 0``); the structure errors come from ``compile`` (Keras
raises them when ``fit`` starts).

    >>> losses = OutputLosses(["score", "priority"], ["mse", "mae"], {"priority": 2.0})
    >>> [(tracker.name, weight) for tracker, (_, _, weight) in zip(losses.trackers, losses.entries)]
    [('score_loss', None), ('priority_loss', 2.0)]
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from .. import metrics as metrics_module
from ..metrics.base import Mean
from .compile_utils import (
    CompiledLoss,
    CompiledMetrics,
    _as_list,
    _is_number,
    loss_weight,
    to_float,
)

__all__ = ["OutputLosses", "OutputMetrics", "as_output_list", "compiled_loss_and_metrics"]


def output_keys(model) -> list[str] | None:
    """The names of a model's several outputs (the keys of a dict of outputs, else the output
    layers' names), or None for a model with one output."""
    outputs = getattr(model, "outputs", None)
    if not isinstance(outputs, list) or len(outputs) < 2:
        return None
    struct = getattr(model, "_outputs_struct", None)
    if isinstance(struct, dict):
        return list(struct)
    return list(model.output_names)


def compiled_loss_and_metrics(model, loss, loss_weights, metrics, weighted_metrics):
    """``(compiled loss, compiled metrics)`` for ``model``: per output (``multi_output``) for
    several outputs."""
    names = output_keys(model)
    if names is None:
        weight = loss_weight(loss_weights)  # first: it refuses Keras 2's positional metrics
        compiled_loss = None if loss is None else CompiledLoss(loss, weight)
        return compiled_loss, CompiledMetrics(metrics, weighted_metrics)
    keyed = _keyed_outputs(model)
    losses = None if loss is None else OutputLosses(names, loss, loss_weights, keyed)
    if losses is not None and not losses.entries:  # every output's loss None: no loss at all
        losses = None
    return losses, OutputMetrics(names, metrics, weighted_metrics)


def _keyed_outputs(model) -> bool:
    """Whether the model's outputs are a dict (``keras.Model(inputs, {"a": y, ...})``)."""
    return isinstance(getattr(model, "_outputs_struct", None), dict)


def _partial_dict_error(loss: dict, names: list[str]) -> str | None:
    """Keras's refusal of a loss dict that leaves outputs out, for a model whose outputs are
    a list (None when the dict names every output)."""
    if set(loss) == set(names):
        return None
    return (
        f"Expected keys {names} in loss dict, but found loss.keys()={list(loss)}: a model "
        "whose outputs are a list needs a loss entry per output name (None for an output "
        "without a loss); only a model with a dict of outputs may leave outputs out"
    )


# ---- per-output arguments --------------------------------------------------------------------
def per_output_losses(loss, names: list[str]) -> list:
    """One loss identifier (or None) per output, from one loss, a list or a dict (an output
    the dict leaves out gets None: no loss)."""
    if isinstance(loss, dict):
        unknown = [key for key in loss if key not in names]
        if unknown:
            raise ValueError(
                f"Expected keys {names} in loss dict, but found loss.keys()={list(loss)}: "
                f"{unknown} are no output names"
            )
        return [loss.get(name) for name in names]
    if isinstance(loss, (list, tuple)):
        if len(loss) != len(names):
            raise ValueError(
                f"Model.compile: `loss` for a model with {len(names)} outputs {names} expects "
                f"one loss per output (a list of {len(names)}, or a dict keyed by output "
                f"names), received a {type(loss).__name__} of {len(loss)}: {loss!r}"
            )
        return list(loss)
    return [loss] * len(names)


def per_output_weights(loss_weights, names: list[str]) -> list:
    """One weight (or None: unweighted) per output, from a number, a list or a dict."""
    if loss_weights is None:
        return [None] * len(names)
    if _is_number(loss_weights):
        return [float(loss_weights)] * len(names)
    if isinstance(loss_weights, dict):
        unknown = [key for key in loss_weights if key not in names]
        if unknown:
            raise ValueError(
                f"Model.compile: `loss_weights` has keys {unknown} that are no output names; "
                f"expected keys among {names}, received {loss_weights!r}"
            )
    weights = _per_output_entries(loss_weights, names)
    if weights is None:
        raise ValueError(
            f"`loss_weights` must match the number of outputs: Model.compile expects a number, "
            f"a list of {len(names)} or a dict keyed by {names}, received {loss_weights!r}"
            + _metrics_hint(loss_weights)
        )
    for weight in weights:
        if weight is not None and not _is_number(weight):
            raise ValueError(
                f"Model.compile: `loss_weights` entries must be numbers, received {weight!r} "
                f"in {loss_weights!r}" + _metrics_hint(loss_weights)
            )
    return [None if w is None else float(w) for w in weights]


def _metrics_hint(loss_weights) -> str:
    values = loss_weights.values() if isinstance(loss_weights, dict) else loss_weights
    if isinstance(values, str) or any(isinstance(v, str) for v in values):
        return (
            "; it looks like metrics: Keras 3's third positional argument of compile() is "
            "`loss_weights`, so pass metrics by keyword (metrics=...)"
        )
    return ""


def per_output_metrics(metrics, names: list[str], argument: str) -> list[list]:
    """A list of metric identifiers per output, from a list (one entry per output) or a dict
    keyed by output names; ``argument`` is ``"metrics"`` or ``"weighted_metrics"``."""
    if not metrics:
        return [[] for _ in names]
    if not isinstance(metrics, (list, tuple, dict)):
        raise ValueError(
            f"Expected `{argument}` argument to be a list, tuple, or dict. Received instead: "
            f"{argument}={metrics} of type {type(metrics)}"
        )
    entries = _per_output_entries(metrics, names)
    if entries is None:
        raise ValueError(
            f"Invalid `{argument}`. `{argument}` should contain metrics objects and either be a "
            f"dict or a list matching the output names of the functional model {names} (a "
            f"list of {len(names)} entries, one per output, or a dict keyed by those names).\n"
            f"Received: {argument}={metrics}"
        )
    return [_as_list(entry) for entry in entries]


def _per_output_entries(value, names: list[str]) -> list | None:
    """``value``'s entries in output order, from a dict keyed by output names (an output it
    leaves out gets None) or a list or tuple of one entry per output; None when it is neither,
    so each caller raises its own message.

    >>> _per_output_entries({"b": 2}, ["a", "b"]), _per_output_entries((1, 2), ["a", "b"])
    ([None, 2], [1, 2])
    >>> _per_output_entries([1], ["a", "b"]) is None, _per_output_entries({"c": 1}, ["a"]) is None
    (True, True)
    """
    if isinstance(value, dict) and set(value) <= set(names):
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and len(value) == len(names):
        return list(value)
    return None


def as_output_list(data, names: list[str], what: str) -> list:
    """Per-output values (targets, predictions, weights) as a list in output order, from a
    list, a tuple or a dict keyed by output names."""
    if isinstance(data, dict):
        if set(data) != set(names):
            raise ValueError(
                f"Expected `{what}` as a dict keyed by the output names {names}, received keys "
                f"{list(data)}"
            )
        return [data[name] for name in names]
    if isinstance(data, (list, tuple)) and len(data) == len(names):
        return list(data)
    count = (
        f"a {type(data).__name__} of {len(data)}"
        if isinstance(data, (list, tuple))
        else (f"one {type(data).__name__}")
    )
    raise ValueError(
        f"Expected `{what}` for the {len(names)} outputs {names}: a list of {len(names)} or a "
        f"dict keyed by output names, received {count}"
    )


# ---- the compiled loss ------------------------------------------------------------------------
class OutputLosses:
    """``(y_true, y_pred, sample_weight) -> scalar Tensor``: the sum over the outputs of each
    output's loss times its weight. Each output's unweighted loss is tracked in a ``Mean``
    named ``<output>_loss`` (weighted by the batch size), when more than one output has a
    loss, as Keras tracks them; ``metrics`` lists these trackers (``Functional.metrics``
    puts them in ``model.metrics`` after the compiled metrics, where Keras has them).
    For a model whose outputs are a dict (``keyed``), a loss dict is taken in its own order
    and may leave outputs out, as Keras takes it; for one whose outputs are a list, such a
    dict is refused by the first step (``deferred_error``), as Keras refuses it."""

    def __init__(self, names: list[str], loss, loss_weights=None, keyed=False) -> None:
        losses = per_output_losses(loss, names)
        weights = per_output_weights(loss_weights, names)
        self.names = names
        by_key = keyed and isinstance(loss, dict)
        order = [names.index(key) for key in loss] if by_key else range(len(names))
        self.entries = [
            (index, CompiledLoss(losses[index]), weights[index])
            for index in order
            if losses[index] is not None
        ]
        partial = isinstance(loss, dict) and not keyed
        self.deferred_error = _partial_dict_error(loss, names) if partial else None
        many = len(self.entries) > 1
        self.trackers = [Mean(name=f"{names[i]}_loss") for i, _, _ in self.entries] if many else []
        self.metrics = self.trackers  # listed in model.metrics after the compiled metrics

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        if self.deferred_error:
            raise ValueError(self.deferred_error)
        y_true = as_output_list(y_true, self.names, "y")
        y_pred = as_output_list(y_pred, self.names, "y_pred")
        weights = sample_weights_per_output(sample_weight, self.names)
        total = None
        for position, (index, loss_fn, weight) in enumerate(self.entries):
            value = loss_fn(y_true[index], y_pred[index], weights[index])
            if self.trackers:
                self.trackers[position].update_state(to_float(value), y_pred[index].shape[0])
            if weight is not None:
                value = value * weight
            total = value if total is None else total + value
        return total


def sample_weights_per_output(sample_weight, names: list[str]) -> list:
    """One weight array (or None) per output: a list or dict gives each output its own, and
    a single array serves every output."""
    if sample_weight is None:
        return [None] * len(names)
    if isinstance(sample_weight, (list, tuple, dict)):
        return as_output_list(sample_weight, names, "sample_weight")
    return [sample_weight] * len(names)


# ---- the compiled metrics ---------------------------------------------------------------------
class OutputMetrics:
    """The metrics of each output, resolved on the first batch from each output's shapes, with
    Keras's log names: the model's ``"compile_metrics"`` container. ``identifiers`` and
    ``weighted_identifiers`` are ``compile``'s arguments as given (saved with the model).

    ``names`` are the metrics' own names, as Keras's container lists them, not their log
    names: ``evaluate``'s list, which takes the logs named in ``model.metrics`` first, so
    finds none of them and puts every per-output metric after the per-output losses, in
    sorted order, as Keras 3 does."""

    name = "compile_metrics"  # its entry in model.metrics (Keras's container's name)

    def __init__(self, names: list[str], metrics, weighted_metrics) -> None:
        self.output_names = names
        self.per_output = per_output_metrics(metrics, names, "metrics")
        self.weighted_per_output = per_output_metrics(weighted_metrics, names, "weighted_metrics")
        self.identifiers = metrics or []
        self.weighted_identifiers = weighted_metrics or []
        self.metrics: list | None = None  # [(output index, metric, weighted, log name)], built

    def build(self, y_true: list, y_pred: list) -> None:
        found = []
        for index, identifiers in enumerate(self.per_output):
            found += [(index, self._resolve(i, y_true, y_pred, index), False) for i in identifiers]
        for index, identifiers in enumerate(self.weighted_per_output):
            found += [(index, self._resolve(i, y_true, y_pred, index), True) for i in identifiers]
        log_names = _log_names(self.output_names, found)
        self.metrics = [(i, m, w, n) for (i, m, w), n in zip(found, log_names)]

    @staticmethod
    def _resolve(identifier, y_true: list, y_pred: list, index: int):
        shapes = (tuple(y_true[index].shape), tuple(y_pred[index].shape))
        return metrics_module.get_for_output(identifier, *shapes)

    @property
    def names(self) -> list[str]:
        return [] if self.metrics is None else [metric.name for _, metric, _, _ in self.metrics]

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = as_output_list(y_true, self.output_names, "y")
        y_pred = as_output_list(y_pred, self.output_names, "y_pred")
        if self.metrics is None:
            self.build(y_true, y_pred)
        weights = sample_weights_per_output(sample_weight, self.output_names)
        for index, metric, weighted, _ in self.metrics:
            if weighted:
                metric.update_state(y_true[index], y_pred[index], sample_weight=weights[index])
            else:
                metric.update_state(y_true[index], y_pred[index])

    def reset_state(self) -> None:
        for _, metric, _, _ in self.metrics or []:
            metric.reset_state()

    def result(self) -> dict[str, float]:
        return {name: metric.float_result() for _, metric, _, name in self.metrics or []}


def _log_names(output_names: list[str], found: list) -> list[str]:
    """``<output>_<metric>`` for each metric; a repeat gets ``_1``, ``_2``; a weighted metric
    whose name is taken becomes ``<output>_weighted_<metric>`` (then ``_1``, ...)."""
    counts: dict[str, int] = {}

    def claim(name: str) -> str:
        index = counts.get(name, 0)
        counts[name] = index + 1
        return name if index == 0 else f"{name}_{index}"

    names = []
    for index, metric, weighted in found:
        name = f"{output_names[index]}_{metric.name}"
        if weighted and name in counts:
            name = f"{output_names[index]}_weighted_{metric.name}"
        names.append(claim(name))
    return names
