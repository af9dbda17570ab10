"""Keras 3's type promotion for ``keras.ops`` results, as it behaves on the torch backend.

Keras promotes as JAX does: bool < ints < floats, with a signed/unsigned pair meeting at the
next wider signed int (uint8 with int8 gives int16), an int meeting a float giving that float
(int64 with float16 is float16), and Python ``int``/``float`` values weak (they take the
other operand's kind and width, and become int32/float32 alone). On the torch backend a 64-bit
result is then narrowed to 32 bits: ``matmul`` of two float64 arrays is float32 there.

>>> result_type("int32", "float16"), result_type("float64", "float64"), result_type(int)
('float16', 'float32', 'int32')
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["result_type", "dtype_name"]

_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32"}


def dtype_name(value) -> str:
    """The dtype's name of a Tensor, array, dtype, dtype string or Python type (``int``)."""
    if value is int or value is float or value is bool:
        return value.__name__
    return _name(getattr(value, "dtype", value))


@functools.cache
def _name(dtype) -> str:
    return np.dtype(dtype).name


def _bits(name: str) -> int:
    return np.dtype(name).itemsize * 8


def _join_ints(a: str, b: str) -> str:
    """The narrowest int holding both: the wider of two signed (or two unsigned) ints; an
    unsigned with a signed goes to a signed int wider than the unsigned one."""
    if (a[0] == "u") == (b[0] == "u"):
        return a if _bits(a) >= _bits(b) else b
    unsigned, signed = (a, b) if a[0] == "u" else (b, a)
    bits = max(_bits(signed), 2 * _bits(unsigned))
    return f"int{bits}" if bits <= 64 else "float32"


def _join(a: str, b: str) -> str:
    """The least upper bound of two concrete dtypes."""
    rank = {"b": 0, "u": 1, "i": 1, "f": 2}
    ka, kb = rank[np.dtype(a).kind], rank[np.dtype(b).kind]
    if ka != kb:
        return a if ka > kb else b
    if ka == 1:
        return _join_ints(a, b)
    return a if _bits(a) >= _bits(b) else b


def _resolve(names: list[str]) -> str:
    concrete = [n for n in names if n not in ("int", "float")]
    weak = {n for n in names if n in ("int", "float")}
    out = concrete[0] if concrete else ("float32" if "float" in weak else "int32")
    for name in concrete[1:]:
        out = _join(out, name)
    if "float" in weak and np.dtype(out).kind != "f":
        out = "float32"
    elif "int" in weak and out == "bool":
        out = "int32"
    return out


def result_type(*values) -> str:
    """Keras's result dtype (a name) for ``values``: Tensors, arrays, dtypes or ``int``/``float``
    (weak Python types); no values gives the float default, float32. This is the one place
    ``keras.ops`` promotes dtypes."""
    try:
        return _KNOWN[values]  # (dtype names and types: the same few tuples at every step)
    except (KeyError, TypeError):  # (TypeError: an unhashable array among the values)
        pass
    out = _result_of_names(tuple(dtype_name(v) for v in values))
    if all(isinstance(v, (str, type)) for v in values):  # (not np.dtype: it equals int)
        _KNOWN[values] = out
    return out


_KNOWN: dict[tuple, str] = {}


@functools.cache  # (the same few tuples of names come at every step)
def _result_of_names(names: tuple[str, ...]) -> str:
    if not names:
        return "float32"
    out = _resolve(list(names))
    return _NARROW.get(out, out)
