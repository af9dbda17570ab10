"""``set_random_seed``: one call that makes a Keras program repeat from run to run."""

from __future__ import annotations

import random as _py_random

import numpy as np

from ... import random as _ns_random

__all__ = ["set_random_seed"]


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global state and nnscratch's generator at once.

    Initializers, ``Dropout``, ``fit``'s shuffling and unseeded ``keras.random`` draws then
    repeat from run to run.

    >>> from nnscratch import keras
    >>> keras.utils.set_random_seed(0); a = keras.initializers.GlorotUniform()((2, 2))
    >>> keras.utils.set_random_seed(0); b = keras.initializers.GlorotUniform()((2, 2))
    >>> bool((a == b).all())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(
            f"Expected `seed` argument to be an integer. Received: seed={seed} (of type "
            f"{type(seed)})"
        )
    _py_random.seed(int(seed))
    np.random.seed(int(seed))
    _ns_random.manual_seed(int(seed))
