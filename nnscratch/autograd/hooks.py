"""Tensor hooks: functions that see, and may replace, a tensor's gradient during backward.

``register_hook(fn)`` calls ``fn(grad)`` once per backward pass with the tensor's whole
gradient (all uses summed); a returned tensor replaces it. ``retain_grad()`` is one more such
step, always the last, that stores the gradient in a non-leaf's ``.grad``.

>>> import nnscratch as ns
>>> x = ns.tensor([1.0, 2.0], requires_grad=True)
>>> handle = x.register_hook(lambda g: g * 10)
>>> (x * x).sum().backward()
>>> x.grad
tensor([20., 40.])
>>> handle.remove()
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from .engine import _accumulate

_ids = itertools.count()


class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook off again (torch's name)."""

    __slots__ = ("_table", "id")

    def __init__(self, table: dict):
        self._table = table
        self.id = next(_ids)

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


class TensorHooks:
    """The hooks of one tensor, in registration order, and whether it retains its gradient."""

    __slots__ = ("functions", "retains_grad")

    def __init__(self):
        self.functions: dict[int, Callable] = {}
        self.retains_grad = False

    def add(self, fn: Callable) -> RemovableHandle:
        handle = RemovableHandle(self.functions)
        self.functions[handle.id] = fn
        return handle

    def run(self, tensor, grad: np.ndarray) -> np.ndarray:
        """The gradient after every hook; stored in ``tensor.grad`` if it retains it."""
        for fn in list(self.functions.values()):
            result = fn(type(tensor)._make(grad, False, None))
            if result is not None:
                grad = _replacement(result, grad)
        if self.retains_grad:  # set on non-leaves only
            _accumulate(tensor, grad)
        return grad


def _replacement(result, grad: np.ndarray) -> np.ndarray:
    new = getattr(result, "_data", result)
    if not isinstance(new, np.ndarray) or new.shape != grad.shape:
        shape = getattr(new, "shape", type(new).__name__)
        raise RuntimeError(
            f"a tensor hook must return None or a gradient of shape {grad.shape}, received {shape}"
        )
    return new.astype(grad.dtype, copy=False)
