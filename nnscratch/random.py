"""The global random generator behind ``rand``, ``randn``, ``randint`` and initialisers."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed nnscratch's global generator, for repeatable runs.

    >>> import nnscratch as ns
    >>> _ = ns.manual_seed(0); a = ns.rand(2)
    >>> _ = ns.manual_seed(0); b = ns.rand(2)
    >>> bool((a == b).all()) if hasattr(a, "all") else a.tolist() == b.tolist()
    True
    """
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, received {type(seed).__name__}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The current global generator."""
    return _generator
