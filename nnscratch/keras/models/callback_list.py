"""``CallbackList``: calls each callback's hooks that exist, in order (Keras's protocol)."""

from __future__ import annotations

import time

__all__ = ["CallbackList", "ProgressPrinter"]

_HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


class CallbackList:
    """Forwards every hook (``on_epoch_end(epoch, logs)``, ...) to the callbacks that define it.

    A callback may be any object: hooks it lacks are skipped, so a class with one method works.
    """

    def __init__(self, callbacks, model, params: dict) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            getattr(callback, "set_model", lambda m: None)(model)
            getattr(callback, "set_params", lambda p: None)(params)

    def __getattr__(self, hook: str):
        if hook not in _HOOKS:
            raise AttributeError(hook)

        def dispatch(*args) -> None:
            for callback in self.callbacks:
                method = getattr(callback, hook, None)
                if method is not None:
                    method(*args)

        return dispatch


def _format_logs(logs: dict) -> str:
    return " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())


class ProgressPrinter:
    """A plain-text progress display: ``verbose=1`` and ``2`` print one line per epoch."""

    def __init__(self, verbose: int) -> None:
        self.verbose = verbose
        self.params: dict = {}

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._start = time.perf_counter()
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.params.get('epochs')}")

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.verbose:
            steps = self.params.get("steps")
            seconds = time.perf_counter() - self._start
            per_step = 1000 * seconds / max(steps or 1, 1)
            print(
                f"{steps}/{steps} - {seconds:.0f}s - {per_step:.0f}ms/step - "
                + _format_logs(logs or {})
            )
