"""``Callback``: the base class of everything ``fit``, ``evaluate`` and ``predict`` call back."""

from __future__ import annotations

__all__ = ["Callback"]


class Callback:
    """Base class of callbacks: override the hooks you need; the others do nothing.

    ``fit``, ``evaluate`` and ``predict`` call ``set_model`` and ``set_params`` first
    (``params`` holds ``verbose``, ``epochs`` and ``steps``), then the hooks with the epoch or
    batch index and a ``logs`` dict, where Keras 3 calls them: ``fit`` calls the train and epoch
    hooks, and the test hooks while it validates (``validation_data``); ``evaluate`` the test
    hooks; ``predict`` the predict hooks, each batch's end with ``{"outputs": predictions}``.
    Logs are flat, with sorted keys and float values. As in Keras, ``on_train_batch_begin``/
    ``end`` forward to ``on_batch_begin``/``end``. A callback stops training by setting
    ``self.model.stop_training = True``.

    >>> class Count(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"epoch {epoch}: {logs}")
    >>> Count().on_epoch_end(0, {"loss": 1.0})
    epoch 0: {'loss': 1.0}
    """

    def __init__(self) -> None:
        self.params: dict | None = None
        self._model = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        """The model being trained (set by ``fit`` through ``set_model``)."""
        return self._model

    # ---- batches ------------------------------------------------------------------------------
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each training batch (through ``on_train_batch_begin``)."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each training batch with its logs (through ``on_train_batch_end``)."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each ``evaluate`` batch."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each ``evaluate`` batch."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each ``predict`` batch."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each ``predict`` batch."""

    # ---- epochs and whole runs ----------------------------------------------------------------
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of each epoch of ``fit``."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of each epoch with its logs (``val_`` ones included)."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once when ``fit`` starts."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once when ``fit`` ends (also after an early stop)."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called when ``evaluate`` starts."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called when ``evaluate`` ends, with its logs."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called when ``predict`` ends."""
