"""Keras-style automatic names (``dense``, ``dense_1``, ...) and ``clear_session``."""

from __future__ import annotations

import re
from collections import defaultdict

__all__ = ["auto_name", "clear_session", "to_snake_case"]

_name_uids: defaultdict[str, int] = defaultdict(int)


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
