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

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from ...autograd.dtypes import float64
from ...autograd.tensor import Tensor
from ...errors import InputError
from ...ops.creation import from_numpy, tensor
from ...ops.movement import stack
from .dataset import TensorDataset, as_generator

__all__ = ["DataLoader", "default_collate"]

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
    """Iterate over ``dataset`` in batches of ``batch_size``, reshuffled each epoch when
    ``shuffle`` is set. ``generator`` drives the shuffling: a NumPy Generator, an int seed (a
    generator made once, so epochs differ but runs repeat), or None for nnscratch's global one
    (``ns.manual_seed``). The last, smaller batch is kept unless ``drop_last``. ``num_workers``
    and ``pin_memory`` are accepted for torch code and ignored: loading is in-process.

    >>> import nnscratch as ns
    >>> loader = DataLoader(list(range(10)), batch_size=4, shuffle=True, generator=0)
    >>> sorted(i for batch in loader for i in batch.tolist())
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """

    def __init__(
        self,
        dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        *,
        drop_last: bool = False,
        collate_fn: Callable | None = None,
        generator: np.random.Generator | int | None = None,
        num_workers: int = 0,
        pin_memory: bool = False,
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise InputError(
                f"DataLoader: batch_size should be a positive integer value, "
                f"but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"DataLoader: drop_last should be a boolean value, but got drop_last={drop_last}"
            )
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                "DataLoader: num_workers option should be non-negative; "
                "use num_workers=0 to disable multiprocessing."
            )
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, bool(shuffle)
        self.drop_last, self.num_workers, self.pin_memory = drop_last, num_workers, pin_memory
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
            generator = np.random.default_rng(int(generator))  # once: each epoch draws anew
        as_generator(generator, "DataLoader")  # type check now, not at the first epoch
        self.generator = generator

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator:
        for indices in self._batches():
            yield self._fetch(indices)

    def _batches(self) -> Iterator[np.ndarray]:
        n = len(self.dataset)
        if self.shuffle:
            order = as_generator(self.generator, "DataLoader").permutation(n)
        else:
            order = np.arange(n)
        stop = len(self) * self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            yield order[start : start + self.batch_size]

    def _fetch(self, indices: np.ndarray):
        if type(self.dataset) is TensorDataset and self.collate_fn is default_collate:
            # Same batch as stacking samples one by one, in one indexing op per tensor.
            return [t[indices] for t in self.dataset.tensors]
        index_list = indices.tolist()
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.collate_fn(self.dataset.__getitems__(index_list))
        return self.collate_fn([self.dataset[i] for i in index_list])
