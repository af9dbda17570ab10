"""An approximate-quantile sketch for ``Discretization.adapt``, the one Keras uses, so
that the same data gives the same bins.

A *summary* is a ``(2, k)`` float32 array: sorted sample values (row 0) and how many data
values each stands for (row 1). ``summarize`` keeps about ``1 / epsilon`` evenly spaced
values of a sorted batch; ``merge`` joins two summaries and ``compress`` shrinks one back to
``1 / epsilon`` values, each at a multiple of ``epsilon`` of the cumulative weight (linear
interpolation). ``bin_boundaries`` compresses to ``num_bins`` equal-weight bins.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bin_boundaries", "compress", "merge", "summarize"]


def summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Every ``step``-th value of the sorted batch (``step = max(n * epsilon, 1)``), each
    weighing ``step``.

    >>> summarize(np.arange(4.0, dtype=np.float32), 0.5).tolist()
    [[1.0, 3.0], [2.0, 2.0]]
    """
    ordered = np.sort(values.reshape(-1))
    step = max(ordered.size * epsilon, 1)
    kept = ordered[int(step) - 1 :: int(step)]
    return np.stack([kept, np.full_like(kept, step)])


def merge(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    """Both summaries' columns, sorted by value, then compressed to ``epsilon``."""
    joined = np.concatenate((first, second), axis=1)
    return compress(joined[:, np.argsort(joined[0])], epsilon)


def compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """At most ``1 / epsilon`` columns: the values where the cumulative weight reaches
    ``epsilon, 2 epsilon, ..., 1`` of the total, with the weight between them.

    >>> compress(np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0]]), 0.5).tolist()
    [[2.0, 4.0], [2.0, 2.0]]
    """
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    values = np.interp(targets, fractions, summary[0])
    reached = np.interp(targets, fractions, cumulative)
    weights = np.diff(reached, prepend=0.0)
    return np.stack((values, weights)).astype(np.float32)


def bin_boundaries(summary: np.ndarray, num_bins: int) -> np.ndarray:
    """The ``num_bins - 1`` inner boundaries of bins of equal weight."""
    return compress(summary, 1.0 / num_bins)[0, :-1]
