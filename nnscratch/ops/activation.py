"""Activations: sigmoid, relu, leaky_relu, elu, selu, gelu, silu, softplus."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from ..autograd.dtypes import get_default_dtype
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import workspace
from .checks import check_floating, check_tensor
from .masking import zero_where
from .special import erf

__all__ = ["sigmoid", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus"]

# torch's SELU constants (Klambauer et al. 2017).
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_GELU_TANH_BETA = math.sqrt(2 / math.pi)
_GELU_TANH_KAPPA = 0.044715


@np.errstate(over="ignore")  # e**-x overflows to inf for x < -709, giving exactly 0, as torch
def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e**-x), computed in place in one new buffer."""
    t = np.negative(x, out=np.empty_like(x)) if x.ndim == 0 else np.negative(x)  # 0-d: an array
    np.exp(t, out=t)
    t += 1
    return np.reciprocal(t, out=t)


class Sigmoid(Function):
    """y = 1 / (1 + e**-x);  dy/dx = y (1 - y)"""

    @staticmethod
    def forward(ctx, x):
        y = _sigmoid(x if x.dtype.kind == "f" else x.astype(get_default_dtype()))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1[y > 0]  (NaN passes the gradient, as in torch)"""

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":  # max(bool, 0) would be an integer: torch refuses it too
            raise TypeError("relu: boolean inputs are not supported; convert with .float() first")
        y = np.maximum(x, 0, out=workspace.out_like(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return zero_where(y <= 0, grad)


class LeakyReLU(Function):
    """y = x (x > 0), slope x (x <= 0);  dy/dx = 1 (x > 0), slope (x <= 0)"""

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return np.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return np.where(x > 0, grad, grad * ctx.slope), None


class ELU(Function):
    """y = scale x (x > 0), scale alpha (e**x - 1) (x <= 0);
    dy/dx = scale (x > 0), scale alpha e**x (x <= 0)  (SELU is ELU with torch's scale, alpha)"""

    @staticmethod
    def forward(ctx, x, alpha, scale):
        ctx.save_for_backward(x)
        ctx.alpha, ctx.scale = alpha, scale
        # min(x, 0): the positive side is never exponentiated, so x = 1e4 cannot overflow.
        negative = np.expm1(np.minimum(x, 0)) * (alpha * scale)
        return np.where(x <= 0, negative, x if scale == 1 else x * scale)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        negative = grad * (ctx.alpha * ctx.scale) * np.exp(np.minimum(x, 0))
        # x <= 0 (not x > 0) picks the branch, so NaN gets the positive side's slope, as in torch.
        return np.where(x <= 0, negative, grad * ctx.scale), None, None


class GELU(Function):
    """y = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  dy/dx = Phi(x) + x phi(x) (normal pdf)"""

    @staticmethod
    def forward(ctx, x):
        cdf = (0.5 * (1 + erf(x * _SQRT1_2))).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        x, cdf = ctx.saved_tensors
        pdf = np.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return grad * (cdf + x * pdf)


class GELUTanh(Function):
    """y = x (1 + t) / 2, t = tanh(u), u = b (x + k x**3);  dy/dx = (1 + t + x (1 - t**2) u') / 2"""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(_GELU_TANH_BETA * (x + _GELU_TANH_KAPPA * (x * x * x)))
        ctx.save_for_backward(x, t)
        return 0.5 * x * (1 + t)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        inner_slope = _GELU_TANH_BETA * (1 + 3 * _GELU_TANH_KAPPA * (x * x))
        return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner_slope)


class SiLU(Function):
    """y = x s, s = sigmoid(x);  dy/dx = s (1 + x (1 - s))"""

    @staticmethod
    def forward(ctx, x):
        s = _sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        return grad * s * (1 + x * (1 - s))


class Softplus(Function):
    """y = log(1 + e**(b x)) / b, or x where b x > threshold;  dy/dx = sigmoid(b x), or 1"""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        bx = x * beta
        ctx.save_for_backward(bx)
        ctx.threshold = threshold
        # log1p(e**z) = max(z, 0) + log1p(e**-|z|): no overflow (np.logaddexp warns on NaN).
        soft = np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))
        return np.where(bx > threshold, x, soft / beta)

    @staticmethod
    def backward(ctx, grad):
        (bx,) = ctx.saved_tensors
        return np.where(bx > ctx.threshold, grad, grad * _sigmoid(bx)), None, None


def _check_input(input, name: str, floating: bool = True) -> None:
    check_tensor(input, name)
    if floating:
        check_floating(input, name)


def _number(value, name: str, arg: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name}: expected {arg} to be a number, received {type(value).__name__}")
    return float(value)  # a Python float never widens a float32 array


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function, stable for any input (integers give the default float dtype).

    >>> import nnscratch as ns
    >>> ns.sigmoid(ns.tensor([0.0, -1e4, 1e4])).tolist()
    [0.5, 0.0, 1.0]
    """
    _check_input(input, "sigmoid", floating=False)
    return Sigmoid.apply(input)


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)``; the gradient at 0 is 0, as in torch. Keeps integer dtypes.

    >>> import nnscratch as ns
    >>> ns.relu(ns.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    _check_input(input, "relu", floating=False)
    return ReLU.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``input`` where positive, else ``negative_slope * input`` (slope also at 0, as in torch).

    >>> import nnscratch as ns
    >>> ns.nn.functional.leaky_relu(ns.tensor([-2.0, 3.0]), 0.5).tolist()
    [-1.0, 3.0]
    """
    _check_input(input, "leaky_relu")
    return LeakyReLU.apply(input, _number(negative_slope, "leaky_relu", "negative_slope"))


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``input`` where positive, else ``alpha * (exp(input) - 1)``; any alpha, as in torch."""
    _check_input(input, "elu")
    return ELU.apply(input, _number(alpha, "elu", "alpha"), 1.0)


def selu(input: Tensor) -> Tensor:
    """``scale * elu(input, alpha)`` with torch's constants (alpha ~ 1.6733, scale ~ 1.0507)."""
    _check_input(input, "selu")
    return ELU.apply(input, _SELU_ALPHA, _SELU_SCALE)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``input * Phi(input)`` with Phi the standard normal CDF, or torch's tanh approximation.

    >>> import nnscratch as ns
    >>> y = ns.nn.functional.gelu(ns.tensor([0.0, 1.0], dtype=ns.float64))
    >>> [round(v, 12) for v in y.tolist()]  # rounded: the last bits depend on the CPU's exp
    [0.0, 0.841344746069]
    """
    _check_input(input, "gelu")
    if approximate == "none":
        return GELU.apply(input)
    if approximate == "tanh":
        return GELUTanh.apply(input)
    raise ValueError(f"gelu: expected approximate to be 'none' or 'tanh', received {approximate!r}")


def silu(input: Tensor) -> Tensor:
    """``input * sigmoid(input)`` (also called swish)."""
    _check_input(input, "silu")
    return SiLU.apply(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * input)) / beta``, and ``input`` where ``beta * input > threshold``.

    >>> import nnscratch as ns
    >>> y = ns.nn.functional.softplus(ns.tensor([0.0, 1e4], dtype=ns.float64))
    >>> [round(v, 12) for v in y.tolist()]  # rounded: the last bits depend on the CPU's log
    [0.69314718056, 10000.0]
    """
    _check_input(input, "softplus")
    beta = _number(beta, "softplus", "beta")
    return Softplus.apply(input, beta, _number(threshold, "softplus", "threshold"))
