"""torch's top-level in-place functions (``torch.sin_(x)``): each writes the Tensor method's
result into ``input`` and returns it, as ``input.sin_()`` does.

>>> import nnscratch as ns
>>> x = ns.tensor([0.0, 4.0])
>>> sqrt_(x) is x, x.tolist()
(True, [0.0, 2.0])
"""

from __future__ import annotations

from ..autograd.tensor import Tensor

__all__ = ["abs_", "ceil_", "cos_", "exp_", "floor_", "log_", "neg_", "sin_", "sqrt_", "tanh_"]


def abs_(input: Tensor) -> Tensor:
    return input.abs_()


def ceil_(input: Tensor) -> Tensor:
    return input.ceil_()


def cos_(input: Tensor) -> Tensor:
    return input.cos_()


def exp_(input: Tensor) -> Tensor:
    return input.exp_()


def floor_(input: Tensor) -> Tensor:
    return input.floor_()


def log_(input: Tensor) -> Tensor:
    return input.log_()


def neg_(input: Tensor) -> Tensor:
    return input.neg_()


def sin_(input: Tensor) -> Tensor:
    return input.sin_()


def sqrt_(input: Tensor) -> Tensor:
    return input.sqrt_()


def tanh_(input: Tensor) -> Tensor:
    return input.tanh_()
