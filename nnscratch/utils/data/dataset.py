"""Datasets: indexable collections of samples, as in torch.utils.data.

A dataset is anything with ``__getitem__(i)`` (one sample) and ``__len__``. ``TensorDataset``
wraps tensors that share their first dimension; ``Subset`` and ``random_split`` view part of a
dataset without copying it.

    >>> import nnscratch as ns
    >>> from nnscratch.utils.data import TensorDataset, random_split
    >>> data = TensorDataset(ns.arange(10).reshape(5, 2), ns.tensor([0, 1, 0, 1, 1]))
    >>> x, y = data[4]
    >>> x.tolist(), y.item()
    ([8, 9], 1)
    >>> train, test = random_split(data, [0.8, 0.2], generator=0)
    >>> len(train), len(test)
    (4, 1)
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from types import GenericAlias
from typing import TYPE_CHECKING

import numpy as np

from ... import random
from ...autograd.tensor import Tensor

if TYPE_CHECKING:
    from .combined import ConcatDataset

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split"]


class Dataset:
    """Base class of map-style datasets: subclasses write ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError(
            f"{type(self).__name__}: subclasses of Dataset should implement __getitem__"
        )

    def __add__(self, other: Dataset) -> ConcatDataset:
        """``a + b``: the samples of ``a``, then those of ``b`` (a ``ConcatDataset``)."""
        from .combined import ConcatDataset  # combined.py subclasses Dataset: import late

        return ConcatDataset([self, other])

    __class_getitem__ = classmethod(GenericAlias)  # Dataset[int], as torch's typing allows


class TensorDataset(Dataset):
    """Sample ``i`` is ``tuple(t[i] for t in tensors)``; all tensors share their first dimension.

    >>> import nnscratch as ns
    >>> data = TensorDataset(ns.zeros(3, 2), ns.ones(3))
    >>> len(data), [t.shape for t in data[0]]
    (3, [(2,), ()])
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset expects at least one tensor, received none")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor) or t.ndim == 0:
                what = f"shape {t.shape}" if isinstance(t, Tensor) else type(t).__name__
                raise TypeError(
                    f"TensorDataset expects tensors with at least one dimension, but argument "
                    f"{i} is {what} (wrap NumPy arrays with ns.from_numpy)"
                )
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            shapes = ", ".join(str(t.shape) for t in tensors)
            raise ValueError(
                "TensorDataset: size mismatch between tensors: all need the same first "
                f"dimension, received shapes {shapes}"
            )
        self.tensors = tensors

    def __getitem__(self, index) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order, without copying."""

    def __init__(self, dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list:
        """A batch of samples; delegates to the dataset's ``__getitems__`` when it has one."""
        inner = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(inner)
        return [self.dataset[i] for i in inner]

    def __len__(self) -> int:
        return len(self.indices)


def as_generator(generator, where: str) -> np.random.Generator:
    """``generator`` as a NumPy Generator: an int seeds a new one, None is the global one."""
    if generator is None or isinstance(generator, (np.random.Generator, random.Generator)):
        return random.generator(generator)
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(
        f"{where}: generator must be an nnscratch.Generator, a numpy.random.Generator, an int "
        "seed or None, "
        f"received {type(generator).__name__}"
    )


def _lengths_from_fractions(fractions: Sequence[float], n: int) -> list[int]:
    """floor(fraction * n) each, then the remainder one by one, round-robin (torch's rule)."""
    lengths = []
    for i, frac in enumerate(fractions):
        if frac < 0 or frac > 1:
            raise ValueError(f"random_split: fraction at index {i} is not between 0 and 1")
        lengths.append(math.floor(n * frac))
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(
                f"Length of split at index {i} is 0. This might result in an empty dataset.",
                stacklevel=3,
            )
    return lengths


def random_split(dataset, lengths: Sequence[int | float], generator=None) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping ``Subset``s of the given lengths, or
    of fractions summing to 1 (``floor(frac * len)`` each, the remainder dealt round-robin).
    ``generator``: an ``nnscratch.Generator``, a NumPy Generator, an int seed, or None for
    nnscratch's global generator.

    >>> parts = random_split(range(10), [0.5, 0.3, 0.2], generator=1)
    >>> [len(p) for p in parts], sorted(i for p in parts for i in p)
    ([5, 3, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(lengths, len(dataset))
    if sum(lengths) != len(dataset):
        raise ValueError(
            f"random_split: sum of input lengths ({sum(lengths)}) does not equal the length "
            f"of the input dataset ({len(dataset)})"
        )
    rng = as_generator(generator, "random_split")
    indices = rng.permutation(len(dataset)).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, indices[end - n : end]) for end, n in zip(ends, lengths)]
