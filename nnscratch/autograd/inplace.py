"""In-place updates, as torch allows them: on tensors that autograd does not need.

The hand-written SGD step reads ``with no_grad(): w -= lr * w.grad``.

One process-wide clock ticks for every recorded op (its ``ctx.stamp``) and every in-place write
(the tensor's ``_version``). Backward reads two facts from it: nodes run in decreasing stamp
order, which is a topological order; and an op's saved arrays can only have been changed if
``last_write > ctx.stamp``, one comparison in the common case.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from . import grad_mode

if TYPE_CHECKING:
    from .tensor import Tensor


clock = itertools.count(1)  # next(clock): a fresh, increasing time
last_write = 0  # the time of the latest in-place write


def mark_written(tensor) -> None:
    """Date an in-place write to ``tensor``'s array: Tensor's own in-place ops call it, and so
    do optimizers after their updates, so backward through an older graph raises."""
    global last_write
    tensor._version = last_write = next(clock)


def _array_key(key):
    """An index with any tensors in it replaced by their arrays."""
    if isinstance(key, tuple):
        return tuple(getattr(k, "_data", k) for k in key)
    return getattr(key, "_data", key)


class InplaceMixin:
    """The in-place half of ``Tensor``: ``+=``, ``-=``, ``*=``, ``/=``, ``zero_()``."""

    __slots__ = ()

    def _check_inplace(self, other=None) -> None:
        if not grad_mode._enabled:
            return
        if self._requires_grad:
            kind = "a leaf tensor that requires grad" if self._ctx is None else "a graph tensor"
            raise RuntimeError(
                f"in-place operation on {kind} (shape {self.shape}): autograd still needs its "
                "value. Update parameters inside `with nnscratch.no_grad():`, or use an "
                "out-of-place op (x = x + y)."
            )
        if getattr(other, "_requires_grad", False):
            raise RuntimeError(
                "in-place operation with an operand that requires grad would need a graph; "
                "use an out-of-place op (x = x + y) instead"
            )

    def _inplace(self, ufunc, other) -> Tensor:
        if grad_mode._enabled:
            self._check_inplace(other)
        value = getattr(other, "_data", other)
        try:
            ufunc(self._data, value, out=self._data)  # casting="same_kind", NumPy's default
        except TypeError as error:  # e.g. float into an int tensor
            message = f"in-place {ufunc.__name__} on a {self.dtype} tensor: {error}"
            raise TypeError(message) from None
        mark_written(self)
        return self

    def __iadd__(self, other) -> Tensor:
        return self._inplace(np.add, other)

    def __isub__(self, other) -> Tensor:
        return self._inplace(np.subtract, other)

    def __imul__(self, other) -> Tensor:
        return self._inplace(np.multiply, other)

    def __itruediv__(self, other) -> Tensor:
        return self._inplace(np.true_divide, other)

    def add_(self, other, alpha: float = 1) -> Tensor:
        return self._inplace(np.add, other if alpha == 1 else other * alpha)

    def sub_(self, other, alpha: float = 1) -> Tensor:
        return self._inplace(np.subtract, other if alpha == 1 else other * alpha)

    def mul_(self, other) -> Tensor:
        return self._inplace(np.multiply, other)

    def div_(self, other) -> Tensor:
        return self._inplace(np.true_divide, other)

    def copy_(self, src) -> Tensor:
        """Overwrite this tensor's values with ``src`` (broadcast, cast to this dtype)."""
        self._check_inplace(src)
        np.copyto(self._data, getattr(src, "_data", src), casting="unsafe")
        mark_written(self)
        return self

    def fill_(self, value) -> Tensor:
        return self.copy_(value)

    def zero_(self) -> Tensor:
        return self.copy_(0)

    def __setitem__(self, key, value) -> None:
        self._check_inplace(value)
        self._data[_array_key(key)] = getattr(value, "_data", value)
        mark_written(self)
