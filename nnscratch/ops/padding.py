"""Padding, as ``torch.nn.functional.pad``: constant borders, or reflect/replicate/circular.

``ConstantPad`` crops (negative pads) and borders; the other modes are one gather,
``IndexPad``, whose index arrays come from ``np.pad`` applied to ``np.arange``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .checks import is_int

__all__ = ["pad"]


class ConstantPad(Function):
    """y = x cropped (negative pads) then bordered with ``value``;  dy/dx: the inner window"""

    @staticmethod
    def forward(ctx, x, crop, place, shape, value):
        out = np.full(shape, value, x.dtype)
        out[place] = x[crop]
        ctx.shape, ctx.crop, ctx.place = x.shape, crop, place
        return out

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, grad.dtype)
        out[ctx.crop] = grad[ctx.place]
        return out, None, None, None, None


class IndexPad(Function):
    """y = x gathered along each padded dim d at ``indices[d]``;  dy/dx: scatter-add back"""

    @staticmethod
    def forward(ctx, x, indices):
        ctx.shape, ctx.indices = x.shape, indices
        for d, index in enumerate(indices):
            x = x if index is None else np.take(x, index, axis=d)
        return x

    @staticmethod
    def backward(ctx, grad):
        for d, index in enumerate(ctx.indices):
            if index is not None:  # border elements were read several times: accumulate
                out = np.zeros(
                    grad.shape[:d] + ctx.shape[d : d + 1] + grad.shape[d + 1 :], grad.dtype
                )
                np.add.at(out, (slice(None),) * d + (index,), grad)
                grad = out
        return grad, None


_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Pad (or crop, with negative sizes) the last dims, as ``torch.nn.functional.pad``.

    ``pad`` lists ``(left, right)`` pairs starting from the LAST dimension. ``mode`` is
    'constant' (fill with ``value``, default 0), 'reflect' (mirror without the edge),
    'replicate' (repeat the edge) or 'circular' (wrap around).

    >>> import nnscratch as ns
    >>> pad(ns.arange(4.0).reshape(1, 4), (2, 1), mode="reflect").tolist()
    [[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0]]
    """
    widths = _pad_widths(input.shape, pad)
    if mode == "constant":
        windows = _constant_pad_windows(widths, input.shape)
        return ConstantPad.apply(input, *windows, 0 if value is None else value)
    if mode not in _NUMPY_MODES:
        raise NotImplementedError(
            f"pad: unrecognised padding mode {mode!r}; expected 'constant', 'reflect', "
            "'replicate' or 'circular'"
        )
    if value is not None:
        raise ValueError(f"pad: padding mode {mode!r} does not take a value argument")
    _check_index_pad(input.shape, len(pad) // 2, mode)
    indices = [
        None if w == (0, 0) else _pad_index(n, *w, mode)
        for w, n in zip(widths, input.shape, strict=True)
    ]
    return IndexPad.apply(input, indices)


def _pad_widths(shape: tuple, pad: Sequence[int]) -> list[tuple[int, int]]:
    """(left, right) for every dim of ``shape``; ``pad`` runs from the last dim backwards."""
    pad = tuple(pad)
    if not all(is_int(p) for p in pad):
        raise TypeError(f"pad: pad must be a tuple of ints, received {pad}")
    if len(pad) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, received {pad}")
    if len(pad) // 2 > len(shape):
        raise RuntimeError(
            f"pad: padding length {len(pad)} is more than two times the input's "
            f"{len(shape)} dimensions (shape {shape})"
        )
    widths = [(0, 0)] * len(shape)
    for i in range(len(pad) // 2):
        widths[len(shape) - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    for d, ((left, right), n) in enumerate(zip(widths, shape, strict=True)):
        if n - max(-left, 0) - max(-right, 0) < 0:
            raise RuntimeError(
                f"pad: negative padding ({left}, {right}) crops more than the size {n} of "
                f"dimension {d} (input shape {shape})"
            )
    return widths


def _constant_pad_windows(widths: list, shape: tuple) -> tuple[tuple, tuple, tuple]:
    """Where the kept input lies in the input (crop) and in the output (place); output shape."""
    crop, place, out_shape = [], [], []
    for (left, right), n in zip(widths, shape, strict=True):
        start, stop = max(-left, 0), n - max(-right, 0)
        crop.append(slice(start, stop))
        place.append(slice(max(left, 0), max(left, 0) + stop - start))
        out_shape.append(n + left + right)
    return tuple(crop), tuple(place), tuple(out_shape)


def _check_index_pad(shape: tuple, k: int, mode: str) -> None:
    """torch's limits for the non-constant modes: 1-3 padded dims and 1 or 2 leading dims."""
    if k not in (1, 2, 3) or len(shape) not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: mode {mode!r} with {2 * k} pad values needs a {k + 1}-D or {k + 2}-D input "
            f"(pads the last {k} dims of an unbatched or batched input), got shape {shape}"
        )
    if mode != "circular" and 0 in shape[len(shape) - k - 1 :]:
        raise RuntimeError(
            f"pad: mode {mode!r} needs non-empty dims apart from the batch dim, got shape {shape}"
        )


def _pad_index(n: int, left: int, right: int, mode: str) -> np.ndarray:
    """Which input position each output position reads, as np.pad would lay out np.arange."""
    crop_left, crop_right = max(-left, 0), max(-right, 0)
    widths = (max(left, 0), max(right, 0))
    if mode == "circular":  # torch crops first, then wraps what is left
        kept = np.arange(n)[crop_left : n - crop_right]
        if max(widths) > kept.size:
            raise RuntimeError(
                f"pad: circular padding ({left}, {right}) wraps around more than once a "
                f"dimension of size {kept.size}"
            )
        return np.pad(kept, widths, mode="wrap")
    if mode == "reflect" and max(left, right) >= n:
        raise RuntimeError(
            f"pad: reflect padding ({left}, {right}) must be smaller than the dimension size {n}"
        )
    if n + left + right <= 0:
        raise RuntimeError(f"pad: input size {n} padded by ({left}, {right}) leaves nothing")
    full = np.pad(np.arange(n), widths, mode=_NUMPY_MODES[mode])  # torch pads, then crops
    return full[crop_left : full.size - crop_right]
