"""``keras.ops`` nn part: moments and normalizations, attention, PSNR and the block moves
(``depth_to_space``, ``space_to_depth``, ``unfold``, ``fold``), as compositions of
nnscratch's differentiable ops.

Keras's normalizations divide by ``sqrt(variance + epsilon)`` with ``epsilon`` defaulting to
``keras.config.epsilon()`` (1e-7); ``moments`` gives the biased variance
``mean(x**2) - mean(x)**2``, as Keras's torch backend computes it.

>>> from nnscratch.keras import ops
>>> [round(v, 6) for v in ops.normalize([3.0, 4.0]).tolist()]
[0.6, 0.8]
"""

from __future__ import annotations

import math

import numpy as np

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch.autograd.dtypes import to_dtype
from nnscratch.autograd.tensor import Tensor

from .arguments import (
    axes_arg,
    data_format_arg,
    float_tensor,
    spatial_tuple,
    tensor_arg,
)
from .dtype_rules import result_type
from .symbolic import symbolic

__all__ = [
    "moments", "batch_normalization", "layer_normalization", "rms_normalization", "normalize",
    "psnr", "dot_product_attention", "depth_to_space", "space_to_depth", "unfold", "fold",
]  # fmt: skip

EPSILON = 1e-7  # keras.config.epsilon()


@symbolic
def moments(x, axes, keepdims=False, synchronized=False) -> tuple[Tensor, Tensor]:
    """The mean and the (biased) variance of ``x`` over ``axes``."""
    if synchronized:
        raise NotImplementedError("keras.ops.moments: synchronized=True needs several devices")
    x = float_tensor(x, "moments")
    dims = axes_arg(axes, x.ndim, "moments")
    mean = x.mean(dim=dims, keepdim=True)
    variance = (x * x).mean(dim=dims, keepdim=True) - mean * mean
    if not keepdims:
        mean, variance = mean.squeeze(dims), variance.squeeze(dims)
    return mean, variance


def _along(v, x: Tensor, axis: int, name: str, arg: str) -> Tensor:
    """A 1-D ``v`` shaped to broadcast along ``x``'s ``axis``."""
    v = tensor_arg(v, name, arg)
    shape = [1] * x.ndim
    shape[axis] = -1
    return v.reshape(tuple(shape))


@symbolic
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``, the 1-D statistics laid
    along ``axis``."""
    name = "batch_normalization"
    x = float_tensor(x, name)
    mean = _along(mean, x, axis, name, "mean")
    inv = ns.rsqrt(_along(variance, x, axis, name, "variance") + epsilon)
    if scale is not None:
        inv = inv * _along(scale, x, axis, name, "scale")
    out = (x - mean) * inv
    return out if offset is None else out + _along(offset, x, axis, name, "offset")


def _gamma_beta(v, x: Tensor, dims: tuple, name: str, arg: str):
    if v is None:
        return None
    shape = [x.shape[d] if d in dims else 1 for d in range(x.ndim)]
    return tensor_arg(v, name, arg).to(x.dtype).reshape(tuple(shape))


@symbolic
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs) -> Tensor:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta``, statistics over ``axis``."""
    if kwargs.pop("rms_scaling", False):
        raise NotImplementedError(
            "keras.ops.layer_normalization: rms_scaling is deprecated in Keras; "
            "use keras.ops.rms_normalization"
        )
    x = float_tensor(x, "layer_normalization")
    dims = axes_arg(axis, x.ndim, "layer_normalization")
    eps = EPSILON if epsilon is None else epsilon
    mean = x.mean(dim=dims, keepdim=True)
    centred = x - mean
    out = centred * ns.rsqrt((centred * centred).mean(dim=dims, keepdim=True) + eps)
    gamma = _gamma_beta(gamma, x, dims, "layer_normalization", "gamma")
    beta = _gamma_beta(beta, x, dims, "layer_normalization", "beta")
    out = out if gamma is None else out * gamma
    return out if beta is None else out + beta


@symbolic
def rms_normalization(x, scale=None, axis=-1, epsilon=None) -> Tensor:
    """``x / sqrt(mean(x**2) + epsilon) * scale``, the mean over ``axis``."""
    x = float_tensor(x, "rms_normalization")
    dims = axes_arg(axis, x.ndim, "rms_normalization")
    eps = EPSILON if epsilon is None else epsilon
    out = x * ns.rsqrt((x * x).mean(dim=dims, keepdim=True) + eps)
    scale = _gamma_beta(scale, x, dims, "rms_normalization", "scale")
    return out if scale is None else out * scale


@symbolic
def normalize(x, axis=-1, order=2, epsilon=None) -> Tensor:
    """``x / max(norm(x, order), epsilon)`` along ``axis``."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"keras.ops.normalize: order must be an int >= 1, received {order!r}")
    x = float_tensor(x, "normalize")
    x = x.reshape(1) if x.ndim == 0 else x
    eps = EPSILON if epsilon is None else epsilon
    dims = axes_arg(axis, x.ndim, "normalize")
    if order == 2:
        inv = ns.clamp(ns.rsqrt((x * x).sum(dim=dims, keepdim=True)), max=1.0 / eps)
        return x * inv
    norm = (ns.abs(x) ** order).sum(dim=dims, keepdim=True) ** (1.0 / order)
    return x / ns.clamp(norm, min=eps)


@symbolic
def psnr(x1, x2, max_val) -> Tensor:
    """Peak signal-to-noise ratio in dB: ``20 log10(max_val) - 10 log10(mean((x1 - x2)**2))``."""
    x1, x2 = float_tensor(x1, "psnr", "x1"), float_tensor(x2, "psnr", "x2")
    if tuple(x1.shape) != tuple(x2.shape):
        raise ValueError(
            f"keras.ops.psnr: x1 and x2 must have the same shape, received "
            f"{tuple(x1.shape)} and {tuple(x2.shape)}"
        )
    mse = ((x1 - x2) ** 2).mean()
    peak = ns.log10(ns.tensor(max_val, dtype=x1.dtype))
    return peak * 20.0 - ns.log10(mse) * 10.0


@symbolic
def dot_product_attention(
    query, key, value, bias=None, mask=None, scale=None, is_causal=False, flash_attention=None,
    attn_logits_soft_cap=None,
) -> Tensor:  # fmt: skip
    """``softmax(q k^T * scale + bias) v`` per head, on ``(batch, length, heads, dim)``
    tensors; ``mask`` (True = attend) and ``is_causal`` remove keys; fewer key/value heads than
    query heads are shared by groups of query heads."""
    name = "dot_product_attention"
    q, k, v = (float_tensor(query, name, "query"), float_tensor(key, name, "key"),
               float_tensor(value, name, "value"))  # fmt: skip
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError(
            f"keras.ops.{name}: expected 4-D (batch, length, heads, dim) inputs, received "
            f"query {tuple(q.shape)}, key {tuple(k.shape)}, value {tuple(v.shape)}"
        )
    if bias is not None and mask is not None:
        raise ValueError(f"keras.ops.{name}: give bias or mask, not both")
    if flash_attention or attn_logits_soft_cap is not None:
        raise ValueError(f"keras.ops.{name}: flash attention and soft caps need a GPU/TPU backend")
    compute = to_dtype(result_type(q, k, v))  # float64 inputs give float32
    q, k, v = (t.to(compute).transpose(1, 2) for t in (q, k, v))
    if k.shape[1] not in (1, q.shape[1]):
        k, v = (ns.repeat_interleave(t, q.shape[1] // t.shape[1], dim=1) for t in (k, v))
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = ns.matmul(q, k.transpose(-1, -2)) * scale
    if bias is not None:
        scores = scores + tensor_arg(bias, name, "bias").to(scores.dtype)
    keep = None if mask is None else tensor_arg(mask, name, "mask").to(np.dtype(bool))
    if is_causal:
        causal = ns.from_numpy(np.tril(np.ones((q.shape[2], k.shape[2]), dtype=bool)))
        keep = causal if keep is None else ns.logical_and(keep, causal)
    if keep is not None:
        scores = ns.where(keep, scores, ns.full_like(scores, -np.inf))
    return ns.matmul(ns.softmax(scores, dim=-1), v).transpose(1, 2)


def _block_arg(x: Tensor, block_size, name: str, data_format) -> tuple[int, str]:
    if x.ndim != 4:
        raise ValueError(f"keras.ops.{name}: expected a 4-D input, received {tuple(x.shape)}")
    return spatial_tuple(block_size, 1, name, "block_size")[0], data_format_arg(data_format, name)


@symbolic
def depth_to_space(x, block_size, data_format="channels_last") -> Tensor:
    """Channels moved into ``block_size x block_size`` spatial blocks: channels_last splits
    channels as ``(block row, block column, channel)``, channels_first as ``(channel, block row,
    block column)``, as Keras's torch backend does."""
    x = tensor_arg(x, "depth_to_space")
    b, fmt = _block_arg(x, block_size, "depth_to_space", data_format)
    if fmt == "channels_first":
        n, c, h, w = x.shape
        blocks = x.reshape(n, c // b**2, b, b, h, w).permute(0, 1, 4, 2, 5, 3)
        return blocks.reshape(n, c // b**2, h * b, w * b)
    n, h, w, c = x.shape
    blocks = x.reshape(n, h, w, b, b, c // b**2).permute(0, 1, 3, 2, 4, 5)
    return blocks.reshape(n, h * b, w * b, c // b**2)


@symbolic
def space_to_depth(x, block_size, data_format="channels_last") -> Tensor:
    """Each ``block_size x block_size`` spatial block moved into the channels (the inverse)."""
    x = tensor_arg(x, "space_to_depth")
    b, fmt = _block_arg(x, block_size, "space_to_depth", data_format)
    if fmt == "channels_first":
        n, c, h, w = x.shape
        blocks = x.reshape(n, c, h // b, b, w // b, b).permute(0, 1, 3, 5, 2, 4)
        return blocks.reshape(n, c * b * b, h // b, w // b)
    n, h, w, c = x.shape
    blocks = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    return blocks.reshape(n, h // b, w // b, c * b * b)


def _window_plan(name, kernel_size, dilation, padding, stride):
    return tuple(spatial_tuple(v, 2, name, arg) if arg != "padding" else
                 ((v, v) if isinstance(v, int) else tuple(v))
                 for v, arg in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                (padding, "padding"), (stride, "stride")))  # fmt: skip


def _positions(size: int, k: int, d: int, s: int) -> int:
    return (size - (k - 1) * d - 1) // s + 1


@symbolic
def unfold(x, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """The sliding ``kernel_size`` blocks of a channels-first ``(N, C, H, W)`` image as
    columns: ``(N, C * kh * kw, L)``, L the number of block positions (torch's ``unfold``)."""
    x = float_tensor(x, "unfold")
    if x.ndim != 4:
        raise ValueError(f"keras.ops.unfold: expected a 4-D input, received {tuple(x.shape)}")
    plan = _window_plan("unfold", kernel_size, dilation, padding, stride)
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = plan
    x = F.pad(x, (pw, pw, ph, ph)) if ph or pw else x
    n, c, h, w = x.shape
    oh, ow = _positions(h, kh, dh, sh), _positions(w, kw, dw, sw)
    rows = [slice(i * dh, i * dh + (oh - 1) * sh + 1, sh) for i in range(kh)]
    cols = [slice(j * dw, j * dw + (ow - 1) * sw + 1, sw) for j in range(kw)]
    taps = [x[:, :, r, c] for r in rows for c in cols]
    return ns.stack(taps, dim=2).reshape(n, c * kh * kw, oh * ow)


@symbolic
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """The adjoint of ``unfold``: each column's block added back into a ``(N, C, *output_size)``
    image (overlaps sum)."""
    x = float_tensor(x, "fold")
    plan = _window_plan("fold", kernel_size, dilation, padding, stride)
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = plan
    H, W = spatial_tuple(output_size, 2, "fold", "output_size")  # noqa: N806
    oh, ow = _positions(H + 2 * ph, kh, dh, sh), _positions(W + 2 * pw, kw, dw, sw)
    if x.ndim != 3 or x.shape[1] % (kh * kw) or x.shape[2] != oh * ow:
        raise ValueError(
            f"keras.ops.fold: expected input (N, C * {kh * kw}, {oh * ow}), "
            f"received {tuple(x.shape)}"
        )
    n, c = x.shape[0], x.shape[1] // (kh * kw)
    blocks = x.reshape(n, c, kh * kw, oh, ow)
    spread = ns.ones(c, 1, 1, 1, dtype=x.dtype)  # a 1x1 transposed conv spaces pixels by stride
    out = None
    for t in range(kh * kw):
        i, j = divmod(t, kw)
        spaced = F.conv_transpose2d(blocks[:, :, t], spread, stride=(sh, sw), groups=c)
        top, left = i * dh, j * dw
        bottom, right = H + 2 * ph - top - spaced.shape[2], W + 2 * pw - left - spaced.shape[3]
        placed = F.pad(spaced, (left, right, top, bottom))
        out = placed if out is None else out + placed
    return out[:, :, ph : ph + H, pw : pw + W]
