"""Reduced axes: torch's ``dim`` argument as numpy axes, and those axes put back.

Every reduction (sum, mean, max, norm, logsumexp, ...) turns ``dim`` into a sorted tuple of
numpy axes with ``_axes``, and its backward puts the reduced axes back as size-1 dims with
``_restore`` so that the gradient broadcasts against the input.
"""

from __future__ import annotations

import numpy as np


def _axes(dim, ndim: int, name: str):
    """torch's ``dim`` (None, an int, or a sequence of ints) as a sorted tuple of numpy axes.

    None and an empty sequence both mean every dim, as in torch.
    """
    if dim is None or isinstance(dim, (int, np.integer)):
        dims = () if dim is None else (dim,)
    elif isinstance(dim, (tuple, list)):
        dims = tuple(dim)
    else:
        raise TypeError(f"{name}: dim must be an int or a tuple of ints, received {dim!r}")
    if not dims:
        return tuple(range(ndim))
    rank = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1
    for d in dims:
        if not isinstance(d, (int, np.integer)):
            raise TypeError(f"{name}: dim must be an int or a tuple of ints, received {dim!r}")
        if not -rank <= d < rank:
            raise IndexError(
                f"{name}: dim {d} is out of range for a tensor with {ndim} dimensions "
                f"(expected a dim in [{-rank}, {rank - 1}])"
            )
    axes = [int(d) % rank for d in dims]
    for a in axes:
        if axes.count(a) > 1:
            raise RuntimeError(f"{name}: dim {a} appears multiple times in the list of dims {dim}")
    return tuple(sorted(axes)) if ndim else ()


def _restore(grad: np.ndarray, axes: tuple, keepdim: bool) -> np.ndarray:
    """Put reduced axes back as size-1 dims so ``grad`` broadcasts against the input."""
    if keepdim or grad.ndim == 0:  # a 0-d gradient broadcasts as it is
        return grad
    return np.expand_dims(grad, axes)
