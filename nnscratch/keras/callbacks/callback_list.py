"""``keras.callbacks.CallbackList``: a list of callbacks called as one, for loops of your own.

A hand-written training loop (as keras.io's "custom training loop" guides write them) makes
one ``CallbackList`` and calls its hooks where ``fit`` would: ``on_train_begin``, then each
epoch's ``on_epoch_begin``, the batches' ``on_train_batch_begin``/``end``, ``on_epoch_end``.
Each hook calls that hook of every callback, in order, with one ``logs`` dict flattened and
turned into Python floats (``models.callback_list.pythonify_logs``, the rule ``fit`` uses).

``fit`` itself calls its callbacks through ``models.callback_list.CallbackList``, which takes
``(callbacks, model, params)`` and decides once, when it is made, which hooks anyone listens
to (fit calls the batch hooks on every step). This class is the public one, with Keras's
constructor; it looks at ``self.callbacks`` on every call, so callbacks added to that list,
and ``set_model``/``set_params`` calls made later, are seen, as in Keras. Keras also calls the
batch-end hooks from a thread on some backends; here every hook runs in the caller's thread.
"""

from __future__ import annotations

from ..models.callback_list import pythonify_logs
from .callback import Callback
from .history import History
from .progbar_logger import ProgbarLogger

__all__ = ["CallbackList"]


class CallbackList(Callback):
    """Calls each hook of ``callbacks`` at once: ``hooks.on_epoch_end(epoch, logs)``.

    Args:
        callbacks: callbacks (nested lists are flattened); ``None`` for none.
        add_history: add a ``History`` unless one is there; ``model.history`` is then it.
        add_progbar: add a ``ProgbarLogger`` unless one is there (give it ``verbose``,
            ``epochs`` and ``steps`` in ``params``).
        model: the model each callback gets through ``set_model`` (if not ``None``).
        **params: handed to each callback's ``set_params`` (if any are given).

    >>> from nnscratch import keras
    >>> class Say(keras.callbacks.Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(epoch, logs)
    >>> hooks = keras.callbacks.CallbackList([Say()], add_history=True)
    >>> hooks.on_train_begin()
    >>> hooks.on_epoch_end(0, {"loss": 0.5})
    0 {'loss': 0.5}
    >>> hooks.on_train_end()
    >>> [type(c).__name__ for c in hooks.callbacks], hooks.callbacks[1].history
    (['Say', 'History'], {'loss': [0.5]})
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):  # fmt: skip
        super().__init__()
        self.callbacks = _flat_list(callbacks) if callbacks else []
        self._open_runs = 0  # on_*_begin calls not yet matched by their on_*_end
        self._history = _last(self.callbacks, History)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if _last(self.callbacks, ProgbarLogger) is None and add_progbar:
            self.callbacks.append(ProgbarLogger())
        self.set_model(model)
        self.set_params(params)

    def set_model(self, model) -> None:
        """Give ``model`` to every callback (``None`` is ignored); ``model.history`` becomes
        this list's ``History``, if it has one."""
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            _call(callback, "set_model", model)

    def set_params(self, params: dict) -> None:
        """Keep ``params`` and, unless it is empty, give it to every callback."""
        self.params = params
        if params:
            for callback in self.callbacks:
                _call(callback, "set_params", params)

    # ---- batches: logs passed by keyword, as Keras does ---------------------------------------
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._each_batch("on_batch_begin", batch, logs)

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._each_batch("on_batch_end", batch, logs)

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._each_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._each_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._each_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._each_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._each_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._each_batch("on_predict_batch_end", batch, logs)

    # ---- epochs ---------------------------------------------------------------------------------
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._each("on_epoch_begin", epoch, pythonify_logs(logs))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._each("on_epoch_end", epoch, pythonify_logs(logs))

    # ---- whole runs: each end must follow a begin -----------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        self._begin("on_train_begin", logs)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._end("on_train_end", logs)

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._begin("on_test_begin", logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        self._end("on_test_end", logs)

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._begin("on_predict_begin", logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._end("on_predict_end", logs)

    # ---- dispatch -------------------------------------------------------------------------------
    def _each(self, hook: str, *args, **kwargs) -> None:
        """Call ``hook`` on every callback that has it, in order."""
        for callback in self.callbacks:
            _call(callback, hook, *args, **kwargs)

    def _each_batch(self, hook: str, batch: int, logs: dict | None) -> None:
        self._each(hook, batch, logs=pythonify_logs(logs))

    def _begin(self, hook: str, logs: dict | None) -> None:
        self._open_runs += 1
        self._each(hook, pythonify_logs(logs))

    def _end(self, hook: str, logs: dict | None) -> None:
        self._each(hook, pythonify_logs(logs))
        self._open_runs -= 1
        if self._open_runs < 0:
            self._open_runs = 0
            begin = hook.replace("_end", "_begin")
            raise ValueError(
                f"CallbackList.{hook} was called without a matching on_*_begin call "
                f"(call {begin} first)"
            )


def _call(callback, name: str, *args, **kwargs) -> None:
    """``callback.name(*args, **kwargs)``; skipped when the callback has no such method (any
    object with the hooks it needs may be a callback, as for ``fit``)."""
    method = getattr(callback, name, None)
    if method is not None:
        method(*args, **kwargs)


def _flat_list(callbacks) -> list:
    """``callbacks`` as a flat list: one callback, or lists/tuples of them, nested or not."""
    if not isinstance(callbacks, (list, tuple)):
        return [callbacks]
    return [leaf for item in callbacks for leaf in _flat_list(item)]


def _last(callbacks: list, kind: type):
    """The last callback of type ``kind`` in ``callbacks`` (Keras's pick), or None."""
    return next((c for c in reversed(callbacks) if isinstance(c, kind)), None)
