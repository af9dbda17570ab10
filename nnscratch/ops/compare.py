"""Comparisons: elementwise, returning bool tensors, never differentiable."""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import promote
from ..autograd.tensor import Tensor

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "equal", "allclose"]


def _compare(ufunc, input, other) -> Tensor:
    a, b = promote(getattr(input, "_data", input), getattr(other, "_data", other))
    return Tensor._make(ufunc(a, b), False, None)


def eq(input, other) -> Tensor:
    """``input == other`` elementwise."""
    return _compare(np.equal, input, other)


def ne(input, other) -> Tensor:
    """``input != other`` elementwise."""
    return _compare(np.not_equal, input, other)


def lt(input, other) -> Tensor:
    """``input < other`` elementwise."""
    return _compare(np.less, input, other)


def le(input, other) -> Tensor:
    """``input <= other`` elementwise."""
    return _compare(np.less_equal, input, other)


def gt(input, other) -> Tensor:
    """``input > other`` elementwise."""
    return _compare(np.greater, input, other)


def ge(input, other) -> Tensor:
    """``input >= other`` elementwise."""
    return _compare(np.greater_equal, input, other)


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape and values."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def allclose(input: Tensor, other: Tensor, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
    """True when ``|input - other| <= atol + rtol * |other|`` everywhere."""
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
