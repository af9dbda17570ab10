"""The data ``fit``, ``evaluate`` and ``predict`` take, checked once per call: arrays (for a
model with one output or several: ``training_arrays``) and their index batches, or a
PyDataset or generator (``dataset_batches.py``) or a data loader (``loader_batches.py``), whose
batches are checked one by one. ``steps`` with arrays runs one pass across epochs, as Keras's
``steps_per_epoch`` does (``epoch_batches.py``).

A model with several outputs takes its targets and sample weights per output.

``y`` comes as a list or tuple (one array per output, in output order) or as a dict keyed by
output names; ``sample_weight`` likewise, or as one array of one weight per sample that
serves every output, as Keras 3 takes them. Both become lists in output order, which the
trainer batches leaf by leaf (``nested_data.rows``) and ``OutputLosses`` reads back.

``class_weight`` is refused, as Keras refuses it for several outputs: turn it into sample
weights for the output it concerns.
"""

from __future__ import annotations

import math

import numpy as np

from ...errors import InputError
from .data import (
    Batches,
    as_array,
    check_cardinality,
    check_finite,
    check_training_data,
    class_weights_to_sample_weights,
    split_validation,
    warn_large_batch,
)
from .dataset_batches import DatasetBatches, dataset_batches
from .epoch_batches import EpochBatches
from .loader_batches import LoaderBatches, loader_batches
from .multi_output import output_keys
from .nested_data import floatx, named_leaves, num_samples, rows

__all__ = [
    "batch_inputs", "evaluate_data", "evaluation_batches", "fit_data", "predict_data",
    "training_arrays", "validation_arrays",
]  # fmt: skip


def training_arrays(model, x, y, sample_weight, class_weight) -> list:
    """``[x, y, sample_weight]`` checked once and cast once, ready to batch."""
    names = output_keys(model)
    if names is not None:
        return structured_arrays(model, names, x, y, sample_weight, class_weight)
    x, y = model._input_data(x), as_array(y, "y")
    sample_weight = as_array(sample_weight, "sample_weight")
    if class_weight is not None:
        if sample_weight is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
        sample_weight = class_weights_to_sample_weights(y, class_weight)
    check_cardinality(x=x, y=y, sample_weight=sample_weight)
    check_training_data(model, x, y, sample_weight)  # NaN, labels out of range
    return [x, floatx(y), floatx(sample_weight)]


def fit_data(model, x, y, sample_weight, class_weight, batch_size, shuffle, steps, validation):
    """``(arrays, batches, validation arrays)`` from ``fit``'s data arguments (``validation``:
    ``(validation_data, validation_split, validation_steps)``); for a PyDataset, a
    generator or a data loader, its ``DatasetBatches`` or ``LoaderBatches`` stands for both
    arrays and batches."""
    validation_data, split, validation_steps = validation
    _check_steps(validation_steps, "fit", "validation_steps")
    source = _source(model, x, y, sample_weight, class_weight, steps, shuffle, "fit")
    arrays = model._arrays(x, y, sample_weight, class_weight) if source is None else source
    val_arrays = validation_arrays(model, validation_data, validation_steps)
    if source is not None:
        if split:
            raise ValueError(
                "`validation_split` is only supported for Tensors or NumPy arrays, received "
                f"{type(x).__name__}: pass `validation_data` instead"
            )
        source.reset()
        return source, source, val_arrays
    if split and val_arrays is None:
        arrays, val_arrays = split_validation(arrays, split)
    batches = _array_batches(arrays, batch_size, shuffle, steps)
    if batch_size is not None:  # the default holding every sample of a small set is fine
        source = batches.source if isinstance(batches, EpochBatches) else batches
        warn_large_batch(source.batch_size, source.num_samples)
    return arrays, batches, val_arrays


def _source(model, x, y, sample_weight, class_weight, steps, shuffle, caller):
    """A ``DatasetBatches`` or ``LoaderBatches`` for data made in batches, else None."""
    _check_steps(steps, caller, "steps_per_epoch" if caller == "fit" else "steps")
    args = (model, x, y, sample_weight, class_weight, steps, shuffle, caller)
    source = dataset_batches(*args)
    return loader_batches(*args) if source is None else source


def _check_steps(steps, caller: str, name: str) -> None:
    if steps is not None and (
        isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1
    ):
        raise ValueError(
            f"{caller}() expects `{name}` to be a positive integer or None, received "
            f"{steps!r} ({type(steps).__name__})"
        )


def _array_batches(arrays: list, batch_size, shuffle, steps):
    """Index batches over arrays; ``steps`` (Keras's ``steps_per_epoch``/``steps``) without a
    batch size sets it so that the data makes ``steps`` batches, as in Keras. Other ``steps``
    take that many batches an epoch from one pass run across epochs (``EpochBatches``)."""
    count = num_samples(arrays[0])
    if steps is not None and batch_size is None:
        batch_size = max(1, math.ceil(count / steps))
    batches = Batches(count, batch_size, shuffle)
    if steps is None or steps == len(batches):  # every epoch one whole pass
        return batches
    return EpochBatches(batches, int(steps))


def evaluation_batches(arrays, batch_size, steps=None):
    """The batches ``evaluate`` runs: a dataset's or a loader's epoch (which Keras resets
    first, calling a dataset's ``on_epoch_end``), or index batches over arrays."""
    if isinstance(arrays, (DatasetBatches, LoaderBatches)):
        arrays.reset()
        return arrays
    return _array_batches(arrays, batch_size, False, steps)


def evaluate_data(model, x, y, sample_weight, steps):
    """``evaluate``'s data: a ``DatasetBatches`` or checked arrays."""
    source = _source(model, x, y, sample_weight, None, steps, False, "evaluate")
    return model._arrays(x, y, sample_weight, None) if source is None else source


def predict_data(model, x, batch_size, steps) -> tuple:
    """``(inputs, batches)`` for ``predict``: a dataset twice, or arrays and index batches."""
    source = _source(model, x, None, None, None, steps, False, "predict")
    if source is not None:
        return source, source
    x = model._input_data(x)
    check_cardinality(x=x)
    return x, _array_batches([x], batch_size, False, steps)


def batch_inputs(x, index):
    """The inputs of one ``predict`` batch as Tensors."""
    return x.inputs(index) if isinstance(x, (DatasetBatches, LoaderBatches)) else rows(x, index)


def validation_arrays(model, validation_data, steps=None):
    """``fit``'s ``validation_data``: ``(x, y)`` or ``(x, y, sample_weight)`` as arrays, or a
    PyDataset or generator (as ``DatasetBatches``)."""
    if validation_data is None:
        return None
    source = _source(model, validation_data, None, None, None, steps, False, "evaluate")
    if source is not None:
        return source
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "`validation_data` should be a tuple `(x_val, y_val)` or `(x_val, "
            f"y_val, val_sample_weights)`, received {type(validation_data)}"
        )
    vx, vy, vsw = (*validation_data, None)[:3]
    try:
        return model._arrays(vx, vy, vsw, None)
    except InputError as error:  # say which data: `x` alone would point at the training set
        raise type(error)(f"In `validation_data`: {error}") from None


def structured_arrays(model, names: list[str], x, y, sample_weight, class_weight) -> list:
    """``[x, y, sample_weight]`` for a model with several outputs: ``y`` and ``sample_weight``
    as lists in output order, checked (one row count, finite values) and cast once."""
    if class_weight is not None:
        raise ValueError(
            "`class_weight` is only supported for Models with a single output: model "
            f"'{model.name}' has {len(names)} outputs {names}; pass per-output `sample_weight` "
            "instead"
        )
    x = model._input_data(x)
    ys = None if y is None else _per_output(y, names, "y")
    weights = _sample_weights(sample_weight, ys, names)
    _check(x, ys, weights)
    return [x, floatx(ys), floatx(weights)]


def _per_output(data, names: list[str], what: str) -> list:
    """One array per output from a list, tuple or dict keyed by output names."""
    if isinstance(data, dict):
        missing = [name for name in names if name not in data]
        unknown = [key for key in data if key not in names]
        if missing or unknown:
            raise InputError(
                f"Expected `{what}` as a dict keyed by the output names {names}, received keys "
                f"{list(data)} (missing {missing}, unknown {unknown})"
            )
        items = [data[name] for name in names]
    elif isinstance(data, (list, tuple)) and len(data) == len(names):
        items = list(data)
    else:
        received = (
            f"a {type(data).__name__} of {len(data)}"
            if isinstance(data, (list, tuple))
            else f"one {type(data).__name__} of shape {np.shape(data)}"
        )
        raise InputError(
            f"Expected `{what}` for a model with {len(names)} outputs {names}: a list of "
            f"{len(names)} arrays (one per output, in order) or a dict keyed by output names, "
            f"received {received}"
        )
    return [as_array(item, f"{what}['{name}']") for item, name in zip(items, names)]


def _sample_weights(sample_weight, ys: list | None, names: list[str]) -> list | None:
    """Per-output weights; one array of per-sample weights serves every output."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, (list, tuple, dict)):
        weights = _per_output(sample_weight, names, "sample_weight")
    else:
        array = as_array(sample_weight, "sample_weight")
        if not (array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1)):
            raise InputError(
                "For a model with multiple outputs, when providing a single `sample_weight` "
                "array, it should only have one scalar score per sample (i.e. shape "
                f"`(num_samples,)`), received shape {array.shape}. Pass a list or dict of "
                "one array per output for non-scalar sample weights."
            )
        weights = [array] * len(names)
    return None if all(w is None for w in weights) else weights


def _check(x, ys: list | None, weights: list | None) -> None:
    check_cardinality(x=x, y=ys, sample_weight=weights)
    for data, name in ((x, "x"), (ys, "y"), (weights, "sample_weight")):
        check_finite(**dict(named_leaves(data, name)))
