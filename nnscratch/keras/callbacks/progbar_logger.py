"""``ProgbarLogger``: the progress ``fit`` shows: a live bar (verbose=1) or a line per epoch.

The bar is drawn by tqdm, a well-kept progress-bar library, rather than by hand.
"""

from __future__ import annotations

import sys
import time

from tqdm import tqdm

from .callback import Callback

__all__ = ["ProgbarLogger"]


def format_logs(logs: dict) -> str:
    """``"loss: 0.1234 - accuracy: 0.5000"``, Keras's rendering of a logs dict."""
    return " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n``, then a live bar with the running logs (verbose=1, as Keras), or
    one line ``steps/steps - time - ms/step - logs`` when the epoch ends (verbose=2).

    ``fit`` adds one; its verbosity comes from ``params["verbose"]`` (0: silent).

    >>> logger = ProgbarLogger()
    >>> logger.set_params({"verbose": 2, "epochs": 2, "steps": 1})
    >>> logger.on_epoch_begin(0)
    Epoch 1/2
    """

    def __init__(self) -> None:
        super().__init__()
        self.verbose, self.epochs, self.steps = 1, None, None
        self._start = time.perf_counter()
        self._bar = None

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs, self.steps = params.get("epochs"), params.get("steps")

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.epochs}")
        if self.verbose == 1:
            self._bar = tqdm(
                total=self.steps, file=sys.stdout, ascii=".=",
                bar_format="{n_fmt}/{total_fmt} [{bar:30}] - {elapsed}{postfix}",
            )  # fmt: skip

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
            self._bar.update(1)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self._bar is not None:  # the final logs, validation included
            self._bar.set_postfix_str(format_logs(logs or {}))
            self._bar.close()
            self._bar = None
            return
        if not self.verbose:
            return
        seconds = time.perf_counter() - self._start
        per_step = 1000 * seconds / max(self.steps or 1, 1)
        print(
            f"{self.steps}/{self.steps} - {seconds:.0f}s - {per_step:.0f}ms/step - "
            + format_logs(logs or {})
        )
