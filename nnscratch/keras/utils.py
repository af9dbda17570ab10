"""Keras utilities: ``set_random_seed``, ``clear_session`` and Keras-style automatic names."""

from __future__ import annotations

import random as _py_random
import re
from collections import defaultdict

import numpy as np

from .. import random as _ns_random

__all__ = ["auto_name", "clear_session", "set_random_seed", "to_snake_case"]

_name_uids: defaultdict[str, int] = defaultdict(int)


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global state and nnscratch's generator at once.

    Initializers, ``Dropout`` and ``fit``'s shuffling then repeat from run to run.

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


def to_snake_case(name: str) -> str:
    """``"InputLayer"`` -> ``"input_layer"``, the stem of Keras's automatic names."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(class_name: str) -> str:
    """A fresh name for a new object, as Keras: ``dense``, ``dense_1``, ``dense_2``, ...

    Counters are per stem and global to the session, until ``clear_session()``.
    """
    stem = to_snake_case(class_name)
    uid = _name_uids[stem]
    _name_uids[stem] += 1
    return stem if uid == 0 else f"{stem}_{uid}"


def clear_session() -> None:
    """Reset the automatic name counters (the next Dense is ``dense`` again).

    >>> from nnscratch import keras
    >>> keras.utils.clear_session()
    >>> keras.layers.Dense(1).name, keras.layers.Dense(1).name
    ('dense', 'dense_1')
    """
    _name_uids.clear()
