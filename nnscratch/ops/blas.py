"""Matrix products on as many BLAS threads as pay for themselves: one, for mid-size products.

OpenBLAS splits a product over its threads from about 64^3 multiply-adds on. Between that and
about 200^3, a second thread saves little in training, where the products come between other
work (its worker sleeps and must be woken, or spins and takes a core), and on a busy machine
it waits for a core: with the other core of two busy, ``examples/transformer_block.py`` took
4.2 s on two threads against 1.5 s on one, and 19 s on a more crowded machine. So the ops'
products of fewer than ``ONE_THREAD_BELOW`` multiply-adds run on one thread, and larger ones
(W3's 128 x 784 x 512, 1.4x quicker on two threads) on all of BLAS's threads. Tiny products,
which BLAS never splits, pay only a size check. ``benchmarks/bench_blas_threads.py`` measures
it.

The thread count is BLAS's own setting (``OPENBLAS_NUM_THREADS``, ``threadpoolctl``,
``nnscratch.set_num_threads``): it is read at each switch and put back after it.
threadpoolctl, a small library for exactly this, finds the BLAS that NumPy loaded (OpenBLAS,
MKL or BLIS) and sets its threads.

>>> import numpy as np
>>> a = np.ones((150, 150), np.float32)
>>> bool((dot(a, a) == a.dot(a)).all())
True
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

import numpy as np

__all__ = [
    "ONE_THREAD_BELOW", "dot", "get_num_threads", "matmul", "set_num_threads", "threads_for",
]  # fmt: skip

SPLIT_FROM = 2**18  # OpenBLAS's own threshold (m*n*k): smaller products run on one thread
ONE_THREAD_BELOW = 2**23  # about 200^3


def dot(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a.dot(b)`` for 2-D ``a`` (``out`` as ``np.dot``'s), on one thread when mid-size."""
    if SPLIT_FROM <= a.size * b.shape[-1] < ONE_THREAD_BELOW:
        return _on_one_thread(np.dot, a, b, out)
    return a.dot(b) if out is None else a.dot(b, out)


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``np.matmul(a, b)``, each matrix product on one thread when mid-size."""
    if a.ndim and b.ndim:  # (0-d operands: NumPy says what is wrong)
        m, n = (a.shape[-2] if a.ndim > 1 else 1), (b.shape[-1] if b.ndim > 1 else 1)
        if SPLIT_FROM <= m * a.shape[-1] * n < ONE_THREAD_BELOW:
            return _on_one_thread(_matmul, a, b, out)
    return _matmul(a, b, out)


@contextlib.contextmanager
def threads_for(m: int, k: int, n: int) -> Iterator[None]:
    """Run the block's ``(m, k) @ (k, n)`` products on the threads that pay for that size: for
    loops of many such products (an RNN's steps), one switch instead of one per product."""
    if not SPLIT_FROM <= m * k * n < ONE_THREAD_BELOW:
        yield
        return
    saved = _limit_to_one()
    try:
        yield
    finally:
        _restore(saved)


def _matmul(a, b, out):
    return np.matmul(a, b) if out is None else np.matmul(a, b, out=out)


def get_num_threads() -> int:
    """The number of threads BLAS uses for large products (torch's ``get_num_threads``)."""
    return max((lib.get_num_threads() for lib in _blas_libraries()), default=1)


def set_num_threads(n: int) -> None:
    """Use ``n`` BLAS threads for large products (torch's ``set_num_threads``)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, received {n!r}")
    for lib in _blas_libraries():
        lib.set_num_threads(n)


def _on_one_thread(product, a, b, out):
    saved = _limit_to_one()
    try:
        return product(a, b, out)
    finally:
        _restore(saved)


def _limit_to_one() -> list[int]:
    """Set every BLAS to one thread; returns their thread counts before."""
    saved = []
    for lib in _blas_libraries():
        saved.append(lib.get_num_threads())
        if saved[-1] > 1:
            lib.set_num_threads(1)
    return saved


def _restore(saved: list[int]) -> None:
    for lib, n in zip(_blas_libraries(), saved):
        if n > 1:
            lib.set_num_threads(n)


@functools.cache
def _blas_libraries() -> tuple:
    """threadpoolctl's handles on the BLAS libraries loaded in this process (NumPy's)."""
    from threadpoolctl import ThreadpoolController  # at first use: it scans loaded libraries

    return tuple(ThreadpoolController().select(user_api="blas").lib_controllers)
