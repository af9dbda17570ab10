"""Samplers: the order in which a DataLoader visits a dataset, as in torch.utils.data.

A sampler is an iterable of dataset indices (``BatchSampler``: of lists of them) with a
``__len__``. Random samplers draw from ``generator``: an ``nnscratch.Generator`` (or a NumPy
Generator), or None for nnscratch's global generator (``ns.manual_seed``), read anew at
each epoch; never from NumPy's global state.

    >>> import nnscratch as ns
    >>> from nnscratch.utils.data import BatchSampler, RandomSampler, SequentialSampler
    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    >>> sorted(RandomSampler(range(5), generator=ns.Generator().manual_seed(0)))
    [0, 1, 2, 3, 4]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from typing import Generic, TypeVar

import numpy as np

from ... import random
from ...autograd.tensor import Tensor
from ...errors import InputError, InputTypeError

__all__ = [
    "BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler",
    "WeightedRandomSampler",
]  # fmt: skip

T = TypeVar("T")


def _check_bool(where: str, name: str, value, error: type = InputError) -> None:
    """torch raises TypeError for RandomSampler's flag and ValueError for the others."""
    if not isinstance(value, bool):
        raise error(f"{where}: {name} should be a boolean value, but got {name}={value!r}")


def _check_positive(where: str, name: str, value) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise InputError(
            f"{where}: {name} should be a positive integer value, but got {name}={value!r}"
        )


class Sampler(Generic[T]):
    """Base class of samplers: subclasses write ``__iter__`` (indices) and usually
    ``__len__``. ``Sampler[int]`` subscripts, as in torch.

    >>> class Evens(Sampler[int]):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(0, self.n, 2))
    ...     def __len__(self): return (self.n + 1) // 2
    >>> list(Evens(5)), len(Evens(5))
    ([0, 2, 4], 3)
    """

    def __init__(self, data_source: Sized | None = None) -> None:
        pass  # torch ignores data_source here too; subclasses keep what they need

    def __iter__(self) -> Iterator[T]:
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Sampler write __iter__")


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source) - 1``, in order.

    >>> list(SequentialSampler("abc"))
    [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """Indices of ``data_source`` in random order: a fresh permutation each epoch, or
    ``num_samples`` uniform draws when ``replacement``. Without replacement, a
    ``num_samples`` past the dataset's length chains whole permutations (as torch).

    >>> import nnscratch as ns
    >>> s = RandomSampler(range(4), num_samples=6, generator=ns.Generator().manual_seed(1))
    >>> draws = list(s)
    >>> len(draws), sorted(draws[:4])
    (6, [0, 1, 2, 3])
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator=None,
    ) -> None:
        _check_bool("RandomSampler", "replacement", replacement, InputTypeError)
        if num_samples is not None:
            _check_positive("RandomSampler", "num_samples", num_samples)
        random.generator(generator)  # type check now, not at the first epoch
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator

    @property
    def num_samples(self) -> int:
        """``num_samples`` as given, else the dataset's length (read each time, as torch)."""
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self) -> Iterator[int]:
        n, count = len(self.data_source), self.num_samples
        rng = random.generator(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, size=count).tolist()
            return
        for _ in range(count // n):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[: count % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices``, in a new random order each epoch.

    >>> import nnscratch as ns
    >>> sorted(SubsetRandomSampler([7, 3, 9], generator=ns.Generator().manual_seed(0)))
    [3, 7, 9]
    """

    def __init__(self, indices, generator=None) -> None:
        random.generator(generator)
        self.indices, self.generator = indices, generator

    def __iter__(self) -> Iterator[int]:
        for i in random.generator(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices in ``[0, len(weights))``, index ``i`` drawn with probability
    ``weights[i] / sum(weights)`` (weights need not sum to 1), with or without replacement.
    The usual answer to class imbalance: weight each sample by ``1 / count(its class)``.

    >>> import nnscratch as ns
    >>> s = WeightedRandomSampler([0.0, 1.0, 3.0], 5, generator=ns.Generator().manual_seed(0))
    >>> len(s), 0 in list(s)
    (5, False)
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None) -> None:
        _check_positive("WeightedRandomSampler", "num_samples", num_samples)
        _check_bool("WeightedRandomSampler", "replacement", replacement)
        random.generator(generator)
        self.weights = _probabilities(weights)
        if not replacement and num_samples > np.count_nonzero(self.weights):
            raise InputError(
                f"WeightedRandomSampler: cannot draw num_samples={num_samples} without "
                f"replacement from {np.count_nonzero(self.weights)} non-zero weights"
            )
        self.num_samples, self.replacement = int(num_samples), replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        rng = random.generator(self.generator)
        n = len(self.weights)
        yield from rng.choice(n, self.num_samples, self.replacement, p=self.weights).tolist()

    def __len__(self) -> int:
        return self.num_samples


def _probabilities(weights) -> np.ndarray:
    """``weights`` as float64 probabilities, after checking they can be some."""
    array = weights.detach().numpy() if isinstance(weights, Tensor) else np.asarray(weights)
    if array.ndim != 1 or array.dtype.kind not in "biuf":
        raise InputError(
            "WeightedRandomSampler: weights should be a 1d sequence of numbers, but given "
            f"weights have shape {array.shape} and dtype {array.dtype}"
        )
    array = array.astype(np.float64)
    if not np.isfinite(array).all() or (array < 0).any() or array.sum() <= 0:
        raise InputError(
            "WeightedRandomSampler: weights should be finite and non-negative with a positive "
            f"sum, received {np.array2string(array, threshold=8)}"
        )
    return array / array.sum()


class BatchSampler(Sampler[list[int]]):
    """Lists of ``batch_size`` indices from ``sampler``; the last, shorter list is kept
    unless ``drop_last``.

    >>> list(BatchSampler(range(7), 3, drop_last=True))
    [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool):
        _check_positive("BatchSampler", "batch_size", batch_size)
        _check_bool("BatchSampler", "drop_last", drop_last)
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
