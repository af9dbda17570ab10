"""``keras.ops`` elementwise maths, in this order: arithmetic and powers, extremes and
clipping, exponentials and logarithms (trigonometry is in ``trigonometry.py``).

Each function composes nnscratch's differentiable ops on ``as_tensor``'s tensors. Dtypes are
those of ``keras.ops`` on torch: float maths of ints gives float32, a Python number never
widens a tensor, and ops that Keras types with its ``result_type`` (``maximum``,
``arctan2``...) narrow 64-bit results to 32-bit, as Keras does on torch.

>>> maximum(np.array([1.0, 5.0]), 3).tolist()
[3.0, 5.0]
"""

from __future__ import annotations

import functools
import math

import numpy as np

import nnscratch as ns
from nnscratch.autograd.dtypes import to_dtype
from nnscratch.autograd.tensor import Tensor

from .conversion import as_tensor, python_dtype
from .dtype_rules import result_type
from .symbolic import symbolic

__all__ = [
    "abs", "absolute", "add", "cbrt", "clip", "divide", "divide_no_nan", "exp", "exp2", "expm1",
    "fabs", "fmax", "fmin", "fmod", "ldexp", "log", "log10", "log1p", "log2", "logaddexp",
    "logaddexp2", "maximum", "minimum", "mod", "multiply", "nan_to_num", "negative", "power",
    "reciprocal", "sqrt", "square", "subtract", "true_divide",
]  # fmt: skip


@functools.cache
def _name(dtype) -> str:
    return np.dtype(dtype).name


def dtype_of(value) -> str | type:
    """A tensor's dtype name, or the type ``int``/``float`` for a Python number (weak)."""
    if isinstance(value, Tensor):
        return _name(value.dtype)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return type(value)
    return python_dtype(value) or _name(np.asarray(value).dtype)


def cast(x, dtype: str) -> Tensor:
    """``x`` as a tensor of ``dtype`` (differentiable; no copy when it already is one)."""
    if not isinstance(x, Tensor):
        return as_tensor(x, dtype)
    return x if _name(x.dtype) == dtype else x.to(to_dtype(dtype))


is_float = Tensor.is_floating_point  # is_float(x): x holds floats


def to_float(x) -> Tensor:
    """``x`` as a tensor, ints and bools cast to float32 (torch's float maths of ints)."""
    x = as_tensor(x)
    return x if is_float(x) else cast(x, "float32")


def promote_pair(x1, x2, *extra) -> tuple[Tensor, Tensor]:
    """Both operands cast to Keras's ``result_type`` of them (and ``extra``)."""
    dtype = result_type(dtype_of(x1), dtype_of(x2), *extra)
    return cast(x1, dtype), cast(x2, dtype)


def _no_bool(x: Tensor, dtype="int32") -> Tensor:
    return cast(x, dtype) if dtype_of(x) == "bool" else x


@symbolic
def add(x1, x2):
    """``x1 + x2`` with torch's promotion (a Python number never widens a tensor)."""
    return ns.add(as_tensor(x1), as_tensor(x2))


@symbolic
def subtract(x1, x2):
    """``x1 - x2``; a bool operand takes the other's dtype."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    return ns.sub(_no_bool(x1, x2.dtype), _no_bool(x2, x1.dtype))


@symbolic
def multiply(x1, x2):
    """``x1 * x2``."""
    return ns.mul(as_tensor(x1), as_tensor(x2))


@symbolic
def divide(x1, x2):
    """True division ``x1 / x2``: ints divide to float32."""
    return ns.div(as_tensor(x1), as_tensor(x2))


true_divide = divide  # Keras's other name for it (NumPy's)


@symbolic
def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 where ``x2 == 0``, in a float dtype."""
    x1, x2 = promote_pair(x1, x2, float)
    zero = ns.eq(x2, 0)
    return ns.where(zero, ns.zeros_like(x1), ns.div(x1, ns.where(zero, ns.ones_like(x2), x2)))


def _remainder_operands(x1, x2) -> tuple[Tensor, Tensor]:
    """``x1, x2`` as tensors; two bools divide as int32 (as Keras's remainders do)."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    if dtype_of(x1) == dtype_of(x2) == "bool":
        x1, x2 = cast(x1, "int32"), cast(x2, "int32")
    return x1, x2


@symbolic
def mod(x1, x2):
    """Remainder with the sign of the divisor (Python's ``%``)."""
    return ns.remainder(*_remainder_operands(x1, x2))


@symbolic
def fmod(x1, x2):
    """Remainder with the sign of the dividend (C's ``fmod``)."""
    return ns.fmod(*_remainder_operands(x1, x2))


@symbolic
def negative(x):
    """``-x``."""
    return ns.neg(as_tensor(x))


@symbolic
def power(x1, x2):
    """``x1 ** x2``."""
    return ns.pow(as_tensor(x1), as_tensor(x2))


@symbolic
def reciprocal(x):
    """``1 / x``."""
    return ns.reciprocal(to_float(x))


@symbolic
def square(x):
    """``x * x`` (bools square as int32)."""
    return ns.square(_no_bool(as_tensor(x)))


@symbolic
def sqrt(x):
    """Square root."""
    return ns.sqrt(to_float(x))


@symbolic
def cbrt(x):
    """Real cube root: ``sign(x) * |x| ** (1/3)`` (int64 gives float64)."""
    x = as_tensor(x)
    x = cast(x, "float64") if dtype_of(x) == "int64" else to_float(x)
    return ns.mul(ns.sign(x), ns.pow(ns.abs(x), 1.0 / 3.0))


@symbolic
def maximum(x1, x2):
    """Elementwise larger value (NaN wins) in Keras's result dtype."""
    return ns.maximum(*promote_pair(x1, x2))


@symbolic
def minimum(x1, x2):
    """Elementwise smaller value (NaN wins) in Keras's result dtype."""
    return ns.minimum(*promote_pair(x1, x2))


@symbolic
def fmax(x1, x2):
    """Elementwise larger value, ignoring a NaN on one side."""
    x1, x2 = promote_pair(x1, x2)
    if not is_float(x1):
        return ns.maximum(x1, x2)
    return ns.where(ns.isnan(x2), x1, ns.where(ns.isnan(x1), x2, ns.maximum(x1, x2)))


@symbolic
def fmin(x1, x2):
    """Elementwise smaller value, ignoring a NaN on one side."""
    x1, x2 = promote_pair(x1, x2)
    if not is_float(x1):
        return ns.minimum(x1, x2)
    return ns.where(ns.isnan(x2), x1, ns.where(ns.isnan(x1), x2, ns.minimum(x1, x2)))


@symbolic
def clip(x, x_min, x_max):
    """``x`` limited to ``[x_min, x_max]``, in torch's promoted dtype of the three (the
    gradient passes where ``x`` is within the bounds, the bounds included)."""
    x = _no_bool(as_tensor(x))
    lo, hi = as_tensor(x_min), as_tensor(x_max)
    # torch's promotion of the three, found on one-element stand-ins (0-d stays 0-d)
    probes = [ns.zeros(() if t.ndim == 0 else (1,), dtype=t.dtype) for t in (x, lo, hi)]
    dtype = ns.add(ns.add(probes[0], probes[1]), probes[2]).dtype
    x = x.to(dtype)
    if np.ndim(x_min) == 0 and np.ndim(x_max) == 0 and lo.numel() == hi.numel() == 1:
        return ns.clamp(x, lo.item(), hi.item())
    return ns.minimum(ns.maximum(x, lo.to(dtype)), hi.to(dtype))


@symbolic
def abs(x):
    """``|x|`` (bools are returned as they are)."""
    x = as_tensor(x)
    return x if dtype_of(x) == "bool" else ns.abs(x)


absolute = abs  # Keras's other name for it (NumPy's)


@symbolic
def fabs(x):
    """``|x|`` as a float (ints give float32)."""
    return ns.abs(to_float(x))


@symbolic
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN replaced by ``nan``, infinities by ``posinf``/``neginf`` (default: the dtype's
    largest finite values)."""
    return ns.nan_to_num(as_tensor(x), nan=nan, posinf=posinf, neginf=neginf)


@symbolic
def exp(x):
    """``e ** x``."""
    return ns.exp(to_float(x))


@symbolic
def exp2(x):
    """``2 ** x``."""
    x = to_float(x)
    return ns.pow(ns.full_like(x, 2.0), x)


@symbolic
def expm1(x):
    """``exp(x) - 1``, accurate near 0."""
    return ns.expm1(to_float(x))


@symbolic
def log(x):
    """Natural logarithm."""
    return ns.log(to_float(x))


@symbolic
def log2(x):
    """Base-2 logarithm."""
    return ns.log2(to_float(x))


@symbolic
def log10(x):
    """Base-10 logarithm."""
    return ns.log10(to_float(x))


@symbolic
def log1p(x):
    """``log(1 + x)``, accurate near 0."""
    return ns.log1p(to_float(x))


@symbolic
def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))`` without overflow: the larger one is factored out."""
    x1, x2 = promote_pair(x1, x2, float)
    top = ns.maximum(x1, x2).detach()
    top = ns.where(ns.isfinite(top), top, ns.zeros_like(top))
    return ns.add(top, ns.log(ns.add(ns.exp(ns.sub(x1, top)), ns.exp(ns.sub(x2, top)))))


@symbolic
def logaddexp2(x1, x2):
    """``log2(2 ** x1 + 2 ** x2)``: ``logaddexp`` in units of ``ln 2``."""
    x1, x2 = promote_pair(x1, x2, float)
    ln2 = math.log(2.0)
    return ns.div(logaddexp(ns.mul(x1, ln2), ns.mul(x2, ln2)), ln2)


@symbolic
def ldexp(x1, x2):
    """``x1 * 2 ** x2`` for an integer exponent ``x2``."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    if is_float(x2) or dtype_of(x2) == "bool":
        raise TypeError(f"ldexp: the exponent x2 must be an integer tensor, received {x2.dtype}")
    dtype = result_type(dtype_of(x1), dtype_of(x2), float)
    two = ns.full_like(x2, 2.0, dtype=to_dtype(dtype))
    return ns.mul(cast(x1, dtype), ns.pow(two, cast(x2, dtype)))
