"""The suite's tolerances, by dtype: the policy written in ``tests/conftest.py``'s docstring.

``tolerance(dtype, magnitude)`` gives the ``rtol``/``atol`` pair for values of ``dtype``
whose scale is ``magnitude``; ``assert_close(actual, desired)`` compares with them, reading
the dtype and the scale from the arrays. A comparison that needs more (a long sum in another
order, a finite difference, a training run) passes its own tolerance, with a comment saying
why.

>>> tolerance(np.float32)
{'rtol': 1e-06, 'atol': 1e-06}
>>> tolerance("float64", magnitude=100.0)
{'rtol': 1e-12, 'atol': 1e-10}
>>> assert_close(np.float32(1) + np.finfo(np.float32).eps, np.float32(1))  # 1 ulp: passes
"""

from __future__ import annotations

import numpy as np

# rtol by dtype: float64 about 1e-12 (room for another summation order or libm, far below any
# real bug); float32 1e-6, about 8 ulp (eps 1.19e-7); float16 4e-3, 4 ulp (eps 9.8e-4).
RTOL = {"float64": 1e-12, "float32": 1e-6, "float16": 4e-3}


def tolerance(dtype, magnitude: float = 1.0) -> dict[str, float]:
    """``{"rtol": ..., "atol": ...}`` for comparing ``dtype`` values against an oracle or a
    second code path: ``atol = rtol * magnitude``, so that a value near 0 (often a difference
    of values of about ``magnitude``) may miss by the same few ulp of ``magnitude``. Integer
    and bool dtypes are exact: both 0."""
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc":
        return {"rtol": 0.0, "atol": 0.0}
    rtol = RTOL.get(np.finfo(dtype).dtype.name, RTOL["float64"])  # complex: its real part's
    return {"rtol": rtol, "atol": rtol * float(magnitude)}


def compared_dtype(*values) -> np.dtype:
    """The least precise float dtype among ``values`` (float64 when none is a float array)."""
    dtypes = [np.asarray(v).dtype for v in values]
    floats = [d for d in dtypes if d.kind in "fc"]
    if not floats:
        return np.result_type(*dtypes) if dtypes else np.dtype(np.float64)
    return max(floats, key=lambda d: np.finfo(d).eps)


def assert_close(actual, desired, *, rtol=None, atol=None, dtype=None, err_msg="") -> None:
    """``np.testing.assert_allclose`` with the policy's tolerances for the compared dtype
    (the less precise of the two, or ``dtype`` for Python floats computed in float32).
    ``atol`` defaults to ``rtol`` times the scale: the largest finite ``|desired|``, and at
    least 1, the scale of the suite's inputs (a gradient that cancels to 1e-5 is a difference
    of terms of about 1, and carries their rounding)."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    default = tolerance(dtype if dtype is not None else compared_dtype(actual, desired))
    rtol = default["rtol"] if rtol is None else rtol
    if atol is None:
        finite = desired[np.isfinite(desired)] if desired.dtype.kind in "fc" else desired
        atol = rtol * max(1.0, float(np.max(np.abs(finite), initial=0.0)))
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=err_msg)
