"""``standardize_dtype`` and ``is_keras_tensor``: small type questions layers ask."""

from __future__ import annotations

__all__ = ["is_keras_tensor", "standardize_dtype"]

# Keras's names for Python's types (torch backend: ``int`` is int32).
_PYTHON = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
           complex: "complex64"}  # fmt: skip
_ALLOWED = (
    "float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16",
    "int32", "int64", "bfloat16", "bool", "string", "complex64", "complex128",
)  # fmt: skip


def standardize_dtype(dtype) -> str:
    """Keras's name for ``dtype``: ``None`` -> ``"float32"``, ``float`` -> ``"float32"``,
    ``np.int64`` / ``np.dtype("int64")`` / an nnscratch dtype -> ``"int64"``.

    >>> import numpy as np
    >>> standardize_dtype(None), standardize_dtype(int), standardize_dtype(np.float64)
    ('float32', 'int32', 'float64')
    """
    if dtype is None:
        return "float32"
    name = _PYTHON.get(dtype, dtype) if _hashable(dtype) else dtype
    if hasattr(name, "name"):
        name = name.name
    elif hasattr(name, "__name__"):
        name = name.__name__
    elif "torch" in str(name):
        name = str(name).split(".")[-1]
    if name not in _ALLOWED:
        raise ValueError(f"Invalid dtype: {dtype}; expected one of {sorted(_ALLOWED)}")
    return name


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def is_keras_tensor(x) -> bool:
    """True for the symbolic tensors of the functional API (``keras.Input(...)`` and what
    layers return when called on one), False for data.

    >>> import numpy as np
    >>> from nnscratch import keras
    >>> is_keras_tensor(keras.Input(shape=(2,))), is_keras_tensor(np.zeros(2))
    (True, False)
    """
    from ..layers.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)
