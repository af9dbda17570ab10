"""``model.metrics``: which metric objects a model has, and how the loops read and reset them.

As in Keras 3, ``model.metrics`` lists, in this order:

1. the loss tracker, a ``keras.metrics.Mean`` named ``"loss"`` (made by ``compile``);
2. the compiled metrics, one container named ``"compile_metrics"`` whose ``result()`` is a
   dict (only when ``compile`` was given metrics);
3. the metrics assigned as attributes of the model, in assignment order
   (``self.loss_tracker = keras.metrics.Mean(name="loss")``).

``fit`` resets them all when an epoch starts and ``evaluate`` when it starts, by reading this
property: a subclass that overrides ``metrics`` (the guides' custom trackers) gets its own
metrics reset, and ``get_metrics_result`` reads what it lists.

>>> from nnscratch import keras
>>> class Tracked(keras.Model):
...     def __init__(self):
...         super().__init__()
...         self.dense = keras.layers.Dense(1)
...         self.tracker = keras.metrics.Mean(name="my_loss")
...     def call(self, x):
...         return self.dense(x)
>>> model = Tracked()
>>> model.metrics_names
['my_loss']
>>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
>>> model.metrics_names
['loss', 'compile_metrics', 'my_loss']
"""

from __future__ import annotations

from ..metrics.base import Metric
from .callback_list import pythonify_logs

__all__ = ["ModelMetrics", "track_metric"]


def track_metric(model, name: str, value) -> None:
    """Record that attribute ``name`` of ``model`` holds the metric ``value`` (or no longer
    holds one): ``Model.__setattr__`` calls it, as Module's registers parameters."""
    tracked = model.__dict__.setdefault("_tracked_metrics", {})
    if isinstance(value, Metric):
        tracked[name] = value
    else:
        tracked.pop(name, None)


class ModelMetrics:
    """Mixed into the trainer: ``metrics``, ``metrics_names``, ``reset_metrics`` and
    ``get_metrics_result`` as Keras 3 has them."""

    compiled = False
    _loss_tracker = None
    _compiled_metrics = None
    _latest_results = None  # the dict get_metrics_result last returned

    @property
    def metrics(self) -> list:
        """The loss tracker, the compiled metrics' container, then the metrics assigned as
        attributes; before ``compile``, only the last."""
        found = []
        if self.compiled:
            found.append(self._loss_tracker)
            container = self._compiled_metrics
            if container.identifiers or container.weighted_identifiers:
                found.append(container)
        found.extend(self.__dict__.get("_tracked_metrics", {}).values())
        return found

    @property
    def metrics_names(self) -> list[str]:
        """The names of ``metrics`` (the compiled ones are one entry, ``"compile_metrics"``)."""
        return [metric.name for metric in self.metrics]

    def reset_metrics(self) -> None:
        """Reset every metric in ``metrics`` (``fit`` does at each epoch's start)."""
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict[str, float]:
        """The result of each metric in ``metrics`` as a float by its name; a container's
        dict of results (the compiled metrics') is merged in, one entry per metric."""
        results = {}
        for metric in self.metrics:
            if isinstance(metric, Metric):
                results[metric.name] = metric.float_result()
            else:
                results.update(metric.result())
        object.__setattr__(self, "_latest_results", results)  # (fit's epoch end may reuse it)
        return results

    def _metrics_result_or_logs(self, logs) -> dict:
        """What a loop logs when it ends: the metrics' results when the last step's logs name
        the same metrics (the built-in steps), else those logs, flattened (a custom step may
        log what ``metrics`` does not list). With no logs, the metrics' results."""
        results = self.get_metrics_result()
        if not isinstance(logs, dict) or set(logs) == set(results):
            return results
        return pythonify_logs(logs)

    def _flatten_logs(self, logs: dict):
        """``evaluate``'s list: the values of ``metrics`` in order (the compiled ones each by
        its name), then any other logs by sorted name; one value alone, unwrapped."""
        names = []
        for metric in self.metrics:
            names += [metric.name] if isinstance(metric, Metric) else metric.names
        values = [logs[name] for name in names if name in logs]
        values += [logs[key] for key in sorted(logs) if key not in names]
        return values[0] if len(values) == 1 else values
