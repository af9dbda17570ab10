"""Toy 2-D classification sets: moons, circles, blobs and two interleaved spirals.

They return NumPy arrays ``X`` float32 ``(n, 2)`` and labels ``y`` int64 ``(n,)`` (wrap them with
``ns.from_numpy`` or ``ns.tensor``), made from a seeded generator of their own
(``np.random.default_rng(seed)``), so the same seed gives the same data everywhere. The
signatures follow scikit-learn's ``make_*`` functions; ``random_state`` is accepted as another
name for ``seed``.

    >>> from nnscratch.datasets import make_moons, two_spirals
    >>> X, y = two_spirals(n_samples=100, noise=0.1, seed=0)
    >>> X.shape, X.dtype, y.shape, y.dtype, int(y.sum())
    ((100, 2), dtype('float32'), (100,), dtype('int64'), 50)
    >>> X, y = make_moons(n_samples=10, seed=0)
    >>> X.shape, sorted(y.tolist())
    ((10, 2), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["make_blobs", "make_circles", "make_moons", "two_spirals"]


def make_moons(
    n_samples: int = 100,
    noise: float = 0.0,
    seed: int | None = None,
    *,
    shuffle: bool = True,
    random_state: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles of radius 1: class 0 is the upper arc centred at (0, 0),
    class 1 the lower arc centred at (1, 0.5); ``n_samples // 2`` points on the upper arc,
    evenly spaced in angle, then Gaussian noise of standard deviation ``noise``.

    >>> X, y = make_moons(n_samples=4, shuffle=False)
    >>> X.round(3).tolist(), y.tolist()
    ([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [2.0, 0.5]], [0, 0, 1, 1])
    """
    rng = _setup("make_moons", n_samples, noise, seed, random_state)
    n_upper = n_samples // 2
    upper = _arc(np.linspace(0, np.pi, n_upper))
    lower = 1 - _arc(np.linspace(0, np.pi, n_samples - n_upper)) - [0.0, 0.5]
    return _finish(rng, [upper, lower], noise, shuffle)


def make_circles(
    n_samples: int = 100,
    noise: float = 0.0,
    seed: int | None = None,
    *,
    factor: float = 0.8,
    shuffle: bool = True,
    random_state: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 of radius 1 (``n_samples // 2`` points, evenly spaced in
    angle), class 1 of radius ``factor`` (0 <= factor < 1), then Gaussian noise.

    >>> X, y = make_circles(n_samples=8, factor=0.5, shuffle=False)
    >>> import numpy as np
    >>> np.hypot(*X.T).round(3).tolist(), y.tolist()
    ([1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0, 1, 1, 1, 1])
    """
    rng = _setup("make_circles", n_samples, noise, seed, random_state)
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1), received {factor}")
    n_outer = n_samples // 2
    outer = _arc(np.linspace(0, 2 * np.pi, n_outer, endpoint=False))
    inner = factor * _arc(np.linspace(0, 2 * np.pi, n_samples - n_outer, endpoint=False))
    return _finish(rng, [outer, inner], noise, shuffle)


def make_blobs(
    n_samples: int | Sequence[int] = 100,
    n_features: int = 2,
    seed: int | None = None,
    *,
    centers: int | np.ndarray | None = None,
    cluster_std: float | Sequence[float] = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clusters, one class each.

    ``centers`` is a number of clusters (default 3, drawn uniformly in ``center_box``) or an
    array ``(k, n_features)`` of centres. ``n_samples`` is the total, split as evenly as
    possible (earlier clusters get the remainder), or one count per cluster. ``cluster_std`` is
    one standard deviation or one per cluster. Class ``i`` is drawn around centre ``i``.

    >>> X, y = make_blobs(n_samples=7, centers=[[0, 0], [5, 5]], cluster_std=0.0, seed=0)
    >>> sorted(map(tuple, X.tolist())), sorted(y.tolist())
    ([(0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (5.0, 5.0), (5.0, 5.0), (5.0, 5.0)], \
[0, 0, 0, 0, 1, 1, 1])
    """
    rng = _rng("make_blobs", seed, random_state)
    counts = _blob_counts(n_samples, centers)
    centres = _blob_centres(rng, centers, len(counts), n_features, center_box)
    stds = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (len(centres),))
    if (stds < 0).any():
        raise ValueError(f"make_blobs: cluster_std must be >= 0, received {cluster_std}")
    groups = [c + rng.normal(scale=s, size=(k, len(c))) for c, s, k in zip(centres, stds, counts)]
    return _finish(rng, groups, 0.0, shuffle)


def two_spirals(
    n_samples: int = 200, noise: float = 0.0, seed: int | None = None, turns: float = 1.5
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms in the unit disc, a classic set no straight line separates.

    Arm 0 is ``r * (cos(theta), sin(theta))`` with ``theta = r * turns * 2 pi`` for radii
    ``r = sqrt(u)``, ``u`` uniform in [0, 1) (so points spread evenly along the arm); arm 1 is
    arm 0 turned by half a turn. Gaussian noise of standard deviation ``noise`` is added.
    Returns ``X`` float32 ``(n_samples, 2)`` and labels ``y`` int64 ``(n_samples,)``: the first
    ``ceil(n/2)`` rows are class 0, the rest class 1.

    >>> X, y = two_spirals(n_samples=4, seed=1)
    >>> y.tolist(), bool(abs(X).max() <= 1)
    ([0, 0, 1, 1], True)
    """
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 2:
        raise ValueError(f"two_spirals: n_samples must be an int >= 2, received {n_samples!r}")
    if noise < 0:
        raise ValueError(f"two_spirals: noise must be >= 0, received {noise}")
    rng = np.random.default_rng(seed)
    n_first = n_samples - n_samples // 2
    r = np.sqrt(rng.uniform(size=n_samples))
    theta = r * turns * 2 * np.pi + np.pi * (np.arange(n_samples) >= n_first)
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    X += rng.normal(scale=noise, size=X.shape)
    y = (np.arange(n_samples) >= n_first).astype(np.int64)
    return X.astype(np.float32), y


# ---- helpers ------------------------------------------------------------------------------------
def _arc(theta: np.ndarray) -> np.ndarray:
    return np.stack([np.cos(theta), np.sin(theta)], axis=1)


def _rng(where: str, seed, random_state) -> np.random.Generator:
    if seed is not None and random_state is not None:
        raise ValueError(f"{where}: pass seed or random_state (the same thing), not both")
    return np.random.default_rng(seed if random_state is None else random_state)


def _setup(where: str, n_samples, noise: float, seed, random_state) -> np.random.Generator:
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"{where}: n_samples must be an int, received {n_samples!r}")
    if n_samples < 2:
        raise ValueError(f"{where}: n_samples must be >= 2, received {n_samples}")
    if noise is None or noise < 0:
        raise ValueError(f"{where}: noise must be >= 0, received {noise}")
    return _rng(where, seed, random_state)


def _finish(rng, groups: list, noise: float, shuffle: bool) -> tuple[np.ndarray, np.ndarray]:
    """Stack the groups (class i = group i), add noise, shuffle rows; float32 X, int64 y."""
    X = np.concatenate(groups).astype(np.float64)
    y = np.repeat(np.arange(len(groups), dtype=np.int64), [len(g) for g in groups])
    if noise:
        X += rng.normal(scale=noise, size=X.shape)
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X.astype(np.float32), y


def _blob_counts(n_samples, centers) -> list[int]:
    if isinstance(n_samples, (int, np.integer)) and not isinstance(n_samples, bool):
        k = 3 if centers is None else (centers if np.ndim(centers) == 0 else len(centers))
        if n_samples < 1 or int(k) < 1:
            raise ValueError(
                f"make_blobs: need n_samples >= 1 and centers >= 1, received {n_samples}, {k}"
            )
        return [n_samples // int(k) + (i < n_samples % int(k)) for i in range(int(k))]
    counts = [int(c) for c in n_samples]
    k = len(counts) if centers is None else (centers if np.ndim(centers) == 0 else len(centers))
    if k != len(counts) or min(counts, default=-1) < 0:
        raise ValueError(
            f"make_blobs: n_samples {counts} needs one count >= 0 per centre, with {k} centres"
        )
    return counts


def _blob_centres(rng, centers, k: int, n_features: int, box) -> np.ndarray:
    if centers is None or np.ndim(centers) == 0:
        return rng.uniform(box[0], box[1], size=(k, n_features))
    centres = np.asarray(centers, dtype=np.float64)
    if centres.ndim != 2:
        raise ValueError(
            f"make_blobs: centers must be an int or an array (k, n_features), "
            f"received shape {centres.shape}"
        )
    return centres
