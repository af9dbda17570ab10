"""Structures of arrays: the data of a model with several inputs (a list, tuple or dict of
arrays), walked, cast, batched and joined leaf by leaf, never packed into one array, so each
array keeps its dtype (int64 ids beside float32 features).

    >>> data = {"ids": np.array([[3], [1]]), "features": np.zeros((2, 4))}
    >>> batch = rows(floatx(data), np.array([1]))
    >>> {key: (tuple(t.shape), str(t.dtype)) for key, t in batch.items()}
    {'ids': ((1, 1), 'int64'), 'features': ((1, 4), 'float32')}
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.creation import from_numpy

__all__ = [
    "concatenate", "floatx", "is_structure", "map_data", "named_leaves", "num_samples", "rows",
]  # fmt: skip


def is_structure(data) -> bool:
    """A dict, or a list/tuple holding arrays: several arrays, not one array-like of numbers
    (``[[0, 1], [1, 0]]`` is one array; ``[ids, features]`` is two).

    >>> is_structure([[0, 1], [1, 0]]), is_structure([np.zeros(2), np.ones(2)])
    (False, True)
    """
    if isinstance(data, dict):
        return True
    return isinstance(data, (list, tuple)) and any(
        isinstance(item, (np.ndarray, Tensor, dict)) for item in data
    )


def map_data(fn, data, name: str = "x"):
    """``fn(array, its name)`` on each array of ``data``, keeping lists, tuples and dicts;
    ``None`` stays ``None``. Names show where an array sits: ``x['ids']``, ``x[1]``.

    >>> map_data(lambda a, name: name, {"ids": 0, "pair": [np.zeros(1), np.ones(1)]})
    {'ids': "x['ids']", 'pair': ["x['pair'][0]", "x['pair'][1]"]}
    """
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: map_data(fn, item, f"{name}['{key}']") for key, item in data.items()}
    if is_structure(data):
        items = [map_data(fn, item, f"{name}[{i}]") for i, item in enumerate(data)]
        return tuple(items) if isinstance(data, tuple) else items
    return fn(data, name)


def named_leaves(data, name: str) -> list[tuple[str, np.ndarray]]:
    """``(name, array)`` for each array of ``data``, in order (none for ``None``)."""
    found: list = []
    map_data(lambda array, where: found.append((where, array)), data, name)
    return found


def num_samples(data) -> int:
    """The number of samples: the length of the first array (all agree once checked)."""
    return len(named_leaves(data, "")[0][1])


def floatx(data):
    """float64 arrays as float32, Keras's ``floatx``, cast once for every batch; other
    dtypes (integer ids, bool masks, float16) stay as they are."""
    return map_data(lambda a, _: a.astype(np.float32) if a.dtype == np.float64 else a, data)


def rows(data, index):
    """The rows ``index`` (a slice or an index array) of an array, or of every array of a
    structure, as Tensors holding their own copy (the data was checked and cast when the call
    started: nothing is checked per batch)."""
    if type(data) is np.ndarray:  # the usual case, first: it runs on every batch
        part = data[index]
        return from_numpy(part.copy() if type(index) is slice else part)
    return map_data(lambda a, _: rows(a, index), data)


def concatenate(batches: list):
    """Per-batch outputs (arrays, or structures of arrays) joined along the samples."""
    first = batches[0]
    if isinstance(first, dict):
        return {key: concatenate([b[key] for b in batches]) for key in first}
    if isinstance(first, (list, tuple)):
        joined = [concatenate([b[i] for b in batches]) for i in range(len(first))]
        return tuple(joined) if isinstance(first, tuple) else joined
    return np.concatenate(batches)
