"""Arrays in, batches out: what ``fit``, ``evaluate`` and ``predict`` do with their data.

Data is an array or a structure of arrays (a list, tuple or dict of them: the inputs of a
model with several inputs). A structure is never packed into one array: each array keeps its
dtype (int64 ids beside float32 features), and a batch takes the same rows of every array.

Data is checked once, when a call starts, so careless or hostile input stops with an
``InputError`` (a ``ValueError``) naming the argument, what was expected and what was received,
instead of a crash deep inside a layer or a silently wrong answer: strings, objects and complex
numbers, ragged nested lists, zero samples, a batch size that is not a positive integer, and,
for ``fit`` and ``evaluate`` (where they would poison the weights or the scores), NaN or
infinite inputs, targets or sample weights, and targets that do not fit the loss. ``predict``
lets NaN through: it comes out as NaN, in plain sight.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator

import numpy as np

from ... import random
from ...autograd.tensor import Tensor
from ...errors import InputError, LabelError
from ...ops.creation import from_numpy
from ...utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler
from .. import losses
from .nested_data import (
    concatenate,
    floatx,
    is_structure,
    map_data,
    named_leaves,
    num_samples,
    rows,
)

__all__ = [
    "Batches",
    "as_array",
    "as_data",
    "check_cardinality",
    "check_finite",
    "check_targets",
    "check_training_data",
    "class_weights_to_sample_weights",
    "concatenate",
    "floatx",
    "is_structure",
    "map_data",
    "named_leaves",
    "num_samples",
    "rows",
    "split_validation",
    "to_tensor",
    "warn_large_batch",
    "warn_small_split",
]

MIN_TRAIN_ROWS = 10  # fewer than this left for training after validation_split: a warning
MIN_VALIDATION_ROWS = 2  # fewer than this held out for validation: a warning
_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integers, floats


def as_data(data, name: str):
    """``as_array`` on an array-like, or on each array of a structure (named ``x['ids']``)."""
    return map_data(as_array, data, name)


# ---- checks -------------------------------------------------------------------------------------
def as_array(data, name: str) -> np.ndarray | None:
    """A NumPy array of samples from an array-like or a Tensor (``None`` stays ``None``).

    >>> as_array([[1, 2], [3]], "x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: Expected `x` to be a rectangular array ... lengths [1, 2]: ...
    """
    if data is None:
        return None
    array = data.detach().numpy() if isinstance(data, Tensor) else _asarray(data, name)
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise InputError(f"Expected `{name}` to hold numbers, received {_dtype_story(array)}")
    if array.ndim == 0:
        raise InputError(
            f"Expected `{name}` to be an array of samples (first axis: the samples), received "
            f"{type(data).__name__} of shape {array.shape}"
        )
    if len(array) == 0:
        raise InputError(
            f"Expected `{name}` to hold at least one sample, received an empty "
            f"{type(data).__name__} of shape {array.shape}"
        )
    return array


def _asarray(data, name: str) -> np.ndarray:
    try:
        return np.asarray(data)
    except ValueError as error:  # NumPy refuses ragged nesting ("inhomogeneous shape")
        lengths = _row_lengths(data)
        rows = f" whose rows have lengths {lengths[:8]}" if len(lengths) > 1 else ""
        raise InputError(
            f"Expected `{name}` to be a rectangular array (every sample of one shape), received "
            f"a ragged {type(data).__name__}{rows}: pad or trim them to one length"
        ) from error


def _row_lengths(data) -> list[int]:
    if not isinstance(data, (list, tuple)):
        return []
    return sorted({len(row) for row in data if isinstance(row, (list, tuple, np.ndarray))})


def _dtype_story(array: np.ndarray) -> str:
    if array.dtype.kind in "US":
        return (
            f"strings (dtype {array.dtype}); turn them into numbers first (class indices, "
            "one-hot columns)"
        )
    if array.dtype.kind == "O":
        return "Python objects (dtype object: None, mixed types or ragged arrays)"
    return f"dtype {array.dtype}; expected bool, integer or float values"


def check_finite(**arrays: np.ndarray | None) -> None:
    """Every value of every floating array is finite, else an ``InputError`` that counts the
    NaNs and infinities and points at the first.

    >>> check_finite(x=np.array([[0.0, 1.0], [np.nan, 2.0]]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: ... 1 NaN and 0 infinite values (the first at index (1, 0)); ...
    """
    for name, array in arrays.items():
        if array is None or array.dtype.kind != "f" or np.isfinite(array).all():
            continue
        nans = int(np.isnan(array).sum())
        infinities = int(np.isinf(array).sum())
        first = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise InputError(
            f"Expected finite values in `{name}`, received {nans} NaN and {infinities} infinite "
            f"values (the first at index {first}); drop or fill them in before training"
        )


def check_targets(model, y: np.ndarray | None) -> None:
    """``y`` must suit the compiled loss and the model's number of classes: integer labels in
    ``[0, classes)`` for ``sparse_categorical_crossentropy`` (a ``LabelError``), one-hot rows
    as wide as the output for ``categorical_crossentropy``. Checked when the output shape is
    known ahead of time; otherwise the loss checks each batch."""
    loss = getattr(getattr(model, "_compiled_loss", None), "fn", None)
    fn, options = getattr(loss, "fn", None), getattr(loss, "_fn_kwargs", {})
    classes = _num_classes(model)
    if y is None or classes is None or options.get("axis", -1) != -1:
        return
    if fn is losses.sparse_categorical_crossentropy:
        _check_sparse_labels(y, classes, options.get("ignore_class"))
    elif fn is losses.categorical_crossentropy and classes > 1 and y.shape[1:] != (classes,):
        raise InputError(
            f"categorical_crossentropy expects one-hot targets of shape (samples, {classes}) "
            f"for model '{model.name}' with {classes} outputs, received y of shape {y.shape}; "
            "for integer class labels use sparse_categorical_crossentropy"
        )


def _num_classes(model) -> int | None:
    try:
        shape = model.output_shape
    except (AttributeError, ValueError, TypeError, NotImplementedError):
        return None  # unknown before the first call: the loss checks each batch instead
    if isinstance(shape, tuple) and len(shape) == 2 and isinstance(shape[-1], int):
        return shape[-1]
    return None


def _check_sparse_labels(y: np.ndarray, classes: int, ignore_class) -> None:
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise InputError(
            "sparse_categorical_crossentropy expects integer labels of shape (samples,) or "
            f"(samples, 1), received y of shape {y.shape}; for one-hot targets use "
            "categorical_crossentropy"
        )
    labels = y.reshape(-1)
    fractional = labels != np.floor(labels) if labels.dtype.kind == "f" else None
    if fractional is not None and fractional.any() and np.isfinite(labels).all():
        index = int(np.argmax(fractional))
        raise InputError(
            "sparse_categorical_crossentropy expects integer class labels, received "
            f"{labels[index]} for sample {index}; for class probabilities use "
            "categorical_crossentropy"
        )
    bad = ~(labels >= 0) | (labels >= classes)  # NaN is out of range too
    if ignore_class is not None:
        bad &= labels != ignore_class
    if bad.any():
        index = int(np.argmax(bad))
        raise LabelError(
            f"sparse_categorical_crossentropy: label {labels[index]} of sample {index} is out of "
            f"range for a model with {classes} outputs (expected 0 to {classes - 1}); "
            f"{int(bad.sum())} labels are out of range"
        )


def check_training_data(
    model, x: np.ndarray, y: np.ndarray | None, sample_weight: np.ndarray | None = None
) -> None:
    """What ``fit`` and ``evaluate`` check beyond ``as_array``: finite inputs, targets that
    fit the loss, finite targets and sample weights (Keras lets a NaN target through, and the
    loss, the weights and every later epoch turn NaN without a word).

    >>> check_training_data(None, np.zeros((2, 1)), np.array([0.0, np.inf]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: Expected finite values in `y`, received 0 NaN and 1 infinite ...
    """
    check_finite(**dict(named_leaves(x, "x")))
    check_targets(model, y)  # first: a NaN class label is reported as a label out of range
    check_finite(y=y, sample_weight=sample_weight)


def to_tensor(array: np.ndarray | None) -> Tensor | None:
    """A batch as a Tensor of its own copy; float64 becomes float32, Keras's ``floatx``;
    integers stay. (The array was checked when the call started: no per-batch checks.)"""
    if array is None:
        return None
    return from_numpy(array.astype(np.float32 if array.dtype == np.float64 else array.dtype))


def check_cardinality(**data) -> int:
    """The number of samples, which every given array (or array of a structure) must share.

    >>> check_cardinality(x={"ids": np.zeros(4), "features": np.zeros(3)}, y=np.zeros(4))
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: Data cardinality is ambiguous. Make sure all arrays contain \
the same number of samples.
    'x' sizes: 4, 3 (x['ids']: 4, x['features']: 3)
    'y' sizes: 4
    """
    leaves = {name: named_leaves(value, name) for name, value in data.items()}
    sizes = {len(array) for found in leaves.values() for _, array in found}
    if len(sizes) > 1:
        lines = "\n".join(_sizes_line(name, found) for name, found in leaves.items() if found)
        raise InputError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
            f"samples.\n{lines}"
        )
    return sizes.pop()


def _sizes_line(name: str, found: list) -> str:
    line = f"'{name}' sizes: " + ", ".join(str(len(array)) for _, array in found)
    if len(found) > 1 or found[0][0] != name:  # a structure: say which array is which
        line += " (" + ", ".join(f"{where}: {len(array)}" for where, array in found) + ")"
    return line


def split_validation(arrays: list, validation_split: float) -> tuple[list, list]:
    """The last ``validation_split`` of the samples (before any shuffling) for validation."""
    n = num_samples(arrays[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise InputError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split}`."
        )
    warn_small_split(split_at, n - split_at, validation_split)
    return (
        [map_data(lambda a, _: a[:split_at], data) for data in arrays],
        [map_data(lambda a, _: a[split_at:], data) for data in arrays],
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
    """A batch_size chosen larger than the data: an epoch is then a single update (``fit``
    does not warn about its default, 32, which is no choice: the article's 4 samples)."""
    if batch_size > num_samples:
        warnings.warn(
            f"batch_size={batch_size} is larger than the {num_samples} training samples: each "
            f"epoch is a single update on all {num_samples} of them, so `epochs` counts "
            "optimizer steps. Pass a smaller batch_size for more updates per epoch.",
            UserWarning,
            stacklevel=3,
        )


class Batches(BatchSampler):
    """Index batches over ``num_samples``: a ``BatchSampler`` (its batch size, length and
    sampler, sequential or random as a ``DataLoader`` would pick) whose batches come as slices
    or index arrays, for one indexing op per array, instead of lists of Python ints. So it
    draws the epoch's order itself: one permutation from the global generator (a
    ``RandomSampler`` draws it too, then a second, empty one, as torch's does).

    >>> [(b.start, b.stop) for b in Batches(5, 2)], len(Batches(5, 2, shuffle=True))
    ([(0, 2), (2, 4), (4, 5)], 3)
    """

    def __init__(self, num_samples: int, batch_size: int | None, shuffle: bool = False):
        batch_size = 32 if batch_size is None else batch_size
        is_int = isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
        if not is_int or batch_size < 1:
            raise InputError(
                f"Expected `batch_size` to be a positive integer, received {batch_size!r}"
                f" ({type(batch_size).__name__})"
            )
        order = RandomSampler if shuffle else SequentialSampler
        super().__init__(order(range(num_samples)), int(batch_size), drop_last=False)
        self.num_samples, self.shuffle = num_samples, shuffle

    def __iter__(self) -> Iterator[np.ndarray | slice]:
        n, size = self.num_samples, self.batch_size
        order = random.generator().permutation(n) if self.shuffle else None
        for start in range(0, n, size):
            stop = min(start + size, n)
            yield slice(start, stop) if order is None else order[start:stop]
