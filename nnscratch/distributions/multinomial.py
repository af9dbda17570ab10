"""``Multinomial(total_count, probs)``: counts of ``total_count`` draws among ``k`` classes.

As in d2l: ``Multinomial(10, fair_probs).sample()`` counts ten rolls of a die.

>>> import nnscratch as ns
>>> d = Multinomial(10, ns.ones(6) / 6)
>>> counts = d.sample()
>>> counts.shape, counts.sum().item()
((6,), 10.0)
"""

from __future__ import annotations

import math

import numpy as np

from .. import random
from ..autograd.tensor import Tensor
from ..ops.creation import from_numpy
from .categorical import Categorical
from .distribution import Distribution, parameter

__all__ = ["Multinomial"]

_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


class Multinomial(Distribution):
    """Counts (floats, as torch) over the last dimension of ``probs`` (or ``logits``) that
    sum to ``total_count``; ``event_shape`` is ``(k,)``."""

    def __init__(self, total_count: int = 1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int) or total_count < 0:
            raise ValueError(
                f"Multinomial: total_count should be a non-negative int, received {total_count!r}"
            )
        self.total_count = total_count
        self._categorical = Categorical(probs, logits)
        self.probs, self.logits = self._categorical.probs, self._categorical.logits
        super().__init__(self.probs.shape[:-1], self.probs.shape[-1:], validate_args)

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        """Counts of shape ``sample_shape + batch_shape + (k,)``."""
        p = self.probs.detach().numpy().astype(np.float64)
        p = p / p.sum(-1, keepdims=True)  # NumPy wants sums of at most 1 in float64
        counts = random.generator().multinomial(self.total_count, p, self.sample_size(sample_shape))
        return from_numpy(counts.astype(self.probs.dtype))

    def log_prob(self, value) -> Tensor:
        """``log n! - sum log x_i! + sum x_i log p_i``; differentiable in the parameters."""
        value = parameter(value, "Multinomial.log_prob")
        counts = value.detach().numpy().astype(np.float64)
        constant = math.lgamma(self.total_count + 1) - _lgamma(counts + 1).sum(-1)
        logits = self.logits.clamp(float(np.finfo(self.logits.dtype).min), None)
        terms = value * logits
        return terms.sum(-1) + from_numpy(np.asarray(constant, dtype=value.dtype))
