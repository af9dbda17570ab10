"""``CSVLogger``: one CSV row of logs per epoch."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable

import numpy as np

from .callback import Callback

__all__ = ["CSVLogger"]


def _cell(value):
    """A log value as Keras writes it: sequences become ``"[a, b]"``, scalars stay."""
    if isinstance(value, str) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value
    if isinstance(value, Iterable):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Write ``epoch`` and each epoch's logs to ``filename`` (columns: the first epoch's names,
    sorted; when none is a ``val_`` one, ``val_<name>`` columns are added, ``NA`` if missing).

    ``append=True`` continues an existing file (its header is kept).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> logger = CSVLogger(path)
    >>> logger.on_train_begin(); logger.on_epoch_end(0, {"loss": 0.5}); logger.on_train_end()
    >>> print(open(path).read().strip())
    epoch,loss,val_loss
    0,0.5,NA
    """

    def __init__(self, filename, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.sep, self.filename, self.append = separator, os.fspath(filename), append
        self.writer, self.keys, self.csv_file = None, None, None
        self.append_header = True

    def on_train_begin(self, logs=None) -> None:
        mode = "w"
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "rb") as existing:  # bytes: any content is fine here
                    self.append_header = not existing.readline()
            mode = "a"
        self._close()
        self.csv_file = open(self.filename, mode, newline="")  # noqa: SIM115 (open across epochs)
        self.writer, self.keys = None, None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = self._columns(logs)
        if self.writer is None:
            self.writer = self._make_writer()
        row = {"epoch": epoch, **{key: _cell(logs.get(key, "NA")) for key in self.keys}}
        self.writer.writerow(row)
        self.csv_file.flush()

    @staticmethod
    def _columns(logs: dict) -> list[str]:
        keys = sorted(logs)
        if keys and not any(key.startswith("val_") for key in keys):
            keys += [f"val_{key}" for key in keys]
        return keys

    def _make_writer(self) -> csv.DictWriter:
        dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
        writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys], dialect=dialect)
        if self.append_header:
            writer.writeheader()
        return writer

    def on_train_end(self, logs=None) -> None:
        self._close()
        self.writer = None

    def _close(self) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
