"""``EarlyStopping``: stop ``fit`` when a monitored quantity has stopped improving."""

from __future__ import annotations

import warnings

from ..utils.io_utils import print_msg
from .monitor_callback import MonitorCallback

__all__ = ["EarlyStopping"]


class EarlyStopping(MonitorCallback):
    """Stop training after ``patience`` epochs without improvement of ``monitor``.

    An epoch improves when its value beats the best one by more than ``min_delta`` (in the
    direction of ``mode``). With a ``baseline``, the patience counter restarts only for values
    that also beat the baseline. Epochs before ``start_from_epoch`` are ignored. With
    ``restore_best_weights``, the weights of the best epoch are put back when training ends.
    Training stops through ``model.stop_training``, as in Keras.

    >>> stop = EarlyStopping(monitor="loss", patience=1)
    >>> stop.set_model(type("M", (), {"stop_training": False})())
    >>> stop.on_train_begin()
    >>> for epoch, loss in enumerate([3.0, 2.0, 2.5]):
    ...     stop.on_epoch_end(epoch, {"loss": loss})
    >>> stop.stopped_epoch, stop.model.stop_training
    (2, True)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.on_train_begin()

    def on_train_begin(self, logs=None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self._remember(epoch)  # so that there is always something to restore
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self._remember(epoch)
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def _remember(self, epoch: int) -> None:
        self.best_epoch = epoch
        if self.restore_best_weights:
            self.best_weights = self.model.get_weights()

    def on_train_end(self, logs=None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None):
        """The monitored value in ``logs``, or ``None`` (with a warning) when it is missing."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value
