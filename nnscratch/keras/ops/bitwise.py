"""``keras.ops`` elementwise ops without a useful gradient: bitwise and logical operators,
comparisons, tests of values (``isnan``...), rounding and other steps (``floor``, ``sign``,
``heaviside``), and the complex-number ops, which on nnscratch's real tensors are the tensor
itself (``real``, ``conj``) or a step (``angle``, ``imag``).

Bitwise operators and ``gcd``/``lcm`` take integer or bool tensors and follow torch's
promotion (``int32 & int64`` is int64); comparisons and tests give ``bool``. Rounding keeps
its zero gradient (torch's); integer and bool results carry none.

>>> less(np.array([1, 5]), 3).tolist()
[True, False]
"""

from __future__ import annotations

import math

import numpy as np

import nnscratch as ns
from nnscratch.autograd.dtypes import promote

from .conversion import as_tensor
from .dtype_rules import result_type
from .elementwise import cast, dtype_of, is_float, to_float
from .symbolic import symbolic

__all__ = [
    "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "equal", "gcd", "greater", "greater_equal", "isclose",
    "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal", "lcm", "left_shift", "less",
    "less_equal", "logical_and", "logical_not", "logical_or", "logical_xor", "not_equal",
    "right_shift", "signbit", "floor", "ceil", "round", "trunc", "sign", "floor_divide",
    "heaviside", "nextafter", "real", "imag", "conj", "conjugate", "angle",
]  # fmt: skip


def _integers(name: str, *tensors) -> list[np.ndarray]:
    """The operands' data, promoted as torch promotes them; floats are refused."""
    arrays = [as_tensor(t).detach().numpy() for t in tensors]
    for a in arrays:
        if a.dtype.kind == "f":
            raise TypeError(f"{name}: expected integer or bool tensors, received {a.dtype}")
    return list(promote(*arrays)) if len(arrays) == 2 else arrays


def _new(array) -> ns.Tensor:
    return as_tensor(np.asarray(array))


def _array(x, dtype=None) -> np.ndarray:
    """The data of ``x`` (for integer-, bool- or step-valued results, which need no graph)."""
    return as_tensor(x, dtype).detach().numpy()


# Bitwise operators.


@symbolic
def bitwise_and(x, y):
    """Bitwise AND (logical AND for bools)."""
    return _new(np.bitwise_and(*_integers("bitwise_and", x, y)))


@symbolic
def bitwise_or(x, y):
    """Bitwise OR."""
    return _new(np.bitwise_or(*_integers("bitwise_or", x, y)))


@symbolic
def bitwise_xor(x, y):
    """Bitwise exclusive OR."""
    return _new(np.bitwise_xor(*_integers("bitwise_xor", x, y)))


@symbolic
def bitwise_invert(x):
    """Bitwise NOT: ``~x`` (``-x - 1`` for signed ints, ``not x`` for bools)."""
    return _new(np.invert(*_integers("bitwise_invert", x)))


@symbolic
def bitwise_not(x):
    """Same as ``bitwise_invert``."""
    return bitwise_invert(x)


def _shift(name: str, ufunc, x, y):
    if isinstance(y, int) and not isinstance(y, bool):
        (a,) = _integers(name, x)
        a = a.astype(np.int64) if a.dtype == bool else a  # torch shifts a bool by an int as int64
        return _new(ufunc(a, np.asarray(y, dtype=a.dtype)))
    a, b = _integers(name, x, y)
    if a.dtype == bool:
        raise TypeError(f"{name}: cannot shift bool tensors")
    return _new(ufunc(a, b))


@symbolic
def bitwise_left_shift(x, y):
    """``x << y``: multiply by ``2 ** y``."""
    return _shift("bitwise_left_shift", np.left_shift, x, y)


@symbolic
def left_shift(x, y):
    """Same as ``bitwise_left_shift``."""
    return _shift("left_shift", np.left_shift, x, y)


@symbolic
def bitwise_right_shift(x, y):
    """``x >> y``: floor-divide by ``2 ** y``."""
    return _shift("bitwise_right_shift", np.right_shift, x, y)


@symbolic
def right_shift(x, y):
    """Same as ``bitwise_right_shift``."""
    return _shift("right_shift", np.right_shift, x, y)


@symbolic
def gcd(x1, x2):
    """Greatest common divisor of integers (non-negative)."""
    a, b = _integers("gcd", x1, x2)
    if a.dtype == bool:
        raise TypeError("gcd: expected integer tensors, received bool")
    return _new(np.gcd(a, b))


@symbolic
def lcm(x1, x2):
    """Least common multiple of integers (non-negative)."""
    a, b = _integers("lcm", x1, x2)
    if a.dtype == bool:
        raise TypeError("lcm: expected integer tensors, received bool")
    return _new(np.lcm(a, b))


# Logical operators: any nonzero value is true.


@symbolic
def logical_and(x1, x2):
    """``x1 and x2``, elementwise."""
    return ns.logical_and(as_tensor(x1), as_tensor(x2))


@symbolic
def logical_or(x1, x2):
    """``x1 or x2``, elementwise."""
    return ns.logical_or(as_tensor(x1), as_tensor(x2))


@symbolic
def logical_xor(x1, x2):
    """Exactly one of ``x1``, ``x2`` true."""
    return ns.logical_xor(as_tensor(x1), as_tensor(x2))


@symbolic
def logical_not(x):
    """``not x``, elementwise."""
    return ns.logical_not(as_tensor(x))


# Comparisons.


@symbolic
def equal(x1, x2):
    """``x1 == x2``."""
    return ns.eq(as_tensor(x1), as_tensor(x2))


@symbolic
def not_equal(x1, x2):
    """``x1 != x2``."""
    return ns.ne(as_tensor(x1), as_tensor(x2))


@symbolic
def greater(x1, x2):
    """``x1 > x2``."""
    return ns.gt(as_tensor(x1), as_tensor(x2))


@symbolic
def greater_equal(x1, x2):
    """``x1 >= x2``."""
    return ns.ge(as_tensor(x1), as_tensor(x2))


@symbolic
def less(x1, x2):
    """``x1 < x2``."""
    return ns.lt(as_tensor(x1), as_tensor(x2))


@symbolic
def less_equal(x1, x2):
    """``x1 <= x2``."""
    return ns.le(as_tensor(x1), as_tensor(x2))


@symbolic
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """``|x1 - x2| <= atol + rtol * |x2|`` in Keras's common dtype (ints: exact equality)."""
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    a, b = as_tensor(x1, dtype).detach().numpy(), as_tensor(x2, dtype).detach().numpy()
    if "float" not in dtype:
        return _new(np.equal(a, b))
    return _new(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


# Tests of values.


@symbolic
def isnan(x):
    """True where ``x`` is NaN."""
    return ns.isnan(as_tensor(x))


@symbolic
def isinf(x):
    """True where ``x`` is infinite."""
    return ns.isinf(as_tensor(x))


@symbolic
def isfinite(x):
    """True where ``x`` is neither infinite nor NaN."""
    return ns.isfinite(as_tensor(x))


@symbolic
def isposinf(x):
    """True where ``x`` is ``+inf``."""
    return _new(np.isposinf(as_tensor(x).detach().numpy()))


@symbolic
def isneginf(x):
    """True where ``x`` is ``-inf``."""
    return _new(np.isneginf(as_tensor(x).detach().numpy()))


@symbolic
def isreal(x):
    """True everywhere: nnscratch tensors are real."""
    return _new(np.ones(as_tensor(x).shape, dtype=bool))


@symbolic
def signbit(x):
    """True where the sign bit is set (negative numbers and ``-0.0``)."""
    data = as_tensor(x).detach().numpy()
    return _new(np.signbit(data.astype(np.int8) if data.dtype == bool else data))


# Rounding and other steps: their gradient is zero.


@symbolic
def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in Keras's result dtype; piecewise constant, so no gradient."""
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    out = np.floor_divide(_array(x1), _array(x2))
    return as_tensor(np.asarray(out), dtype)


@symbolic
def sign(x):
    """-1, 0 or 1 by the sign of ``x`` (gradient 0)."""
    return ns.sign(as_tensor(x))


def _round_dtype(x: ns.Tensor) -> str:
    """floor/ceil's dtype: float16 stays, everything else becomes float32 in Keras on torch."""
    return "float16" if dtype_of(x) == "float16" else "float32"


@symbolic
def floor(x):
    """Largest integer ``<= x``, as a float."""
    x = as_tensor(x)
    return ns.floor(cast(x, _round_dtype(x)))


@symbolic
def ceil(x):
    """Smallest integer ``>= x``, as a float."""
    x = as_tensor(x)
    return cast(ns.ceil(x if is_float(x) else cast(x, "float32")), _round_dtype(x))


@symbolic
def round(x, decimals=0):
    """Round half to even at ``decimals`` places; ints keep their dtype."""
    x = as_tensor(x)
    if is_float(x):
        return ns.round(x, decimals=decimals)
    return cast(ns.round(cast(x, "float32"), decimals=decimals), dtype_of(x))


@symbolic
def trunc(x):
    """Round towards zero."""
    x = as_tensor(x)
    return x if not is_float(x) else ns.trunc(x)


@symbolic
def heaviside(x1, x2):
    """Step function: 0 for ``x1 < 0``, 1 for ``x1 > 0``, ``x2`` where ``x1 == 0``; no
    gradient (torch has none)."""
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    if dtype not in ("bool", "float16", "float32"):
        dtype = "float64" if dtype == "int64" else "float32"
    out = np.heaviside(_array(x1, dtype), _array(x2, dtype))
    return as_tensor(np.asarray(out), dtype)


@symbolic
def nextafter(x1, x2):
    """The next representable float64 after ``x1`` towards ``x2``, in Keras's float dtype."""
    dtype = result_type(dtype_of(x1), dtype_of(x2), float)
    out = np.nextafter(_array(x1, "float64"), _array(x2, "float64"))
    return as_tensor(np.asarray(out), dtype)


# Complex parts of real tensors.


@symbolic
def real(x):
    """The real part: a real tensor itself."""
    return as_tensor(x)


@symbolic
def imag(x):
    """The imaginary part: zeros for a real tensor."""
    return ns.zeros_like(as_tensor(x))


@symbolic
def conj(x):
    """The complex conjugate: a real tensor itself."""
    return as_tensor(x)


@symbolic
def conjugate(x):
    """Same as ``conj``."""
    return conj(x)


@symbolic
def angle(x):
    """The argument of ``x``: ``pi`` for negative reals, else 0 (NaN stays NaN; gradient 0)."""
    x = to_float(x)
    flat = ns.mul(ns.sign(x), 0.0)  # 0, or NaN for NaN; carries a zero gradient
    return ns.add(flat, ns.where(ns.lt(x, 0), ns.full_like(x, math.pi), ns.zeros_like(x)))
