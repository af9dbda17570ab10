"""Datasets made of datasets, and datasets that are streams, as in torch.utils.data.

``IterableDataset`` is a stream: it writes ``__iter__`` instead of ``__getitem__``, and a
DataLoader batches what it yields in order. ``ConcatDataset`` (also ``a + b``) indexes
several map-style datasets as one; ``ChainDataset`` (``a + b`` of streams) chains streams.

    >>> from nnscratch.utils.data import ConcatDataset, TensorDataset
    >>> import nnscratch as ns
    >>> both = TensorDataset(ns.zeros(3)) + TensorDataset(ns.ones(2))
    >>> len(both), both[3][0].item(), both.cumulative_sizes
    (5, 1.0, [3, 5])
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator

from ...errors import InputError
from .dataset import Dataset

__all__ = ["ChainDataset", "ConcatDataset", "IterableDataset"]


class IterableDataset(Dataset):
    """Base class of stream datasets: subclasses write ``__iter__``. A DataLoader takes the
    samples in the order ``__iter__`` yields them (no sampler, no shuffle), and batches them.

    >>> class Count(IterableDataset):
    ...     def __iter__(self): return iter(range(5))
    >>> from nnscratch.utils.data import DataLoader
    >>> [b.tolist() for b in DataLoader(Count(), batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError(
            f"{type(self).__name__}: subclasses of IterableDataset should implement __iter__"
        )

    def __add__(self, other: IterableDataset) -> ChainDataset:
        """``a + b`` of streams: ``a``'s samples, then ``b``'s (a ``ChainDataset``)."""
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of each stream dataset in ``datasets``, one stream after the other.

    >>> class Count(IterableDataset):
    ...     def __iter__(self): return iter(range(2))
    >>> list(ChainDataset([Count(), Count()]))
    [0, 1, 0, 1]
    """

    def __init__(self, datasets: Iterable[IterableDataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator:
        return itertools.chain.from_iterable(self.datasets)

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


class ConcatDataset(Dataset):
    """Map-style datasets indexed as one: sample ``i`` of ``ConcatDataset([a, b])`` is ``a[i]``
    for ``i < len(a)``, then ``b[i - len(a)]``. ``cumulative_sizes`` holds the running
    lengths, as torch's.

    >>> data = ConcatDataset([[1, 2, 3], [4, 5]])
    >>> len(data), data[3], data[-1]
    (5, 4, 5)
    """

    def __init__(self, datasets: Iterable) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise InputError("ConcatDataset: datasets should not be an empty iterable")
        for i, dataset in enumerate(self.datasets):
            if isinstance(dataset, IterableDataset):
                raise InputError(
                    f"ConcatDataset: dataset {i} is an IterableDataset ({type(dataset).__name__})"
                    ", which cannot be indexed; use ChainDataset for streams"
                )
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int):
        if idx < 0:
            if -idx > len(self):
                raise InputError(
                    f"ConcatDataset: absolute value of index should not exceed dataset length "
                    f"{len(self)}, received index {idx}"
                )
            idx += len(self)
        if idx >= len(self):
            raise IndexError(f"ConcatDataset: index {idx} out of range for length {len(self)}")
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]
