"""Arrays in, batches out: what ``fit``, ``evaluate`` and ``predict`` do with their data."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator

import numpy as np

from ... import random
from ...autograd.tensor import Tensor

__all__ = [
    "Batches",
    "as_array",
    "check_cardinality",
    "class_weights_to_sample_weights",
    "split_validation",
    "to_tensor",
    "warn_large_batch",
    "warn_small_split",
]

MIN_TRAIN_ROWS = 10  # fewer than this left for training after validation_split: a warning
MIN_VALIDATION_ROWS = 2  # fewer than this held out for validation: a warning


def as_array(data, name: str) -> np.ndarray | None:
    """A NumPy array from an array-like or a Tensor (``None`` stays ``None``)."""
    if data is None:
        return None
    if isinstance(data, Tensor):
        return data.detach().numpy()
    array = np.asarray(data)
    if array.dtype == object or array.ndim == 0:
        raise ValueError(
            f"Expected `{name}` to be an array of samples (first axis: the samples), received "
            f"{type(data).__name__} of shape {array.shape}"
        )
    return array


def to_tensor(array: np.ndarray | None) -> Tensor | None:
    """A batch as a Tensor; float64 becomes float32, Keras's ``floatx``; integers stay."""
    if array is None:
        return None
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    return Tensor(array)


def check_cardinality(**arrays: np.ndarray | None) -> int:
    """The number of samples, which every given array must share."""
    sizes = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(sizes.values())) > 1:
        lines = "\n".join(f"'{name}' sizes: {size}" for name, size in sizes.items())
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
            f"samples.\n{lines}"
        )
    return next(iter(sizes.values()))


def split_validation(arrays: list, validation_split: float) -> tuple[list, list]:
    """The last ``validation_split`` of the samples (before any shuffling) for validation."""
    n = len(arrays[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split}`."
        )
    warn_small_split(split_at, n - split_at, validation_split)
    return (
        [None if a is None else a[:split_at] for a in arrays],
        [None if a is None else a[split_at:] for a in arrays],
    )


def warn_small_split(num_train: int, num_val: int, validation_split: float) -> None:
    """Say so when a split leaves too few rows to learn from or to measure with."""
    if num_train >= MIN_TRAIN_ROWS and num_val >= MIN_VALIDATION_ROWS:
        return
    warnings.warn(
        f"validation_split={validation_split} leaves {num_train} rows for training and "
        f"{num_val} for validation: the model learns from fewer rows and `val_` scores on "
        "so few rows are noisy. With a small dataset, pass validation_data or drop the split.",
        UserWarning,
        stacklevel=4,
    )


def class_weights_to_sample_weights(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """One weight per sample from its class: argmax of one-hot rows, else the rounded label."""
    labels = y
    if y.ndim > 1:
        labels = np.argmax(y, axis=-1) if y.shape[-1] != 1 else np.squeeze(y, axis=-1)
    labels = np.round(labels).astype(np.int64)
    return np.array([class_weight.get(int(c), 1.0) for c in labels], dtype=np.float32)


def warn_large_batch(batch_size: int, num_samples: int) -> None:
    """The article's trap: with 4 samples and the default 32, an epoch is a single update."""
    if batch_size > num_samples:
        warnings.warn(
            f"batch_size={batch_size} is larger than the {num_samples} training samples: each "
            f"epoch is a single update on all {num_samples} of them, so `epochs` counts "
            "optimizer steps. Pass a smaller batch_size for more updates per epoch.",
            UserWarning,
            stacklevel=3,
        )


class Batches:
    """Index batches over ``num_samples``: in order, or in a fresh random order each epoch."""

    def __init__(self, num_samples: int, batch_size: int | None, shuffle: bool = False):
        batch_size = 32 if batch_size is None else batch_size
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(
                f"Expected `batch_size` to be a positive integer, received {batch_size!r}"
            )
        self.num_samples, self.batch_size, self.shuffle = num_samples, batch_size, shuffle

    def __len__(self) -> int:
        return math.ceil(self.num_samples / self.batch_size)

    def __iter__(self) -> Iterator[np.ndarray | slice]:
        order = random.generator().permutation(self.num_samples) if self.shuffle else None
        for start in range(0, self.num_samples, self.batch_size):
            stop = min(start + self.batch_size, self.num_samples)
            yield slice(start, stop) if order is None else order[start:stop]
