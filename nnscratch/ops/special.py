"""Special functions on arrays that NumPy lacks (no autograd here: ops call them).

``erf`` uses W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969), which are
within a few float64 ulps of ``math.erf``; ``math.erf`` through ``np.frompyfunc`` is as exact
but about six times slower, and the exact GELU calls this on every forward pass.
"""

from __future__ import annotations

import math

import numpy as np

_INV_SQRT_PI = 1 / math.sqrt(math.pi)

_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)  # fmt: skip
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)  # fmt: skip
_ERFC_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
           2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
           2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)  # fmt: skip
_ERFC_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
           1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
           3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
_ERFC_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
           1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)  # fmt: skip
_ERFC_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
           6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip


def _rational(t: np.ndarray, p: tuple, q: tuple) -> np.ndarray:
    """Cody's nested ratio: the last p is the leading coefficient, the denominator is monic."""
    num, den = p[-1] * t, t.copy()
    for a, b in zip(p[:-2], q[:-1], strict=True):  # in place: no temporary array per step
        num += a
        num *= t
        den += b
        den *= t
    num += p[-2]
    den += q[-1]
    num /= den
    return num


def erf(x: np.ndarray) -> np.ndarray:
    """The error function in float64, within a few ulps of ``math.erf``."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = np.abs(x) <= 0.46875
    xs = x[small]
    out[small] = xs * _rational(xs * xs, _ERF_A, _ERF_B)
    big = ~small  # NaN lands here and stays NaN
    out[big] = np.copysign(1 - _erfc_big(np.abs(x[big])), x[big])
    return out


def _erfc_big(y: np.ndarray) -> np.ndarray:
    """erfc(y) for y > 0.46875: a ratio times e**-y**2, the square split to keep its digits."""
    y = np.minimum(y, 30.0)  # erfc(30) underflows to 0 anyway; this keeps inf out of y - y
    ratio = np.empty_like(y)
    mid = y <= 4
    ratio[mid] = _rational(y[mid], _ERFC_C, _ERFC_D)
    far = y[~mid]
    t = 1 / (far * far)
    ratio[~mid] = (_INV_SQRT_PI - t * _rational(t, _ERFC_P, _ERFC_Q)) / far
    snapped = np.trunc(16 * y) / 16
    return np.exp(-snapped * snapped - (y - snapped) * (y + snapped)) * ratio
