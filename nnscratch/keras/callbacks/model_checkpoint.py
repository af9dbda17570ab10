"""``ModelCheckpoint``: save the model's weights every epoch, or only when they are the best.

Saving never uses pickle. The file name picks the format:

- ``*.keras``: the whole model (``model.save``: architecture, weights, compile settings and
  optimizer state; ``keras.models.load_model`` reads it);
- ``*.h5`` / ``*.hdf5``: the whole model in Keras's legacy HDF5 layout (``model.save``, through
  h5py: ``pip install "nnscratch[h5]"``; real Keras 3 loads it too);
- ``*.weights.safetensors``: the weights alone (``model.save_weights``; ``load_weights``),
  nnscratch's stand-in for Keras's ``.weights.h5`` (HDF5 is not written);
- ``*.npz``: ``get_weights()`` in order, as ``arr_0``, ``arr_1``, ... (as ``np.savez``), read
  back by ``load_weights_npz`` or ``model.load_weights`` (never with pickle).

Every format is written atomically (``nnscratch.io.atomic_write``): a process killed while
saving leaves the previous file whole, and the next save removes the temporary it left.

Weights-only files hold the weights also when ``save_weights_only=False``: rebuild the model
from code, then load them.
"""

from __future__ import annotations

import os
import warnings

from ...io import npz
from ..saving import weights
from ..utils import io_utils
from .monitor_callback import MonitorCallback

__all__ = ["ModelCheckpoint", "load_weights_npz", "save_weights_npz"]

_EXTENSIONS = (".npz", ".weights.safetensors", ".keras", ".h5", ".hdf5")
_WEIGHTS_ONLY = (".npz", ".weights.safetensors")
_NOT_YET = ".weights.h5"  # Keras 3's HDF5 weights format: not written by nnscratch


def save_weights_npz(model, filepath) -> None:
    """Write ``model.get_weights()`` to ``filepath`` as an uncompressed ``.npz`` (no pickle).

    >>> import os, tempfile
    >>> from nnscratch import keras
    >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    >>> path = os.path.join(tempfile.mkdtemp(), "w.weights.npz")
    >>> save_weights_npz(model, path); load_weights_npz(model, path)
    """
    npz.write_npz(filepath, model.get_weights())


def load_weights_npz(model, filepath) -> None:
    """Read weights written by ``save_weights_npz`` into ``model`` (``set_weights`` order);
    ``FileFormatError`` for a file that is torn, hostile or does not fit the model."""
    weights.assign_ordered(model, npz.read_npz_list(filepath), repr(os.fspath(filepath)))


class ModelCheckpoint(MonitorCallback):
    """Save after every epoch, or with ``save_best_only`` only when ``monitor`` improves
    (``mode`` as in EarlyStopping). ``filepath`` may hold ``{epoch}`` and log names, formatted
    each time (``"model-{epoch:02d}-{val_loss:.2f}.weights.npz"``). See the module docstring
    for the ``.npz`` format used when the model has no ``save_weights``/``save`` of its own.

    ``save_freq=N`` (an int) saves every ``N`` training batches instead, counted across epochs
    (a 7-batch epoch with ``N=5`` saves after batch 5, then after the 3rd batch of epoch 2).
    The path may then also hold ``{batch}`` (1-based, within the epoch) and the names of the
    latest batch's logs, which ``save_best_only`` also reads ``monitor`` from (so monitor
    ``"loss"``: batch logs hold no ``val_`` entries).
    """

    def __init__(
        self,
        filepath,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq="epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.filepath = os.fspath(filepath)
        if not self.filepath.endswith(_EXTENSIONS) or self.filepath.endswith(_NOT_YET):
            raise ValueError(
                f"The filepath provided must end in one of {', '.join(_EXTENSIONS)} (`.npz`: "
                "NumPy weights; `.weights.safetensors`: nnscratch's stand-in for Keras's "
                "`.weights.h5`; `.keras`, or `.h5` through h5py: the whole model). Received: "
                f"filepath={self.filepath}"
            )
        if save_weights_only and not self.filepath.endswith(_WEIGHTS_ONLY):
            raise ValueError(
                "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                f"provided must end in `.weights.safetensors` or `.npz`. Received: "
                f"filepath={self.filepath}"
            )
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)):
            raise ValueError(
                f"ModelCheckpoint: unrecognized save_freq: {save_freq!r}. Expected save_freq "
                "are 'epoch' or integer values"
            )
        self.verbose, self.save_best_only = verbose, save_best_only
        self.save_weights_only, self.save_freq = save_weights_only, save_freq
        self._batches_since_save, self._last_batch = 0, None
        self._current_epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._batch_due(batch):
            if self.monitor_op is None:
                self._set_monitor_op()
            self._save_if_due(self._current_epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_if_due(epoch, None, logs or {})

    def _batch_due(self, batch: int) -> bool:
        """Count the batches since the last save; True (and restart) once ``save_freq`` pass.
        A batch index that does not grow means a new epoch began: count it from 0."""
        if self.save_freq == "epoch":
            return False
        fresh = self._last_batch is None or batch <= self._last_batch
        self._batches_since_save += batch + 1 if fresh else batch - self._last_batch
        self._last_batch = batch
        if self._batches_since_save < self.save_freq:
            return False
        self._batches_since_save = 0
        return True

    def _save_if_due(self, epoch: int, batch: int | None, logs: dict) -> None:
        filepath = self._file_path(epoch, batch, logs)
        if self._should_save(epoch, logs, filepath):
            dirname = os.path.dirname(filepath)
            if dirname:
                os.makedirs(dirname, exist_ok=True)
            self._save(filepath)
            self._say(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        # A log entry named "batch" wins over the batch counter, as in Keras.
        fields = {} if batch is None or "batch" in logs else {"batch": batch + 1}
        try:
            return self.filepath.format(epoch=epoch + 1, **fields, **logs)
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}'
            ) from error

    def _should_save(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            self._say(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            self._say(
                f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                f"saving model to {filepath}"
            )
            self.best = current
            return True
        self._say(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save(self, filepath: str) -> None:
        if filepath.endswith(".npz"):
            save_weights_npz(self.model, filepath)
            return
        method = "save_weights" if filepath.endswith(_WEIGHTS_ONLY) else "save"
        if not hasattr(self.model, method):
            raise ValueError(
                f"Model '{getattr(self.model, 'name', self.model)}' has no `{method}` method to "
                f"write {filepath}; use a filepath ending in `.npz` (NumPy weights) instead."
            )
        getattr(self.model, method)(filepath, overwrite=True)

    def _say(self, message: str) -> None:
        if self.verbose > 0:
            io_utils.print_msg(message)
