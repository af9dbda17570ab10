"""``keras.utils.PyDataset`` (and its legacy name ``Sequence``): data that Python code makes
one batch at a time, for ``fit``, ``evaluate`` and ``predict``.

A subclass says how many batches there are (``__len__``) and makes batch ``index``
(``__getitem__``): inputs alone, ``(inputs, targets)`` or ``(inputs, targets,
sample_weights)``, each an array or a list/dict of arrays. ``on_epoch_end`` runs after each
epoch (to reshuffle, say), as in Keras.

Keras's ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are accepted and kept,
but batches are always made in the calling thread, one after the other: nnscratch has no
background workers (a thread pool buys nothing for NumPy-bound batches on the cores this
project targets, and processes would need the dataset pickled). ``fit`` says so once, in a
warning, when a dataset asks for more.

    >>> import numpy as np
    >>> class Squares(PyDataset):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, index):
    ...         x = np.arange(3.0)[:, None] + 3 * index
    ...         return x, x**2
    >>> [y.ravel().tolist() for _, y in Squares()]
    [[0.0, 1.0, 4.0], [9.0, 16.0, 25.0]]
"""

from __future__ import annotations

import itertools
import warnings

__all__ = ["PyDataset", "Sequence", "warn_single_threaded"]


class PyDataset:
    """Base class of a dataset made in Python, batch by batch (Keras 3's ``PyDataset``).

    Args:
        workers: Keras's number of worker threads or processes (kept; batches are made in
            the calling thread).
        use_multiprocessing: Keras's choice of processes over threads (kept; unused).
        max_queue_size: Keras's number of batches made ahead (kept; unused).
    """

    _workers = 1  # (a subclass that skips super().__init__() still has them)
    _use_multiprocessing = False
    _max_queue_size = 10

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10) -> None:
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return self._workers

    @workers.setter
    def workers(self, value) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self):
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value) -> None:
        self._max_queue_size = value

    def __getitem__(self, index):
        """Batch ``index``: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``."""
        raise NotImplementedError(
            f"{type(self).__name__} must define __getitem__(self, index), returning batch "
            "`index` as x, (x, y) or (x, y, sample_weight)"
        )

    @property
    def num_batches(self) -> int | None:
        """The number of batches: ``len(self)``; None for a dataset without end."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            f"{type(self).__name__} must define __len__ (the number of batches) or a "
            "`num_batches` property (None for a dataset without end)"
        )

    def __iter__(self):
        count = self.num_batches
        for index in itertools.count() if count is None else range(count):
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called when an epoch begins."""

    def on_epoch_end(self) -> None:
        """Called when an epoch ends (and once when ``fit`` or ``evaluate`` starts, as Keras
        resets its data then)."""


Sequence = PyDataset  # Keras 2's name, kept by Keras 3 as an alias

_warned = set()  # the dataset classes already warned about


def warn_single_threaded(dataset: PyDataset) -> None:
    """Say once per dataset class that its workers are not used."""
    asks = dataset.workers > 1 or dataset.use_multiprocessing
    if not asks or type(dataset) in _warned:
        return
    _warned.add(type(dataset))
    warnings.warn(
        f"{type(dataset).__name__}(workers={dataset.workers}, use_multiprocessing="
        f"{dataset.use_multiprocessing}): nnscratch makes PyDataset batches in the calling "
        "thread, one after the other; the workers are not used",
        UserWarning,
        stacklevel=4,
    )
