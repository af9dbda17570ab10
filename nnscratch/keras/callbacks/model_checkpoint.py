"""``ModelCheckpoint``: save the model's weights every epoch, or only when they are the best.

Saving never uses pickle. The file name picks the format:

- ``*.keras``: the whole model (``model.save``: architecture, weights, compile settings and
  optimizer state; ``keras.models.load_model`` reads it);
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
from .monitor_callback import MonitorCallback

__all__ = ["ModelCheckpoint", "load_weights_npz", "save_weights_npz"]

_EXTENSIONS = (".npz", ".weights.safetensors", ".keras")
_WEIGHTS_ONLY = (".npz", ".weights.safetensors")


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
        if not self.filepath.endswith(_EXTENSIONS):
            raise ValueError(
                f"The filepath provided must end in one of {', '.join(_EXTENSIONS)} (`.npz`: "
                "NumPy weights; `.weights.safetensors`: nnscratch's stand-in for Keras's "
                f"`.weights.h5`; `.keras`: the whole model). Received: filepath={self.filepath}"
            )
        if save_weights_only and not self.filepath.endswith(_WEIGHTS_ONLY):
            raise ValueError(
                "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                f"provided must end in `.weights.safetensors` or `.npz`. Received: "
                f"filepath={self.filepath}"
            )
        if save_freq != "epoch":
            raise ValueError(f"Only save_freq='epoch' is supported. Received: {save_freq!r}")
        self.verbose, self.save_best_only = verbose, save_best_only
        self.save_weights_only, self.save_freq = save_weights_only, save_freq

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs or {}
        filepath = self._file_path(epoch, logs)
        if self._should_save(epoch, logs, filepath):
            dirname = os.path.dirname(filepath)
            if dirname:
                os.makedirs(dirname, exist_ok=True)
            self._save(filepath)

    def _file_path(self, epoch: int, logs: dict) -> str:
        try:
            return self.filepath.format(epoch=epoch + 1, **logs)
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
            print(message)
