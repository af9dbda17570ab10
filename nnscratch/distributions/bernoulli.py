"""``Bernoulli(probs=None, logits=None)``: 1 with probability ``probs``, else 0.

>>> import nnscratch as ns
>>> d = Bernoulli(probs=ns.tensor([0.5]))
>>> round(d.entropy().item(), 4), d.mean.tolist()
(0.6931, [0.5])
"""

from __future__ import annotations

from .. import random
from ..autograd.tensor import Tensor
from ..ops.creation import from_numpy
from ..ops.loss import binary_cross_entropy_with_logits
from .distribution import Distribution, clamp_probs, one_of, parameter

__all__ = ["Bernoulli"]


class Bernoulli(Distribution):
    """Draws 1.0 with probability ``probs`` (or ``sigmoid(logits)``), else 0.0."""

    def __init__(self, probs=None, logits=None, validate_args=None) -> None:
        one_of(probs, logits, "Bernoulli")
        if probs is not None:
            self.probs = parameter(probs, "Bernoulli probs")
            p = clamp_probs(self.probs)
            self.logits = p.log() - (1 - p).log()
        else:
            self.logits = parameter(logits, "Bernoulli logits")
            self.probs = self.logits.sigmoid()
        super().__init__(self.probs.shape, (), validate_args)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        """0.0 / 1.0 draws of shape ``sample_shape + batch_shape``."""
        p = self.probs.detach().numpy()
        u = random.generator().random(self.sample_size(sample_shape))
        return from_numpy((u < p).astype(p.dtype))

    def log_prob(self, value) -> Tensor:
        """``value log p + (1 - value) log(1 - p)``, computed from the logits."""
        value = parameter(value, "Bernoulli.log_prob")
        logits = self.logits + 0 * value  # broadcast both ways
        return -binary_cross_entropy_with_logits(logits, value + 0 * logits, reduction="none")

    def entropy(self) -> Tensor:
        """``-(p log p + (1 - p) log(1 - p))``."""
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")
