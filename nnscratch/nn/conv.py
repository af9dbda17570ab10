"""Convolution layers, as ``torch.nn``: ``Conv1d``, ``Conv2d`` and ``ConvTranspose2d``."""

from __future__ import annotations

import math

from ..autograd.device import check as check_device
from ..autograd.dtypes import get_default_dtype, to_dtype
from ..autograd.tensor import Tensor
from ..ops.conv import conv1d, conv2d, conv_transpose2d
from ..ops.creation import empty
from ..ops.im2col import expand
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolution layers share: arguments, parameters, torch's init and repr."""

    _nd = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 groups, bias, padding_mode, output_padding, dtype) -> None:  # fmt: skip
        super().__init__()
        name, nd = type(self).__name__, self._nd
        self.in_channels = _channels(name, "in_channels", in_channels, groups)
        self.out_channels = _channels(name, "out_channels", out_channels, groups)
        self.kernel_size = expand(kernel_size, nd, "kernel_size", name, 1)
        self.stride = expand(stride, nd, "stride", name, 1)
        self.padding = _padding(name, padding, nd, self.stride, self._transposed)
        self.dilation = expand(dilation, nd, "dilation", name, 1)
        self.transposed = self._transposed
        self.output_padding = expand(output_padding, nd, "output_padding", name, 0)
        self.groups = groups
        self.padding_mode = _padding_mode(name, padding_mode)
        self._make_parameters(bias, get_default_dtype() if dtype is None else to_dtype(dtype))
        self.reset_parameters()

    def _make_parameters(self, bias: bool, dtype) -> None:
        """``weight`` (out, in / groups, *kernel), or (in, out / groups, *kernel) transposed."""
        rows, cols = (self.in_channels, self.out_channels)[:: 1 if self._transposed else -1]
        self.weight = Parameter(empty(rows, cols // self.groups, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(self.out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """torch's default: kaiming_uniform_(a=sqrt(5)) weights, i.e. U(+-1/sqrt(fan_in)), and
        the bias from the same range (fan_in = weight.shape[1] * kernel area)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _check_input(self, input) -> None:
        shape = getattr(input, "shape", None)
        if shape is None or len(shape) not in (self._nd + 1, self._nd + 2):
            received = type(input).__name__ if shape is None else f"shape {shape}"
            raise ValueError(
                f"{type(self).__name__} expects a {self._nd + 1}-D (unbatched) or "
                f"{self._nd + 2}-D (batched) input, received {received}"
            )
        channels = shape[-self._nd - 1]
        if channels != self.in_channels:
            raise ValueError(
                f"{type(self).__name__} expects input with {self.in_channels} channels, "
                f"received shape {shape}"
            )

    def extra_repr(self) -> str:
        nd = self._nd
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * nd:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class _Conv(_ConvNd):
    """Conv1d and Conv2d: the same arguments and forward, on their own number of dims."""

    _function = None  # conv1d or conv2d

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:  # fmt: skip
        check_device(type(self).__name__, device)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, 0, dtype)  # fmt: skip

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        return self._function(input, self.weight, self.bias, self.stride, self.padding,
                                    self.dilation, self.groups)  # fmt: skip


class Conv1d(_Conv):
    """1-D convolution over ``(N, C_in, L)`` (or ``(C_in, L)``) inputs, as ``torch.nn.Conv1d``:
    ``weight`` ``(out_channels, in_channels / groups, k)``, ``bias`` ``(out_channels,)``.

    >>> import nnscratch as ns
    >>> layer = ns.nn.Conv1d(2, 4, 3, padding=1)
    >>> layer, layer(ns.zeros(5, 2, 10)).shape
    (Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=(1,)), (5, 4, 10))
    """

    _nd = 1
    _function = staticmethod(conv1d)


class Conv2d(_Conv):
    """2-D convolution over ``(N, C_in, H, W)`` (or ``(C_in, H, W)``) inputs, as
    ``torch.nn.Conv2d``: ``weight`` ``(out_channels, in_channels / groups, kh, kw)``.

    >>> import nnscratch as ns
    >>> layer = ns.nn.Conv2d(3, 6, 5)
    >>> layer, layer.weight.shape, layer(ns.zeros(2, 3, 32, 32)).shape
    (Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1)), (6, 3, 5, 5), (2, 6, 28, 28))
    """

    _function = staticmethod(conv2d)


class ConvTranspose2d(_ConvNd):
    """2-D transposed convolution (the gradient of ``Conv2d`` with respect to its input), as
    ``torch.nn.ConvTranspose2d``: ``weight`` ``(in_channels, out_channels / groups, kh, kw)``.

    ``forward(input, output_size)`` may name the wanted output size; it picks the
    ``output_padding`` that gives it (a strided layer can produce several sizes).

    >>> import nnscratch as ns
    >>> up = ns.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    >>> up(ns.zeros(1, 4, 5, 5)).shape, up(ns.zeros(1, 4, 5, 5), output_size=(10, 10)).shape
    ((1, 2, 9, 9), (1, 2, 10, 10))
    """

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:  # fmt: skip
        check_device(type(self).__name__, device)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, dtype)  # fmt: skip

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        self._check_input(input)
        extra = self._output_padding(input.shape, output_size)
        return conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                extra, self.groups, self.dilation)  # fmt: skip

    def _output_padding(self, shape: tuple, output_size) -> tuple:
        """``output_padding``, or the one that makes the output ``output_size``."""
        if output_size is None:
            return self.output_padding
        wanted = tuple(output_size)[-self._nd :]
        smallest = tuple(
            (n - 1) * s - 2 * q + d * (k - 1) + 1
            for n, s, q, d, k in zip(
                shape[-self._nd :], self.stride, self.padding, self.dilation, self.kernel_size
            )  # fmt: skip
        )
        extra = tuple(w - m for w, m in zip(wanted, smallest))
        if len(wanted) != self._nd or any(not 0 <= e < s for e, s in zip(extra, self.stride)):
            largest = tuple(m + s - 1 for m, s in zip(smallest, self.stride))
            raise ValueError(
                f"ConvTranspose2d: requested an output size of {tuple(output_size)}, but valid "
                f"sizes range from {smallest} to {largest} for an input of shape {shape}"
            )
        return extra


def _channels(name: str, what: str, value, groups) -> int:
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{name}: groups must be a positive int, received {groups!r}")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}: {what} must be a positive int, received {value!r}")
    if value % groups:
        raise ValueError(f"{name}: {what}={value} must be divisible by groups={groups}")
    return value


def _padding(name: str, padding, nd: int, stride: tuple, transposed: bool):
    """A tuple of ints, or 'same'/'valid' kept as the string (torch keeps it for the repr)."""
    if isinstance(padding, str) and not transposed:
        if padding not in ("same", "valid"):
            raise ValueError(
                f"{name}: padding must be 'valid', 'same', an int or a tuple of {nd} ints, "
                f"received {padding!r}"
            )
        if padding == "same" and stride != (1,) * nd:
            raise ValueError(
                f"{name}: padding='same' is not supported for strided convolutions "
                f"(stride {stride})"
            )
        return padding
    return expand(padding, nd, "padding", name, 0)


def _padding_mode(name: str, mode) -> str:
    if mode not in _PADDING_MODES:
        raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, received {mode!r}")
    if mode != "zeros":
        raise NotImplementedError(
            f"{name}: padding_mode={mode!r} is not supported, only 'zeros'; pad the input with "
            f"nn.functional.pad(x, pads, mode={mode!r}) and use padding=0 instead"
        )
    return mode
