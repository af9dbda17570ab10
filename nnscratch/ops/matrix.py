"""Matrix helpers: tril, triu, trace, diag; and torch's shape-strict products mm, bmm, mv, dot,
outer and addmm, which check what torch checks and then run the one ``matmul`` op."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .arithmetic import MatMul
from .checks import check_tensor, is_int
from .out import write_out

__all__ = ["tril", "triu", "trace", "diag", "outer", "ger", "mm", "bmm", "mv", "dot", "addmm"]


class Tril(Function):
    """y = x with the elements above diagonal k zeroed;  dy/dx = the same mask"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.tril(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.tril(grad, ctx.k), None


class Triu(Function):
    """y = x with the elements below diagonal k zeroed;  dy/dx = the same mask"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.triu(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.triu(grad, ctx.k), None


def _on_diagonal(values: np.ndarray, shape: tuple, k: int) -> np.ndarray:
    """A zero matrix of ``shape`` with ``values`` on its k-th diagonal."""
    out = np.zeros(shape, dtype=values.dtype)
    rows = np.arange(len(values)) + max(-k, 0)
    out[rows, rows + k] = values
    return out


class Trace(Function):
    """y = sum_i x_ii;  dy/dx = the identity (on the main diagonal)"""

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return np.asarray(np.trace(x))

    @staticmethod
    def backward(ctx, grad):
        n = min(ctx.shape)
        return _on_diagonal(np.full(n, grad, dtype=grad.dtype), ctx.shape, 0)


class DiagEmbed(Function):
    """y = the matrix with vector x on diagonal k;  dy/dx = grad's diagonal k"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.diag(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.diagonal(grad, ctx.k).copy(), None


class DiagPart(Function):
    """y = diagonal k of matrix x;  dy/dx = a zero matrix with grad on diagonal k"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.shape, ctx.k = x.shape, k
        return np.diagonal(x, k).copy()

    @staticmethod
    def backward(ctx, grad):
        return _on_diagonal(grad, ctx.shape, ctx.k), None


def _diagonal_arg(diagonal, name: str) -> int:
    if not is_int(diagonal):
        raise TypeError(f"{name}: expected diagonal to be an int, received {diagonal!r}")
    return int(diagonal)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (elements with ``col - row <= diagonal``).

    >>> import nnscratch as ns
    >>> ns.tril(ns.ones(2, 2)).tolist()
    [[1.0, 0.0], [1.0, 1.0]]
    """
    check_tensor(input, "tril")
    if input.ndim < 2:
        raise RuntimeError(f"tril: input tensor must have at least 2 dimensions, got {input.ndim}")
    return Tril.apply(input, _diagonal_arg(diagonal, "tril"))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (elements with ``col - row >= diagonal``).

    >>> import nnscratch as ns
    >>> ns.triu(ns.ones(2, 3), diagonal=1).tolist()
    [[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]
    """
    check_tensor(input, "triu")
    if input.ndim < 2:
        raise RuntimeError(f"triu: input tensor must have at least 2 dimensions, got {input.ndim}")
    return Triu.apply(input, _diagonal_arg(diagonal, "triu"))


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix (integers sum as int64).

    >>> import nnscratch as ns
    >>> ns.trace(ns.tensor([[1, 2], [3, 4]])).item()
    5
    """
    check_tensor(input, "trace")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype.kind != "f" and input.dtype != np.int64:
        input = input.long()
    return Trace.apply(input)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector becomes a square matrix with it on diagonal ``diagonal``; a matrix gives its
    diagonal ``diagonal`` as a vector.

    >>> import nnscratch as ns
    >>> ns.diag(ns.tensor([1.0, 2.0])).tolist()
    [[1.0, 0.0], [0.0, 2.0]]
    >>> ns.diag(ns.tensor([[1.0, 2.0], [3.0, 4.0]]), 1).tolist()
    [2.0]
    """
    check_tensor(input, "diag")
    k = _diagonal_arg(diagonal, "diag")
    if input.ndim == 1:
        return DiagEmbed.apply(input, k)
    if input.ndim == 2:
        return DiagPart.apply(input, k)
    raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, received {input.ndim}-D")


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two vectors: ``out[i, j] = input[i] * vec2[j]``.

    >>> import nnscratch as ns
    >>> ns.outer(ns.tensor([1.0, 2.0]), ns.tensor([1.0, 10.0])).tolist()
    [[1.0, 10.0], [2.0, 20.0]]
    """
    for arg, t in (("self", input), ("vec2", vec2)):
        check_tensor(t, "outer", arg)
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {arg}, but got {t.ndim}-D")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer  # torch.ger, outer's older name


def _same_dtype(name: str, a: Tensor, b: Tensor) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{name}: expected both operands to have the same dtype, but got {a.dtype} != {b.dtype}"
        )


def _check_ranks(name: str, operands: tuple, ranks: tuple) -> None:
    for (arg, t), rank in zip(operands, ranks):
        check_tensor(t, name, arg)
        if t.ndim != rank:
            raise RuntimeError(f"{name}: {arg} must be a {rank}-D tensor, received shape {t.shape}")
    _same_dtype(name, operands[0][1], operands[1][1])


def _inner_sizes_match(name: str, a: Tensor, b: Tensor, a_axis: int, b_axis: int) -> None:
    if a.shape[a_axis] != b.shape[b_axis]:
        raise RuntimeError(
            f"{name}: shapes {a.shape} and {b.shape} cannot be multiplied "
            f"({a.shape[a_axis]} != {b.shape[b_axis]})"
        )


def mm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The product of two matrices (2-D only, one dtype; see ``matmul`` for broadcasting).

    >>> import nnscratch as ns
    >>> ns.mm(ns.ones(2, 3), ns.ones(3, 1)).tolist()
    [[3.0], [3.0]]
    """
    if out is not None:
        return write_out("mm", out, mm, input, mat2)
    _check_ranks("mm", (("input", input), ("mat2", mat2)), (2, 2))
    _inner_sizes_match("mm", input, mat2, 1, 0)
    return MatMul.apply(input, mat2)


def bmm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Batched matrix products of two 3-D tensors with the same batch size (no broadcasting).

    >>> import nnscratch as ns
    >>> ns.bmm(ns.ones(4, 2, 3), ns.ones(4, 3, 5)).shape
    (4, 2, 5)
    """
    if out is not None:
        return write_out("bmm", out, bmm, input, mat2)
    _check_ranks("bmm", (("input", input), ("mat2", mat2)), (3, 3))
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: expected the same batch size, received {input.shape[0]} and {mat2.shape[0]} "
            f"(shapes {input.shape} and {mat2.shape})"
        )
    _inner_sizes_match("bmm", input, mat2, 2, 1)
    return MatMul.apply(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The product of a matrix and a vector.

    >>> import nnscratch as ns
    >>> ns.mv(ns.ones(2, 3), ns.tensor([1.0, 2.0, 3.0])).tolist()
    [6.0, 6.0]
    """
    _check_ranks("mv", (("input", input), ("vec", vec)), (2, 1))
    _inner_sizes_match("mv", input, vec, 1, 0)
    return MatMul.apply(input, vec)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The dot product of two vectors of the same length and dtype.

    >>> import nnscratch as ns
    >>> ns.dot(ns.tensor([1.0, 2.0]), ns.tensor([3.0, 4.0])).item()
    11.0
    """
    _check_ranks("dot", (("input", input), ("tensor", tensor)), (1, 1))
    _inner_sizes_match("dot", input, tensor, 0, 0)
    return MatMul.apply(input, tensor)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; with ``beta=0`` input is ignored (its nan too).

    >>> import nnscratch as ns
    >>> ns.addmm(ns.ones(2), ns.ones(1, 3), ns.ones(3, 2), alpha=2).tolist()
    [[7.0, 7.0]]
    """
    check_tensor(input, "addmm")
    product = mm(mat1, mat2)
    if alpha != 1:
        product = product * alpha
    if not _broadcasts_to(input.shape, product.shape):
        raise RuntimeError(
            f"addmm: input of shape {input.shape} does not broadcast to the product's shape "
            f"{product.shape}"
        )
    if beta == 0:
        return product
    return product + (input if beta == 1 else input * beta)


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False
