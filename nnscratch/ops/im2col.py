"""The sliding-window machinery behind convolution and pooling: ``Plan``, ``windows``, ``col2im``.

Images ``(..., H, W)`` (any leading dims) are padded and flattened to ``(..., Hp * Wp)``.
Kernel tap ``(i, j)`` then reads the flat buffer from offset ``i * dh * Wp + j * dw`` along a
lattice of output positions, so ``windows`` is one strided view ``(..., kh, kw, *grid)`` and
im2col is one copy of it; ``col2im``, its adjoint, adds each tap's slice back: kh * kw strided
adds (one strided copy when the windows do not overlap), never a loop over pixels or batches.

Output ``(ho, wo)`` is grid column ``ho * pitch + wo``. The plain grid is ``(Ho, Wo)`` with
``pitch = Wo``. The *wide* grid is one run of ``M = (Ho - 1) * pitch + Wo`` columns with
``pitch = sh * Wp / sw``: it walks the flat buffer with a single step, so a tap is one long run
rather than ``Ho`` short rows (copies and adds several times faster). The columns between rows
are junk: ``from_grid`` drops them from outputs and ``to_grid`` zeroes them in gradients.

Large internal arrays reuse memory (``workspace.scratch`` for temporaries of one call,
``workspace.empty`` for the im2col matrix kept until backward and for results).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import workspace
from .checks import is_int
from .workspace import scratch

__all__ = [
    "Plan", "plan", "to_flat", "windows", "col2im", "from_grid", "to_grid", "expand",
]  # fmt: skip

_WIDE_WASTE = 1.5  # use the wide grid while it computes at most this many outputs per real one


class Plan(NamedTuple):
    """Where every window of a sliding-kernel op reads, over an ``(H, W)`` image."""

    size: tuple  # (H, W)
    pads: tuple  # ((top, bottom), (left, right))
    padded: tuple  # (Hp, Wp)
    taps: tuple  # kernel (kh, kw)
    dilation: tuple  # (dh, dw)
    stride: tuple  # (sh, sw)
    out: tuple  # (Ho, Wo)
    grid: tuple  # output positions: (M,) wide or (Ho, Wo) plain
    pitch: int  # grid columns per output row

    @property
    def columns(self) -> int:
        """M: the number of grid columns (output positions, junk included)."""
        return math.prod(self.grid)

    @property
    def tap_steps(self) -> tuple:
        """Flat offsets between neighbouring taps."""
        return (self.dilation[0] * self.padded[1], self.dilation[1])

    @property
    def grid_steps(self) -> tuple:
        """Flat steps between neighbouring grid columns (and rows, on the plain grid)."""
        sh, sw = self.stride
        return (sw,) if len(self.grid) == 1 else (sh * self.padded[1], sw)


def plan(size, kernel, stride, dilation, pads, out=None, wide: bool = True) -> Plan:
    """The windows of a ``kernel`` over an image of ``size`` (H, W) with per-side ``pads``.

    ``out`` (Ho, Wo) defaults to all the windows that fit (transposed convolutions pass it).

    >>> p = plan((4, 4), (3, 3), (1, 1), (1, 1), ((0, 0), (0, 0)))
    >>> p.out, p.grid, p.pitch
    ((2, 2), (6,), 4)
    """
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(size, pads))
    if out is None:
        out = tuple(
            (n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(padded, kernel, stride, dilation)
        )
    (ho, wo), (sh, sw) = out, stride
    pitch, rem = divmod(sh * padded[1], sw)
    columns = (ho - 1) * pitch + wo  # the last row stops at its last output: no tail to pad
    if not (wide and not rem and columns <= _WIDE_WASTE * ho * wo):
        columns, pitch = (ho, wo), wo
    grid = columns if isinstance(columns, tuple) else (columns,)
    return Plan(tuple(size), tuple(pads), padded, tuple(kernel), tuple(dilation), tuple(stride),
                tuple(out), grid, pitch)  # fmt: skip


def expand(value, n: int, what: str, where: str, minimum: int) -> tuple:
    """``value`` (an int or n ints, each >= ``minimum``) as a tuple of n ints, or a clear error.

    >>> expand(2, 2, "stride", "conv2d", 1), expand((1, 3), 2, "stride", "conv2d", 1)
    ((2, 2), (1, 3))
    """
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(values) != n or not all(is_int(v) and v >= minimum for v in values):
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(
            f"{where}: {what} must be a {kind} int or a tuple of {n} {kind} ints, "
            f"received {value!r}"
        )
    return tuple(int(v) for v in values)


def to_flat(x: np.ndarray, p: Plan, fill: float = 0) -> np.ndarray:
    """``x`` ``(..., H, W)`` padded with ``fill`` as a C-ordered ``(..., Hp * Wp)`` array
    (a view of ``x`` when nothing is padded and ``x`` is already C-ordered)."""
    *lead, h, w = x.shape
    if p.padded == (h, w) and x.flags.c_contiguous:
        return x.reshape(*lead, h * w)
    flat = workspace.empty((*lead, *p.padded), x.dtype)
    if p.padded != (h, w):
        flat.fill(fill)  # the border (x overwrites the inside)
    (top, _), (left, _) = p.pads
    flat[..., top : top + h, left : left + w] = x
    return flat.reshape(*lead, p.padded[0] * p.padded[1])


def windows(flat: np.ndarray, p: Plan, writeable: bool = False) -> np.ndarray:
    """The view ``(..., kh, kw, *grid)`` of ``(..., Hp * Wp)`` images: every tap at every output
    position (read-only unless asked: overlapping windows share pixels)."""
    steps = tuple(flat.itemsize * s for s in p.tap_steps + p.grid_steps)
    shape = flat.shape[:-1] + p.taps + p.grid
    return _strided(flat, shape, flat.strides[:-1] + steps, writeable)


def _strided(a: np.ndarray, shape: tuple, strides: tuple, writeable: bool = False):
    """A view of ``a`` with the given shape and strides (bounds-checked when ``a`` is C-ordered,
    which is also several times quicker than ``as_strided``)."""
    if not a.flags.c_contiguous:
        return as_strided(a, shape, strides, writeable=writeable)
    view = np.ndarray(shape, a.dtype, a, 0, strides)
    view.flags.writeable = writeable
    return view


def _tap_slice(image: np.ndarray, flat: np.ndarray, p: Plan, i: int, j: int) -> np.ndarray:
    """Where tap (i, j) reads, as a writeable view: ``(..., M)`` wide or ``(..., Ho, Wo)``."""
    (dh, dw), (sh, sw), (ho, wo) = p.dilation, p.stride, p.out
    if len(p.grid) == 1:
        start = i * p.tap_steps[0] + j * dw
        return flat[..., start : start + (p.columns - 1) * sw + 1 : sw]
    rows = slice(i * dh, i * dh + (ho - 1) * sh + 1, sh)
    return image[..., rows, j * dw : j * dw + (wo - 1) * sw + 1 : sw]


def col2im(cols: np.ndarray, p: Plan) -> np.ndarray:
    """The adjoint of ``windows``: sum ``cols`` ``(kh * kw, *lead, M)`` (any strides, tap
    first) back onto the image, where each tap reads; returns ``(*lead, H, W)``, a view.

    Disjoint windows (stride >= dilated kernel) take one strided copy; others one add per tap.
    """
    lead = cols.shape[1:-1]
    flat = workspace.zeros(lead + (p.padded[0] * p.padded[1],), cols.dtype)
    image = flat.reshape(lead + p.padded)
    if len(p.grid) == 2 and all(d * (k - 1) < s for k, s, d in zip(p.taps, p.stride, p.dilation)):
        target = windows(flat, p, writeable=True)  # each pixel in one window at most
        k = len(lead)
        target.transpose(k, k + 1, *range(k), k + 2, k + 3)[...] = cols.reshape(
            p.taps + lead + p.grid
        )
    else:
        for i in range(p.taps[0]):
            for j in range(p.taps[1]):
                target = _tap_slice(image, flat, p, i, j)
                target += cols[i * p.taps[1] + j].reshape(target.shape)
    (top, _), (left, _) = p.pads
    return image[..., top : top + p.size[0], left : left + p.size[1]]


def _grid_view(a: np.ndarray, p: Plan, writeable: bool = False) -> np.ndarray:
    """``(..., M)`` grid columns seen as ``(..., Ho, Wo)`` outputs (junk skipped)."""
    if p.pitch == p.out[1]:
        return a.reshape(a.shape[:-1] + p.out)
    strides = a.strides[:-1] + (p.pitch * a.itemsize, a.itemsize)
    return _strided(a, a.shape[:-1] + p.out, strides, writeable)


def from_grid(y: np.ndarray, p: Plan, swap: bool = False, bias=None) -> np.ndarray:
    """Grid columns ``(A, B, M)`` as a C-ordered ``(A, B, Ho, Wo)`` array (``(B, A, ...)`` when
    ``swap``), with ``bias`` (per channel of the result) added in the same pass; ``y`` itself,
    reshaped, when nothing needs moving."""
    if not swap and bias is None and p.pitch == p.out[1] and y.flags.c_contiguous:
        return y.reshape(y.shape[:2] + p.out)
    view = _grid_view(y, p)
    if swap:
        view = view.transpose(1, 0, 2, 3)
    out = workspace.empty(view.shape, view.dtype)
    if bias is None:
        np.copyto(out, view)
    else:
        np.add(view, bias.reshape(-1, 1, 1).astype(view.dtype, copy=False), out=out)
    return out


def to_grid(g: np.ndarray, p: Plan, swap: bool = False, temporary: bool = False):
    """An ``(A, B, Ho, Wo)`` array as C-ordered grid columns ``(A, B, M)`` (``(B, A, M)`` when
    ``swap``), zero in the junk columns; in ``scratch`` memory when ``temporary``."""
    if swap:
        g = g.transpose(1, 0, 2, 3)
    shape = g.shape[:2] + (p.columns,)
    if p.pitch == p.out[1] and g.flags.c_contiguous:
        return g.reshape(shape)
    out = scratch("grid", shape, g.dtype) if temporary else np.empty(shape, g.dtype)
    if p.pitch != p.out[1]:
        out.fill(0)
    _grid_view(out, p, writeable=True)[...] = g
    return out
