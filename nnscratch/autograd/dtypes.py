"""Data types: torch's defaults (float32) and torch's type-promotion rules, on NumPy dtypes."""

from __future__ import annotations

import numpy as np

from ..errors import InputError, InputTypeError

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")

_default_float = float32

# torch ranks operands by category: bool < integer < floating.
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}
_PYTHON_CATEGORY = {bool: 0, int: 1, float: 2}


def get_default_dtype() -> np.dtype:
    """The dtype that Python floats become (float32 unless changed)."""
    return _default_float


def set_default_dtype(dtype) -> None:
    """Make Python floats become ``dtype`` (float32 or float64)."""
    global _default_float
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype expects a floating dtype, received {dtype}")
    _default_float = dtype


def to_dtype(dtype) -> np.dtype:
    """Normalise ``float``, ``"float32"``, ``np.float32`` or a dtype to a supported ``np.dtype``."""
    if dtype is float:
        return _default_float
    try:
        result = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"expected a dtype such as nnscratch.float32, received {dtype!r}") from None
    if result.kind not in _CATEGORY:
        raise TypeError(f"unsupported dtype {result}: expected a bool, integer or float dtype")
    return result


def as_array(data, dtype=None) -> np.ndarray:
    """Copy ``data`` into a new array the way ``torch.tensor`` does.

    Python floats become the default float dtype (float32); NumPy arrays keep their dtype.
    """
    if dtype is not None:
        return np.array(data, dtype=to_dtype(dtype))
    try:
        array = np.array(data)
    except ValueError as error:  # NumPy's "inhomogeneous shape": a ragged nested list
        raise InputError(
            f"cannot make a tensor from a ragged nested list: every row must have the same "
            f"length ({error})"
        ) from None
    if array.dtype.kind not in _CATEGORY:
        raise InputTypeError(
            f"cannot make a tensor from {type(data).__name__} holding {array.dtype}: "
            "expected numbers, bools, nested lists of them, or a numeric array"
        )
    if array.dtype == float64 and not isinstance(data, (np.ndarray, np.generic)):
        return array.astype(_default_float)
    return array


def _category(dtype: np.dtype) -> int:
    return _CATEGORY[dtype.kind]


def result_type(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """torch's result dtype for two arrays: dimensioned operands outrank 0-dim ones."""
    ca, cb = _category(a.dtype), _category(b.dtype)
    if (a.ndim == 0) != (b.ndim == 0):
        # A 0-dim operand only decides the dtype when it is of a higher category.
        low, high = (a, b) if a.ndim == 0 else (b, a)
        return low.dtype if _category(low.dtype) > _category(high.dtype) else high.dtype
    if ca != cb:
        return a.dtype if ca > cb else b.dtype
    return np.promote_types(a.dtype, b.dtype)


def _promote_scalar(array: np.ndarray, scalar):
    """A Python scalar never widens a tensor; it only lifts its category (int + 0.5 -> float32)."""
    category = _PYTHON_CATEGORY.get(type(scalar))
    if category is None:
        raise TypeError(
            f"unsupported operand of type {type(scalar).__name__}: expected a Tensor, "
            "a NumPy array or a Python number"
        )
    if category > _category(array.dtype):
        kind = type(scalar)
        target = _default_float if kind is float else int64
        return array.astype(target), scalar
    return array, scalar


def promote(a, b):
    """Cast two operands (arrays or Python scalars) to torch's common dtype.

    >>> x, y = promote(np.ones(2, np.float32), np.ones((), np.float64))
    >>> x.dtype, y.dtype
    (dtype('float32'), dtype('float32'))
    """
    if type(a) is np.ndarray:  # the hot path: two arrays, or an array and a Python number
        if type(b) is np.ndarray:
            if a.dtype is b.dtype:
                return a, b
        elif (type(b) is float or type(b) is int) and a.dtype.kind == "f":
            return a, b
    elif type(b) is np.ndarray and (type(a) is float or type(a) is int) and b.dtype.kind == "f":
        return a, b
    if isinstance(a, np.generic):
        a = a.item()
    if isinstance(b, np.generic):
        b = b.item()
    a_array, b_array = isinstance(a, np.ndarray), isinstance(b, np.ndarray)
    if a_array and b_array:
        if a.dtype == b.dtype:
            return a, b
        dtype = result_type(a, b)
        return a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    if a_array:
        return _promote_scalar(a, b)
    if b_array:
        b, a = _promote_scalar(b, a)
        return a, b
    return np.asarray(a, dtype=_scalar_dtype(a)), b


def _scalar_dtype(value) -> np.dtype:
    return {bool: bool_, int: int64}.get(type(value), _default_float)


# torch's legacy type names, as ``Tensor.type()`` prints them and accepts them.
_TYPE_NAMES = {
    float16: "HalfTensor", float32: "FloatTensor", float64: "DoubleTensor", int8: "CharTensor",
    uint8: "ByteTensor", int16: "ShortTensor", int32: "IntTensor", int64: "LongTensor",
    bool_: "BoolTensor",
}  # fmt: skip


def tensor_type_name(dtype: np.dtype) -> str:
    """torch's name for a CPU tensor of ``dtype``: ``'torch.FloatTensor'`` for float32."""
    return "torch." + _TYPE_NAMES[np.dtype(dtype)]


def from_tensor_type_name(name: str) -> np.dtype:
    """The dtype a type name such as ``'torch.DoubleTensor'`` stands for."""
    short = name.removeprefix("torch.")
    for dtype, type_name in _TYPE_NAMES.items():
        if type_name == short:
            return dtype
    raise TypeError(
        f"Tensor.type: unknown type name {name!r}; expected one of "
        + ", ".join(f"'torch.{n}'" for n in _TYPE_NAMES.values())
        + " (GPU types such as 'torch.cuda.FloatTensor' are not available: nnscratch "
        "computes on the CPU)"
    )
