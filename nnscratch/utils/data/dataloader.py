"""DataLoader: batches of samples from a dataset, optionally shuffled, as in torch.

Samples are fetched in the main process (no workers) and merged by ``default_collate``: a
batch of tuples ``(x, y)`` becomes the list ``[stacked x, stacked y]``, as in torch.

    >>> import nnscratch as ns
    >>> from nnscratch.utils.data import DataLoader, TensorDataset
    >>> data = TensorDataset(ns.arange(10).reshape(5, 2), ns.tensor([0, 1, 0, 1, 1]))
    >>> loader = DataLoader(data, batch_size=2)
    >>> len(loader), [(x.shape, y.shape) for x, y in loader]
    (3, [((2, 2), (2,)), ((2, 2), (2,)), ((1, 2), (1,))])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from ...autograd.dtypes import float64
from ...autograd.tensor import Tensor
from ...ops.creation import from_numpy, tensor
from ...ops.movement import stack
from .combined import IterableDataset
from .convert import default_convert
from .dataset import TensorDataset, as_generator
from .loader_options import check_batching, check_iterable, check_workers, samplers

__all__ = ["DataLoader", "default_collate", "get_worker_info"]

COLLATE_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _collate_tensors(batch: list[Tensor]) -> Tensor:
    shapes = {t.shape for t in batch}
    if len(shapes) > 1:
        raise RuntimeError(
            f"default_collate: stack expects each tensor to be equal size, received shapes "
            f"{sorted(shapes)}"
        )
    if any(t.requires_grad for t in batch):
        return stack(batch)  # keeps the graph
    return from_numpy(np.stack([t.numpy() for t in batch]))  # one copy, no per-sample ops


def _collate_arrays(batch: list) -> Tensor:
    if batch[0].dtype.kind in "SUOV":
        raise TypeError(COLLATE_ERROR.format(batch[0].dtype))
    if len({np.shape(a) for a in batch}) > 1:
        shapes = sorted({np.shape(a) for a in batch})
        raise RuntimeError(f"default_collate: arrays of different shapes {shapes} in one batch")
    return from_numpy(np.stack(batch))


def _collate_sequences(batch: list) -> list:
    if any(len(sample) != len(batch[0]) for sample in batch):
        raise RuntimeError("each element in list of batch should be of equal size")
    return [default_collate(list(samples)) for samples in zip(*batch)]


def default_collate(batch: list):
    """Merge a list of samples into a batch, as torch's ``default_collate``: tensors and NumPy
    arrays are stacked along a new first dimension; Python floats become a float64 tensor,
    ints an int64 one (bools a bool one); strings stay a list; dicts, tuples and lists are
    collated field by field (tuples and lists give lists, namedtuples namedtuples).

    >>> import numpy as np
    >>> x, y = default_collate([(np.zeros(3, np.float32), 1), (np.ones(3, np.float32), 0)])
    >>> x.shape, x.dtype, y.tolist()
    ((2, 3), dtype('float32'), [1, 0])
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _collate_tensors(batch)
    if isinstance(elem, np.ndarray):
        return _collate_arrays(batch)
    if isinstance(elem, (np.bool_, np.number, np.object_)):
        return _collate_arrays([np.asarray(a) for a in batch])
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple keeps its type
        return type(elem)(*_collate_sequences(batch))
    if isinstance(elem, Sequence):
        return _collate_sequences(batch)
    raise TypeError(COLLATE_ERROR.format(type(elem)))


class DataLoader:
    """Iterate over ``dataset`` in batches, with torch's arguments and rules.

    Order: ``shuffle`` (a fresh permutation each epoch), or a ``sampler`` of indices, or a
    ``batch_sampler`` of index lists (each excludes the others, as in torch). ``generator``
    drives the shuffling: an ``nnscratch.Generator``, a NumPy Generator, an int seed (a
    generator made once, so epochs differ but runs repeat), or None for nnscratch's global one
    (``ns.manual_seed``). The last, smaller batch is kept unless ``drop_last``.
    ``batch_size=None`` turns batching off: each sample comes alone, through
    ``default_convert``. An ``IterableDataset`` is read in the order it yields.

    Loading always happens in the main process, one batch at a time: ``num_workers > 0`` is
    accepted (negative raises, as torch) and loads exactly as ``num_workers=0`` does, so
    ``worker_init_fn`` is never called (torch calls it only inside worker processes) and
    ``get_worker_info()`` is None. ``pin_memory``, ``pin_memory_device``, ``timeout``,
    ``prefetch_factor``, ``persistent_workers``, ``multiprocessing_context`` and ``in_order``
    are checked as torch checks them and otherwise have no effect.

    >>> import nnscratch as ns
    >>> loader = DataLoader(list(range(10)), batch_size=4, shuffle=True, generator=0)
    >>> len(loader), sorted(i for batch in loader for i in batch.tolist())
    (3, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """

    def __init__(
        self,
        dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler=None,
        batch_sampler=None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable | None = None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        check_workers(num_workers, timeout, prefetch_factor, persistent_workers,
                      multiprocessing_context)  # fmt: skip
        check_batching(batch_size, drop_last)
        if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
            generator = np.random.default_rng(int(generator))  # once: each epoch draws anew
        as_generator(generator, "DataLoader")  # type check now, not at the first epoch
        self.dataset, self.generator, self.shuffle = dataset, generator, bool(shuffle)
        self.num_workers, self.pin_memory, self.timeout = num_workers, pin_memory, timeout
        self.worker_init_fn, self.prefetch_factor = worker_init_fn, prefetch_factor
        self.persistent_workers, self.in_order = persistent_workers, in_order
        self.multiprocessing_context = multiprocessing_context
        self.pin_memory_device = pin_memory_device
        if isinstance(dataset, IterableDataset):
            check_iterable(shuffle, sampler, batch_sampler)
            self.sampler = self.batch_sampler = None
        else:
            self.sampler, self.batch_sampler = samplers(
                dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, generator
            )
        custom = batch_sampler is not None
        self.batch_size, self.drop_last = (None, False) if custom else (batch_size, drop_last)
        batching = self.batch_size is not None or custom
        self.collate_fn = collate_fn or (default_collate if batching else default_convert)

    def __len__(self) -> int:
        if self.sampler is None:  # an IterableDataset: its own length, if it has one
            n, size = len(self.dataset), self.batch_size
            return n if size is None else n // size if self.drop_last else -(-n // size)
        return len(self.sampler if self.batch_sampler is None else self.batch_sampler)

    def __iter__(self) -> Iterator:
        if self.sampler is None:
            yield from self._stream()
        elif self.batch_sampler is None:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
        else:
            for indices in self.batch_sampler:
                yield self._fetch(np.asarray(indices, dtype=np.int64))

    def _stream(self) -> Iterator:
        """Batches of what an IterableDataset yields, in its order."""
        samples = iter(self.dataset)
        if self.batch_size is None:
            yield from map(self.collate_fn, samples)
            return
        while batch := list(itertools.islice(samples, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield self.collate_fn(batch)

    def _fetch(self, indices: np.ndarray):
        if type(self.dataset) is TensorDataset and self.collate_fn is default_collate:
            # Same batch as stacking samples one by one, in one indexing op per tensor.
            return [t[indices] for t in self.dataset.tensors]
        index_list = indices.tolist()
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.collate_fn(self.dataset.__getitems__(index_list))
        return self.collate_fn([self.dataset[i] for i in index_list])


def get_worker_info() -> None:
    """None: as in torch's main process, since nnscratch loads every batch there (an
    ``IterableDataset`` that shards by worker reads all of itself).

    >>> get_worker_info() is None
    True
    """
    return None
