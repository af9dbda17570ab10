"""``MonitorCallback``: what EarlyStopping, ModelCheckpoint and ReduceLROnPlateau share — watch
one logged quantity and decide whether a new value improves on the best so far."""

from __future__ import annotations

import operator
import warnings

from .callback import Callback

__all__ = ["MonitorCallback"]

_MODES = ("auto", "min", "max")
# Names whose metrics Keras maximizes (its metrics carry ``_direction = "up"``).
_MAXIMIZED = ("acc", "auc", "precision", "recall", "f1_score", "fbeta", "r2", "iou")


def _direction_of(model, metric_name: str) -> str | None:
    """``"up"``/``"down"`` from the model's compiled metric named ``metric_name``, if any."""
    compiled = getattr(model, "_compiled_metrics", None)
    for metric in (getattr(compiled, "metrics", None) or []) + getattr(compiled, "weighted", []):
        if getattr(metric, "name", None) == metric_name:
            direction = getattr(metric, "_direction", None)
            if direction is None and any(part in metric_name for part in _MAXIMIZED):
                direction = "up"
            return direction or "down"
    return None


class MonitorCallback(Callback):
    """Base class: ``monitor`` names a log entry, ``mode`` says whether lower (``"min"``) or
    higher (``"max"``) is better (``"auto"``: ``loss`` is minimized, a compiled metric follows
    its direction), and an improvement must beat the best by more than ``min_delta``."""

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0) -> None:
        super().__init__()
        if mode not in _MODES:
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor, self.mode, self.best = monitor, mode, baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self) -> None:
        direction = {"min": "down", "max": "up"}.get(self.mode)
        if direction is None:
            name = self.monitor.removeprefix("val_")
            direction = "down" if name == "loss" else _direction_of(self.model, name)
        if direction is None:
            raise ValueError(
                f"{type(self).__name__} callback received monitor={self.monitor}, but Keras "
                "isn't able to automatically determine whether that metric should be maximized "
                "or minimized. Pass `mode='max'` in order to monitor based on the highest metric "
                "value, or pass `mode='min'` in order to use the lowest value."
            )
        self.monitor_op = operator.lt if direction == "down" else operator.gt
        if direction == "down":
            self.min_delta *= -1  # "improves" then means: current + |min_delta| < reference

    def _is_improvement(self, monitor_value, reference_value) -> bool:
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))
