"""A data loader as ``fit``, ``evaluate`` and ``predict`` input, as Keras 3 takes a
``torch.utils.data.DataLoader`` on its torch backend.

Users of nnscratch write ``import nnscratch as torch``, so ``nnscratch.utils.data.DataLoader``
is the loader they pass (a real torch DataLoader works too, and so does any other re-iterable
with a length that is not array data). Each ``iter(loader)`` is one pass; ``len(loader)``
is its number of batches. Each batch is ``x`` alone, or a list or tuple ``(x,)``, ``(x, y)``
or ``(x, y, sample_weight)`` (a ``TensorDataset``'s loader gives lists), which the step
unpacks as Keras does, a list as a tuple. The step receives the batch in the container it
came in, as on Keras's torch backend, its Tensors checked and cast as arrays are
(``model._arrays``), so a batch of NaN stops with the same error.

``steps`` (``steps_per_epoch``) runs one pass across epochs as for arrays
(``epoch_batches.py``). The loader shuffles itself: ``shuffle=True`` warns that it is ignored,
as Keras does (``fit``'s default included).

>>> import numpy as np, nnscratch as torch
>>> from nnscratch import keras
>>> a = np.ones((10, 3), "float32")
>>> loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
...     torch.from_numpy(a), torch.from_numpy(a[:, :1])), batch_size=4)
>>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
>>> model.compile(loss="mse")
>>> len(model.fit(loader, epochs=2, verbose=0, shuffle=False).history["loss"])
2
"""

from __future__ import annotations

import warnings

import numpy as np

from ...autograd.tensor import Tensor
from ...utils.data import DataLoader
from ..py_dataset import PyDataset
from .epoch_batches import EpochBatches
from .nested_data import rows

__all__ = ["LoaderBatches", "is_loader", "loader_batches"]


def is_loader(x) -> bool:
    """A DataLoader, or another re-iterable with a length that is not array data (arrays,
    Tensors, lists, tuples and dicts of them, anything with ``__array__``) nor a PyDataset or
    an iterator (``dataset_batches.py``)."""
    if isinstance(x, DataLoader):
        return True
    not_a_loader = (np.ndarray, Tensor, list, tuple, dict, str, bytes, PyDataset)
    if isinstance(x, not_a_loader) or hasattr(x, "__next__") or hasattr(x, "__array__"):
        return False
    return hasattr(x, "__iter__") and hasattr(x, "__len__")


def loader_batches(model, x, y, sample_weight, class_weight, steps, shuffle, caller):
    """A ``LoaderBatches`` when ``x`` is a data loader, else None. ``caller`` names the method
    in errors (``fit``, ``evaluate``, ``predict``)."""
    if not is_loader(x):
        return None
    for value, name in ((y, "y"), (sample_weight, "sample_weight")):
        if value is not None:
            raise ValueError(
                f"{caller}() takes a data loader `x` with its batches as (x, y) or (x, y, "
                f"sample_weight): `{name}` should not be passed, received {type(value).__name__}"
            )
    if class_weight is not None:
        raise ValueError(
            f"{caller}() does not take `class_weight` with a data loader: make its batches "
            f"(x, y, sample_weight) instead. Received: class_weight={class_weight}"
        )
    if shuffle:
        warnings.warn(
            f"{caller}(shuffle=True) is ignored for a data loader `x`: the loader shuffles "
            "its batches itself (DataLoader(..., shuffle=True))",
            UserWarning,
            stacklevel=5,  # (at the fit, evaluate or predict call)
        )
    try:
        return LoaderBatches(model, x, steps)
    except TypeError:  # len() of a loader over a dataset without a length
        raise ValueError(
            f"{caller}() needs to know how many batches a data loader makes: "
            f"{type(x).__name__} has no len() (its dataset has no __len__)"
        ) from None


class LoaderBatches(EpochBatches):
    """A loader's batches, epoch by epoch, turned into what a step receives (``batch``) or
    what ``predict`` feeds the model (``inputs``)."""

    def __init__(self, model, loader, steps) -> None:
        super().__init__(loader, steps)
        self.model = model

    def batch(self, raw):
        """One raw batch as Tensors, checked and cast, in its own container: ``x``, or a list
        or tuple of ``x``, ``y`` and ``sample_weight``."""
        parts = _parts(raw)
        arrays = self.model._arrays(*(*parts, None, None)[:3], None)
        tensors = [None if a is None else rows(a, slice(None)) for a in arrays]
        if not isinstance(raw, (list, tuple)):
            return tensors[0]
        return (list if isinstance(raw, list) else tuple)(tensors[: len(parts)])

    def inputs(self, raw):
        """The inputs of one raw batch as Tensors, for ``predict``."""
        return rows(self.model._input_data(_parts(raw)[0]), slice(None))


def _parts(raw) -> tuple:
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` from one batch."""
    if not isinstance(raw, (list, tuple)):
        return (raw,)
    if not 1 <= len(raw) <= 3:
        raise ValueError(
            "A data loader's batch should be x, or a list or tuple (x,), (x, y) or (x, y, "
            f"sample_weight): received a {type(raw).__name__} of {len(raw)}"
        )
    return tuple(raw)
