"""Argument checks for the nn, core, math and linalg parts of ``keras.ops``: each error names
the ``keras.ops`` function, what it expected and what it received.

>>> tensor_arg([1.0, 2.0], "relu").dtype
dtype('float32')
>>> tensor_arg("abc", "relu")
Traceback (most recent call last):
...
TypeError: keras.ops.relu: expected x to be a tensor, an array or a number, received str 'abc'
"""

from __future__ import annotations

import numpy as np

from nnscratch.autograd.tensor import Tensor

from .conversion import as_tensor, is_tensor_like

__all__ = [
    "tensor_arg", "float_tensor", "axes_arg", "spatial_tuple", "data_format_arg",
]  # fmt: skip


def tensor_arg(value, name: str, arg: str = "x", dtype=None) -> Tensor:
    """``value`` as a Tensor (Keras's dtype rules), or a TypeError naming ``keras.ops.<name>``."""
    if not is_tensor_like(value) or isinstance(value, str):
        raise TypeError(
            f"keras.ops.{name}: expected {arg} to be a tensor, an array or a number, "
            f"received {type(value).__name__} {value!r:.60}"
        )
    return as_tensor(value, dtype)


def float_tensor(value, name: str, arg: str = "x") -> Tensor:
    """``value`` as a Tensor, with integers and bools cast to float32 (as Keras's float ops do)."""
    t = tensor_arg(value, name, arg)
    return t if t.dtype.kind == "f" else t.to(np.dtype("float32"))


def axes_arg(axis, ndim: int, name: str) -> tuple[int, ...]:
    """``axis`` (an int, a sequence of ints, or None for all) as sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not isinstance(a, (int, np.integer)) or not -ndim <= a < max(ndim, 1):
            raise ValueError(
                f"keras.ops.{name}: axis {a!r} is out of range for a tensor of rank {ndim}"
            )
    return tuple(sorted(int(a) % max(ndim, 1) for a in axes))


def spatial_tuple(value, n: int, name: str, arg: str) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints (pool sizes, strides, dilations) as a tuple."""
    values = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != n or not all(isinstance(v, (int, np.integer)) and v > 0 for v in values):
        raise ValueError(
            f"keras.ops.{name}: expected {arg} to be a positive int or {n} positive ints, "
            f"received {value!r}"
        )
    return tuple(int(v) for v in values)


def data_format_arg(data_format, name: str) -> str:
    """Keras's ``data_format``: None means "channels_last" (the Keras default)."""
    data_format = "channels_last" if data_format is None else str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"keras.ops.{name}: expected data_format 'channels_last' or 'channels_first', "
            f"received {data_format!r}"
        )
    return data_format
