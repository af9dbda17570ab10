"""The base of ``nnscratch.distributions``: shapes, sampling shapes and parameter handling.

A distribution has a ``batch_shape`` (independent distributions side by side) and an
``event_shape`` (the shape of one draw: ``()`` for Normal, ``(k,)`` for Multinomial).
``sample(sample_shape)`` returns ``sample_shape + batch_shape + event_shape`` values drawn
from nnscratch's global generator (``ns.manual_seed``), without a graph; ``log_prob`` and
``entropy`` are built from differentiable ops, so gradients reach the parameters.
"""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import get_default_dtype
from ..autograd.tensor import Tensor
from ..ops.creation import tensor

__all__ = ["Distribution"]


class Distribution:
    """Base class: subclasses set ``batch_shape`` / ``event_shape`` and write ``sample``,
    ``log_prob`` and, where defined, ``mean``, ``variance`` and ``entropy``."""

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None) -> None:
        self.batch_shape, self.event_shape = tuple(batch_shape), tuple(event_shape)
        self.validate_args = validate_args  # accepted: parameters are checked always

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no mean here")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no variance here")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.entropy is not implemented")

    def sample_size(self, sample_shape) -> tuple[int, ...]:
        """``sample_shape + batch_shape``: the shape of the draws (less the event shape)."""
        return tuple(sample_shape) + self.batch_shape

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_shape={self.batch_shape})"


def parameter(value, where: str) -> Tensor:
    """``value`` as a float tensor: a Tensor stays itself (and keeps its graph)."""
    if isinstance(value, Tensor):
        if value.dtype.kind != "f":
            raise TypeError(f"{where} expects a float tensor, received dtype {value.dtype}")
        return value
    return tensor(np.asarray(value, dtype=get_default_dtype()))


def one_of(probs, logits, where: str) -> None:
    """Exactly one of ``probs`` and ``logits``, as torch requires."""
    if (probs is None) == (logits is None):
        raise ValueError(f"{where}: either `probs` or `logits` must be specified, but not both.")


def clamp_probs(p: Tensor) -> Tensor:
    """``p`` kept off 0 and 1 by the dtype's resolution, so logs stay finite (torch's rule)."""
    eps = float(np.finfo(p.dtype).eps)
    return p.clamp(eps, 1 - eps)
