"""``keras.ops`` linalg part: factorizations, inverses and solves of (batches of) matrices.

nnscratch has differentiable ``det``, ``inv``, ``solve`` and singular/eigen values; the
factorizations it lacks as ops (Cholesky, QR, LU) are written here as short loops of
differentiable row and column operations, so gradients flow through them too. They are meant
for the small matrices of Keras models (a Python step per column).

>>> import numpy as np
>>> from nnscratch.keras import ops
>>> ops.cholesky(np.array([[4.0, 2.0], [2.0, 5.0]])).tolist()
[[2.0, 0.0], [1.0, 2.0]]
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .arguments import float_tensor, tensor_arg
from .linalg_factor import cholesky, lu_factor, qr
from .symbolic import symbolic
from .unsupported import eig, jvp

__all__ = [
    "cholesky", "cholesky_inverse", "det", "eigh", "inv", "lstsq", "lu_factor", "matrix_rank",
    "norm", "pinv", "qr", "solve", "solve_triangular", "svd", "eig", "jvp",
]  # fmt: skip


def _square(x, name: str) -> Tensor:
    x = float_tensor(x, name)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(
            f"keras.ops.{name}: expected square matrices (..., n, n), received {tuple(x.shape)}"
        )
    return x


def _matrices(x, name: str) -> Tensor:
    x = float_tensor(x, name)
    if x.ndim < 2:
        raise ValueError(
            f"keras.ops.{name}: expected matrices (..., m, n), received {tuple(x.shape)}"
        )
    return x


@symbolic
def det(x) -> Tensor:
    """The determinant."""
    return ns.linalg.det(_square(x, "det"))


@symbolic
def inv(x) -> Tensor:
    """The inverse."""
    return ns.linalg.inv(_square(x, "inv"))


@symbolic
def solve(a, b) -> Tensor:
    """``x`` with ``a @ x = b`` (``b`` a matrix or a vector)."""
    return ns.linalg.solve(_square(a, "solve"), float_tensor(b, "solve", "b"))


@symbolic
def solve_triangular(a, b, lower=False) -> Tensor:
    """``solve`` reading only ``a``'s lower (or upper) triangle."""
    a, b = _square(a, "solve_triangular"), float_tensor(b, "solve_triangular", "b")
    triangle = ns.tril(a) if lower else ns.triu(a)
    if b.ndim == a.ndim - 1:
        return ns.linalg.solve(triangle, b.unsqueeze(-1)).squeeze(-1)
    return ns.linalg.solve(triangle, b)


@symbolic
def cholesky_inverse(x, upper=False) -> Tensor:
    """The inverse of ``L L^T`` (or ``U^T U``) from its Cholesky factor ``x``. As torch, the
    value reads only ``x``'s triangle and the gradient treats every entry as used."""
    x = _square(x, "cholesky_inverse")
    outside = x - (ns.triu(x) if upper else ns.tril(x))
    factor = x - outside.detach()
    product = factor.mT @ factor if upper else factor @ factor.mT
    return ns.linalg.inv(product)


@symbolic
def eigh(x) -> tuple[Tensor, Tensor]:
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices, from the lower triangle.
    Gradients flow through the eigenvalues only (nnscratch has none for the vectors)."""
    return tuple(ns.linalg.eigh(_square(x, "eigh")))


@symbolic
def svd(x, full_matrices=True, compute_uv=True):
    """``u, s, vh`` with ``x = u diag(s) vh``, or the singular values alone. Gradients flow
    through the singular values only (nnscratch has none for the vectors)."""
    x = _matrices(x, "svd")
    if not compute_uv:
        return ns.linalg.svdvals(x)
    return tuple(ns.linalg.svd(x, full_matrices=full_matrices))


def _full_rank(x: Tensor, name: str) -> None:
    if np.any(np.linalg.matrix_rank(x.detach().numpy()) < min(x.shape[-2:])):
        raise NotImplementedError(
            f"keras.ops.{name}: nnscratch computes it for full-rank matrices only, through "
            "the normal equations; this matrix is rank-deficient"
        )


@symbolic
def pinv(x, rcond=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of a full-rank matrix: ``(x^T x)^-1 x^T`` for a tall
    one, ``x^T (x x^T)^-1`` for a wide one."""
    x = _matrices(x, "pinv")
    _full_rank(x, "pinv")
    if x.shape[-2] >= x.shape[-1]:
        return ns.linalg.solve(x.mT @ x, x.mT)
    return ns.linalg.solve(x @ x.mT, x).mT


@symbolic
def lstsq(a, b, rcond=None) -> Tensor:
    """The least-squares solution of ``a @ x = b`` for a full-rank ``a``."""
    a, b = _matrices(a, "lstsq"), float_tensor(b, "lstsq", "b")
    _full_rank(a, "lstsq")
    vector = b.ndim == a.ndim - 1
    b = b.unsqueeze(-1) if vector else b
    if a.shape[-2] >= a.shape[-1]:
        x = ns.linalg.solve(a.mT @ a, a.mT @ b)
    else:
        x = a.mT @ ns.linalg.solve(a @ a.mT, b)
    return x.squeeze(-1) if vector else x


@symbolic
def matrix_rank(x, tol=None) -> Tensor:
    """The number of singular values above ``tol`` (default: ``eps * max(m, n)`` times the
    largest), as int32."""
    x = _matrices(x, "matrix_rank").detach().numpy()
    s = np.linalg.svd(x, compute_uv=False)
    if tol is None:
        cut = np.finfo(x.dtype).eps * max(x.shape[-2:]) * s.max(axis=-1, keepdims=True, initial=0)
    else:
        cut = tol
    return ns.from_numpy(np.asarray((s > cut).sum(axis=-1), dtype=np.int32))


@symbolic
def norm(x, ord=None, axis=None, keepdims=False) -> Tensor:  # noqa: A002 (Keras's name)
    """A vector or matrix norm (NumPy's ``ord`` and ``axis`` rules), in float32 (float16 stays
    float16): Keras's own type promotion narrows float64 here."""
    x = tensor_arg(x, "norm")
    x = x.to(np.dtype("float16" if x.dtype == np.float16 else "float32"))
    if isinstance(axis, list):
        axis = tuple(axis)
    return ns.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)
