"""``keras.ops`` linalg factorizations as differentiable loops: Cholesky (column by column),
QR (modified Gram-Schmidt, signs set to LAPACK's) and LU with partial pivoting (row by row).

Each step is an nnscratch op, so the factors carry gradients; the numbers match LAPACK's (which
Keras's torch backend calls) to rounding, and the pivots and signs are read from the values
(they are locally constant, so they take no gradient).

>>> import numpy as np
>>> lu, pivots = lu_factor(np.array([[1.0, 2.0], [3.0, 4.0]]))
>>> lu.tolist(), pivots.tolist()
([[3.0, 4.0], [0.3333333333333333, 0.6666666666666667]], [1, 1])
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .arguments import float_tensor
from .symbolic import symbolic

__all__ = ["cholesky", "qr", "lu_factor"]


def _matrices(x, name: str, square: bool) -> Tensor:
    x = float_tensor(x, name)
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        kind = "square matrices (..., n, n)" if square else "matrices (..., m, n)"
        raise ValueError(f"keras.ops.{name}: expected {kind}, received shape {tuple(x.shape)}")
    return x


@symbolic
def cholesky(x, upper=False) -> Tensor:
    """The lower factor ``L`` of a symmetric positive-definite ``x = L L^T`` (or ``U = L^T``).

    Column j of ``L`` is ``(x[:, j] - sum_k<j L[:, k] L[j, k]) / L[j, j]`` below the diagonal.
    It reads the symmetric part of ``x``, so its gradient is symmetric, as torch's is."""
    a = _matrices(x, "cholesky", square=True)
    values = a.detach().numpy()
    if not np.all(np.linalg.eigvalsh(values) > 0):
        raise ValueError("keras.ops.cholesky: the input is not symmetric positive-definite")
    a = (a + a.mT) * 0.5
    n = a.shape[-1]
    columns = []
    for j in range(n):
        v = a[..., :, j]
        for done in columns:
            v = v - done * done[..., j : j + 1]
        below = ns.from_numpy((np.arange(n) >= j).astype(a.dtype))
        columns.append(v / ns.sqrt(v[..., j : j + 1]) * below)
    factor = ns.stack(columns, dim=-1)
    return factor.mT if upper else factor


def _gram_schmidt(a: Tensor, k: int) -> Tensor:
    """Orthonormal columns spanning ``a``'s first ``k`` columns, each with a positive ``R``
    diagonal (modified Gram-Schmidt: each projection taken off the updated column)."""
    basis = []
    for j in range(k):
        v = a[..., :, j]
        for q in basis:
            v = v - (q * v).sum(dim=-1, keepdim=True) * q
        basis.append(v / ns.sqrt((v * v).sum(dim=-1, keepdim=True)))
    return ns.stack(basis, dim=-1)


@symbolic
def qr(x, mode="reduced") -> tuple[Tensor, Tensor]:
    """``q, r`` with ``x = q r``, ``q`` orthonormal and ``r`` upper triangular, signs as
    LAPACK chooses them. ``mode="complete"`` also gives a square ``q`` for tall ``x`` (its
    extra columns carry no gradient, as in torch)."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"keras.ops.qr: mode must be 'reduced' or 'complete', received {mode!r}")
    a = _matrices(x, "qr", square=False)
    m, n = a.shape[-2:]
    k = min(m, n)
    q_lapack, r_lapack = np.linalg.qr(a.detach().numpy(), mode=mode)
    signs = np.sign(np.diagonal(r_lapack, axis1=-2, axis2=-1))[..., :k]
    signs = ns.from_numpy(np.where(signs == 0, 1, signs).astype(a.dtype))
    q = _gram_schmidt(a, k) * signs.unsqueeze(-2)
    if mode == "complete" and m > n:
        q = ns.cat([q, ns.from_numpy(np.ascontiguousarray(q_lapack[..., :, n:]))], dim=-1)
    return q, ns.triu(q.mT @ a)


def _lu_rows(a: Tensor) -> tuple[Tensor, list[int]]:
    """One matrix's packed LU factors (unit-diagonal ``L`` below, ``U`` on and above) and its
    row swaps: at step k, the row with the largest ``|value|`` in column k moves up."""
    m, n = a.shape
    rows, pivots = [a[i] for i in range(m)], []
    for k in range(min(m, n)):
        column = np.abs([float(r[k].item()) for r in rows[k:]])
        p = k + int(np.argmax(column))
        pivots.append(p)
        rows[k], rows[p] = rows[p], rows[k]
        pivot, tail = rows[k][k : k + 1], rows[k][k + 1 :]
        for i in range(k + 1, m):
            factor = rows[i][k : k + 1] / pivot
            rows[i] = ns.cat([rows[i][:k], factor, rows[i][k + 1 :] - factor * tail])
    return ns.stack(rows), pivots


@symbolic
def lu_factor(x) -> tuple[Tensor, Tensor]:
    """``lu, pivots``: ``L`` (unit diagonal, below) and ``U`` packed in one matrix, and the
    0-based row each step swapped with (int32), as LAPACK's ``getrf``."""
    a = _matrices(x, "lu_factor", square=False)
    batch = a.shape[:-2]
    flat = a.reshape(-1, *a.shape[-2:])
    results = [_lu_rows(flat[b]) for b in range(flat.shape[0])]
    lu = ns.stack([r[0] for r in results]).reshape(*batch, *a.shape[-2:])
    pivots = np.asarray([r[1] for r in results], dtype=np.int32).reshape(*batch, -1)
    return lu, ns.from_numpy(pivots)
