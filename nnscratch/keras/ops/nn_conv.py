"""``keras.ops`` nn part: convolutions and pooling in Keras's layout, over nnscratch's torch-style
``conv1d``/``conv2d`` and pools (1-D and 2-D; nnscratch has no 3-D kernels).

Keras differs from torch in three ways, each handled here once:
- layout: ``channels_last`` inputs ``(N, *spatial, C)`` by default, moved to torch's
  ``(N, C, *spatial)`` and back; kernels are ``(*spatial, in, out)`` (torch: ``(out, in, ...)``);
- ``padding="same"``: the output is ``ceil(size / stride)`` long, the total padding split with
  the odd pixel on the right (zeros for convolutions, the edge value repeated for pooling);
- the number of groups is implied by the kernel: ``in_channels / kernel_in_channels``.

>>> import numpy as np
>>> from nnscratch.keras import ops
>>> ops.max_pool(np.arange(8.0).reshape(1, 4, 2, 1), 2).shape
(1, 2, 1, 1)
"""

from __future__ import annotations

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch.autograd.tensor import Tensor

from .arguments import data_format_arg, float_tensor, spatial_tuple
from .symbolic import symbolic

__all__ = [
    "conv", "depthwise_conv", "separable_conv", "conv_transpose", "max_pool", "average_pool",
    "adaptive_average_pool", "adaptive_max_pool",
]  # fmt: skip

_CONV = {1: F.conv1d, 2: F.conv2d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d}
_MAX = {1: F.max_pool1d, 2: F.max_pool2d}
_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d}
_ADAPTIVE_AVG = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d}


def _spatial_rank(x: Tensor, name: str) -> int:
    if x.ndim not in (3, 4):
        raise ValueError(
            f"keras.ops.{name}: expected a 3-D (1 spatial dim) or 4-D (2 spatial dims) input, "
            f"received shape {tuple(x.shape)} (nnscratch has no 3-D convolution or pooling)"
        )
    return x.ndim - 2


def _to_channels_first(x: Tensor, data_format: str) -> Tensor:
    if data_format == "channels_first":
        return x
    return ns.movedim(x, -1, 1)


def _from_channels_first(x: Tensor, data_format: str) -> Tensor:
    if data_format == "channels_first":
        return x
    return ns.movedim(x, 1, -1)


def _torch_kernel(kernel: Tensor) -> Tensor:
    """Keras's ``(*spatial, a, b)`` kernel as torch's ``(b, a, *spatial)``."""
    nd = kernel.ndim - 2
    return kernel.permute(nd + 1, nd, *range(nd))


def _same_pads(sizes, kernel, strides, dilation) -> list[tuple[int, int]]:
    """Keras's "same" padding per spatial dim: output ``ceil(n / s)``, odd pixel on the right."""
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation, strict=True):
        span = (k - 1) * d + 1
        total = max((-(-n // s) - 1) * s + span - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _pad(x: Tensor, pads, mode: str) -> Tensor:
    """Pad the spatial dims of a channels-first ``x`` by ``(left, right)`` pairs."""
    flat = [p for pair in reversed(pads) for p in pair]
    if not any(flat):
        return x
    return F.pad(x, flat, mode=mode)


def _padding(name: str, padding) -> str:
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(
            f"keras.ops.{name}: padding must be 'valid' or 'same', received {padding!r}"
        )
    return padding


@symbolic
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1) -> Tensor:
    """N-D convolution (N = 1, 2) of ``inputs`` with a ``(*spatial, in / groups, out)`` kernel."""
    x, w = float_tensor(inputs, "conv", "inputs"), float_tensor(kernel, "conv", "kernel")
    nd, fmt = _spatial_rank(x, "conv"), data_format_arg(data_format, "conv")
    strides = spatial_tuple(strides, nd, "conv", "strides")
    dilation = spatial_tuple(dilation_rate, nd, "conv", "dilation_rate")
    x = _to_channels_first(x, fmt)
    if w.ndim != nd + 2 or x.shape[1] % w.shape[-2]:
        raise ValueError(
            f"keras.ops.conv: kernel of shape {tuple(w.shape)} does not fit inputs with "
            f"{x.shape[1]} channels and {nd} spatial dims"
        )
    if _padding("conv", padding) == "same":
        x = _pad(x, _same_pads(x.shape[2:], w.shape[:nd], strides, dilation), "constant")
    groups = x.shape[1] // w.shape[-2]
    out = _CONV[nd](x, _torch_kernel(w), None, strides, 0, dilation, groups)
    return _from_channels_first(out, fmt)


@symbolic
def depthwise_conv(
    inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1
) -> Tensor:
    """Each input channel convolved with its own ``multiplier`` filters: a
    ``(*spatial, in, multiplier)`` kernel, ``in * multiplier`` output channels."""
    w = float_tensor(kernel, "depthwise_conv", "kernel")
    grouped = w.reshape(*w.shape[:-2], 1, w.shape[-2] * w.shape[-1])
    return conv(inputs, grouped, strides, padding, data_format, dilation_rate)


@symbolic
def separable_conv(
    inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
    dilation_rate=1,
) -> Tensor:  # fmt: skip
    """A depthwise convolution followed by a 1x1 (pointwise) convolution."""
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)  # fmt: skip
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, dilation_rate)


def _transpose_crops(k: int, s: int, d: int, padding: str, output_padding) -> tuple[int, int]:
    """How much to cut from each end of the full transposed output ``(n - 1) s + span`` to get
    Keras's size (negative: zeros to add). "valid" keeps ``(n - 1) s + max(span, s)``; "same"
    gives ``n s``; ``output_padding`` adds to the right of the base size."""
    span = (k - 1) * d + 1
    if padding == "valid":
        extra = max(span, s) - span if output_padding is None else output_padding
        return 0, -extra
    total = s + span - 2 if output_padding is None else span + span % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, span - 1)
    return span - 1 - left, span - 1 - (total - left)


@symbolic
def conv_transpose(
    inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
    dilation_rate=1,
) -> Tensor:  # fmt: skip
    """The transpose (input gradient) of ``conv``, with a ``(*spatial, out, in)`` kernel."""
    name = "conv_transpose"
    x, w = float_tensor(inputs, name, "inputs"), float_tensor(kernel, name, "kernel")
    nd, fmt = _spatial_rank(x, name), data_format_arg(data_format, name)
    strides = spatial_tuple(strides, nd, name, "strides")
    dilation = spatial_tuple(dilation_rate, nd, name, "dilation_rate")
    extras = (
        [output_padding] * nd if not isinstance(output_padding, (list, tuple)) else output_padding
    )
    x = _to_channels_first(x, fmt)
    if w.ndim != nd + 2 or w.shape[-1] != x.shape[1]:
        raise ValueError(
            f"keras.ops.{name}: kernel of shape {tuple(w.shape)} does not fit inputs with "
            f"{x.shape[1]} channels (expected kernel[-1] == channels)"
        )
    full = _CONV_T[nd](x, _torch_kernel(w), None, strides, 0, 0, 1, dilation)
    padding = _padding(name, padding)
    crops = [_transpose_crops(k, s, d, padding, e)
             for k, s, d, e in zip(w.shape[:nd], strides, dilation, extras)]  # fmt: skip
    return _from_channels_first(_pad(full, [(-a, -b) for a, b in crops], "constant"), fmt)


def _pool(name, table, inputs, pool_size, strides, padding, data_format, **options) -> Tensor:
    x = float_tensor(inputs, name, "inputs")
    nd, fmt = _spatial_rank(x, name), data_format_arg(data_format, name)
    pool_size = spatial_tuple(pool_size, nd, name, "pool_size")
    strides = pool_size if strides is None else spatial_tuple(strides, nd, name, "strides")
    x, torch_pad = _to_channels_first(x, fmt), 0
    if _padding(name, padding) == "same":
        pads = _same_pads(x.shape[2:], pool_size, strides, (1,) * nd)
        if all(a == b for a, b in pads):
            torch_pad = tuple(a for a, _ in pads)  # the pool's own padding, left out of averages
        else:
            x = _pad(x, pads, "replicate")  # as Keras's torch backend: the edge value repeated
    out = table[nd](x, pool_size, strides, torch_pad, **options)
    return _from_channels_first(out, fmt)


@symbolic
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None) -> Tensor:
    """The maximum over each ``pool_size`` window, moving by ``strides`` (default: pool_size)."""
    return _pool("max_pool", _MAX, inputs, pool_size, strides, padding, data_format)


@symbolic
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None) -> Tensor:
    """The mean over each ``pool_size`` window; "same" padding is left out of the means."""
    return _pool("average_pool", _AVG, inputs, pool_size, strides, padding, data_format,
                 count_include_pad=False)  # fmt: skip


def _output_size(output_size, nd: int, name: str) -> tuple[int, ...]:
    return spatial_tuple(output_size, nd, name, "output_size")


@symbolic
def adaptive_average_pool(inputs, output_size, data_format=None) -> Tensor:
    """Means over ``output_size`` bins per spatial dim, bin ``i`` of ``n`` over ``out`` covering
    ``[floor(i n / out), ceil((i + 1) n / out))``."""
    x = float_tensor(inputs, "adaptive_average_pool", "inputs")
    nd = _spatial_rank(x, "adaptive_average_pool")
    fmt = data_format_arg(data_format, "adaptive_average_pool")
    size = _output_size(output_size, nd, "adaptive_average_pool")
    out = _ADAPTIVE_AVG[nd](_to_channels_first(x, fmt), size if nd > 1 else size[0])
    return _from_channels_first(out, fmt)


def _bin_edges(n: int, out: int) -> list[tuple[int, int]]:
    return [(i * n // out, -(-(i + 1) * n // out)) for i in range(out)]


@symbolic
def adaptive_max_pool(inputs, output_size, data_format=None) -> Tensor:
    """Maxima over the same bins as ``adaptive_average_pool``: one max per bin, stacked."""
    x = float_tensor(inputs, "adaptive_max_pool", "inputs")
    nd = _spatial_rank(x, "adaptive_max_pool")
    fmt = data_format_arg(data_format, "adaptive_max_pool")
    size = _output_size(output_size, nd, "adaptive_max_pool")
    x = _to_channels_first(x, fmt)
    for axis, out in enumerate(size, start=2):
        bins = [x.narrow(axis, a, b - a).amax(dim=axis, keepdim=True)
                for a, b in _bin_edges(x.shape[axis], out)]  # fmt: skip
        x = ns.cat(bins, dim=axis)
    return _from_channels_first(x, fmt)
