"""``LearningRateScheduler``: set the learning rate at the start of each epoch."""

from __future__ import annotations

import numpy as np

from ..utils.io_utils import print_msg
from .callback import Callback

__all__ = ["LearningRateScheduler"]


class LearningRateScheduler(Callback):
    """At each epoch start, ``model.optimizer.learning_rate = schedule(epoch, lr)`` (a schedule
    taking only ``epoch`` also works, as in Keras). Logs ``learning_rate`` each epoch.

    >>> from types import SimpleNamespace
    >>> from nnscratch.keras.optimizers import SGD
    >>> scheduler = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    >>> scheduler.set_model(SimpleNamespace(optimizer=SGD(learning_rate=0.1)))
    >>> scheduler.on_epoch_begin(0)
    >>> round(float(scheduler.model.optimizer.learning_rate), 6)
    0.05
    """

    def __init__(self, schedule, verbose: int = 0) -> None:
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def _new_learning_rate(self, optimizer, epoch: int):
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError(
                'Optimizer must have a "learning_rate" attribute: LearningRateScheduler expects '
                f"an optimizer with one, received {type(optimizer).__name__}"
            )
        try:
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # the older one-argument schedule(epoch)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {learning_rate}"
            )
        return learning_rate

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizer = self.model.optimizer
        learning_rate = self._new_learning_rate(optimizer, epoch)
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            print_msg(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                f"{learning_rate}."
            )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
