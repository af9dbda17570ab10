"""``TerminateOnNaN``: stop training as soon as a batch loss is NaN or infinite."""

from __future__ import annotations

import numpy as np

from ...errors import TrainingError
from ..utils.io_utils import print_msg
from .callback import Callback

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """After each training batch, stop (``model.stop_training``) when ``logs["loss"]`` is NaN
    or infinite; with ``raise_error=True`` raise ``nnscratch.errors.TrainingError`` (a
    ``RuntimeError``) instead.

    >>> stop = TerminateOnNaN()
    >>> stop.set_model(type("M", (), {"stop_training": False})())
    >>> stop.on_train_batch_end(3, {"loss": float("nan")})
    Batch 3: Invalid loss nan, terminating training
      (the training diverged: lower the learning rate, or scale the inputs)
    >>> stop.model.stop_training
    True
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(loss):
            return
        if self.raise_error:
            raise TrainingError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately: the training diverged; lower the learning "
                "rate, or scale the inputs."
            )
        print_msg(f"Batch {batch}: Invalid loss {loss}, terminating training")
        print_msg("  (the training diverged: lower the learning rate, or scale the inputs)")
        self.model.stop_training = True
