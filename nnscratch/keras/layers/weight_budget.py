"""A cap on the memory that building layers may take, for configs that come from outside.

A config read from a file names sizes that building then allocates: a 5 KB ``.keras`` file
saying ``units: 40000000`` asks for a 1.3 GiB kernel. Inside ``weight_budget(limit, source)``,
``Layer.add_weight`` charges each weight's bytes before making it, and a weight that would go
over the limit is refused with a ``ConfigError`` naming the layer, before any memory is taken.
Outside such a block nothing is charged: a model written in Python may be as large as it likes.

>>> from nnscratch import keras
>>> layer = keras.layers.Dense(1000, name="wide")
>>> with weight_budget(1024, "the test's config"):
...     charge(layer, "kernel", (1000, 1000), "float32")
Traceback (most recent call last):
...
nnscratch.errors.ConfigError: Dense 'wide': its weight 'kernel' of shape (1000, 1000) \
needs 4,000,000 bytes, more than the 1,024 bytes left of what the test's config can justify
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from contextvars import ContextVar

import numpy as np

from ...errors import ConfigError

__all__ = ["charge", "weight_budget"]

_BUDGET: ContextVar[list | None] = ContextVar("weight_budget", default=None)


@contextlib.contextmanager
def weight_budget(max_bytes: int, source: str) -> Iterator[None]:
    """Refuse weights beyond ``max_bytes`` in all, made while the block runs; ``source`` says
    in the error what sets the limit ("the weights file", "a CLI config")."""
    token = _BUDGET.set([int(max_bytes), source])
    try:
        yield
    finally:
        _BUDGET.reset(token)


def charge(layer, name: str, shape: tuple, dtype) -> None:
    """Count a weight of ``shape`` and ``dtype`` that ``layer`` is about to make against the
    budget in force, if any; ``ConfigError`` when it does not fit."""
    budget = _BUDGET.get()
    if budget is None:
        return
    left, source = budget
    nbytes = math.prod(int(n) for n in shape) * np.dtype(dtype).itemsize
    if nbytes > left:
        raise ConfigError(
            f"{type(layer).__name__} {layer.name!r}: its weight {name!r} of shape {tuple(shape)} "
            f"needs {nbytes:,} bytes, more than the {left:,} bytes left of what {source} can "
            "justify"
        )
    budget[0] = left - nbytes
