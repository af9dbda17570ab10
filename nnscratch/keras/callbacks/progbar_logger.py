"""``ProgbarLogger``: the progress text ``fit`` prints (one plain line per epoch)."""

from __future__ import annotations

import time

from .callback import Callback

__all__ = ["ProgbarLogger"]


def format_logs(logs: dict) -> str:
    """``"loss: 0.1234 - accuracy: 0.5000"``, Keras's rendering of a logs dict."""
    return " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and, when the epoch ends, ``steps/steps - time - ms/step - logs``.

    ``fit`` adds one; its verbosity comes from ``params["verbose"]`` (0: silent; 1 and 2: one
    line per epoch here, where Keras draws a live bar for 1).

    >>> logger = ProgbarLogger()
    >>> logger.set_params({"verbose": 1, "epochs": 2, "steps": 1})
    >>> logger.on_epoch_begin(0)
    Epoch 1/2
    """

    def __init__(self) -> None:
        super().__init__()
        self.verbose, self.epochs, self.steps = 1, None, None
        self._start = time.perf_counter()

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs, self.steps = params.get("epochs"), params.get("steps")

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.epochs}")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if not self.verbose:
            return
        seconds = time.perf_counter() - self._start
        per_step = 1000 * seconds / max(self.steps or 1, 1)
        print(
            f"{self.steps}/{self.steps} - {seconds:.0f}s - {per_step:.0f}ms/step - "
            + format_logs(logs or {})
        )
