"""Dropout: zero elements at random while training, scaling the rest by 1 / (1 - p)."""

from __future__ import annotations

from numbers import Real

import numpy as np

from .. import random
from ..autograd.dtypes import float32, float64
from ..autograd.tensor import Tensor
from ..ops.creation import from_numpy
from .module import Module

__all__ = ["Dropout", "dropout"]


def _check_p(p) -> float:
    if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return p  # as given, so the repr reads as torch's


def _scaled_mask(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """1 / (1 - p) where an element is kept (probability 1 - p), 0 where it is dropped."""
    # float32 draws are half the work of float64 and keep float32 models in float32.
    uniform = random.generator().random(shape, dtype=float32 if dtype == float32 else float64)
    return np.multiply(uniform >= p, 1.0 / (1.0 - p) if p < 1 else 0.0, dtype=dtype)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """``input * mask / (1 - p)`` with a fresh Bernoulli(1 - p) mask; ``input`` when not training.

    The gradient is the same mask scaled by 1 / (1 - p), through the multiplication.
    ``inplace`` is accepted for torch's signature; the result is always a new tensor.

    >>> import nnscratch as ns
    >>> x = ns.ones(4)
    >>> ns.nn.functional.dropout(x, 0.5, training=False) is x
    True
    >>> sorted(set(ns.nn.functional.dropout(x, 0.5).tolist()) - {0.0, 2.0})
    []
    """
    p = _check_p(p)
    if not training or p == 0:
        return input
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        raise TypeError(f"dropout: expected a floating point Tensor, received {input!r:.60}")
    return input * from_numpy(_scaled_mask(input.shape, p, input.dtype))


class Dropout(Module):
    """Randomly zeroes elements with probability ``p`` in training mode; identity in eval mode.

    >>> import nnscratch as ns
    >>> layer = ns.nn.Dropout(0.2).eval()
    >>> layer(ns.ones(3)).tolist(), layer
    ([1.0, 1.0, 1.0], Dropout(p=0.2, inplace=False))
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = _check_p(p)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
