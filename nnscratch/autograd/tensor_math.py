"""Tensor's math methods: pointwise functions, logic, products, norms and decompositions,
and the in-place ``_`` forms, each a thin door to a function in ``nnscratch.ops``.

Written out one by one, as every Tensor method is (the note atop ``tensor.py`` gives the one
dispatch style): ``x.floor()`` calls ``_ops.floor(x)``, ``x.floor_()`` writes it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .numpy_names import numpy_names

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorMath:
    """The math of ``torch.Tensor`` beyond the basic arithmetic (which is in tensor.py)."""

    __slots__ = ()

    # math, reductions and linear algebra (nnscratch.ops.pointwise, binary_math, logical,
    # accumulate, matrix, norm, decomposition)
    def floor(self) -> Tensor:
        return _ops.floor(self)

    def ceil(self) -> Tensor:
        return _ops.ceil(self)

    def trunc(self) -> Tensor:
        return _ops.trunc(self)

    def frac(self) -> Tensor:
        return _ops.frac(self)

    def sign(self) -> Tensor:
        return _ops.sign(self)

    def sgn(self) -> Tensor:
        return _ops.sgn(self)

    def asin(self) -> Tensor:
        return _ops.asin(self)

    def acos(self) -> Tensor:
        return _ops.acos(self)

    def atan(self) -> Tensor:
        return _ops.atan(self)

    def sinh(self) -> Tensor:
        return _ops.sinh(self)

    def cosh(self) -> Tensor:
        return _ops.cosh(self)

    def tan(self) -> Tensor:
        return _ops.tan(self)

    def log2(self) -> Tensor:
        return _ops.log2(self)

    def log10(self) -> Tensor:
        return _ops.log10(self)

    def log1p(self) -> Tensor:
        return _ops.log1p(self)

    def expm1(self) -> Tensor:
        return _ops.expm1(self)

    def reciprocal(self) -> Tensor:
        return _ops.reciprocal(self)

    def rsqrt(self) -> Tensor:
        return _ops.rsqrt(self)

    def square(self) -> Tensor:
        return _ops.square(self)

    def isnan(self) -> Tensor:
        return _ops.isnan(self)

    def isinf(self) -> Tensor:
        return _ops.isinf(self)

    def isfinite(self) -> Tensor:
        return _ops.isfinite(self)

    def logical_not(self) -> Tensor:
        return _ops.logical_not(self)

    def bitwise_not(self) -> Tensor:
        return _ops.bitwise_not(self)

    def det(self) -> Tensor:
        return _ops.det(self)

    def inverse(self) -> Tensor:
        return _ops.inverse(self)

    fix = trunc
    arcsin, arccos, arctan = asin, acos, atan

    def atan2(self, other) -> Tensor:
        return _ops.atan2(self, other)

    def fmod(self, other) -> Tensor:
        return _ops.fmod(self, other)

    def remainder(self, other) -> Tensor:
        return _ops.remainder(self, other)

    def hypot(self, other) -> Tensor:
        return _ops.hypot(self, other)

    def logical_and(self, other) -> Tensor:
        return _ops.logical_and(self, other)

    def logical_or(self, other) -> Tensor:
        return _ops.logical_or(self, other)

    def logical_xor(self, other) -> Tensor:
        return _ops.logical_xor(self, other)

    def bitwise_and(self, other) -> Tensor:
        return _ops.bitwise_and(self, other)

    def bitwise_or(self, other) -> Tensor:
        return _ops.bitwise_or(self, other)

    def bitwise_xor(self, other) -> Tensor:
        return _ops.bitwise_xor(self, other)

    def outer(self, other) -> Tensor:
        return _ops.outer(self, other)

    def mm(self, other) -> Tensor:
        return _ops.mm(self, other)

    def bmm(self, other) -> Tensor:
        return _ops.bmm(self, other)

    def mv(self, other) -> Tensor:
        return _ops.mv(self, other)

    def dot(self, other) -> Tensor:
        return _ops.dot(self, other)

    arctan2 = atan2
    ger = outer

    def round(self, *, decimals: int = 0) -> Tensor:
        return _ops.round(self, decimals=decimals)

    def nan_to_num(self, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
        return _ops.nan_to_num(self, nan, posinf, neginf)

    def lerp(self, end, weight) -> Tensor:
        return _ops.lerp(self, end, weight)

    def addcmul(self, tensor1, tensor2, *, value=1) -> Tensor:
        return _ops.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1) -> Tensor:
        return _ops.addcdiv(self, tensor1, tensor2, value=value)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
        return _ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def tril(self, diagonal: int = 0) -> Tensor:
        return _ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return _ops.triu(self, diagonal)

    def diag(self, diagonal: int = 0) -> Tensor:
        return _ops.diag(self, diagonal)

    def trace(self) -> Tensor:
        return _ops.trace(self)

    def cross(self, other, dim: int | None = None) -> Tensor:
        return _ops.cross(self, other, dim)

    def svd(self, some: bool = True, compute_uv: bool = True):
        return _ops.svd(self, some, compute_uv)

    def norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
        return _ops.norm(self, p, dim, keepdim, dtype)

    @numpy_names
    def prod(self, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
        return _ops.prod(self, dim, keepdim, dtype=dtype)

    @numpy_names
    def cumsum(self, dim: int, *, dtype=None) -> Tensor:
        return _ops.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype=None) -> Tensor:
        return _ops.cumprod(self, dim, dtype=dtype)

    @numpy_names
    def all(self, dim=None, keepdim: bool = False) -> Tensor:
        return _ops.all(self, dim, keepdim)

    @numpy_names
    def any(self, dim=None, keepdim: bool = False) -> Tensor:
        return _ops.any(self, dim, keepdim)

    # in-place forms: the out-of-place op, written back (recorded in the graph when tracked)
    def floor_(self) -> Tensor:
        return self._inplace_op(_ops.floor)

    def ceil_(self) -> Tensor:
        return self._inplace_op(_ops.ceil)

    def trunc_(self) -> Tensor:
        return self._inplace_op(_ops.trunc)

    def frac_(self) -> Tensor:
        return self._inplace_op(_ops.frac)

    def sign_(self) -> Tensor:
        return self._inplace_op(_ops.sign)

    def sgn_(self) -> Tensor:
        return self._inplace_op(_ops.sgn)

    def asin_(self) -> Tensor:
        return self._inplace_op(_ops.asin)

    def acos_(self) -> Tensor:
        return self._inplace_op(_ops.acos)

    def atan_(self) -> Tensor:
        return self._inplace_op(_ops.atan)

    def sinh_(self) -> Tensor:
        return self._inplace_op(_ops.sinh)

    def cosh_(self) -> Tensor:
        return self._inplace_op(_ops.cosh)

    def tan_(self) -> Tensor:
        return self._inplace_op(_ops.tan)

    def log2_(self) -> Tensor:
        return self._inplace_op(_ops.log2)

    def log10_(self) -> Tensor:
        return self._inplace_op(_ops.log10)

    def log1p_(self) -> Tensor:
        return self._inplace_op(_ops.log1p)

    def expm1_(self) -> Tensor:
        return self._inplace_op(_ops.expm1)

    def reciprocal_(self) -> Tensor:
        return self._inplace_op(_ops.reciprocal)

    def rsqrt_(self) -> Tensor:
        return self._inplace_op(_ops.rsqrt)

    def square_(self) -> Tensor:
        return self._inplace_op(_ops.square)

    def sin_(self) -> Tensor:
        return self._inplace_op(_ops.sin)

    def cos_(self) -> Tensor:
        return self._inplace_op(_ops.cos)

    def tanh_(self) -> Tensor:
        return self._inplace_op(_ops.tanh)

    def exp_(self) -> Tensor:
        return self._inplace_op(_ops.exp)

    def log_(self) -> Tensor:
        return self._inplace_op(_ops.log)

    def sqrt_(self) -> Tensor:
        return self._inplace_op(_ops.sqrt)

    def abs_(self) -> Tensor:
        return self._inplace_op(_ops.abs)

    def neg_(self) -> Tensor:
        return self._inplace_op(_ops.neg)

    def atan2_(self, other) -> Tensor:
        return self._inplace_op(_ops.atan2, other)

    def fmod_(self, other) -> Tensor:
        return self._inplace_op(_ops.fmod, other)

    def remainder_(self, other) -> Tensor:
        return self._inplace_op(_ops.remainder, other)

    def hypot_(self, other) -> Tensor:
        return self._inplace_op(_ops.hypot, other)

    def pow_(self, other) -> Tensor:
        return self._inplace_op(_ops.pow, other)

    def round_(self, *, decimals: int = 0) -> Tensor:
        return self._inplace_op(lambda x: _ops.round(x, decimals=decimals))

    def clamp_(self, min=None, max=None) -> Tensor:  # noqa: A002 (torch's names)
        return self._inplace_op(_ops.clamp, min, max)

    clip_ = clamp_

    def nan_to_num_(self, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
        return self._inplace_op(_ops.nan_to_num, nan, posinf, neginf)

    def lerp_(self, end, weight) -> Tensor:
        return self._inplace_op(_ops.lerp, end, weight)

    def addcmul_(self, tensor1, tensor2, *, value=1) -> Tensor:
        return self._inplace_op(
            lambda x, a, b: _ops.addcmul(x, a, b, value=value), tensor1, tensor2
        )

    def addcdiv_(self, tensor1, tensor2, *, value=1) -> Tensor:
        return self._inplace_op(
            lambda x, a, b: _ops.addcdiv(x, a, b, value=value), tensor1, tensor2
        )

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
        return self._inplace_op(
            lambda x, a, b: _ops.addmm(x, a, b, beta=beta, alpha=alpha), mat1, mat2
        )

    def tril_(self, diagonal: int = 0) -> Tensor:
        return self._inplace_op(_ops.tril, diagonal)

    def triu_(self, diagonal: int = 0) -> Tensor:
        return self._inplace_op(_ops.triu, diagonal)

    def cumsum_(self, dim: int) -> Tensor:
        return self._inplace_op(_ops.cumsum, dim)


# ``nnscratch.ops`` is built on Tensor, which inherits these methods, so it cannot be imported
# here: tensor.py hands it over with ``bind`` once the class exists (the one exception to the
# layering, tests/project/test_layering.py, stays in tensor.py).
_ops = None


def bind(ops) -> None:
    """Give this module ``nnscratch.ops``; tensor.py calls it once, after ``Tensor`` exists."""
    global _ops
    _ops = ops
