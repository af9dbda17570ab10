"""``timeseries_dataset_from_array``: batches of sliding windows over a timeseries.

Keras returns a ``tf.data.Dataset``; nnscratch has no TensorFlow, so it returns a
``keras.utils.PyDataset`` of NumPy batches that ``fit``, ``evaluate`` and ``predict`` take, and
that a ``for`` loop or ``len()`` reads like the Keras dataset. Windows, targets, batch sizes and
errors are Keras's. One difference: with ``shuffle=True`` Keras shuffles the windows' start
positions with ``np.random.RandomState(seed)`` and then mixes them again within a buffer of
``batch_size * 8`` windows at each pass; nnscratch does the first shuffle only, so the order
is the same at every pass (``fit(shuffle=True)`` still visits the batches in a random order).
"""

from __future__ import annotations

import numpy as np

from ..py_dataset import PyDataset

__all__ = ["TimeseriesWindows", "timeseries_dataset_from_array"]


def timeseries_dataset_from_array(
    data, targets, sequence_length, sequence_stride=1, sampling_rate=1, batch_size=128,
    shuffle=False, seed=None, start_index=None, end_index=None, format="tf",
):  # fmt: skip
    """Batches of windows ``data[s], data[s + r], ..., data[s + (sequence_length - 1) r]``
    (``r = sampling_rate``), one window starting every ``sequence_stride`` steps from
    ``start_index``, with ``targets[s]`` as each window's target (``targets=None``: inputs only).

    Only ``data[start_index:end_index]`` is read (``end_index`` excluded). ``batch_size=None``
    gives single windows. ``format`` ("tf" or "grain", Keras's choice of dataset library) is
    checked and otherwise makes no difference here.

    >>> x = np.arange(10)
    >>> windows = timeseries_dataset_from_array(x, x[3:], sequence_length=3, batch_size=4)
    >>> len(windows), windows[0][0].tolist(), windows[0][1].tolist()
    (2, [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]], [3, 4, 5, 6])
    >>> [inputs.shape for inputs, _ in windows]
    [(4, 3), (3, 3)]
    """
    data = np.asarray(data)
    _check(len(data), sequence_length, sequence_stride, sampling_rate, start_index, end_index)
    if format not in ("tf", "grain"):
        raise ValueError(
            f'timeseries_dataset_from_array expects format "tf" or "grain", received {format!r}'
        )
    start = start_index or 0
    end = len(data) if end_index is None else end_index
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        count = min(count, len(targets))
    starts = np.arange(0, count, sequence_stride) + start
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(starts)
    offsets = np.arange(sequence_length) * sampling_rate
    return TimeseriesWindows(data, targets, starts, offsets, batch_size)


def _check(length, sequence_length, stride, rate, start_index, end_index) -> None:
    """Keras's checks of the window arguments against the data's ``length`` (plus one:
    ``sequence_length`` must be positive)."""
    problems = [
        (sequence_length < 1, f"sequence_length to be 1 or greater, received {sequence_length}"),
        (bool(start_index) and start_index < 0,
         f"start_index to be 0 or greater, received {start_index}"),
        (bool(start_index) and start_index >= length,
         f"start_index below the data's length {length}, received {start_index}"),
        (bool(end_index) and bool(start_index) and end_index <= start_index,
         f"end_index above start_index={start_index}, received {end_index}"),
        (bool(end_index) and end_index >= length,
         f"end_index below the data's length {length}, received {end_index}"),
        (end_index is not None and end_index <= 0, f"end_index above 0, received {end_index}"),
        (rate <= 0, f"sampling_rate to be 1 or greater, received {rate}"),
        (rate >= length, f"sampling_rate below the data's length {length}, received {rate}"),
        (stride <= 0, f"sequence_stride to be 1 or greater, received {stride}"),
        (stride >= length, f"sequence_stride below the data's length {length}, received {stride}"),
    ]  # fmt: skip
    for failed, expectation in problems:
        if failed:
            raise ValueError(f"timeseries_dataset_from_array expects {expectation}")


class TimeseriesWindows(PyDataset):
    """The batches ``timeseries_dataset_from_array`` returns: batch ``i`` holds the windows
    that start at ``starts[i * batch_size : (i + 1) * batch_size]`` (the last batch may be
    shorter), each ``data[start + offsets]``, with ``targets[start]`` when there are targets.
    """

    def __init__(self, data, targets, starts, offsets, batch_size) -> None:
        super().__init__()
        self.data, self.targets, self.starts, self.offsets = data, targets, starts, offsets
        self.batch_size = batch_size

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self.starts)
        return -(-len(self.starts) // self.batch_size)  # the last, shorter batch counts

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"TimeseriesWindows has {len(self)} batches, asked for {index}")
        index %= len(self)
        if self.batch_size is None:  # one window, no batch axis
            starts = self.starts[index]
        else:
            starts = self.starts[index * self.batch_size : (index + 1) * self.batch_size]
        windows = self.data[np.add.outer(starts, self.offsets)]
        return windows if self.targets is None else (windows, self.targets[starts])
