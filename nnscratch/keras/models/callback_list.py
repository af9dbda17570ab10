"""``CallbackList``: calls each callback's hooks that exist, in order (Keras's protocol)."""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ..callbacks.callback import Callback

__all__ = ["CallbackList", "pythonify_logs"]

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
# Callback's own train-batch hooks are not empty: they forward to these.
_FORWARDS = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


class CallbackList:
    """Forwards every hook (``on_epoch_end(epoch, logs)``, ...) to the callbacks that define it.

    A callback may be any object: hooks it lacks are skipped, so a class with one method works.
    Hooks left as ``Callback``'s empty ones are skipped too: ``fit`` calls the batch hooks on
    every step, and most callbacks only listen to epochs. Every callback of one hook call gets
    the same ``logs`` dict, made by ``pythonify_logs`` (flat, sorted, floats), as in Keras.

    >>> class Printer:
    ...     def on_epoch_end(self, epoch, logs):
    ...         print(epoch, logs)
    >>> hooks = CallbackList([Printer()], model=None, params={})
    >>> hooks.on_epoch_end(3)
    3 {}
    >>> hooks.listens("on_epoch_end"), hooks.listens("on_train_batch_end")
    (True, False)
    >>> sorted(hooks.listening)
    ['on_epoch_end']
    """

    def __init__(self, callbacks, model, params: dict) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            getattr(callback, "set_model", lambda m: None)(model)
            getattr(callback, "set_params", lambda p: None)(params)
        self._methods = {hook: _methods(self.callbacks, hook) for hook in _HOOKS}
        # read by fit's loop, which skips the hooks nobody listens to (no call at all)
        self.listening = frozenset(hook for hook in _HOOKS if self._methods[hook])
        for hook in _HOOKS:  # made once: fit calls the batch hooks on every step
            setattr(self, hook, self._dispatcher(hook))

    def listens(self, hook: str) -> bool:
        """Whether any callback does something on ``hook``."""
        return bool(self._methods[hook])

    def _dispatcher(self, hook: str):
        methods = self._methods[hook]
        if "batch" in hook or "epoch" in hook:

            def dispatch(index: int, logs=None) -> None:
                logs = pythonify_logs(logs)  # as Keras, always a dict
                for method in methods:
                    method(index, logs)

            return dispatch

        def dispatch(logs=None) -> None:
            logs = pythonify_logs(logs)
            for method in methods:
                method(logs)

        return dispatch


def pythonify_logs(logs: dict | None) -> dict:
    """``logs`` as callbacks get them (Keras's rule): nested dicts flattened into one (a custom
    ``train_step`` may return the compiled metrics' dict under ``"compile_metrics"``) in the
    order of the sorted keys, and each number a Python float; arrays (``predict``'s outputs)
    stay arrays.

    >>> import nnscratch as ns
    >>> pythonify_logs({"loss": ns.tensor(0.5), "compile_metrics": {"mae": np.float32(0.25)}})
    {'mae': 0.25, 'loss': 0.5}
    """
    flat = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            flat.update(pythonify_logs(value))
            continue
        if isinstance(value, Tensor):
            value = np.asarray(value)  # its values, in a graph or not
        if not (isinstance(value, np.ndarray) and value.ndim):
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass  # not a number (say, a string): passed on as it is
        flat[key] = value
    return flat


def _methods(callbacks: list, hook: str) -> list:
    """The bound ``hook`` of each callback that does something on it, in order."""
    return [getattr(c, hook) for c in callbacks if _does_something(c, hook)]


def _does_something(callback, hook: str) -> bool:
    """False when ``callback`` lacks ``hook`` or has ``Callback``'s empty one."""
    method = getattr(callback, hook, None)
    if method is None:
        return False
    if getattr(method, "__func__", None) is not getattr(Callback, hook, None):
        return True  # its own method, or a function set on the instance (LambdaCallback)
    forward = _FORWARDS.get(hook)
    return forward is not None and _does_something(callback, forward)
