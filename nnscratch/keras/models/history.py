"""``History``: what ``fit`` returns, the per-epoch logs as lists (``history.history["loss"]``)."""

from __future__ import annotations

__all__ = ["History"]


class History:
    """Records each epoch's logs; ``fit`` returns it.

    ``history`` maps each name (``loss``, metric names, ``val_`` ones) to one value per epoch;
    ``epoch`` lists the epoch indices and ``params`` holds ``verbose``, ``epochs`` and ``steps``.
    It follows the callback protocol, so it is also the simplest example of a callback.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict = {}
        self.model = None

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def __repr__(self) -> str:
        return f"<History epochs={len(self.epoch)} keys={sorted(self.history)}>"
