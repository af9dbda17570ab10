"""Convolution, as torch: ``conv1d``, ``conv2d``, ``conv_transpose1d``, ``conv_transpose2d``.

One machinery does all four, on NumPy arrays laid out channels first: the input becomes
``(C, N, Hp * Wp)``, its windows one im2col matrix ``(groups, C/groups * kh * kw, N * M)``
(``im2col.py``), and a convolution is one matrix product per group. Its two adjoints are one
product each too: the weight gradient ``g @ cols^T``, and the input gradient ``col2im(W^T g)``.
A transposed convolution *is* that input gradient, so ``ConvTranspose`` runs the same three
products in the other order. 1-D ops are 2-D ops on images of height 1.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import blas
from .checks import check_float_dtypes, check_tensors, is_int
from .im2col import (
    Plan,
    col2im,
    expand,
    from_grid,
    plan,
    to_flat,
    to_grid,
    windows,
)
from .workspace import empty, scratch

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


# ---- the three products, on arrays: x (N, C, H, W), conv weight w (O, C/groups, kh, kw) ----


def im2col(x: np.ndarray, p: Plan, groups: int) -> np.ndarray:
    """The windows of ``x`` as one matrix per group: ``(groups, C/groups * kh * kw, N * M)``."""
    n, rows = x.shape[0], x.shape[1] // groups * p.taps[0] * p.taps[1]
    win = windows(to_flat(x.transpose(1, 0, 2, 3), p), p)  # (C, N, kh, kw, *grid)
    win = win.transpose(0, 2, 3, 1, *range(4, win.ndim))  # (C, kh, kw, N, *grid)
    cols = empty((groups, rows, n * p.columns), x.dtype)  # kept until backward
    np.copyto(cols.reshape(win.shape), win)  # the one copy
    return cols


def conv_forward(x, w, bias, p: Plan, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """``(y, cols)``: the convolution ``(N, O, Ho, Wo)`` and the im2col matrix it used."""
    cols = im2col(x, p, groups)
    y = scratch("gemm", (groups, w.shape[0] // groups, cols.shape[2]), cols.dtype)
    blas.matmul(w.reshape(groups, w.shape[0] // groups, -1), cols, out=y)  # (G, O/G, N * M)
    y = y.reshape(w.shape[0], x.shape[0], p.columns)
    return from_grid(y, p, swap=True, bias=bias), cols


def conv_adjoint(gg: np.ndarray, w: np.ndarray, p: Plan, groups: int) -> np.ndarray:
    """``col2im(W^T g)``: the input gradient ``(N, C, H, W)`` (a view) of grid columns ``gg``
    ``(O, N, M)``; also the forward pass of the transposed convolution."""
    o, cg, kh, kw = w.shape
    og, taps, n = o // groups, kh * kw, gg.shape[1]
    # Rows ordered (tap, channel), so each tap's gradient is one contiguous block for col2im.
    wt = w.reshape(groups, og, cg, taps).transpose(0, 3, 2, 1).reshape(groups, taps * cg, og)
    dcols = scratch("dcols", (groups, taps * cg, gg.shape[1] * gg.shape[2]), gg.dtype)
    blas.matmul(wt, gg.reshape(groups, og, n * p.columns), out=dcols)
    dcols = dcols.reshape(groups, taps, cg, n, p.columns)
    dx = col2im(dcols.transpose(1, 0, 2, 3, 4), p)  # (G, C/G, N, H, W)
    return dx.reshape(groups * cg, n, *p.size).transpose(1, 0, 2, 3)


def conv_weight_grad(gg: np.ndarray, cols: np.ndarray, w_shape: tuple, groups: int):
    """``g @ cols^T`` per group: the weight gradient, from grid columns ``gg`` ``(O, N, M)``."""
    g2 = gg.reshape(groups, w_shape[0] // groups, gg.shape[1] * gg.shape[2])
    return blas.matmul(g2, cols.transpose(0, 2, 1)).reshape(w_shape)


# ---- the ops ---------------------------------------------------------------------------


class Spec(NamedTuple):
    """An op's geometry: its plan, groups, and the input and weight seen as 2-D (N, C, H, W)."""

    plan: Plan
    groups: int
    x4: tuple
    w4: tuple
    y: tuple  # the output's shape as returned (no batch dim for an unbatched input, 1-D...)


class Conv(Function):
    """y = W (*) x + b, cross-correlation over windows: y = W cols(x) + b;
    dy/dx = col2im(W^T g),  dy/dW = g cols^T,  dy/db = sum of g over batch and positions"""

    @staticmethod
    def forward(ctx, x, w, b, spec):
        w4 = w.reshape(spec.w4)
        y, cols = conv_forward(x.reshape(spec.x4), w4, b, spec.plan, spec.groups)
        ctx.save_for_backward(cols if ctx.needs_input_grad[1] else None, w4)
        ctx.spec = spec
        return y.reshape(spec.y)

    @staticmethod
    def backward(ctx, grad):
        cols, w4 = ctx.saved_tensors
        spec, (need_x, need_w, need_b, _) = ctx.spec, ctx.needs_input_grad
        g4 = grad.reshape(spec.x4[0], spec.w4[0], *spec.plan.out)
        gg = to_grid(g4, spec.plan, swap=True, temporary=True)
        dx = conv_adjoint(gg, w4, spec.plan, spec.groups) if need_x else None
        dw = conv_weight_grad(gg, cols, w4.shape, spec.groups) if need_w else None
        return (
            None if dx is None else dx.reshape(ctx.inputs[0].shape),
            None if dw is None else dw.reshape(ctx.inputs[1].shape),
            gg.sum(axis=(1, 2)) if need_b else None,
            None,
        )


class ConvTranspose(Function):
    """y = col2im(W^T x) + b, the adjoint of Conv (its input gradient);
    dy/dx = W cols(g) (a convolution),  dy/dW = x cols(g)^T,  dy/db = sum of g"""

    @staticmethod
    def forward(ctx, x, w, b, spec):
        w4 = w.reshape(spec.w4)
        xg = to_grid(x.reshape(spec.x4), spec.plan, swap=True)  # (C_in, N, M)
        y = conv_adjoint(xg, w4, spec.plan, spec.groups)
        out = np.empty(y.shape, y.dtype)
        if b is None:
            np.copyto(out, y)
        else:
            np.add(y, b.reshape(-1, 1, 1), out=out)
        ctx.save_for_backward(xg if ctx.needs_input_grad[1] else None, w4)
        ctx.spec = spec
        return out.reshape(spec.y)

    @staticmethod
    def backward(ctx, grad):
        xg, w4 = ctx.saved_tensors
        spec, (need_x, need_w, need_b, _) = ctx.spec, ctx.needs_input_grad
        g4 = grad.reshape(spec.x4[0], spec.w4[1] * spec.groups, *spec.plan.size)
        dx, cols = conv_forward(g4, w4, None, spec.plan, spec.groups) if need_x or need_w else (
            None, None)  # fmt: skip
        dw = conv_weight_grad(xg, cols, w4.shape, spec.groups) if need_w else None
        return (
            dx.reshape(ctx.inputs[0].shape) if need_x else None,
            None if dw is None else dw.reshape(ctx.inputs[1].shape),
            g4.sum(axis=(0, 2, 3)) if need_b else None,
            None,
        )


# ---- torch's functions ----------------------------------------------------------------------


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution (cross-correlation) of ``input`` ``(N, C_in, L)`` or ``(C_in, L)`` with
    ``weight`` ``(C_out, C_in / groups, k)``, as ``torch.nn.functional.conv1d``.

    ``padding`` is an int, a 1-tuple, 'valid' (none) or 'same' (output as long as the input;
    stride 1 only; an odd extra goes on the right).

    >>> import nnscratch as ns
    >>> x = ns.tensor([[[1.0, 2.0, 3.0, 4.0]]])
    >>> ns.nn.functional.conv1d(x, ns.tensor([[[1.0, -1.0]]]), padding=1).tolist()
    [[[-1.0, -1.0, -1.0, -1.0, 4.0]]]
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution (cross-correlation) of ``input`` ``(N, C_in, H, W)`` or ``(C_in, H, W)``
    with ``weight`` ``(C_out, C_in / groups, kh, kw)``, as ``torch.nn.functional.conv2d``.

    ``stride``, ``dilation`` and ``padding`` are ints or pairs; ``padding`` may also be 'valid'
    (none) or 'same' (output as large as the input; stride 1 only; an odd extra goes on the
    bottom/right). ``groups`` splits the channels into independent convolutions.

    >>> import nnscratch as ns
    >>> x = ns.arange(9.0).reshape(1, 1, 3, 3)
    >>> ns.nn.functional.conv2d(x, ns.ones(1, 1, 2, 2)).tolist()
    [[[[8.0, 12.0], [20.0, 24.0]]]]
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """1-D transposed convolution, as ``torch.nn.functional.conv_transpose1d``: the gradient of
    ``conv1d`` with respect to its input; ``weight`` is ``(C_in, C_out / groups, k)``.

    >>> import nnscratch as ns
    >>> x = ns.tensor([[[1.0, 2.0]]])
    >>> ns.nn.functional.conv_transpose1d(x, ns.tensor([[[1.0, 10.0]]]), stride=2).tolist()
    [[[1.0, 10.0, 2.0, 20.0]]]
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)  # fmt: skip


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``: the gradient of
    ``conv2d`` with respect to its input, so each input pixel stamps a weighted copy of the
    kernel onto the output. ``weight`` is ``(C_in, C_out / groups, kh, kw)``; the output is
    ``(H - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1`` high (wide).

    >>> import nnscratch as ns
    >>> x = ns.tensor([[[[1.0, 2.0]]]])
    >>> ns.nn.functional.conv_transpose2d(x, ns.ones(1, 1, 2, 2)).tolist()
    [[[[1.0, 3.0, 2.0], [1.0, 3.0, 2.0]]]]
    """
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)  # fmt: skip


def _conv(name, nd, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
    _check_operands(name, nd, input, weight, bias, groups)
    args = (name, nd, input.shape, weight.shape, *map(_hashable, (stride, padding, dilation)))
    return Conv.apply(input, weight, bias, _conv_spec(*args, groups))


def _conv_transpose(name, nd, input, weight, bias, stride, padding, output_padding, groups,
                    dilation) -> Tensor:  # fmt: skip
    _check_operands(name, nd, input, weight, bias, groups, transposed=True)
    args = map(_hashable, (stride, padding, output_padding, groups, dilation))
    spec = _transpose_spec(name, nd, input.shape, weight.shape, *args)
    return ConvTranspose.apply(input, weight, bias, spec)


def _hashable(value):
    """Arguments as keys for the geometry cache (lists and arrays become tuples)."""
    if isinstance(value, (list, np.ndarray)):
        return tuple(np.asarray(value).tolist())
    return value


@functools.lru_cache(maxsize=256)  # a training loop asks for the same few geometries
def _conv_spec(name, nd, shape, w_shape, stride, padding, dilation, groups) -> Spec:
    """The geometry of a convolution, after checking that the operands fit together."""
    batched = len(shape) == nd + 2
    x4 = _as_2d(shape, batched)
    w4 = w_shape[:2] + (1,) * (2 - nd) + w_shape[2:]
    if x4[1] != w_shape[1] * groups:
        raise ValueError(
            f"{name}: expected input with {w_shape[1] * groups} channels (weight shape "
            f"{w_shape}, groups={groups}), received input shape {shape}"
        )
    stride = _lift(expand(stride, nd, "stride", name, 1), 1)
    dilation = _lift(expand(dilation, nd, "dilation", name, 1), 1)
    pads = _pads(name, nd, padding, stride, dilation, w4[2:])
    p = _fitted_plan(name, nd, shape, x4[2:], w4[2:], stride, dilation, pads)
    y = (w_shape[0], *p.out[2 - nd :])
    return Spec(p, groups, x4, w4, (x4[0], *y) if batched else y)


@functools.lru_cache(maxsize=256)
def _transpose_spec(name, nd, shape, w_shape, stride, padding, output_padding, groups,
                    dilation) -> Spec:  # fmt: skip
    """The geometry of a transposed convolution, after checking its operands fit together."""
    batched = len(shape) == nd + 2
    x4 = _as_2d(shape, batched)
    w4 = w_shape[:2] + (1,) * (2 - nd) + w_shape[2:]
    if x4[1] != w_shape[0]:
        raise ValueError(
            f"{name}: expected input with {w_shape[0]} channels (weight shape "
            f"{w_shape}), received input shape {shape}"
        )
    stride = _lift(expand(stride, nd, "stride", name, 1), 1)
    dilation = _lift(expand(dilation, nd, "dilation", name, 1), 1)
    pad = _lift(expand(padding, nd, "padding", name, 0), 0)
    extra = _lift(expand(output_padding, nd, "output_padding", name, 0), 0)
    size = _transposed_size(name, x4[2:], w4[2:], stride, pad, extra, dilation)
    p = plan(size, w4[2:], stride, dilation, tuple((q, q) for q in pad), out=x4[2:])
    y = (w_shape[1] * groups, *size[2 - nd :])
    return Spec(p, groups, x4, w4, (x4[0], *y) if batched else y)


def _as_2d(shape: tuple, batched: bool) -> tuple:
    """An input shape as (N, C, H, W): a batch of 1 when unbatched, height 1 when 1-D."""
    shape = shape if batched else (1, *shape)
    return shape[:2] + (1,) * (4 - len(shape)) + shape[2:]


def _lift(values: tuple, fill: int) -> tuple:
    """A 1-D op's per-dim arguments, with the 2-D height dim in front."""
    return (fill,) * (2 - len(values)) + values


def _pads(name, nd, padding, stride, dilation, kernel) -> tuple:
    """((top, bottom), (left, right)) from an int, a tuple, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding != "same":
            raise ValueError(
                f"{name}: padding must be 'valid', 'same', an int or a tuple of {nd} ints, "
                f"received {padding!r}"
            )
        if stride != (1, 1):
            raise ValueError(
                f"{name}: padding='same' is not supported for strided convolutions "
                f"(stride {stride[2 - nd :]})"
            )
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return tuple((t // 2, t - t // 2) for t in totals)  # the odd one out goes last
    return tuple((q, q) for q in _lift(expand(padding, nd, "padding", name, 0), 0))


def _fitted_plan(name, nd, shape, size, kernel, stride, dilation, pads) -> Plan:
    """The plan, or an error when the (dilated) kernel does not fit in the padded input."""
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(size, pads))
    span = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    if any(s > q for s, q in zip(span, padded)):
        raise ValueError(
            f"{name}: kernel size {span[2 - nd :]} (dilated) is larger than the padded input "
            f"{padded[2 - nd :]}; input shape {shape}, padding "
            f"{tuple(lo + hi for lo, hi in pads)[2 - nd :]} (both sides)"
        )
    return plan(size, kernel, stride, dilation, pads)


def _transposed_size(name, size, kernel, stride, pad, extra, dilation) -> tuple:
    """The transposed convolution's output (H, W), checking output_padding and positivity."""
    nd = 2 if name.endswith("2d") else 1
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise ValueError(
            f"{name}: output_padding must be smaller than either stride or dilation, received "
            f"output_padding={extra[2 - nd :]}, stride={stride[2 - nd :]}, "
            f"dilation={dilation[2 - nd :]}"
        )
    out = tuple(
        (n - 1) * s - 2 * q + d * (k - 1) + e + 1
        for n, k, s, q, e, d in zip(size, kernel, stride, pad, extra, dilation)
    )
    if min(out) < 1:
        raise ValueError(
            f"{name}: the output size {out[2 - nd :]} is not positive: input size "
            f"{size[2 - nd :]}, kernel {kernel[2 - nd :]}, padding {pad[2 - nd :]} is too large"
        )
    return out


def _check_operands(name, nd, input, weight, bias, groups, transposed=False) -> None:
    """Types, ranks, groups and bias of a convolution's operands (channels are checked later)."""
    check_tensors(name, input=input, weight=weight, bias=bias)
    if input.ndim not in (nd + 1, nd + 2):
        raise ValueError(
            f"{name}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, "
            f"received shape {input.shape}"
        )
    layout = (
        "in_channels, out_channels/groups" if transposed else "out_channels, in_channels/groups"
    )
    if weight.ndim != nd + 2:
        raise ValueError(
            f"{name}: weight must be {nd + 2}-D ({layout}, *kernel_size), received shape "
            f"{weight.shape}"
        )
    if not is_int(groups) or groups < 1:
        raise ValueError(f"{name}: groups must be a positive int, received {groups!r}")
    split = weight.shape[0]
    if split % groups:
        what = "in_channels" if transposed else "out_channels"
        raise ValueError(
            f"{name}: {what} {split} (weight shape {weight.shape}) is not divisible by "
            f"groups={groups}"
        )
    out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(
            f"{name}: bias must have shape ({out_channels},) (one per output channel), "
            f"received {bias.shape}"
        )
    check_float_dtypes(name, input=input, weight=weight, bias=bias)
