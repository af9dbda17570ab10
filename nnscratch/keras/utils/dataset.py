"""``split_dataset``: an array, or arrays of the same length, as two datasets (train / test).

``split_dataset`` returns what Keras returns on the torch backend for NumPy input: two
``Subset``s of a ``TensorDataset`` (nnscratch's, from ``nnscratch.utils.data``), whose samples
are tuples of Tensors. One difference, on purpose: with ``shuffle=False`` the left part is the
first ``left_size`` samples in order, as Keras documents and does on TensorFlow, while Keras on
torch shuffles anyway (torch's ``random_split`` draws a permutation from its global generator).
"""

from __future__ import annotations

import numbers

import numpy as np

import nnscratch as ns

from ... import random as ns_random
from ...utils.data import Dataset, Subset, TensorDataset

__all__ = ["split_dataset"]


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split ``dataset`` (an array, a list/tuple of same-length arrays, or a Dataset) in two.

    A float size is a fraction of the samples, an int a count; a size left ``None`` takes the
    rest. ``shuffle`` permutes first (from ``seed``, else nnscratch's global generator, which
    ``keras.utils.set_random_seed`` seeds).

    >>> left, right = split_dataset(np.arange(10), left_size=0.8)
    >>> len(left), len(right), int(right[0][0])
    (8, 2, 8)
    """
    data = _as_dataset(dataset)
    if left_size is None and right_size is None:
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be specified. "
            "Received: left_size=None and right_size=None"
        )
    total = len(data)
    left, right = _split_sizes(left_size, right_size, total)
    order = np.arange(total)
    if shuffle:
        rng = ns_random.generator() if seed is None else ns_random.manual_seed_rng(seed, "seed")
        order = rng.permutation(total)
    return Subset(data, order[:left].tolist()), Subset(data, order[left : left + right].tolist())


def _as_dataset(dataset):
    if isinstance(dataset, Dataset):
        return dataset
    if isinstance(dataset, np.ndarray):
        return TensorDataset(ns.from_numpy(dataset))
    if isinstance(dataset, (list, tuple)) and dataset:
        if all(isinstance(part, (np.ndarray, ns.Tensor)) for part in dataset):
            return TensorDataset(*(_as_tensor(part) for part in dataset))
    raise TypeError(
        "split_dataset expects `dataset` to be a NumPy array, a list/tuple of arrays of the "
        f"same length, or an nnscratch Dataset. Received: dataset of type {type(dataset)}"
    )


def _as_tensor(part):
    return part if isinstance(part, ns.Tensor) else ns.from_numpy(np.ascontiguousarray(part))


def _split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """Both sizes as counts, checked as Keras checks them."""
    left = _count(left_size, "left_size", total)
    right = _count(right_size, "right_size", total)
    if isinstance(left_size, float) and isinstance(right_size, float):
        if left_size + right_size > 1:
            raise ValueError(
                "The sum of `left_size` and `right_size` is greater than 1. It must be less "
                f"than or equal to 1. Received: left_size={left_size}, right_size={right_size}"
            )
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(
            "The sum of `left_size` and `right_size` should be smaller than the "
            f"{total}. Received: left_size + right_size = {left + right} and "
            f"total_length = {total}"
        )
    for size, side in ((left, "left"), (right, "right")):
        if size == 0:
            raise ValueError(
                f"With `dataset` of length={total}, `left_size`={left} and "
                f"`right_size`={right}. Resulting {side} side dataset split will be empty. "
                "Adjust any of the aforementioned parameters"
            )
    return left, right


def _count(size, name: str, total: int) -> int | None:
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, (numbers.Integral, float)):
        raise TypeError(
            f"Invalid `{name}` Type. Expected: int or float or None, Received: "
            f"type({name})={type(size)}."
        )
    if isinstance(size, float):
        if not 0 < size < 1:
            raise ValueError(_range_message(name, total, size))
        return round(size * total)
    if not 0 < size < total:
        raise ValueError(_range_message(name, total, size))
    return int(size)


def _range_message(name: str, total: int, size) -> str:
    return (
        f"`{name}` should be either a positive integer smaller than {total}, or a float "
        f"within the range `[0, 1]`. Received: {name}={size}"
    )
