"""``Normal(loc, scale)``: the Gaussian distribution.

>>> import nnscratch as ns
>>> d = Normal(ns.tensor(0.0), ns.tensor(1.0))
>>> round(d.log_prob(ns.tensor(0.0)).item(), 4), round(d.entropy().item(), 4)
(-0.9189, 1.4189)
"""

from __future__ import annotations

import math

from .. import random
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..ops.creation import from_numpy
from .distribution import Distribution, parameter

__all__ = ["Normal"]

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class Normal(Distribution):
    """Normal distribution with mean ``loc`` and standard deviation ``scale`` (broadcast).
    ``rsample`` draws with the reparameterisation ``loc + scale * eps``, keeping the graph."""

    def __init__(self, loc, scale, validate_args=None) -> None:
        self.loc, self.scale = parameter(loc, "Normal loc"), parameter(scale, "Normal scale")
        if (self.scale.detach().numpy() <= 0).any():
            raise ValueError("Normal: expected scale > 0 everywhere, received a value <= 0")
        shape = (self.loc + self.scale).shape
        super().__init__(shape, (), validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.scale**2

    def rsample(self, sample_shape=()) -> Tensor:
        """``loc + scale * eps``, ``eps`` standard normal: differentiable in loc and scale."""
        eps = random.generator().standard_normal(self.sample_size(sample_shape))
        return self.loc + self.scale * from_numpy(eps.astype(self.loc.dtype))

    def sample(self, sample_shape=()) -> Tensor:
        """Draws of shape ``sample_shape + batch_shape``, without a graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value) -> Tensor:
        """``-(value - loc)^2 / (2 scale^2) - log(scale) - log(2 pi) / 2``."""
        value = parameter(value, "Normal.log_prob")
        return -((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log() - _HALF_LOG_2PI

    def entropy(self) -> Tensor:
        """``1/2 + log(2 pi)/2 + log(scale)``, broadcast to the batch shape."""
        return (0.5 + _HALF_LOG_2PI + self.scale.log()) + 0 * self.loc
