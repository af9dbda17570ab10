"""Pooling layers, as ``torch.nn``: max, average and adaptive average pooling in 1-D and 2-D."""

from __future__ import annotations

from ..autograd.tensor import Tensor
from ..ops.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from .module import Module

__all__ = [
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
]  # fmt: skip


class _MaxPoolNd(Module):
    _pool = staticmethod(max_pool2d)

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor):
        return self._pool(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """The maximum over sliding windows of ``(N, C, L)`` inputs, as ``torch.nn.MaxPool1d``.

    >>> import nnscratch as ns
    >>> ns.nn.MaxPool1d(2)
    MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    """

    _pool = staticmethod(max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """The maximum over sliding windows of ``(N, C, H, W)`` inputs, as ``torch.nn.MaxPool2d``;
    ``stride`` defaults to ``kernel_size``.

    >>> import nnscratch as ns
    >>> pool = ns.nn.MaxPool2d(2)
    >>> pool, pool(ns.zeros(4, 6, 28, 28)).shape
    (MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False), (4, 6, 14, 14))
    """


class AvgPool1d(Module):
    """The mean over sliding windows of ``(N, C, L)`` inputs, as ``torch.nn.AvgPool1d`` (which
    keeps its sizes as 1-tuples).

    >>> import nnscratch as ns
    >>> ns.nn.AvgPool1d(2)
    AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad)  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """The mean over sliding windows of ``(N, C, H, W)`` inputs, as ``torch.nn.AvgPool2d``.

    >>> import nnscratch as ns
    >>> pool = ns.nn.AvgPool2d(2)
    >>> pool, pool(ns.ones(1, 1, 4, 4)).tolist()
    (AvgPool2d(kernel_size=2, stride=2, padding=0), [[[[1.0, 1.0], [1.0, 1.0]]]])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None) -> None:  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Average ``(N, C, L)`` inputs over ``output_size`` bins, as ``torch.nn.AdaptiveAvgPool1d``.

    >>> import nnscratch as ns
    >>> ns.nn.AdaptiveAvgPool1d(3)(ns.zeros(2, 4, 10)).shape
    (2, 4, 3)
    """

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(AdaptiveAvgPool1d):
    """Average ``(N, C, H, W)`` inputs over an ``output_size`` grid of bins (``None`` keeps that
    size), as ``torch.nn.AdaptiveAvgPool2d``.

    >>> import nnscratch as ns
    >>> pool = ns.nn.AdaptiveAvgPool2d(1)
    >>> pool, pool(ns.zeros(2, 8, 7, 7)).shape
    (AdaptiveAvgPool2d(output_size=1), (2, 8, 1, 1))
    """

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool2d(input, self.output_size)


def _single(value):
    """A size as torch's AvgPool1d keeps it: a 1-tuple."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)
