"""``keras.ops`` nn part: activations, softmax and friends, over nnscratch's ops.

Each function takes what Keras's does (a Tensor, an array, a number) and returns a Tensor whose
gradient flows back through nnscratch's autograd. Activations nnscratch has as one op (``relu``,
``gelu``, ``softplus``...) call it; the others are compositions of differentiable ops, written
so that their values and gradients match Keras's torch backend (which calls torch's kernels).
The losses, convolutions, normalizations and CTC live in ``nn_losses``, ``nn_conv``,
``nn_norm`` and ``nn_ctc``.

>>> from nnscratch.keras import ops
>>> ops.relu6([-1.0, 3.0, 9.0]).tolist()
[0.0, 3.0, 6.0]
"""

from __future__ import annotations

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .arguments import float_tensor, tensor_arg
from .nn_conv import *  # noqa: F403
from .nn_conv import __all__ as _conv
from .nn_ctc import *  # noqa: F403
from .nn_ctc import __all__ as _ctc
from .nn_losses import *  # noqa: F403
from .nn_losses import __all__ as _losses
from .nn_norm import *  # noqa: F403
from .nn_norm import __all__ as _norm
from .symbolic import symbolic
from .unsupported import polar

__all__ = [
    "relu", "relu6", "sigmoid", "softmax", "log_softmax", "softplus", "softsign", "silu",
    "swish", "gelu", "elu", "selu", "celu", "glu", "leaky_relu", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "log_sigmoid",
    "sparse_plus", "sparse_sigmoid", "squareplus", "threshold", "sparsemax",
    *_conv, *_ctc, *_losses, *_norm, "polar",
]  # fmt: skip


@symbolic
def relu(x) -> Tensor:
    """``max(x, 0)``."""
    return ns.relu(tensor_arg(x, "relu"))


@symbolic
def relu6(x) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return ns.clamp(float_tensor(x, "relu6"), 0.0, 6.0)


@symbolic
def sigmoid(x) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return ns.sigmoid(tensor_arg(x, "sigmoid"))


@symbolic
def softplus(x) -> Tensor:
    """``log(1 + exp(x))`` (``x`` itself above 20, as torch)."""
    return ns.softplus(float_tensor(x, "softplus"))


@symbolic
def softsign(x) -> Tensor:
    """``x / (1 + |x|)``."""
    x = float_tensor(x, "softsign")
    return x / (ns.abs(x) + 1.0)


@symbolic
def silu(x) -> Tensor:
    """``x * sigmoid(x)``, also called swish."""
    return ns.silu(float_tensor(x, "silu"))


@symbolic
def swish(x) -> Tensor:
    """Keras's other name for ``silu``."""
    return ns.silu(float_tensor(x, "swish"))


@symbolic
def gelu(x, approximate=True) -> Tensor:
    """``x * Phi(x)``; by default (as Keras) the tanh approximation."""
    x = float_tensor(x, "gelu")
    return ns.gelu(x, approximate="tanh" if approximate else "none")


@symbolic
def elu(x, alpha=1.0) -> Tensor:
    """``x`` where positive, else ``alpha * (exp(x) - 1)``."""
    return ns.elu(float_tensor(x, "elu"), alpha)


@symbolic
def selu(x) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalizing constants."""
    return ns.selu(float_tensor(x, "selu"))


@symbolic
def celu(x, alpha=1.0) -> Tensor:
    """``x`` where positive, else ``alpha * (exp(x / alpha) - 1)``."""
    x = float_tensor(x, "celu")
    negative = ns.expm1(ns.clamp(x, max=0.0) / alpha) * alpha  # clamped: no inf in the other branch
    return ns.where(x > 0, x, negative)


@symbolic
def glu(x, axis=-1) -> Tensor:
    """The gated linear unit: ``a * sigmoid(b)``, ``a`` and ``b`` ``x``'s halves on ``axis``."""
    x = float_tensor(x, "glu")
    if x.shape[axis] % 2:
        raise ValueError(
            f"keras.ops.glu: axis {axis} must have an even size, received shape {tuple(x.shape)}"
        )
    a, b = ns.chunk(x, 2, dim=axis)
    return a * ns.sigmoid(b)


@symbolic
def leaky_relu(x, negative_slope=0.2) -> Tensor:
    """``x`` where positive, else ``negative_slope * x`` (Keras's default slope is 0.2)."""
    return ns.leaky_relu(float_tensor(x, "leaky_relu"), negative_slope)


@symbolic
def hard_sigmoid(x) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return ns.clamp(float_tensor(x, "hard_sigmoid") + 3.0, 0.0, 6.0) / 6.0


@symbolic
def hard_silu(x) -> Tensor:
    """``x * relu6(x + 3) / 6`` (hard swish)."""
    x = float_tensor(x, "hard_silu")
    return x * ns.clamp(x + 3.0, 0.0, 6.0) / 6.0


@symbolic
def hard_swish(x) -> Tensor:
    """Keras's other name for ``hard_silu``."""
    return hard_silu(x)


@symbolic
def hard_tanh(x) -> Tensor:
    """``x`` clipped to [-1, 1]."""
    return ns.clamp(float_tensor(x, "hard_tanh"), -1.0, 1.0)


@symbolic
def hard_shrink(x, threshold=0.5) -> Tensor:
    """``x`` where ``|x| > threshold``, else 0."""
    x = float_tensor(x, "hard_shrink")
    return ns.where(ns.abs(x) > threshold, x, ns.zeros_like(x))


@symbolic
def soft_shrink(x, threshold=0.5) -> Tensor:
    """``x`` moved ``threshold`` towards 0, and 0 where ``|x| <= threshold``."""
    x = float_tensor(x, "soft_shrink")
    shrunk = ns.where(x > 0, x - threshold, x + threshold)
    return ns.where(ns.abs(x) > threshold, shrunk, ns.zeros_like(x))


@symbolic
def tanh_shrink(x) -> Tensor:
    """``x - tanh(x)``."""
    x = float_tensor(x, "tanh_shrink")
    return x - ns.tanh(x)


@symbolic
def log_sigmoid(x) -> Tensor:
    """``log(sigmoid(x))`` as ``min(x, 0) - log1p(exp(-|x|))``: no overflow either side."""
    x = float_tensor(x, "log_sigmoid")
    return ns.clamp(x, max=0.0) - ns.log1p(ns.exp(-ns.abs(x)))


@symbolic
def sparse_plus(x) -> Tensor:
    """0 below -1, ``(x + 1)**2 / 4`` on [-1, 1), ``x`` from 1."""
    x = float_tensor(x, "sparse_plus")
    middle = ns.where(x < 1, (x + 1.0) ** 2 * 0.25, x)
    return ns.where(x <= -1, ns.zeros_like(x), middle)


@symbolic
def sparse_sigmoid(x) -> Tensor:
    """0 below -1, ``(x + 1) / 2`` between, 1 from 1."""
    x = float_tensor(x, "sparse_sigmoid")
    middle = ns.where(x >= 1, ns.ones_like(x), (x + 1.0) * 0.5)
    return ns.where(x <= -1, ns.zeros_like(x), middle)


@symbolic
def squareplus(x, b=4) -> Tensor:
    """``(x + sqrt(x**2 + b)) / 2``."""
    x = float_tensor(x, "squareplus")
    return (x + ns.sqrt(x**2 + b)) / 2.0


@symbolic
def threshold(x, threshold, default_value) -> Tensor:
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = tensor_arg(x, "threshold")
    return ns.where(x > threshold, x, ns.full_like(x, default_value))


@symbolic
def softmax(x, axis=-1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis`` (all axes when None)."""
    x = float_tensor(x, "softmax")
    if axis is None:
        return ns.softmax(x.reshape(-1), dim=-1).reshape(tuple(x.shape))
    return ns.softmax(x, dim=axis)


@symbolic
def log_softmax(x, axis=-1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis`` (all axes when None)."""
    x = float_tensor(x, "log_softmax")
    if axis is None:
        return ns.log_softmax(x.reshape(-1), dim=-1).reshape(tuple(x.shape))
    return ns.log_softmax(x, dim=axis)


@symbolic
def sparsemax(x, axis=-1) -> Tensor:
    """The Euclidean projection of ``x`` onto the simplex along ``axis`` (Martins and Astudillo,
    2016): ``max(x - tau, 0)`` with ``tau`` chosen so the result sums to 1."""
    x = float_tensor(x, "sparsemax")
    ordered = ns.flip(ns.sort(x, dim=axis).values, dims=(axis,))
    running = ns.cumsum(ordered, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    rank = ns.arange(1, x.shape[axis] + 1, dtype=x.dtype).reshape(tuple(shape))
    support = ordered - (running - 1.0) / rank > 0
    size = support.to(x.dtype).sum(dim=axis, keepdim=True)
    kept = ns.where(support, running, ns.zeros_like(running))
    tau = (kept.sum(dim=axis, keepdim=True) - 1.0) / size
    return ns.clamp(x - tau, min=0.0)
