"""``BackupAndRestore``: survive a crash or a kill in the middle of ``fit``.

At the end of every epoch the callback writes the whole training state to one file in
``backup_dir``: the weights, the optimizer's state (step count, learning rate, moments), the
number of epochs done and the state of nnscratch's global random generator. The write is
atomic (a temporary file, then a rename), so a process killed at any instant leaves the last
complete backup behind. When ``fit`` starts again with the same callback arguments, the
callback loads that state and ``fit`` goes on from the next epoch; because the random state
comes back too, shuffling and dropout draw the same numbers, and the resumed run ends with
weights bit-identical to a run that was never interrupted. After a successful ``fit`` the
backup is deleted (unless ``delete_checkpoint=False``).

The file is an ``nnscratch.save`` safetensors file (no pickle), read back with the same
checks as ``load_model``; a backup that does not fit the model raises ``FileFormatError``.
"""

from __future__ import annotations

import contextlib
import os
import warnings

import numpy as np

from ... import random
from ...errors import FileFormatError, InputError
from ...io import state as io_state
from ...io.atomic import remove_stale_temporaries
from ..saving import compile_state, weights
from .callback import Callback

__all__ = ["BackupAndRestore"]

FORMAT = "nnscratch.keras.BackupAndRestore"
FORMAT_VERSION = 1
LATEST, PREVIOUS = "latest.safetensors", "previous.safetensors"


class BackupAndRestore(Callback):
    """Back up the training state to ``backup_dir`` and restore it when ``fit`` restarts.

    ``save_freq="epoch"`` saves at each epoch's end, and a restart is exact (bit-identical
    weights). An integer saves every ``save_freq`` batches as well, as Keras does; a restart
    from a mid-epoch backup repeats that epoch from its first batch, so it is not exact.
    ``double_checkpoint`` keeps the previous backup too, used when the latest cannot be read.
    ``delete_checkpoint`` removes the backup after a successful ``fit``. Other callbacks'
    state (EarlyStopping's patience, ...) is not backed up, as in Keras.

    >>> import os, tempfile
    >>> import numpy as np
    >>> from nnscratch import keras
    >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> folder = os.path.join(tempfile.mkdtemp(), "backup")
    >>> x, y = np.ones((4, 2)), np.ones((4, 1))
    >>> backup = keras.callbacks.BackupAndRestore(folder, delete_checkpoint=False)
    >>> len(model.fit(x, y, 2, epochs=2, callbacks=[backup], verbose=0).epoch)
    2
    >>> len(model.fit(x, y, 2, epochs=3, callbacks=[backup], verbose=0).epoch)  # epoch 3 only
    1
    """

    def __init__(
        self,
        backup_dir,
        save_freq="epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (
            not isinstance(save_freq, (int, np.integer))
            or (save_freq < 1 and save_freq is not False)
        ):
            raise ValueError(
                "Invalid value for argument `save_freq`. Expected 'epoch', a positive integer "
                f"(batches) or False. Received: save_freq={save_freq!r}"
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq, self.double_checkpoint = save_freq, double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._latest = os.path.join(self.backup_dir, LATEST)
        self._previous = os.path.join(self.backup_dir, PREVIOUS)
        self._epoch, self._batches_since_save = 0, 0

    # ---- hooks ----------------------------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        self._epoch, self._batches_since_save = 0, 0
        backup = self._read_backup()
        if backup is not None:
            self._restore(*backup)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch" or self.save_freq is False:
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._save(self._epoch)  # resumes at this epoch's start, as Keras does

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq is not False:
            self._save(epoch + 1)

    def on_train_end(self, logs: dict | None = None) -> None:
        if not self.delete_checkpoint:
            return
        for path in (self._latest, self._previous):
            remove_stale_temporaries(path)  # of killed saves; a live save's is left alone
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        with contextlib.suppress(OSError):  # the folder goes only if nothing else is in it
            os.rmdir(self.backup_dir)

    # ---- saving ---------------------------------------------------------------------------------
    def _save(self, next_epoch: int) -> None:
        self._batches_since_save = 0
        os.makedirs(self.backup_dir, exist_ok=True)
        state = self._state(next_epoch)
        if self.double_checkpoint and os.path.exists(self._latest):
            os.replace(self._latest, self._previous)  # atomic: one of the two always exists
        io_state.save(state, self._latest)

    def _state(self, next_epoch: int) -> dict:
        model = self.model
        named = weights.named_weights(model)
        optimizer = getattr(model, "optimizer", None)
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "epoch": int(next_epoch),
            "rng_state": random.get_rng_state(),
            "weights": {name: p.detach().numpy() for name, p in named.items()},
            # the optimizer's own safetensors bytes, so loading reuses load_model's checks
            "optimizer": None
            if optimizer is None
            else np.frombuffer(compile_state.optimizer_bytes(optimizer), np.uint8),
        }

    # ---- restoring ------------------------------------------------------------------------------
    def _read_backup(self) -> tuple[dict, str] | None:
        """The latest backup; the previous one when the latest is missing or unreadable and
        ``double_checkpoint`` kept one; None when there is none."""
        candidates = [p for p in (self._latest, self._previous) if os.path.exists(p)]
        if not self.double_checkpoint:
            candidates = candidates[:1] if candidates[:1] == [self._latest] else []
        for i, path in enumerate(candidates):
            try:
                return _load(path), path
            except FileFormatError as error:
                if i + 1 == len(candidates):
                    raise
                warnings.warn(f"{error}; restoring the previous backup instead", stacklevel=4)
        return None

    def _restore(self, backup: dict, path: str) -> None:
        model = self.model
        if not getattr(model, "built", True):
            raise InputError(
                f"BackupAndRestore found a backup in {self.backup_dir!r}, but model "
                f"'{model.name}' is not built yet, so its weights cannot be restored. Build it "
                "before fit (an Input layer, or model.build(input_shape))."
            )
        try:  # checked before anything changes: the restore is all or nothing
            random.check_rng_state(backup.get("rng_state"))
        except InputError as error:
            raise FileFormatError(
                f"{path!r}: the saved random state is unusable: {error}"
            ) from error
        before = _snapshot(model)
        try:
            weights.assign_weights(model, backup["weights"], repr(path))
            optimizer = getattr(model, "optimizer", None)
            if optimizer is not None and backup.get("optimizer") is not None:
                data = backup["optimizer"].tobytes()
                compile_state.load_optimizer_state(model, data, f"{path!r}: optimizer")
        except BaseException:
            _put_back(model, before)
            raise
        random.set_rng_state(backup["rng_state"])
        model._initial_epoch = self._epoch = backup["epoch"]


def _snapshot(model) -> tuple[list, dict | None]:
    """Copies of the model's weights and its optimizer's state, to undo a failed restore."""
    optimizer, store = getattr(model, "optimizer", None), None
    if optimizer is not None:
        store = {}
        optimizer.save_own_variables(store)
    return model.get_weights(), store


def _put_back(model, snapshot: tuple[list, dict | None]) -> None:
    values, store = snapshot
    model.set_weights(values)
    if store is not None and len(store) == len(model.optimizer.variables):
        model.optimizer.load_own_variables(store)


def _load(path: str) -> dict:
    """The backup at ``path``, its structure checked before anything is used."""
    backup = io_state.load(path)
    problem = _problem(backup)
    if problem:
        raise FileFormatError(f"{path!r}: expected a BackupAndRestore backup, {problem}")
    return backup


def _problem(backup) -> str | None:
    if not isinstance(backup, dict) or backup.get("format") != FORMAT:
        return "the file has another format"
    if backup.get("format_version") != FORMAT_VERSION:
        return f"received format_version {backup.get('format_version')!r:.40}"
    epoch, arrays = backup.get("epoch"), backup.get("weights")
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        return f"received epoch {epoch!r:.40} (expected an integer >= 0)"
    if not isinstance(arrays, dict) or not all(isinstance(a, np.ndarray) for a in arrays.values()):
        return "its weights are not a dict of arrays"
    optimizer = backup.get("optimizer")
    if optimizer is not None and not (
        isinstance(optimizer, np.ndarray) and optimizer.dtype == np.uint8 and optimizer.ndim == 1
    ):
        return "its optimizer state is not a byte array"
    return None
