"""Memory for the large internal arrays of ops, reused from call to call.

A fresh multi-megabyte NumPy array costs a page fault per 4 KiB when first written, often as
much time as the arithmetic on it, and freeing it hands the pages back to the system. Ops
that make such arrays on every call take them here instead: ``scratch`` for a temporary that
dies inside one call, ``empty``/``zeros`` for an array that outlives it (kept for backward, or
the op's result), in recycled memory when large. (A gradient bound for a leaf's ``.grad``
is better left fresh: the engine keeps an array it owns outright, and copies a lent one.)
"""

from __future__ import annotations

import math
import threading
import weakref

import numpy as np

__all__ = ["scratch", "empty", "out_like", "zeros"]


class _Workspace(threading.local):
    """Per-thread memory for the large temporaries of one op, reused from call to call."""

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}


_workspace = _Workspace()


class _Loan:
    """One buffer lent out as an array: the array is made from this object (NumPy's array
    interface), so the array and every view of it keep the loan alive; the buffer goes back
    only when the last of them dies."""

    def __init__(self, buffer: np.ndarray, shape: tuple, dtype: np.dtype) -> None:
        self.buffer = buffer
        self.__array_interface__ = {
            "data": (buffer.ctypes.data, False),
            "shape": tuple(shape),
            "typestr": dtype.str,
            "version": 3,
        }


class _Recycler:
    """Memory for arrays that outlive one call (an im2col matrix kept for backward, an op's
    result): each array gives its buffer back when it and its views are garbage collected, for
    the next request. What waits for reuse is bounded in count and bytes, so a finished run
    of a large model does not hold its activations' memory."""

    def __init__(self, keep: int = 32, keep_bytes: int = 256 * 2**20) -> None:
        self.free: list[np.ndarray] = []
        self.keep, self.keep_bytes = keep, keep_bytes  # at most so many buffers, so many bytes
        self.lock = threading.RLock()  # re-entrant: a finalizer may fire inside take()

    def take(self, shape: tuple, dtype) -> np.ndarray:
        dtype = np.dtype(dtype)
        size = math.prod(shape) * dtype.itemsize
        with self.lock:
            fits = [i for i, b in enumerate(self.free) if size <= b.size <= 2 * size]
            best = min(fits, key=lambda i: self.free[i].size) if fits else None
            buffer = np.empty(max(size, 1), np.uint8) if best is None else self.free.pop(best)
        loan = _Loan(buffer, shape, dtype)
        weakref.finalize(loan, self._give_back, buffer)
        return np.asarray(loan)

    def _give_back(self, buffer: np.ndarray) -> None:
        with self.lock:
            held = sum(b.nbytes for b in self.free)
            if len(self.free) < self.keep and held + buffer.nbytes <= self.keep_bytes:
                self.free.append(buffer)


_recycler = _Recycler()

# From this size on, fresh memory costs more in page faults than a recycled buffer's bookkeeping
# (~9 us): 64 pages of 4 KiB.
_LARGE = 256 * 1024


def scratch(role: str, shape: tuple, dtype) -> np.ndarray:
    """An uninitialised array for a temporary that dies inside one op, in memory reused by the
    next request for the same ``role``. Fresh multi-megabyte arrays cost a page fault per 4 KiB
    when first written (often as much as the arithmetic); reused ones are already mapped."""
    dtype = np.dtype(dtype)
    size = math.prod(shape) * dtype.itemsize
    buffer = _workspace.buffers.get(role)
    if buffer is None or buffer.size < size:
        buffer = _workspace.buffers[role] = np.empty(max(size, 1), np.uint8)
    return buffer[:size].view(dtype).reshape(shape)


def empty(shape: tuple, dtype) -> np.ndarray:
    """An uninitialised array that outlives the op (kept for backward, or its result): a large
    one in memory that a dead predecessor gave back (glibc hands freed multi-megabyte blocks
    back to the system, so each step would fault them in again), a small one from
    ``np.empty``. Its memory is handed out again only once it and every view of it are gone,
    so it is safe to return to users."""
    dtype = np.dtype(dtype)
    if math.prod(shape) * dtype.itemsize < _LARGE:
        return np.empty(shape, dtype)
    return _recycler.take(shape, dtype)


def out_like(a: np.ndarray) -> np.ndarray | None:
    """An ``out=`` for a NumPy function whose result is shaped and typed like ``a``: ``empty``'s
    recycled memory when large, None (NumPy allocates) when small, at the cost of one check."""
    return None if a.nbytes < _LARGE else _recycler.take(a.shape, a.dtype)


def zeros(shape: tuple, dtype) -> np.ndarray:
    """``empty``, filled with zeros."""
    out = empty(shape, dtype)
    out.fill(0)
    return out
