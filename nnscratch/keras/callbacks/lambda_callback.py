"""``LambdaCallback``: a callback made of plain functions."""

from __future__ import annotations

from .callback import Callback

__all__ = ["LambdaCallback"]

_HOOKS = (
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_begin",
    "on_train_end",
    "on_train_batch_begin",
    "on_train_batch_end",
)


class LambdaCallback(Callback):
    """Each given function becomes that hook: ``on_epoch_end(epoch, logs)``,
    ``on_train_batch_end(batch, logs)``, ``on_train_begin(logs)``, ... Other keyword arguments
    become attributes (Keras also lets them name other hooks, e.g. ``on_test_end``).

    >>> callback = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    >>> callback.on_epoch_end(2, {"loss": 0.25})
    2 0.25
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        given = dict(
            zip(
                _HOOKS,
                (
                    on_epoch_begin,
                    on_epoch_end,
                    on_train_begin,
                    on_train_end,
                    on_train_batch_begin,
                    on_train_batch_end,
                ),
            )
        )
        for hook, function in given.items():
            if function is not None:
                setattr(self, hook, function)
