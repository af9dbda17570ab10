"""The error function, its complement and its inverse as differentiable ops (``keras.ops.erf``,
``erfc``, ``erfinv``).

``erf`` reuses Cody's float64 approximation from ``special.py``; ``erfinv`` starts from
M. Giles's single-precision approximation ("Approximating the erfinv function", GPU Computing
Gems, 2011) and polishes it with two Newton steps on ``erf``, which bring it to float64
accuracy inside (-1, 1). Both compute in float64 and return the input's float dtype.

>>> import nnscratch as ns
>>> round(erf(ns.tensor(0.5, dtype=ns.float64)).item(), 12)
0.520499877813
>>> round(erfinv(ns.tensor(0.520499877813, dtype=ns.float64)).item(), 9)
0.5
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.dtypes import get_default_dtype
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .checks import check_tensor
from .special import _erfc_big
from .special import erf as _erf

__all__ = ["erf", "erfc", "erfinv"]

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

# Giles's polynomials in w = -log(1 - x**2): one for w < 5, one beyond.
_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
            -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)  # fmt: skip
_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
         -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)  # fmt: skip


def _float_dtype(x: np.ndarray) -> np.dtype:
    return x.dtype if x.dtype.kind == "f" else get_default_dtype()


def _horner(coefficients: tuple, t: np.ndarray) -> np.ndarray:
    p = np.full_like(t, coefficients[0])
    for c in coefficients[1:]:
        p = p * t + c
    return p


@np.errstate(divide="ignore", invalid="ignore")
def _erfinv(x: np.ndarray) -> np.ndarray:
    """y with erf(y) = x, in float64: Giles's guess, then Newton's y -= (erf(y) - x) / erf'(y)."""
    w = -np.log1p(-x * x)
    y = np.where(w < 5, _horner(_CENTRAL, w - 2.5), _horner(_TAIL, np.sqrt(w) - 3)) * x
    inside = np.abs(x) < 1
    for _ in range(2):
        step = (_erf(y) - x) / (_TWO_OVER_SQRT_PI * np.exp(-y * y))
        y = np.where(inside, y - step, y)
    return np.where(np.abs(x) == 1, np.copysign(np.inf, x), np.where(inside, y, np.nan))


class Erf(Function):
    """y = erf(x);  dy/dx = 2 / sqrt(pi) e**(-x**2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf(x).astype(_float_dtype(x), copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (_TWO_OVER_SQRT_PI * np.exp(-(x.astype(grad.dtype) ** 2)))


def _erfc(x: np.ndarray) -> np.ndarray:
    """1 - erf(x) in float64, from Cody's tail formula for x > 0.5 (no cancellation there)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.array(1 - _erf(x), dtype=np.float64)  # (an array even for a 0-d x: it is written)
    tail = x > 0.5
    out[tail] = _erfc_big(x[tail])
    return out


class Erfc(Function):
    """y = erfc(x) = 1 - erf(x);  dy/dx = -2 / sqrt(pi) e**(-x**2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erfc(x).astype(_float_dtype(x), copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (-_TWO_OVER_SQRT_PI * np.exp(-(x.astype(grad.dtype) ** 2)))


class Erfinv(Function):
    """y = erfinv(x);  dy/dx = sqrt(pi) / 2 e**(y**2)"""

    @staticmethod
    def forward(ctx, x):
        y = _erfinv(x.astype(np.float64)).astype(_float_dtype(x), copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (np.exp(y * y) / _TWO_OVER_SQRT_PI)


def erf(input: Tensor) -> Tensor:
    """The error function, 2 / sqrt(pi) times the integral of e**(-t**2) from 0 to ``input``."""
    check_tensor(input, "erf")
    return Erf.apply(input)


def erfc(input: Tensor) -> Tensor:
    """The complementary error function ``1 - erf(input)``, accurate in the right tail."""
    check_tensor(input, "erfc")
    return Erfc.apply(input)


def erfinv(input: Tensor) -> Tensor:
    """The inverse error function on [-1, 1] (+-inf at +-1, NaN outside)."""
    check_tensor(input, "erfinv")
    return Erfinv.apply(input)
