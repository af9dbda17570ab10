"""Changing dtype, and copying: ``to(dtype)`` and ``clone``."""

from __future__ import annotations

from ..autograd.dtypes import to_dtype
from ..autograd.function import Function

__all__ = ["to", "clone"]


class Cast(Function):
    """y = x as another dtype;  dy/dx = 1 (the gradient is cast back to x's dtype)"""

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None  # the engine casts the gradient back to the input's dtype


class Clone(Function):
    """y = a copy of x;  dy/dx = 1"""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def to(input, dtype):
    """``input`` in ``dtype``; the same tensor when it already has it (as torch does)."""
    dtype = to_dtype(dtype)
    if input.dtype == dtype:
        return input
    if input.requires_grad and dtype.kind != "f":
        return Cast.apply(input.detach(), dtype)  # integers carry no gradient
    return Cast.apply(input, dtype)


def clone(input):
    """A copy of ``input`` that stays in the graph."""
    return Clone.apply(input)
