"""``SeedGenerator`` and ``rng_for``: how a ``seed=`` argument of ``keras.random`` becomes numbers.

A ``seed=`` argument is one of three things, as in Keras:

- ``None``: draw from nnscratch's global generator (``nnscratch.random``), which
  ``keras.utils.set_random_seed`` seeds, so unseeded draws repeat from run to run;
- an ``int``: the same numbers on every call (a generator made afresh from ``[seed, 0]``);
- a ``SeedGenerator``: fresh numbers on every call, repeatable from its seed. Its ``state`` is
  ``[seed, counter]``; each draw uses the current state, then counts one up. So the first draw
  of ``SeedGenerator(7)`` equals a draw with ``seed=7``, as in Keras.

The numbers are NumPy's (PCG64 seeded through ``SeedSequence([seed, counter])``), not
Keras's: the same seed gives other values than Keras on any backend.

>>> import numpy as np
>>> a = rng_for(7, "demo").random(); b = rng_for(SeedGenerator(7), "demo").random()
>>> a == b
True
"""

from __future__ import annotations

import numpy as np

from .. import random as ns_random
from ..autograd.grad_mode import no_grad
from ..ops.creation import from_numpy
from .utils.naming import auto_name

__all__ = ["SeedGenerator", "rng_for"]

_DEFAULT_SEED_HIGH = 10**9  # an unseeded SeedGenerator picks its seed in [1, 1e9), as Keras


class SeedGenerator:
    """A stream of seeds for ``keras.random`` calls: pass it as ``seed=`` to get new numbers
    each call, the same sequence each run (a layer keeps one as an attribute).

    >>> from nnscratch import keras
    >>> gen = keras.random.SeedGenerator(1337)
    >>> a = keras.random.normal((2,), seed=gen); b = keras.random.normal((2,), seed=gen)
    >>> bool((a != b).all()), gen.state.tolist()
    (True, [1337, 2])
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)  # Keras's custom-backend hook: nnscratch has one backend
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name if name is not None else auto_name(type(self).__name__)
        self._initial_seed = seed
        if seed is None:
            seed = int(ns_random.generator().integers(1, _DEFAULT_SEED_HIGH))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self.state = from_numpy(np.array([int(seed) % 2**63, 0], dtype=np.int64))

    def next(self, ordered: bool = True) -> np.ndarray:
        """The current ``[seed, counter]`` (a copy), after which the counter moves on.
        ``ordered`` is accepted for Keras's signature; the counter always counts up."""
        current = self.state.numpy().copy()
        with no_grad():
            self.state.copy_(current + np.array([0, 1], dtype=np.int64))
        return current

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> SeedGenerator:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name!r} state={self.state.tolist()}>"


def rng_for(seed, where: str) -> np.random.Generator:
    """The NumPy generator a ``keras.random`` function named ``where`` draws from."""
    if seed is None:
        return ns_random.generator()
    if isinstance(seed, SeedGenerator):
        start, counter = (int(v) for v in seed.next())
        return np.random.default_rng([start % 2**64, counter])
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        return np.random.default_rng([int(seed) % 2**64, 0])
    raise ValueError(
        f"{where}: argument `seed` must be either an integer or an instance of "
        f"`SeedGenerator`. Received: seed={seed!r:.60} (of type {type(seed)})"
    )
