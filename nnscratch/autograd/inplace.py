"""In-place updates, where torch allows them.

The hand-written SGD step reads ``with no_grad(): w -= lr * w.grad``: outside the graph, an
in-place op is one NumPy ufunc writing into the tensor's array. Inside the graph, as in torch:

- a leaf that requires grad (a weight) may not be written: autograd accumulates into it;
- a tensor made by an op (``y = x * 3; y += 1``) may be: the op is recorded as a new node that
  the tensor now stands for, and its older value, still read by the nodes recorded before,
  lives on in ``ctx.before``;
- backward refuses only what would read an overwritten array: a node that saved it.

One process-wide clock ticks for every recorded op (its ``ctx.stamp``) and every in-place write
(the tensor's ``_version``). Backward reads three facts from it: nodes run in decreasing stamp
order, which is a topological order; an op's saved arrays can only have been changed if
``last_write > ctx.stamp``, one comparison in the common case; and an input whose node is
younger than its consumer was rewritten in place since (``value_seen_by``).
"""

from __future__ import annotations

import itertools
import operator
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
    """The in-place half of ``Tensor``: ``+=``, ``-=``, ``*=``, ``/=``, ``add_()``, ...,
    ``copy_()``, ``zero_()`` and ``x[key] = value``."""

    __slots__ = ()

    def _inplace(self, ufunc, other) -> Tensor:
        if grad_mode._enabled and (self._requires_grad or getattr(other, "_requires_grad", False)):
            return self._record_inplace(_OUT_OF_PLACE[ufunc], other)
        value = getattr(other, "_data", other)
        try:
            ufunc(self._data, value, out=self._data)  # casting="same_kind", NumPy's default
        except TypeError as error:  # e.g. float into an int tensor
            message = f"in-place {ufunc.__name__} on a {self.dtype} tensor: {error}"
            raise TypeError(message) from None
        mark_written(self)
        return self

    def _record_inplace(self, op, *operands) -> Tensor:
        """``self = op(self, *operands)`` in the graph: computed out of place by the op's own
        Function, written into this tensor's array, recorded as the node this tensor now
        stands for. Its older value stays reachable as ``ctx.before``."""
        self._check_writable()
        before = self._make(self._data, self._requires_grad, self._ctx)
        before._version = self._version
        result = op(before, *operands)
        if result.shape != self.shape:
            raise RuntimeError(
                f"in-place operation: the result's shape {result.shape} doesn't match the "
                f"tensor's shape {self.shape}"
            )
        ctx = result._ctx
        _keep_own_copy(ctx, self._data)
        _copy_into(self, result._data)
        before._version = self._version
        if ctx is not None:
            ctx.before = before
            self._ctx, self._requires_grad = ctx, True
        return self

    def _check_writable(self) -> None:
        if self._requires_grad and self._ctx is None:
            raise RuntimeError(
                f"in-place operation on a leaf tensor that requires grad (shape {self.shape}): "
                "autograd accumulates its gradient. Update parameters inside "
                "`with nnscratch.no_grad():`, or use an out-of-place op (x = x + y)."
            )
        if self._ctx is not None and any(_views(self, x) for x in self._ctx.inputs or ()):
            raise RuntimeError(
                f"in-place operation on a view (shape {self.shape}) of a tensor that autograd "
                "tracks (from indexing, reshape, transpose, ...): nnscratch does not rewrite "
                "the history of the tensor it views. Write into a clone() instead."
            )

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
        if grad_mode._enabled and (self._requires_grad or getattr(src, "_requires_grad", False)):
            return self._record_inplace(_copied, src)
        np.copyto(self._data, getattr(src, "_data", src), casting="unsafe")
        mark_written(self)
        return self

    def fill_(self, value) -> Tensor:
        return self.copy_(value)

    def zero_(self) -> Tensor:
        return self.copy_(0)

    def index_put_(self, indices, values) -> Tensor:
        """``self[indices] = values``, returning ``self`` (torch's method form)."""
        self[indices] = values
        return self

    def _inplace_op(self, op, *operands) -> Tensor:
        """``self = op(self, *operands)`` for an out-of-place op that keeps the shape
        (``scatter_``, ``masked_fill_``, ...): recorded in the graph when autograd tracks
        either side, else written straight into this tensor's array."""
        tracked = any(getattr(x, "_requires_grad", False) for x in (self, *operands))
        if grad_mode._enabled and tracked:
            return self._record_inplace(op, *operands)
        result = op(self, *operands)
        if result.shape != self.shape:
            raise RuntimeError(
                f"in-place operation: the result's shape {result.shape} doesn't match the "
                f"tensor's shape {self.shape}"
            )
        _copy_into(self, result._data)
        return self

    def _become_view(self, array: np.ndarray, name: str) -> Tensor:
        """``squeeze_``, ``unsqueeze_``, ``t_``: this tensor object takes a new shape over the
        same array. Refused for a tensor that autograd tracks: the nodes recorded before would
        see its new shape."""
        if grad_mode._enabled and self._requires_grad:
            raise RuntimeError(
                f"{name}: in-place change of shape of a tensor that requires grad (shape "
                f"{self.shape}); use the out-of-place form (x = x.{name[:-1]}(...)) instead"
            )
        self._data = array
        return self

    def __setitem__(self, key, value) -> None:
        if grad_mode._enabled and (self._requires_grad or getattr(value, "_requires_grad", False)):
            self._record_inplace(_put, _array_key(key), value)
            return
        self._data[_array_key(key)] = getattr(value, "_data", value)
        mark_written(self)


_OUT_OF_PLACE = {np.add: operator.add, np.subtract: operator.sub,
                 np.multiply: operator.mul, np.true_divide: operator.truediv}  # fmt: skip


def _copied(before, src):
    """``copy_``'s new value: ``src``, broadcast and cast to ``before`` (whose gradient is 0)."""
    return before.index_put(..., src)


def _put(before, key, value):
    """``before[key] = value`` as a value: ``before`` with ``value`` written at ``key``."""
    return before.index_put(key, value)


def value_seen_by(tensor, stamp: int):
    """The value of ``tensor`` that the node recorded at ``stamp`` read: the tensor itself, or,
    if it was rewritten in place since, the value it had then (``ctx.before``, repeated)."""
    while tensor._ctx is not None and tensor._ctx.stamp > stamp:
        tensor = tensor._ctx.before
    return tensor


def _views(tensor, source) -> bool:
    """Whether ``tensor``'s array may lie in the memory of ``source``, an input of its node that
    autograd tracks (its own older value, ``ctx.before``, does not count)."""
    if not getattr(source, "_requires_grad", False) or source is getattr(tensor._ctx, "before", 0):
        return False
    return np.may_share_memory(tensor._data, source._data)


def _keep_own_copy(ctx, array: np.ndarray) -> None:
    """The in-place node saved the very array about to be overwritten: keep a copy instead."""
    saved = getattr(ctx, "saved_tensors", ())
    if any(a is array for a in saved):
        ctx.saved_tensors = tuple(a.copy() if a is array else a for a in saved)


def _copy_into(tensor, values: np.ndarray) -> None:
    try:
        np.copyto(tensor._data, values, casting="same_kind")
    except TypeError as error:  # e.g. float into an int tensor
        raise TypeError(f"in-place operation on a {tensor.dtype} tensor: {error}") from None
    mark_written(tensor)
