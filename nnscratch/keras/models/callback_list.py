"""``CallbackList``: calls each callback's hooks that exist, in order (Keras's protocol)."""

from __future__ import annotations

__all__ = ["CallbackList"]

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

        arity = 2 if "batch" in hook or "epoch" in hook else 1  # (index, logs) or (logs)

        def dispatch(*args) -> None:
            args = args + ({},) * (arity - len(args))  # as Keras, always pass a logs dict
            for callback in self.callbacks:
                method = getattr(callback, hook, None)
                if method is not None:
                    method(*args)

        return dispatch
