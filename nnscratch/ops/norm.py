"""Norms: ``torch.norm``, and ``linalg.vector_norm``, ``linalg.matrix_norm``, ``linalg.norm``.

Vector norms are one op; matrix norms are composed, as in torch: 'fro' is the vector 2-norm
over the two dims, 1 / inf are max (min for -1 / -inf) column / row sums of ``|A|``, and 2,
-2 and 'nuc' read the singular values.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .axes import _axes, _restore
from .cast import to
from .checks import check_tensor
from .decomposition import svdvals
from .extremes import amax, amin

__all__ = ["norm"]

_INF = math.inf


class VectorNorm(Function):
    """y = (sum |x|**p)**(1/p) over axes (p = inf: max |x|, -inf: min |x|, 0: count x != 0);
    dy/dx = sign(x) |x|**(p-1) / y**(p-1) (0 where y = 0), sign(x) for p = 1,
    sign(x) / ties at the extreme for p = +-inf, 0 for p = 0"""

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        ctx.save_for_backward(x)
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        y = _vector_norm(np.abs(x), p, axes, keepdim)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        p, y = ctx.p, _restore(ctx.y, ctx.axes, ctx.keepdim)
        grad = _restore(grad, ctx.axes, ctx.keepdim)
        if p == 0:
            return np.zeros_like(x), None, None, None
        if p == 1:
            return grad * np.sign(x), None, None, None
        if p in (_INF, -_INF):
            at_extreme = np.abs(x) == y
            ties = at_extreme.sum(axis=ctx.axes, keepdims=True)
            return grad * np.sign(x) * at_extreme / ties, None, None, None
        return _power_grad(x, y, grad, p), None, None, None


def _vector_norm(a: np.ndarray, p, axes, keepdim: bool) -> np.ndarray:
    """The p-norm of the non-negative ``a`` over ``axes``."""
    if p == _INF:
        return np.max(a, axis=axes, keepdims=keepdim, initial=0)
    if p == -_INF:
        return np.min(a, axis=axes, keepdims=keepdim)
    if p == 0:
        return np.sum(a != 0, axis=axes, keepdims=keepdim).astype(a.dtype)
    if p == 1:
        return np.sum(a, axis=axes, keepdims=keepdim)
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
    with np.errstate(divide="ignore", over="ignore"):
        return np.sum(a**p, axis=axes, keepdims=keepdim) ** (1 / p)


def _power_grad(x, y, grad, p):
    """grad * sign(x) |x|**(p-1) / y**(p-1), with 0 where y = 0 or x = 0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == 2:
            scaled = x / y
        else:
            scaled = np.sign(x) * (np.abs(x) / y) ** (p - 1)
        return np.where((y == 0) | (x == 0), 0, grad * scaled)


def _ord(ord, name: str):
    if isinstance(ord, bool) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"{name}: expected ord to be a number, received {ord!r}")
    return float(ord)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The ``ord``-norm of ``x`` flattened, or over ``dim`` (an int or a tuple of ints).

    ``ord``: any number; inf is max ``|x|``, -inf min ``|x|``, 0 the count of nonzeros.

    >>> import nnscratch as ns
    >>> ns.linalg.vector_norm(ns.tensor([3.0, -4.0])).item()
    5.0
    >>> ns.linalg.vector_norm(ns.tensor([[3.0, -4.0]]), ord=1, dim=1).tolist()
    [7.0]
    """
    check_tensor(x, "linalg.vector_norm", "x")
    if dtype is not None:
        x = to(x, dtype)
    if x.dtype.kind != "f":
        raise TypeError(
            f"linalg.vector_norm: expected a floating point tensor as input, received {x.dtype}"
        )
    p = _ord(ord, "linalg.vector_norm")
    axes = _axes(dim, x.ndim, "linalg.vector_norm")
    if p < 0 and x.numel() == 0:
        raise RuntimeError(f"linalg.vector_norm of an empty tensor with ord={ord} is not defined")
    return VectorNorm.apply(x, p, axes, keepdim)


def _two_dims(dim, ndim: int, name: str) -> tuple[int, int]:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{name}: dim must be a 2-tuple, received {dim!r}")
    d0, d1 = (int(d) % max(ndim, 1) if -ndim <= d < ndim else None for d in dim)
    if d0 is None or d1 is None or d0 == d1:
        raise RuntimeError(f"{name}: dims {dim} must be two different dims of a {ndim}-D tensor")
    return d0, d1


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None):  # noqa: N803
    """The ``ord`` matrix norm over the two dims ``dim``: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf.

    >>> import nnscratch as ns
    >>> A = ns.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> ns.linalg.matrix_norm(A, ord=1).item(), ns.linalg.matrix_norm(A, ord=float("inf")).item()
    (6.0, 7.0)
    """
    name = "linalg.matrix_norm"
    check_tensor(A, name, "A")
    if A.ndim < 2:
        raise RuntimeError(
            f"{name}: the input tensor A must have at least 2 dimensions, received shape {A.shape}"
        )
    if dtype is not None:
        A = to(A, dtype)
    d0, d1 = _two_dims(dim, A.ndim, name)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        return _spectral(A, ord, d0, d1, keepdim)
    if ord in (1, -1, _INF, -_INF):
        rows, cols = (d0, d1) if ord in (1, -1) else (d1, d0)
        extreme = amax if ord > 0 else amin
        out = extreme(A.abs().sum(rows, keepdim=True), cols, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1))
    raise RuntimeError(
        f"{name}: Order {ord} not supported (expected 'fro', 'nuc', +-1, +-2, +-inf)"
    )


def _spectral(A: Tensor, ord, d0: int, d1: int, keepdim: bool) -> Tensor:
    """'nuc' (sum), 2 (max) or -2 (min) of the singular values of the (d0, d1) matrices."""
    rest = [d for d in range(A.ndim) if d not in (d0, d1)]
    s = svdvals(A.permute(*rest, d0, d1))
    out = s.sum(-1) if ord == "nuc" else amax(s, -1) if ord == 2 else amin(s, -1)
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


def linalg_norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: N803
    """``torch.linalg.norm``: a vector norm over an int ``dim`` (or of a 1-D input), a matrix
    norm over a 2-tuple ``dim`` (or of a 2-D input when ``ord`` is given); with neither, the
    2-norm of everything.

    >>> import nnscratch as ns
    >>> ns.linalg.norm(ns.tensor([[3.0, 4.0]])).item()
    5.0
    """
    name = "linalg.norm"
    check_tensor(A, name, "A")
    if dim is None and ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(
                f"{name}: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {A.ndim}D."
            )
        dim = (0,) if A.ndim == 1 else (0, 1)
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if len(dims) == 1:
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if len(dims) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    raise RuntimeError(f"{name}: dim must be an int or a 2-tuple of ints, received {dim!r}")


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """``torch.norm``: for a number ``p``, the vector ``p``-norm over ``dim`` (all dims when
    None); 'fro' is the 2-norm over ``dim`` (at most two dims); 'nuc' the nuclear norm.

    >>> import nnscratch as ns
    >>> ns.norm(ns.tensor([[3.0, 4.0], [0.0, 0.0]])).item()
    5.0
    >>> ns.tensor([[1.0, -1.0]]).norm(p=1, dim=1).tolist()
    [2.0]
    """
    if p is None:
        p = "fro"
    if isinstance(p, str):
        single = dim is None or isinstance(dim, (int, np.integer)) or len(dim) <= 2
        if p == "fro" and single:
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        dims = tuple(range(input.ndim)) if dim is None else dim
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)
