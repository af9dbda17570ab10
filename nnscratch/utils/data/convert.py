"""``default_convert``: what a DataLoader applies to each sample when it does not batch.

>>> import numpy as np
>>> out = default_convert({"x": np.zeros(2), "label": 3})
>>> type(out["x"]).__name__, out["label"]
('Tensor', 3)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ...ops.creation import from_numpy

__all__ = ["default_convert"]


def default_convert(data):
    """NumPy arrays and NumPy scalars in ``data`` become tensors, as torch's
    ``default_convert``; arrays of strings or objects, Python numbers, strings and tensors
    stay as they are. Dicts keep their keys, namedtuples their type; other tuples become
    lists and lists stay lists (torch's rule).

    >>> default_convert((np.float32(1.5), "a", [np.arange(2)]))[2][0].tolist()
    [0, 1]
    """
    if isinstance(data, (np.ndarray, np.generic)):
        if np.asarray(data).dtype.kind in "SUOV":
            return data
        return from_numpy(np.array(data))  # np.array: a scalar becomes a 0-d array
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, Sequence):
        return [default_convert(d) for d in data]
    return data
