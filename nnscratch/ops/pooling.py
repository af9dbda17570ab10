"""Pooling, as torch: max and average pooling in 1-D and 2-D, and adaptive average pooling.

Max and average pooling copy their windows (``im2col.windows``) once into a tap-major array and
reduce over the kernel taps, one vectorised step per tap; their backward passes go through
``col2im``, the adjoint of the windows. 1-D ops are 2-D ops on images of height 1.
Adaptive average pooling is a product with two averaging matrices, ``P_h x P_w^T``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import workspace
from .checks import is_int
from .creation import from_numpy
from .im2col import Plan, col2im, expand, from_grid, plan, to_flat, to_grid, windows
from .masking import keep_where
from .workspace import scratch

__all__ = [
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
]  # fmt: skip


class Spec(NamedTuple):
    """A pooling op's geometry: its plan and the input seen as 2-D images (N, C, H, W)."""

    plan: Plan
    x4: tuple
    y: tuple  # the output's shape as returned
    divisor: object = None  # average pooling: a number, or one per grid column


class MaxPool(Function):
    """y = max of each window;  dy/dx = g routed to the window's first maximum (a NaN wins)"""

    @staticmethod
    def forward(ctx, x, spec):
        best, ctx.arg = _max_and_argmax(x.reshape(spec.x4), spec.plan)
        ctx.spec = spec
        return _output(best, spec)

    @staticmethod
    def backward(ctx, grad):
        spec = ctx.spec
        if _tiles(spec.plan):
            return _tiled_max_grad(ctx.arg, grad, spec).reshape(ctx.inputs[0].shape), None
        gg = to_grid(grad.reshape(spec.x4[:2] + spec.plan.out), spec.plan)
        won = ctx.arg.reshape(gg.shape) == np.arange(_taps(spec)).reshape(-1, 1, 1, 1)
        routed = scratch("pool", won.shape, gg.dtype)
        keep_where(won, gg, out=routed)
        return col2im(routed, spec.plan).reshape(ctx.inputs[0].shape), None


class AvgPool(Function):
    """y = sum of each window / divisor;  dy/dx = g / divisor, spread over the window"""

    @staticmethod
    def forward(ctx, x, spec):
        total = _columns(x.reshape(spec.x4), spec.plan, 0).sum(axis=0)
        total /= np.asarray(spec.divisor, total.dtype)
        ctx.spec = spec
        return _output(total, spec)

    @staticmethod
    def backward(ctx, grad):
        spec = ctx.spec
        gg = to_grid(grad.reshape(spec.x4[:2] + spec.plan.out), spec.plan)
        share = gg / np.asarray(spec.divisor, gg.dtype).reshape(-1)
        spread = np.broadcast_to(share, (_taps(spec), *share.shape))
        return col2im(spread, spec.plan).reshape(ctx.inputs[0].shape), None


class AdaptiveAvgPool(Function):
    """y = P_h x P_w^T, each row of P averaging one bin;  dy/dx = P_h^T g P_w"""

    @staticmethod
    def forward(ctx, x, rows, cols, x4, y_shape):
        ctx.mats, ctx.x4 = (rows, cols), x4
        return _sandwich(x.reshape(x4), rows, cols).reshape(y_shape)

    @staticmethod
    def backward(ctx, grad):
        rows, cols = ctx.mats
        g4 = grad.reshape(ctx.x4[:2] + (rows.shape[0], cols.shape[0]))
        dx = _sandwich(g4, rows.T, cols.T).reshape(ctx.inputs[0].shape)
        return dx, None, None, None, None


# ---- the array work ----------------------------------------------------------------------


def _taps(spec: Spec) -> int:
    return spec.plan.taps[0] * spec.plan.taps[1]


def _output(values: np.ndarray, spec: Spec) -> np.ndarray:
    """Pooled values ``(N, C, *grid)`` as the op's output (junk columns dropped)."""
    return from_grid(values.reshape(spec.x4[:2] + (spec.plan.columns,)), spec.plan).reshape(spec.y)


def _columns(x: np.ndarray, p: Plan, fill) -> np.ndarray:
    """The windows of ``x`` ``(N, C, H, W)`` copied tap-major: ``(kh * kw, N, C, *grid)``, in
    scratch memory (a temporary)."""
    win = np.moveaxis(windows(to_flat(x, p, fill), p), (2, 3), (0, 1))
    cols = scratch("pool", win.shape, win.dtype)
    np.copyto(cols, win)
    return cols.reshape((p.taps[0] * p.taps[1],) + win.shape[2:])


def _max_and_argmax(x: np.ndarray, p: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Each window's maximum and the tap that holds it, first of ties; a NaN beats any number
    and a later NaN an earlier one (torch's pick), so NaNs propagate."""
    cols = _columns(x, p, -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min)
    best = workspace.empty(cols[0].shape, cols.dtype)
    np.copyto(best, cols[0])
    kind = np.uint8 if len(cols) < 256 else np.int32
    arg = np.zeros(best.shape, kind)
    has_nan = x.dtype.kind == "f" and bool(np.isnan(x).any())
    for t in range(1, len(cols)):
        better = cols[t] > best
        if has_nan:
            better |= np.isnan(cols[t])
        np.maximum(best, cols[t], out=best)  # NaN propagates, as torch's
        np.maximum(arg, better * kind(t), out=arg)  # t grows, so the max is the latest winner
    return best, arg


def _tiles(p: Plan) -> bool:
    """Whether the windows tile the image exactly (stride = kernel, no padding or dilation),
    as in the usual ``MaxPool2d(2)`` on even sizes."""
    return (
        p.stride == p.taps
        and p.dilation == (1, 1)
        and p.pads == ((0, 0), (0, 0))
        and p.size == (p.out[0] * p.taps[0], p.out[1] * p.taps[1])
        and len(p.grid) == 2
    )


def _tiled_max_grad(arg: np.ndarray, grad: np.ndarray, spec: Spec) -> np.ndarray:
    """Max pooling's input gradient when the windows tile the image: the image is then
    ``(N, C, Ho, kh, Wo, kw)`` as a plain reshape, and each tap's gradient is written straight
    into its slice of it, one masked copy per tap (no zeroed image to scatter into)."""
    (n, c), (ho, wo), (kh, kw) = spec.x4[:2], spec.plan.out, spec.plan.taps
    arg, g = arg.reshape(n, c, ho, wo), grad.reshape(n, c, ho, wo)
    dx = workspace.empty((n, c, ho, kh, wo, kw), grad.dtype)
    for i in range(kh):
        for j in range(kw):
            keep_where(arg == i * kw + j, g, out=dx[:, :, :, i, :, j])
    return dx


def _flat_indices(arg: np.ndarray, p: Plan) -> np.ndarray:
    """torch's ``return_indices``: each maximum's position ``h * W + w`` in its input image."""
    ho, wo = p.out
    (dh, dw), (sh, sw), ((top, _), (left, _)) = p.dilation, p.stride, p.pads
    grid = from_grid(arg.reshape(arg.shape[:2] + (p.columns,)).astype(np.int64), p)
    rows = np.arange(ho)[:, None] * sh + (grid // p.taps[1]) * dh - top
    cols = np.arange(wo) * sw + (grid % p.taps[1]) * dw - left
    return (rows * p.size[1] + cols).astype(np.int64)


def _sandwich(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``rows @ x @ cols.T`` for a stack of images ``x`` ``(N, C, H, W)``, as 2-D products."""
    n, c, h, w = x.shape
    if cols.shape != (w, w) or not _is_identity(cols):
        x = (x.reshape(n * c * h, w) @ cols.T).reshape(n, c, h, len(cols))
    if rows.shape != (h, h) or not _is_identity(rows):
        wo = x.shape[-1]
        stacked = x.transpose(2, 0, 1, 3).reshape(h, n * c * wo)
        x = (rows @ stacked).reshape(len(rows), n, c, wo).transpose(1, 2, 0, 3)
    return np.ascontiguousarray(x)


def _is_identity(m: np.ndarray) -> bool:
    return bool((m == np.eye(len(m), dtype=m.dtype)).all())


def _bins(size: int, out: int, dtype) -> np.ndarray:
    """The ``(out, size)`` averaging matrix of torch's adaptive bins:
    bin i covers ``[floor(i * size / out), ceil((i + 1) * size / out))``."""
    i = np.arange(out)
    start, stop = (i * size) // out, -((-(i + 1) * size) // out)
    inside = (np.arange(size) >= start[:, None]) & (np.arange(size) < stop[:, None])
    return (inside / (stop - start)[:, None]).astype(dtype)


# ---- torch's functions ----------------------------------------------------------------------


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """The maximum over each window of ``input`` ``(N, C, L)`` or ``(C, L)``, as
    ``torch.nn.functional.max_pool1d``; padding counts as -inf.

    >>> import nnscratch as ns
    >>> ns.nn.functional.max_pool1d(ns.tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]]), 2).tolist()
    [[[3.0, 2.0]]]
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)  # fmt: skip


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """The maximum over each window of ``input`` ``(N, C, H, W)`` or ``(C, H, W)``, as
    ``torch.nn.functional.max_pool2d``; ``stride`` defaults to ``kernel_size``, padding counts
    as -inf, and ``return_indices`` also gives each maximum's flat position ``h * W + w``.

    >>> import nnscratch as ns
    >>> x = ns.arange(16.0).reshape(1, 1, 4, 4)
    >>> ns.nn.functional.max_pool2d(x, 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)  # fmt: skip


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):  # fmt: skip
    """The mean over each window of ``input`` ``(N, C, L)`` or ``(C, L)``, as
    ``torch.nn.functional.avg_pool1d``.

    >>> import nnscratch as ns
    >>> ns.nn.functional.avg_pool1d(ns.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[2.0, 1.0]]]
    """
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)  # fmt: skip


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):  # fmt: skip
    """The mean over each window of ``input`` ``(N, C, H, W)`` or ``(C, H, W)``, as
    ``torch.nn.functional.avg_pool2d``. Zero padding counts in the mean unless
    ``count_include_pad=False``; ``divisor_override`` replaces the window size as divisor.

    >>> import nnscratch as ns
    >>> x = ns.arange(16.0).reshape(1, 1, 4, 4)
    >>> ns.nn.functional.avg_pool2d(x, 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)  # fmt: skip


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average ``input`` ``(N, C, L)`` or ``(C, L)`` over ``output_size`` bins covering
    ``[floor(i * L / out), ceil((i + 1) * L / out))``, as ``torch``'s.

    >>> import nnscratch as ns
    >>> ns.nn.functional.adaptive_avg_pool1d(ns.tensor([[[1.0, 2.0, 3.0]]]), 2).tolist()
    [[[1.5, 2.5]]]
    """
    return _adaptive("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average ``input`` ``(N, C, H, W)`` or ``(C, H, W)`` over an ``output_size`` grid of bins
    (an int, a pair, ``None`` keeping a size), with torch's bin edges.

    >>> import nnscratch as ns
    >>> x = ns.arange(16.0).reshape(1, 1, 4, 4)
    >>> ns.nn.functional.adaptive_avg_pool2d(x, 1).tolist()
    [[[[7.5]]]]
    """
    return _adaptive("adaptive_avg_pool2d", 2, input, output_size)


def _max_pool(name, nd, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):  # fmt: skip
    x4 = _check_input(name, nd, input)
    dilation = _lift(expand(dilation, nd, "dilation", name, 1), 1)
    p = _pool_plan(name, nd, input.shape, x4, kernel_size, stride, padding, dilation, ceil_mode)
    spec = Spec(p, x4, input.shape[:-nd] + p.out[2 - nd :])
    out = MaxPool.apply(input, spec)
    if not return_indices:
        return out
    _, arg = _max_and_argmax(input.detach().numpy().reshape(x4), p)
    return out, from_numpy(_flat_indices(arg, p).reshape(spec.y))


def _avg_pool(name, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):  # fmt: skip
    x4 = _check_input(name, nd, input)
    p = _pool_plan(name, nd, input.shape, x4, kernel_size, stride, padding, (1, 1), ceil_mode)
    divisor = _divisor(name, p, count_include_pad, divisor_override)
    return AvgPool.apply(input, Spec(p, x4, input.shape[:-nd] + p.out[2 - nd :], divisor))


def _adaptive(name, nd, input, output_size) -> Tensor:
    x4 = _check_input(name, nd, input)
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * nd
    if len(sizes) != nd or not all(s is None or (is_int(s) and s >= 0) for s in sizes):
        raise ValueError(
            f"{name}: output_size must be a non-negative int (or None) or a tuple of {nd} of "
            f"them, received {output_size!r}"
        )
    out = [n if s is None else int(s) for n, s in zip(x4[4 - nd :], sizes)]
    rows, cols = (_bins(n, o, input.dtype) for n, o in zip(x4[2:], [1] * (2 - nd) + out))
    return AdaptiveAvgPool.apply(input, rows, cols, x4, input.shape[:-nd] + tuple(out))


def _lift(values: tuple, fill: int) -> tuple:
    return (fill,) * (2 - len(values)) + values


def _check_input(name: str, nd: int, input) -> tuple:
    """The input's shape as (N, C, H, W), after checking its type and rank."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected input to be a Tensor, received {type(input).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise ValueError(
            f"{name}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, "
            f"received shape {input.shape}"
        )
    integers_allowed = name.startswith("max")  # as torch: max pooling also takes integers
    if input.dtype.kind != "f" and not (integers_allowed and input.dtype.kind in "iu"):
        raise TypeError(f"{name}: expected a floating point input, received {input.dtype}")
    shape = input.shape if input.ndim == nd + 2 else (1, *input.shape)
    return shape[:2] + (1,) * (2 - nd) + shape[2:]


def _pool_plan(name, nd, shape, x4, kernel_size, stride, padding, dilation, ceil_mode) -> Plan:
    """The windows of a pooling op; ceil_mode adds extra padding on the bottom/right."""
    kernel = _lift(expand(kernel_size, nd, "kernel_size", name, 1), 1)
    given = stride if stride is not None and stride != () and stride != [] else kernel_size
    stride = _lift(expand(given, nd, "stride", name, 1), 1)
    pad = _lift(expand(padding, nd, "padding", name, 0), 0)
    if any(2 * q > k for q, k in zip(pad, kernel)):
        raise ValueError(
            f"{name}: padding {pad[2 - nd :]} must be at most half the kernel size "
            f"{kernel[2 - nd :]}"
        )
    out = tuple(
        _pooled_size(n, k, s, q, d, ceil_mode)
        for n, k, s, q, d in zip(x4[2:], kernel, stride, pad, dilation)
    )
    if min(out) < 1:
        raise ValueError(
            f"{name}: the output size {out[2 - nd :]} is too small: input shape {shape}, "
            f"kernel_size {kernel[2 - nd :]}, dilation {dilation[2 - nd :]}, padding "
            f"{pad[2 - nd :]}"
        )
    pads = tuple(
        (q, q + max(0, (o - 1) * s + d * (k - 1) + 1 - n - 2 * q))
        for n, k, s, q, d, o in zip(x4[2:], kernel, stride, pad, dilation, out)
    )
    return plan(x4[2:], kernel, stride, dilation, pads, out=out)


def _pooled_size(n: int, k: int, s: int, q: int, d: int, ceil_mode: bool) -> int:
    """Windows along one dim; in ceil_mode a last partial window counts if it starts inside
    the input or its left padding."""
    span = n + 2 * q - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    return out - 1 if (out - 1) * s >= n + q else out


def _divisor(name: str, p: Plan, count_include_pad: bool, divisor_override):
    """What each window's sum is divided by: a number, or one per grid column."""
    if divisor_override is not None:
        if not is_int(divisor_override) or divisor_override == 0:
            raise ValueError(
                f"{name}: divisor_override must be a non-zero int, received {divisor_override!r}"
            )
        return float(divisor_override)
    (h, w), ((top, bottom), (left, right)) = p.size, p.pads
    if count_include_pad and bottom == top and right == left:  # no ceil_mode extra
        return float(p.taps[0] * p.taps[1])
    counted = np.zeros(p.padded)
    if count_include_pad:  # the padding counts, not ceil_mode's extra beyond it
        counted[: h + 2 * top, : w + 2 * left] = 1
    else:
        counted[top : top + h, left : left + w] = 1
    counts = windows(counted.reshape(1, -1), p).sum(axis=(1, 2))[0]
    return np.maximum(counts, 1)  # junk columns of a wide grid may count none
