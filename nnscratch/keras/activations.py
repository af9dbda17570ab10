"""Activation functions with Keras's names and defaults, composed from nnscratch ops.

Each takes and returns a ``Tensor``; ``get`` resolves a name (``"relu"``), ``None`` (linear) or
a callable, as ``Dense(activation=...)`` does.

>>> import nnscratch as ns
>>> from nnscratch import keras
>>> keras.activations.get("relu")(ns.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Callable

from .. import ops
from ..autograd.tensor import Tensor

__all__ = [
    "elu",
    "exponential",
    "gelu",
    "get",
    "hard_sigmoid",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "swish",
    "tanh",
]


def relu(x: Tensor, negative_slope: float = 0.0, max_value=None, threshold: float = 0.0) -> Tensor:
    """``max(x, 0)``; with Keras's options: a slope below ``threshold``, a cap at ``max_value``.

    >>> import nnscratch as ns
    >>> relu(ns.tensor([-2.0, 1.0, 9.0]), negative_slope=0.5, max_value=6.0).tolist()
    [-1.0, 1.0, 6.0]
    """
    if threshold != 0.0:
        below = negative_slope * (x - threshold) if negative_slope else ops.zeros_like(x)
        y = ops.where(x >= threshold, x, below)
    elif negative_slope != 0.0:
        y = ops.leaky_relu(x, float(negative_slope))
    else:
        y = ops.relu(x)
    return y if max_value is None else ops.clamp(y, max=float(max_value))


def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    """``x`` where positive, else ``negative_slope * x`` (Keras's default slope is 0.2)."""
    return ops.leaky_relu(x, float(negative_slope))


def relu6(x: Tensor) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return ops.clamp(x, 0.0, 6.0)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """``x`` where positive, else ``alpha * (exp(x) - 1)``."""
    return ops.elu(x, float(alpha))


def selu(x: Tensor) -> Tensor:
    """``scale * elu(x, alpha)`` with alpha ~ 1.67326 and scale ~ 1.05070."""
    return ops.selu(x)


def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    """``x * Phi(x)``, exact by default as Keras; ``approximate=True`` uses the tanh form."""
    return ops.gelu(x, approximate="tanh" if approximate else "none")


def silu(x: Tensor) -> Tensor:
    """``x * sigmoid(x)``, also called swish."""
    return ops.silu(x)


swish = silu


def mish(x: Tensor) -> Tensor:
    """``x * tanh(softplus(x))``."""
    return x * ops.tanh(ops.softplus(x))


def softplus(x: Tensor) -> Tensor:
    """``log(exp(x) + 1)``."""
    return ops.softplus(x)


def softsign(x: Tensor) -> Tensor:
    """``x / (|x| + 1)``."""
    return x / (ops.abs(x) + 1.0)


def sigmoid(x: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return ops.sigmoid(x)


def hard_sigmoid(x: Tensor) -> Tensor:
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between (Keras 3's definition)."""
    return relu6(x + 3.0) / 6.0


def tanh(x: Tensor) -> Tensor:
    """The hyperbolic tangent."""
    return ops.tanh(x)


def exponential(x: Tensor) -> Tensor:
    """``exp(x)``."""
    return ops.exp(x)


def linear(x: Tensor) -> Tensor:
    """The identity: what ``activation=None`` means."""
    return x


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``; refuses 1-D input, as Keras."""
    _check_not_1d(x, "softmax")
    return ops.softmax(x, dim=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``log(softmax(x))``, computed stably."""
    _check_not_1d(x, "log_softmax")
    return ops.log_softmax(x, dim=axis)


def _check_not_1d(x: Tensor, name: str) -> None:
    if x.ndim <= 1:
        raise ValueError(
            f"Cannot apply {name} to a tensor that is 1D. Received input with shape {x.shape}"
        )


_BY_NAME: dict[str, Callable[..., Tensor]] = {
    fn.__name__: fn
    for fn in (
        relu,
        leaky_relu,
        relu6,
        elu,
        selu,
        gelu,
        silu,
        mish,
        softplus,
        softsign,
        sigmoid,
        hard_sigmoid,
        tanh,
        exponential,
        linear,
        softmax,
        log_softmax,
    )
}
_BY_NAME["swish"] = silu


def get(identifier: str | Callable | None) -> Callable[..., Tensor]:
    """The activation for a name, ``None`` (linear) or a callable (returned as is).

    >>> get(None) is linear, get("swish") is silu
    (True, True)
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]
        raise ValueError(
            f"Unknown activation function: '{identifier}'. Valid names are: "
            f"{', '.join(sorted(_BY_NAME))}"
        )
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret activation function identifier: {identifier!r} "
        "(expected a name, a callable or None)"
    )


def serialize(activation: Callable) -> str | Callable:
    """The name of a built-in activation (for ``get_config``), else the callable itself."""
    name = getattr(activation, "__name__", None)
    return name if _BY_NAME.get(name) is activation else activation
