"""Gradients through a mask: ``grad`` where a condition holds, exact zeros elsewhere.

ReLU, clamp, max pooling and ``where`` all send their incoming gradient through a boolean
mask. ``np.where(mask, grad, 0)`` says so plainly, but NumPy runs it with a branch per
element, which costs about ten times a multiply when the mask is irregular (as ReLU's is).
``grad * mask`` is quick but not the same: ``0 * inf`` is NaN. So on large arrays the mask
becomes integers whose bits are all ones (keep) or all zeros (drop), ANDed with the bits of
``grad``: kept values pass bit for bit, inf and NaN included, and dropped ones become +0.0,
exactly ``np.where``'s result.
"""

from __future__ import annotations

import numpy as np

from . import workspace

__all__ = ["keep_where", "zero_where"]

# Integers as wide as each float, to hold its bits.
_BITS = {2: np.int16, 4: np.int32, 8: np.int64}
# Below this many elements np.where's single call is the quicker (measured: ~1k float32).
_SMALL = 1024


def keep_where(keep: np.ndarray, grad: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``np.where(keep, grad, 0)``, written into ``out`` when given (a view may be strided).
    ``grad`` may broadcast against ``keep``.

    >>> keep_where(np.array([True, False]), np.array([np.inf, np.inf])).tolist()
    [inf, 0.0]
    """
    if grad.size < _SMALL and out is None:
        return np.where(keep, grad, 0)
    return _through(keep, grad, out, drop=False)


def zero_where(drop: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """``np.where(drop, 0, grad)``: ``grad`` with zeros where ``drop`` holds.

    >>> zero_where(np.array([True, False]), np.array([np.nan, np.nan])).tolist()
    [0.0, nan]
    """
    if grad.size < _SMALL:
        return np.where(drop, 0, grad)
    return _through(drop, grad, None, drop=True)


def _through(mask, grad: np.ndarray, out, drop: bool) -> np.ndarray:
    ints = _BITS.get(grad.dtype.itemsize)
    if (
        ints is None
        or grad.dtype.kind != "f"
        or grad.size < _SMALL
        or not isinstance(mask, np.ndarray)
        or not _holds(mask.shape, grad.shape)
    ):
        result = np.where(mask, 0, grad) if drop else np.where(mask, grad, 0)
        if out is None:
            return result
        np.copyto(out, result)
        return out
    bits = workspace.empty(mask.shape, ints)
    np.copyto(bits, mask)  # 1 where the mask holds, 0 elsewhere
    if drop:
        bits -= 1  # all-zero bits where dropped, all ones (-1) elsewhere
    else:
        np.negative(bits, out=bits)  # all ones (-1) where kept
    target = bits if out is None else out.view(ints)
    np.bitwise_and(bits, grad.view(ints), out=target)
    return target.view(grad.dtype)


def _holds(mask_shape: tuple, grad_shape: tuple) -> bool:
    """Whether the result has the mask's shape (the bits are made in the mask's shape)."""
    return mask_shape == grad_shape or np.broadcast_shapes(mask_shape, grad_shape) == mask_shape
