"""Toy datasets to learn on: the two-input logic gates and two interleaved spirals.

They return NumPy arrays (wrap them with ``ns.from_numpy`` or ``ns.tensor``), made from a
seeded generator of their own, so the same seed gives the same data everywhere.

    >>> from nnscratch.datasets import logic_gate, two_spirals
    >>> x, y = logic_gate("xor")
    >>> x.tolist(), y.ravel().tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
    >>> X, y = two_spirals(n_samples=100, noise=0.1, seed=0)
    >>> X.shape, X.dtype, y.shape, y.dtype, int(y.sum())
    ((100, 2), dtype('float32'), (100,), dtype('int64'), 50)
"""

from __future__ import annotations

import numpy as np

__all__ = ["GATES", "logic_gate", "two_spirals"]

# Each gate as a function of the two input bits a and b.
GATES = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
    "nand": lambda a, b: 1 - (a & b),
    "nor": lambda a, b: 1 - (a | b),
    "xnor": lambda a, b: 1 - (a ^ b),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input gate: inputs ``(4, 2)`` in the order 00, 01, 10, 11
    and targets ``(4, 1)``, both float32. ``name``: and, or, xor, nand, nor, xnor (any case).

    >>> x, y = logic_gate("nand")
    >>> y.ravel().tolist()
    [1.0, 1.0, 1.0, 0.0]
    """
    gate = GATES.get(name.lower()) if isinstance(name, str) else None
    if gate is None:
        raise ValueError(f"logic_gate: unknown gate {name!r}; expected one of {sorted(GATES)}")
    a = np.array([0, 0, 1, 1])
    b = np.array([0, 1, 0, 1])
    inputs = np.stack([a, b], axis=1).astype(np.float32)
    return inputs, gate(a, b).astype(np.float32).reshape(4, 1)


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
