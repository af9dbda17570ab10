"""Batches that Python code makes: a ``keras.utils.PyDataset`` (``Sequence``) or a generator of
``x``, ``(x, y)`` or ``(x, y, sample_weight)`` tuples, as ``fit``, ``evaluate`` and ``predict``
take them in Keras 3.

``DatasetBatches`` stands where the trainer keeps its arrays and its index batches: iterating
it draws one epoch of raw batches (calling the dataset's ``on_epoch_begin`` and
``on_epoch_end`` around them), and ``batch(raw)`` checks and casts one raw batch as arrays are
checked (``model._arrays``), so a batch of strings or NaN stops with the same error.

As in Keras 3.15: ``steps_per_epoch`` smaller than the dataset takes the next batches in the
next epoch, and an epoch that runs out of batches ends early with Keras's warning;
``shuffle=True`` draws a PyDataset's batches in a random order (from nnscratch's generator,
so ``keras.utils.set_random_seed`` fixes it); ``fit`` and ``evaluate`` call ``on_epoch_end``
once when they start (Keras resets its data then). One difference: the first ``fit`` in Keras
also calls ``on_epoch_begin`` and ``__getitem__(0)`` once more, to build the model from a batch
before training; nnscratch needs no such batch.
"""

from __future__ import annotations

import itertools
import types
import warnings

import numpy as np

from ... import random
from ..py_dataset import PyDataset, warn_single_threaded
from .epoch_batches import RAN_OUT as _RAN_OUT
from .nested_data import rows
from .step_data import pack_x_y_sample_weight

__all__ = ["DatasetBatches", "dataset_batches", "is_dataset"]


def is_dataset(x) -> bool:
    """A PyDataset, a generator or another iterator (not arrays)."""
    return isinstance(x, (PyDataset, types.GeneratorType)) or (
        hasattr(x, "__next__") and not isinstance(x, np.ndarray)
    )


def dataset_batches(model, x, y, sample_weight, class_weight, steps, shuffle, caller):
    """A ``DatasetBatches`` when ``x`` is a PyDataset or a generator, else None (arrays).
    ``caller`` names the method in errors (``fit``, ``evaluate``, ``predict``)."""
    if not is_dataset(x):
        return None
    kind = "PyDataset" if isinstance(x, PyDataset) else "generator"
    for value, name, what in ((y, "y", "the targets"), (sample_weight, "sample_weight",
                              "the sample weights")):  # fmt: skip
        if value is not None:
            raise ValueError(
                f"When providing `x` as a {kind}, `{name}` should not be passed to {caller}(). "
                f"Instead, {what} should be included as part of the {kind}."
            )
    if class_weight is not None and kind == "generator":
        raise ValueError(
            "Argument `class_weight` is not supported for Python generator inputs; yield "
            f"(x, y, sample_weight) batches instead. Received: class_weight={class_weight}"
        )
    return DatasetBatches(model, x, steps, shuffle, class_weight, caller)


class DatasetBatches:
    """One epoch of raw batches per iteration, from a PyDataset or an iterator."""

    def __init__(self, model, source, steps, shuffle, class_weight, caller) -> None:
        self.model, self.class_weight, self.explicit_steps = model, class_weight, steps
        self.dataset = source if isinstance(source, PyDataset) else None
        self.left: list = []  # the indices left in the current pass over the dataset
        self.cursor = 0  # the next index of a dataset without end
        if self.dataset is not None:
            warn_single_threaded(source)
            self.count = source.num_batches
            self.shuffle = bool(shuffle) and self.count is not None
            self.iterator = None
        elif steps is None:  # a finite generator, read once: evaluate and predict take it all
            if caller == "fit":
                raise ValueError(
                    "fit() on a generator needs `steps_per_epoch` (the number of batches in an "
                    "epoch): a generator cannot be rewound for the next epoch"
                )
            self.dataset, self.shuffle, self.iterator = list(source), False, None
            self.count = len(self.dataset)
        else:
            self.count, self.shuffle, self.iterator = None, False, iter(source)
        self.steps = steps if steps is not None else self.count
        if self.steps is None:
            raise ValueError(
                f"{caller}() on a PyDataset without end (num_batches None) needs "
                f"{'steps_per_epoch' if caller == 'fit' else 'steps'}"
            )

    def __len__(self) -> int:
        return self.steps

    def reset(self) -> None:
        """What Keras does to its data when ``fit`` or ``evaluate`` starts: end the epoch."""
        if isinstance(self.dataset, PyDataset):
            self.dataset.on_epoch_end()

    def __iter__(self):
        hooks = self.dataset if isinstance(self.dataset, PyDataset) else None
        if hooks is not None:
            hooks.on_epoch_begin()
        drawn = 0
        for raw in self._draw():
            drawn += 1
            yield raw
        if drawn < self.steps and self.explicit_steps is not None:
            warnings.warn(_RAN_OUT, UserWarning, stacklevel=2)
            if self.iterator is not None:  # (a dataset starts a new pass in the next epoch)
                self.model.stop_training = True
        if hooks is not None:
            hooks.on_epoch_end()

    def _draw(self):
        if self.iterator is not None:
            yield from itertools.islice(self.iterator, self.steps)
            return
        for index in self._indices():
            yield self.dataset[int(index)]

    def _indices(self):
        """This epoch's batch indices: the next ``steps`` of the current pass."""
        if self.count is None:  # a dataset without end: on from where the last epoch ended
            self.cursor += self.steps
            return range(self.cursor - self.steps, self.cursor)
        if not self.left:
            order = random.generator().permutation(self.count) if self.shuffle else None
            self.left = list(range(self.count) if order is None else order)
        taken, self.left = self.left[: self.steps], self.left[self.steps :]
        return taken

    def batch(self, raw) -> tuple:
        """One raw batch as Tensors, checked and cast, packed as ``train_step`` takes it:
        ``x``, ``(x, y)`` or ``(x, y, sample_weight)``."""
        x, y, sample_weight = unpack(raw)
        arrays = self.model._arrays(x, y, sample_weight, self.class_weight)
        tensors = [None if a is None else rows(a, slice(None)) for a in arrays]
        return pack_x_y_sample_weight(*tensors)

    def inputs(self, raw):
        """The inputs of one raw batch as Tensors, for ``predict``."""
        return rows(self.model._input_data(unpack(raw)[0]), slice(None))


def unpack(raw) -> tuple:
    """``(x, y, sample_weight)`` from a batch: ``x`` alone (an array or a dict), or a tuple or
    list of one to three entries."""
    if isinstance(raw, (dict, np.ndarray)):
        return raw, None, None
    if isinstance(raw, (tuple, list)) and 1 <= len(raw) <= 3:
        return (*raw, None, None)[:3]
    raise ValueError(
        "PyDataset.__getitem__() (or a generator) must give a batch as a tuple: (inputs,), "
        "(inputs, targets) or (inputs, targets, sample_weights), or inputs alone as an array "
        f"or a dict. Received: {str(raw)[:100]} of type {type(raw)}"
    )
