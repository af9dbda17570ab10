"""Turning what a ``keras.ops`` function is given into nnscratch Tensors, with Keras's dtype
rules for plain Python values.

Keras's ``convert_to_tensor`` keeps a NumPy array's or a Tensor's dtype, and gives Python
floats the default float type (``float32``), Python ints ``int32`` and Python bools ``bool``.
Lists of numbers follow the same rule: ``[1.0, 2.0]`` is float32, ``[1, 2]`` int32.

>>> [as_tensor(v).dtype.name for v in (1.5, [1, 2], np.zeros(2))]
['float32', 'int32', 'float64']
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.dtypes import to_dtype
from nnscratch.autograd.tensor import Tensor

__all__ = ["as_tensor", "is_tensor_like", "python_dtype"]


def python_dtype(value) -> str | None:
    """Keras's dtype for a Python value (a number, or a nested list of them), or None for
    anything else (an array keeps its own dtype)."""
    if isinstance(value, (bool, np.bool_)) and not isinstance(value, np.generic):
        return "bool"
    if isinstance(value, (list, tuple)):
        flat = np.asarray(value)
        if flat.dtype.kind == "b":
            return "bool"
        if flat.dtype.kind in "iu":
            return "int32"
        if flat.dtype.kind == "f":
            return "float32"
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int32"
    if isinstance(value, float):
        return "float32"
    return None


def as_tensor(value, dtype=None) -> Tensor:
    """``value`` as an nnscratch Tensor: a Tensor passes through (cast when ``dtype`` says so),
    an array keeps its dtype, a Python value takes Keras's (module docstring)."""
    if isinstance(value, Tensor):
        return value if dtype is None else value.to(to_dtype(dtype))
    dtype = dtype if dtype is not None else python_dtype(value)
    array = np.asarray(value)
    if dtype is not None:
        array = array.astype(to_dtype(dtype), copy=False)
    return ns.from_numpy(np.require(array, requirements="C"))


def is_tensor_like(value) -> bool:
    """True for what ``as_tensor`` takes as data: Tensors, arrays, numbers and lists."""
    return isinstance(value, (Tensor, np.ndarray, np.generic, int, float, bool, list, tuple))
