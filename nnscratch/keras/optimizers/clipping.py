"""Gradient clipping as Keras's optimizers do it: per-variable norm, global norm, value.

All arithmetic stays in the gradients' dtype (float32 by default), as on Keras's backends.
"""

from __future__ import annotations

import numpy as np


def clip_by_norm(gradient: np.ndarray, clipnorm: float) -> np.ndarray:
    """``g * clipnorm / max(||g||, clipnorm)``: rescale ``g`` so its L2 norm is at most clipnorm.

    Keras rescales every gradient by this formula, also those already short enough (the ratio
    is then exactly ``clipnorm / clipnorm``); a zero gradient stays zero.

    >>> clip_by_norm(np.array([3.0, 4.0], np.float32), 1.0)
    array([0.6, 0.8], dtype=float32)
    """
    f = gradient.dtype.type
    norm = np.sqrt(np.sum(np.square(gradient), dtype=gradient.dtype))
    return gradient * f(clipnorm) / np.maximum(norm, f(clipnorm))


def global_norm(gradients: list[np.ndarray]) -> np.floating:
    """``sqrt(sum_i ||g_i||^2)`` over all gradients, in their dtype."""
    squares = [np.sum(np.square(g), dtype=g.dtype) for g in gradients]
    return np.sqrt(np.sum(np.stack(squares)))


def clip_by_global_norm(gradients: list[np.ndarray], clip_norm: float) -> list[np.ndarray]:
    """Scale all gradients by ``clip_norm * min(1 / global_norm, 1 / clip_norm)``.

    A non-finite global norm makes every gradient NaN, as in Keras (and TensorFlow).

    >>> a, b = np.array([3.0], np.float32), np.array([4.0], np.float32)
    >>> [g.tolist() for g in clip_by_global_norm([a, b], 1.0)]
    [[0.6000000238418579], [0.800000011920929]]
    """
    norm = global_norm(gradients)
    f = norm.dtype.type
    scale = f(clip_norm) * np.minimum(f(1) / norm, f(1.0 / clip_norm))
    scale = scale + (norm - norm)  # NaN/inf norms poison the scale instead of passing through
    return [g * scale for g in gradients]


def clip_by_value(gradient: np.ndarray, clipvalue: float) -> np.ndarray:
    """Each entry clipped to ``[-clipvalue, clipvalue]``."""
    f = gradient.dtype.type
    return np.clip(gradient, f(-clipvalue), f(clipvalue))
