"""Linear algebra on (batches of) matrices: det, inv, solve, cross, svd, svdvals, eigh.

det, inv, solve, cross and the singular values / eigenvalues have gradients (the standard
formulas, below). The singular and eigen *vectors* are forward-only: backward through them
raises NotImplementedError naming the function.
"""

from __future__ import annotations

import warnings
from collections import namedtuple

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .accumulate import _others_product
from .checks import check_floating, check_tensor

# torch's top-level names; the rest (inv, solve, svdvals, eigh, ...) are in ``nnscratch.linalg``.
__all__ = ["det", "inverse", "cross", "svd"]

# torch.return_types.linalg_svd / svd / linalg_eigh
SvdResult = namedtuple("linalg_svd", ["U", "S", "Vh"])
OldSvdResult = namedtuple("svd", ["U", "S", "V"])
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])


def _mT(a: np.ndarray) -> np.ndarray:  # noqa: N802 (torch's name)
    return np.swapaxes(a, -1, -2)


class Det(Function):
    """y = det(A);  dy/dA = adj(A)^T = sign U diag(prod_{j != i} s_j) Vh  (A = U diag(s) Vh,
    sign = det(U) det(Vh)): A^-T det(A) where A is invertible, and exact where it is not"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.linalg.det(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        u, s, vh = np.linalg.svd(a)
        sign = np.linalg.det(u) * np.linalg.det(vh)
        cofactors = (u * _others_product(s, -1)[..., None, :]) @ vh
        return (grad * sign)[..., None, None] * cofactors


class Inv(Function):
    """Y = A^-1;  dY/dA: grad_A = -Y^T grad Y^T"""

    @staticmethod
    def forward(ctx, a):
        try:
            y = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                f"linalg.inv: the input matrix of shape {a.shape} is singular (or a matrix of "
                "its batch is): it has no inverse"
            ) from None
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        yt = _mT(y)
        return -(yt @ grad @ yt)


class Solve(Function):
    """X = A^-1 B (B's columns, or B a batch of vectors);  grad_B = A^-T grad,
    grad_A = -grad_B X^T"""

    @staticmethod
    def forward(ctx, a, b, vector):
        b2 = b[..., None] if vector else b
        try:
            x = np.linalg.solve(a, b2)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                f"linalg.solve: the matrix A of shape {a.shape} is singular (or a matrix of "
                "its batch is): the system has no unique solution"
            ) from None
        ctx.save_for_backward(a, x)
        ctx.vector = vector
        return x[..., 0] if vector else x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        g = grad[..., None] if ctx.vector else grad
        grad_b = np.linalg.solve(_mT(a), g)
        grad_a = -(grad_b @ _mT(x)) if ctx.needs_input_grad[0] else None
        return grad_a, (grad_b[..., 0] if ctx.vector else grad_b), None


class Cross(Function):
    """y = a x b along axis;  grad_a = b x grad,  grad_b = grad x a"""

    @staticmethod
    def forward(ctx, a, b, axis):
        ctx.save_for_backward(a, b)
        ctx.axis = axis
        return np.cross(a, b, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        grad_a = np.cross(b, grad, axis=ctx.axis) if need_a else None
        grad_b = np.cross(grad, a, axis=ctx.axis) if need_b else None
        return grad_a, grad_b, None


class SingularValues(Function):
    """s = singular values of A = U diag(s) Vh (reduced);  grad_A = U diag(grad) Vh
    (exact for distinct singular values)"""

    @staticmethod
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vh)
        return s

    @staticmethod
    def backward(ctx, grad):
        u, vh = ctx.saved_tensors
        return (u * grad[..., None, :]) @ vh


class Eigenvalues(Function):
    """w = eigenvalues of symmetric A = V diag(w) V^T;  grad_A = V diag(grad) V^T"""

    @staticmethod
    def forward(ctx, a, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(v)
        return w

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        return (v * grad[..., None, :]) @ _mT(v), None


class Factor(Function):
    """y = a factor of A computed beside its values (U, Vh or eigenvectors);  forward-only"""

    @staticmethod
    def forward(ctx, a, factor, name):
        ctx.name = name
        return factor

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError(
            f"{ctx.name}: the gradient through the singular or eigen vectors is not implemented "
            "in nnscratch (the values have one: use linalg.svdvals / linalg.eigvalsh, or detach "
            "the vectors)"
        )


def _square_matrices(input, name: str, arg: str = "A") -> None:
    check_tensor(input, name, arg)
    if input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        raise RuntimeError(
            f"{name}: {arg} must be batches of square matrices, but they are "
            f"{input.shape[-2:] if input.ndim >= 2 else input.shape} matrices"
        )
    check_floating(input, name)


def det(A: Tensor) -> Tensor:  # noqa: N803 (torch's name)
    """The determinant of each square matrix in the last two dims.

    >>> import nnscratch as ns
    >>> round(ns.det(ns.tensor([[2.0, 1.0], [1.0, 3.0]])).item(), 5)
    5.0
    """
    _square_matrices(A, "linalg.det")
    return Det.apply(A)


def inv(A: Tensor) -> Tensor:  # noqa: N803 (torch's name)
    """The inverse of each square matrix in the last two dims (raises if one is singular).

    >>> import nnscratch as ns
    >>> ns.linalg.inv(ns.tensor([[2.0, 0.0], [0.0, 4.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    _square_matrices(A, "linalg.inv")
    return Inv.apply(A)


def inverse(input: Tensor) -> Tensor:
    """``torch.inverse``: the same as ``linalg.inv``."""
    return inv(input)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803 (torch's names)
    """X with ``A X = B`` (``X A = B`` when ``left=False``). ``B`` is a batch of vectors when
    it is 1-D or has A's shape without its last dim, else a batch of matrices.

    >>> import nnscratch as ns
    >>> ns.linalg.solve(ns.tensor([[2.0, 0.0], [0.0, 4.0]]), ns.tensor([1.0, 1.0])).tolist()
    [0.5, 0.25]
    """
    _square_matrices(A, "linalg.solve")
    check_tensor(B, "linalg.solve", "B")
    if A.dtype != B.dtype:
        raise RuntimeError(
            f"linalg.solve: expected A and B to have the same dtype, received {A.dtype} and "
            f"{B.dtype}"
        )
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    rows = B.shape[-1] if vector else B.shape[-2] if B.ndim >= 2 else None
    if rows != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: incompatible shapes of A {A.shape} and B {B.shape}: B must have "
            f"{A.shape[-1]} rows"
        )
    return Solve.apply(A, B, vector)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (``torch.linalg.cross``), broadcasting
    the other dims.

    >>> import nnscratch as ns
    >>> ns.linalg.cross(ns.tensor([1.0, 0.0, 0.0]), ns.tensor([0.0, 1.0, 0.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    check_tensor(input, "linalg.cross")
    check_tensor(other, "linalg.cross", "other")
    if input.ndim != other.ndim:
        raise RuntimeError(
            f"linalg.cross: inputs must have the same number of dimensions, received "
            f"{input.ndim} and {other.ndim}"
        )
    if not -input.ndim <= dim < input.ndim:
        raise IndexError(f"linalg.cross: dim {dim} is out of range for {input.ndim} dimensions")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{input.shape[dim]} and {other.shape[dim]}"
        )
    return Cross.apply(input, other, dim)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """``torch.cross``: ``linalg.cross`` along ``dim``; without one, along the first dim of
    size 3 (torch's deprecated default, with its warning).

    >>> import nnscratch as ns
    >>> ns.cross(ns.tensor([[0.0, 1.0, 0.0]]), ns.tensor([[0.0, 0.0, 1.0]]), dim=1).tolist()
    [[1.0, 0.0, 0.0]]
    """
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated; pass dim=-1 "
            "(or use linalg.cross) to keep the current behaviour",
            UserWarning,
            stacklevel=2,
        )
        check_tensor(input, "cross")
        dim = next((d for d, n in enumerate(input.shape) if n == 3), -1)
    return linalg_cross(input, other, dim=dim)


def _matrices(input, name: str) -> None:
    check_tensor(input, name, "A")
    if input.ndim < 2:
        raise RuntimeError(
            f"{name}: A must have at least 2 dimensions, received shape {input.shape}"
        )
    check_floating(input, name)


def svdvals(A: Tensor) -> Tensor:  # noqa: N803 (torch's name)
    """The singular values of each matrix in the last two dims, in descending order.

    >>> import nnscratch as ns
    >>> ns.linalg.svdvals(ns.tensor([[3.0, 0.0], [0.0, -4.0]])).tolist()
    [4.0, 3.0]
    """
    _matrices(A, "linalg.svdvals")
    return SingularValues.apply(A)


def linalg_svd(A: Tensor, full_matrices: bool = True) -> SvdResult:  # noqa: N803
    """``(U, S, Vh)`` with ``A = U diag(S) Vh`` (``torch.linalg.svd``). S has a gradient; U
    and Vh are forward-only.

    >>> import nnscratch as ns
    >>> U, S, Vh = ns.linalg.svd(ns.ones(3, 2), full_matrices=False)
    >>> U.shape, S.shape, Vh.shape
    ((3, 2), (2,), (2, 2))
    """
    _matrices(A, "linalg.svd")
    u, _, vh = np.linalg.svd(A._data, full_matrices=bool(full_matrices))
    values = SingularValues.apply(A)
    return SvdResult(Factor.apply(A, u, "linalg.svd"), values, Factor.apply(A, vh, "linalg.svd"))


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> OldSvdResult:
    """torch's older ``torch.svd``: ``(U, S, V)`` with ``A = U diag(S) V^T`` (V, not Vh);
    ``some=False`` gives full square U and V; ``compute_uv=False`` zero-filled U and V.

    >>> import nnscratch as ns
    >>> U, S, V = ns.svd(ns.ones(3, 2))
    >>> U.shape, S.shape, V.shape
    ((3, 2), (2,), (2, 2))
    """
    _matrices(input, "svd")
    if not compute_uv:
        m, n = input.shape[-2:]
        zeros = np.zeros
        u, v = (
            zeros((*input.shape[:-2], m, m), input.dtype),
            zeros((*input.shape[:-2], n, n), input.dtype),
        )
        return OldSvdResult(Tensor(u), SingularValues.apply(input), Tensor(v))
    u, _, vh = np.linalg.svd(input._data, full_matrices=not some)
    values = SingularValues.apply(input)
    return OldSvdResult(
        Factor.apply(input, u, "svd"), values, Factor.apply(input, _mT(vh).copy(), "svd")
    )


def _symmetric(A, UPLO, name: str) -> None:  # noqa: N803
    _square_matrices(A, name)
    if UPLO not in ("L", "U"):
        raise ValueError(f"{name}: UPLO must be 'L' or 'U', received {UPLO!r}")


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803 (torch's names)
    """The eigenvalues of each symmetric matrix, ascending; only the ``UPLO`` triangle is
    read.

    >>> import nnscratch as ns
    >>> ns.linalg.eigvalsh(ns.tensor([[2.0, 1.0], [1.0, 2.0]])).tolist()
    [1.0, 3.0]
    """
    _symmetric(A, UPLO, "linalg.eigvalsh")
    return Eigenvalues.apply(A, UPLO)


def eigh(A: Tensor, UPLO: str = "L") -> EighResult:  # noqa: N803 (torch's names)
    """``(eigenvalues, eigenvectors)`` of each symmetric matrix; the eigenvalues have a
    gradient, the eigenvectors are forward-only.

    >>> import nnscratch as ns
    >>> w, V = ns.linalg.eigh(ns.tensor([[2.0, 0.0], [0.0, 1.0]]))
    >>> w.tolist(), V.abs().tolist()
    ([1.0, 2.0], [[0.0, 1.0], [1.0, 0.0]])
    """
    _symmetric(A, UPLO, "linalg.eigh")
    _, v = np.linalg.eigh(A._data, UPLO=UPLO)
    return EighResult(Eigenvalues.apply(A, UPLO), Factor.apply(A, v, "linalg.eigh"))
