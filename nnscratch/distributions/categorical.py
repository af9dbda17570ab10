"""``Categorical(probs=None, logits=None)``: one of ``k`` classes.

>>> import nnscratch as ns
>>> d = Categorical(probs=ns.tensor([0.25, 0.75]))
>>> round(d.log_prob(ns.tensor(1)).exp().item(), 4), d.sample((3,)).shape
(0.75, (3,))
"""

from __future__ import annotations

import numpy as np

from .. import random
from ..autograd.tensor import Tensor
from ..ops.creation import from_numpy, tensor
from ..ops.indexing import gather
from .distribution import Distribution, one_of, parameter

__all__ = ["Categorical"]


class Categorical(Distribution):
    """Class ``i`` with probability ``probs[..., i]`` (normalised over the last dimension),
    or ``softmax(logits)[..., i]``."""

    def __init__(self, probs=None, logits=None, validate_args=None) -> None:
        one_of(probs, logits, "Categorical")
        if probs is not None:
            probs = parameter(probs, "Categorical probs")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self.logits = self.probs.clamp(np.finfo(probs.dtype).tiny, None).log()
        else:
            logits = parameter(logits, "Categorical logits")
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self.probs = self.logits.exp()
        super().__init__(self.probs.shape[:-1], (), validate_args)

    @property
    def num_events(self) -> int:
        return self.probs.shape[-1]

    def sample(self, sample_shape=()) -> Tensor:
        """Class indices (int64) of shape ``sample_shape + batch_shape``."""
        p = self.probs.detach().numpy().astype(np.float64)
        cdf = np.cumsum(p, axis=-1)
        u = random.generator().random(self.sample_size(sample_shape))[..., None] * cdf[..., -1:]
        index = (cdf <= u).sum(-1)
        return from_numpy(np.minimum(index, self.num_events - 1).astype(np.int64))

    def log_prob(self, value) -> Tensor:
        """``log probs[value]``, broadcasting ``value`` against the batch shape."""
        value = value if isinstance(value, Tensor) else tensor(value)
        shape = np.broadcast_shapes(value.shape, self.batch_shape)
        logits = self.logits.expand(*shape, self.num_events)
        index = from_numpy(np.broadcast_to(value.numpy(), shape).astype(np.int64)[..., None])
        return gather(logits, -1, index).squeeze(-1)

    def entropy(self) -> Tensor:
        """``-sum(p log p)`` over the classes."""
        logits = self.logits.clamp(float(np.finfo(self.logits.dtype).min), None)
        return -(self.probs * logits).sum(-1)

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError("Categorical has no mean (torch gives NaN); use probs")
