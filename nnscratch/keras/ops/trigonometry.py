"""``keras.ops`` trigonometry and hyperbolic functions, with the angle conversions, ``sinc``
and ``i0``. Like the rest of the elementwise maths (``elementwise.py``), ints compute in
float32, and two-operand functions (``arctan2``, ``hypot``) type with Keras's ``result_type``.

>>> angles = arctan2(np.array([1.0, 1.0]), np.array([1.0, -1.0]))
>>> angles.dtype.name, [round(a, 4) for a in angles.tolist()]
('float32', [0.7854, 2.3562])
"""

from __future__ import annotations

import math

import numpy as np

import nnscratch as ns

from .conversion import as_tensor
from .dtype_rules import result_type
from .elementwise import cast, dtype_of, promote_pair, to_float
from .symbolic import symbolic

__all__ = [
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "hypot", "sinh", "cosh",
    "tanh", "arcsinh", "arccosh", "arctanh", "deg2rad", "rad2deg", "sinc", "i0",
]  # fmt: skip


@symbolic
def sin(x):
    """Sine (radians)."""
    return ns.sin(to_float(x))


@symbolic
def cos(x):
    """Cosine (radians)."""
    return ns.cos(to_float(x))


@symbolic
def tan(x):
    """Tangent (radians)."""
    return ns.tan(to_float(x))


@symbolic
def arcsin(x):
    """Inverse sine."""
    return ns.asin(to_float(x))


@symbolic
def arccos(x):
    """Inverse cosine."""
    return ns.acos(to_float(x))


@symbolic
def arctan(x):
    """Inverse tangent."""
    return ns.atan(to_float(x))


@symbolic
def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)``, in ``[-pi, pi]``."""
    return ns.atan2(*promote_pair(x1, x2, float))


@symbolic
def hypot(x1, x2):
    """``sqrt(x1 ** 2 + x2 ** 2)`` without overflow (int64 gives float64)."""
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    dtype = dtype if "float" in dtype else ("float64" if dtype == "int64" else "float32")
    return ns.hypot(as_tensor(x1, dtype), as_tensor(x2, dtype))


@symbolic
def sinh(x):
    """Hyperbolic sine."""
    return ns.sinh(to_float(x))


@symbolic
def cosh(x):
    """Hyperbolic cosine."""
    return ns.cosh(to_float(x))


@symbolic
def tanh(x):
    """Hyperbolic tangent."""
    return ns.tanh(to_float(x))


@symbolic
def arcsinh(x):
    """Inverse hyperbolic sine, ``sign(x) log(|x| + sqrt(x^2 + 1))``, written as
    ``log1p(|x| + x^2 / (1 + sqrt(x^2 + 1)))`` to stay accurate near 0."""
    x = to_float(x)
    negative = ns.lt(x, 0)
    a = ns.where(negative, ns.neg(x), x)  # |x|, with slope 1 at 0
    a2 = ns.square(a)
    out = ns.log1p(ns.add(a, ns.div(a2, ns.add(ns.sqrt(ns.add(a2, 1.0)), 1.0))))
    return ns.where(negative, ns.neg(out), out)


@symbolic
def arccosh(x):
    """Inverse hyperbolic cosine, ``log(x + sqrt(x^2 - 1))`` for ``x >= 1``."""
    x = to_float(x)
    return ns.log(ns.add(x, ns.mul(ns.sqrt(ns.sub(x, 1.0)), ns.sqrt(ns.add(x, 1.0)))))


@symbolic
def arctanh(x):
    """Inverse hyperbolic tangent, ``(log1p(x) - log1p(-x)) / 2``."""
    x = to_float(x)
    return ns.mul(ns.sub(ns.log1p(x), ns.log1p(ns.neg(x))), 0.5)


@symbolic
def deg2rad(x):
    """Degrees to radians (int64 is computed in float32 and returned as float64)."""
    x = as_tensor(x)
    out = ns.mul(to_float(x), math.pi / 180.0)
    return cast(out, "float64") if dtype_of(x) == "int64" else out


@symbolic
def rad2deg(x):
    """Radians to degrees (int64 is computed in float32 and returned as float64)."""
    x = as_tensor(x)
    out = ns.mul(to_float(x), 180.0 / math.pi)
    return cast(out, "float64") if dtype_of(x) == "int64" else out


@symbolic
def sinc(x):
    """Normalised sinc, ``sin(pi x) / (pi x)``, 1 at 0."""
    x = to_float(x)
    zero = ns.eq(x, 0)
    px = ns.mul(ns.where(zero, ns.ones_like(x), x), math.pi)
    return ns.where(zero, ns.ones_like(x), ns.div(ns.sin(px), px))


@symbolic
def i0(x):
    """Modified Bessel function of the first kind, order 0: ``sum_k (x^2/4)^k / (k!)^2``,
    summed until the terms stop changing the result (int64/float64 give float64)."""
    x = as_tensor(x)
    dtype = {"int64": "float64", "float64": "float64", "float16": "float16"}.get(dtype_of(x))
    x = cast(x, dtype or "float32")
    quarter = ns.mul(ns.square(x), 0.25)
    total, term, k = ns.ones_like(x), ns.ones_like(x), 0
    biggest = float(np.max(np.abs(quarter.detach().numpy()), initial=0.0))
    while k < 2 + 4 * math.sqrt(biggest) + 40:
        k += 1
        term = ns.mul(term, ns.div(quarter, float(k * k)))
        total = ns.add(total, term)
    return total
