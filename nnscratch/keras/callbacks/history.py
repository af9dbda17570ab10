"""``History``: what ``fit`` returns, the per-epoch logs as lists (``history.history["loss"]``)."""

from __future__ import annotations

from .callback import Callback

__all__ = ["History"]


class History(Callback):
    """Records each epoch's logs; ``fit`` returns it.

    ``history`` maps each name (``loss``, metric names, ``val_`` ones) to one value per epoch;
    ``epoch`` lists the epoch indices and ``params`` holds ``verbose``, ``epochs`` and ``steps``.

    >>> history = History()
    >>> history.on_train_begin()
    >>> history.on_epoch_end(0, {"loss": 0.5})
    >>> history.history
    {'loss': [0.5]}
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict = {}

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def __repr__(self) -> str:
        return f"<History epochs={len(self.epoch)} keys={sorted(self.history)}>"
