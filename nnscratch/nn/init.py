"""Weight initialisation, as ``torch.nn.init``: each fills a tensor in place and returns it.

Samples come from nnscratch's global generator, so ``ns.manual_seed`` makes them repeatable.
They are drawn in float64 and cast to the tensor's dtype. The writes happen under
``no_grad``, so parameters can be initialised while they require grad.
"""

from __future__ import annotations

import math
import warnings
from numbers import Real

import numpy as np

from .. import random
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor

__all__ = [
    "calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_", "eye_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
]  # fmt: skip

_LINEAR_GAINS = {
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid",
}  # fmt: skip


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale of the weights for a nonlinearity (torch's table).

    >>> from nnscratch.nn import init
    >>> init.calculate_gain("tanh"), round(init.calculate_gain("relu"), 6)
    (1.6666666666666667, 1.414214)
    """
    if nonlinearity in _LINEAR_GAINS:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + _negative_slope(param) ** 2))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _negative_slope(param) -> float:
    if param is None:
        return 0.01
    if isinstance(param, bool) or not isinstance(param, Real):
        raise ValueError(f"negative_slope {param} not a valid number")
    return param


def _calculate_fan_in_and_fan_out(tensor, layout: str = "torch") -> tuple[int, int]:
    """(fan_in, fan_out) of a weight (a Tensor or its shape): the inputs and the outputs of
    one unit, each times the receptive field (a convolution kernel's window).

    ``layout`` names where those dims are, the one difference between the two front ends:
    ``"torch"``, ``(out, in, *window)`` as nn's weights, needs two dims or more; ``"keras"``,
    ``(*window, in, out)`` as Keras kernels, also takes ``(n,)`` (n each way) and ``()`` (1).

    >>> import nnscratch as ns
    >>> _calculate_fan_in_and_fan_out(ns.empty(8, 3, 5, 5))  # 8 filters over 3 channels, 5x5
    (75, 200)
    >>> _calculate_fan_in_and_fan_out((5, 5, 3, 8), layout="keras")
    (75, 200)
    """
    shape = tuple(tensor.shape) if isinstance(tensor, Tensor) else tuple(tensor)
    if layout not in ("torch", "keras"):
        raise ValueError(
            f"_calculate_fan_in_and_fan_out: layout must be 'torch' or 'keras', received {layout!r}"
        )
    if len(shape) < 2:
        if layout == "torch":
            raise ValueError(
                "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
            )
        return (shape[0], shape[0]) if shape else (1, 1)
    if layout == "torch":
        fan_out, fan_in, window = shape[0], shape[1], shape[2:]
    else:
        fan_in, fan_out, window = shape[-2], shape[-1], shape[:-2]
    receptive_field = math.prod(window)
    return fan_in * receptive_field, fan_out * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values) -> Tensor:
    """Write ``values`` (cast to the tensor's dtype) into ``tensor`` in place."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init expects a Tensor, received {type(tensor).__name__}")
    with no_grad():
        return tensor.copy_(values)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with samples from U(a, b).

    >>> import nnscratch as ns
    >>> w = ns.nn.init.uniform_(ns.empty(1000), -0.5, 0.5)
    >>> bool(w.min() >= -0.5 and w.max() < 0.5)
    True
    """
    return _fill(tensor, random.generator().uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with samples from N(mean, std**2)."""
    return _fill(tensor, random.generator().normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal)."""
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, received {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    """gain / sqrt(fan), or None for a zero-element tensor (torch warns and does nothing)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He: U(-bound, bound) with bound = gain * sqrt(3 / fan); ``a`` is leaky_relu's slope.

    >>> import nnscratch as ns
    >>> w = ns.nn.init.kaiming_uniform_(ns.empty(64, 27), nonlinearity="relu")
    >>> bool(w.abs().max() <= (6 / 27) ** 0.5)
    True
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He: N(0, std**2) with std = gain / sqrt(fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0.0, std)


def orthogonal_(tensor: Tensor, gain: float = 1) -> Tensor:
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one, times ``gain``.

    The tensor is viewed as (rows, everything else); rows or columns come out orthonormal.

    >>> import nnscratch as ns
    >>> w = ns.nn.init.orthogonal_(ns.empty(3, 5, dtype=ns.float64)).numpy()
    >>> bool(abs(w @ w.T - ns.eye(3, dtype=ns.float64).numpy()).max() < 1e-12)
    True
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor  # no-op
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = random.generator().standard_normal((rows, cols))
    q, r = np.linalg.qr(flat.T if rows < cols else flat)
    q *= np.sign(np.diag(r))  # makes the decomposition unique, so Q is uniformly distributed
    q = q.T if rows < cols else q
    return _fill(tensor, gain * q.reshape(tensor.shape))
