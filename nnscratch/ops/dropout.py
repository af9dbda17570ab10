"""Dropout as a function: zero elements at random, scaling the rest by 1 / (1 - p).

Composed from ops (a random mask times the input), so the gradient is the same scaled mask.
The mask comes from nnscratch's seeded generator, shared with attention's dropout.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from .. import random
from ..autograd.dtypes import float32, float64
from ..autograd.tensor import Tensor
from .creation import from_numpy

__all__ = ["dropout"]


def check_p(p, name: str = "dropout probability") -> float:
    """``p`` as given (so reprs read as torch's), after checking it lies in [0, 1]."""
    if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p <= 1:
        raise ValueError(f"{name} has to be between 0 and 1, but got {p!r}")
    return p


def scaled_mask(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """1 / (1 - p) where an element is kept (probability 1 - p), 0 where it is dropped."""
    # float32 draws are half the work of float64 and keep float32 models in float32.
    uniform = random.generator().random(shape, dtype=float32 if dtype == float32 else float64)
    return np.multiply(uniform >= p, 1.0 / (1.0 - p) if p < 1 else 0.0, dtype=dtype)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """``input * mask / (1 - p)`` with a fresh Bernoulli(1 - p) mask; ``input`` when not training.

    ``inplace`` is accepted for torch's signature; the result is always a new tensor.

    >>> import nnscratch as ns
    >>> x = ns.ones(4)
    >>> ns.nn.functional.dropout(x, 0.5, training=False) is x
    True
    >>> sorted(set(ns.nn.functional.dropout(x, 0.5).tolist()) - {0.0, 2.0})
    []
    """
    p = check_p(p)
    if not training or p == 0:
        return input
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        raise TypeError(f"dropout: expected a floating point Tensor, received {input!r:.60}")
    return input * from_numpy(scaled_mask(input.shape, p, input.dtype))
