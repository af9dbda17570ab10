"""Logic and tests, never differentiable: bitwise_*, logical_*, isnan/isinf/isfinite, all, any.

Their results are new tensors outside the graph (bool, or the integer dtype of bitwise ops).
"""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import promote
from ..autograd.numpy_names import numpy_names
from ..autograd.tensor import Tensor
from .axes import _axes
from .checks import check_tensor

__all__ = [
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "logical_and", "logical_or",
    "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "all", "any",
]  # fmt: skip


def _new(array) -> Tensor:
    return Tensor._make(np.asarray(array), False, None)


def _array(value, name: str, arg: str):
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (bool, int, float, np.number, np.bool_)):
        return value
    raise TypeError(f"{name}: expected {arg} to be a Tensor or a number, received {value!r}")


def _bitwise(ufunc, name: str, input, other) -> Tensor:
    check_tensor(input, name)
    a, b = promote(input._data, _array(other, name, "other"))
    if np.result_type(a, b).kind not in "biu":
        raise TypeError(
            f"{name}: expected integer or bool operands, received {input.dtype} and "
            f"{np.result_type(b)}"
        )
    return _new(ufunc(a, b))


def bitwise_and(input: Tensor, other) -> Tensor:
    """``input & other`` bit by bit (integer or bool tensors).

    >>> import nnscratch as ns
    >>> ns.bitwise_and(ns.tensor([12]), ns.tensor([10])).tolist()
    [8]
    """
    return _bitwise(np.bitwise_and, "bitwise_and", input, other)


def bitwise_or(input: Tensor, other) -> Tensor:
    """``input | other`` bit by bit (integer or bool tensors).

    >>> import nnscratch as ns
    >>> ns.bitwise_or(ns.tensor([12]), ns.tensor([10])).tolist()
    [14]
    """
    return _bitwise(np.bitwise_or, "bitwise_or", input, other)


def bitwise_xor(input: Tensor, other) -> Tensor:
    """``input ^ other`` bit by bit (integer or bool tensors).

    >>> import nnscratch as ns
    >>> ns.bitwise_xor(ns.tensor([12]), ns.tensor([10])).tolist()
    [6]
    """
    return _bitwise(np.bitwise_xor, "bitwise_xor", input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """``~input``: every bit flipped (``not`` for bool tensors).

    >>> import nnscratch as ns
    >>> ns.bitwise_not(ns.tensor([0, 5])).tolist()
    [-1, -6]
    """
    check_tensor(input, "bitwise_not")
    if input.dtype.kind not in "biu":
        raise TypeError(f"bitwise_not: expected an integer or bool tensor, received {input.dtype}")
    return _new(np.invert(input._data))


def _truth(value, name: str, arg: str):
    """Any dtype reads as true where nonzero (nan included), as in torch."""
    return np.asarray(_array(value, name, arg)) != 0


def logical_and(input: Tensor, other) -> Tensor:
    """True where both are nonzero; any dtype, a bool result.

    >>> import nnscratch as ns
    >>> ns.logical_and(ns.tensor([1.0, 0.0]), ns.tensor([2, 3])).tolist()
    [True, False]
    """
    check_tensor(input, "logical_and")
    return _new((input._data != 0) & _truth(other, "logical_and", "other"))


def logical_or(input: Tensor, other) -> Tensor:
    """True where either is nonzero; any dtype, a bool result.

    >>> import nnscratch as ns
    >>> ns.logical_or(ns.tensor([1.0, 0.0]), ns.tensor([0, 0])).tolist()
    [True, False]
    """
    check_tensor(input, "logical_or")
    return _new((input._data != 0) | _truth(other, "logical_or", "other"))


def logical_xor(input: Tensor, other) -> Tensor:
    """True where exactly one is nonzero; any dtype, a bool result.

    >>> import nnscratch as ns
    >>> ns.logical_xor(ns.tensor([1.0, 1.0]), ns.tensor([0, 3])).tolist()
    [True, False]
    """
    check_tensor(input, "logical_xor")
    return _new((input._data != 0) ^ _truth(other, "logical_xor", "other"))


def logical_not(input: Tensor) -> Tensor:
    """True where ``input`` is zero; any dtype, a bool result.

    >>> import nnscratch as ns
    >>> ns.logical_not(ns.tensor([0.0, 2.0])).tolist()
    [True, False]
    """
    check_tensor(input, "logical_not")
    return _new(input._data == 0)


def isnan(input: Tensor) -> Tensor:
    """True where ``input`` is nan.

    >>> import nnscratch as ns
    >>> ns.isnan(ns.tensor([float("nan"), 1.0])).tolist()
    [True, False]
    """
    check_tensor(input, "isnan")
    return _new(np.isnan(input._data) if input.dtype.kind == "f" else input._data != input._data)


def isinf(input: Tensor) -> Tensor:
    """True where ``input`` is +inf or -inf.

    >>> import nnscratch as ns
    >>> ns.isinf(ns.tensor([float("-inf"), 1.0])).tolist()
    [True, False]
    """
    check_tensor(input, "isinf")
    return _new(np.isinf(input._data) if input.dtype.kind == "f" else np.zeros(input.shape, bool))


def isfinite(input: Tensor) -> Tensor:
    """True where ``input`` is neither nan nor infinite.

    >>> import nnscratch as ns
    >>> ns.isfinite(ns.tensor([float("inf"), 1.0])).tolist()
    [False, True]
    """
    check_tensor(input, "isfinite")
    return _new(np.isfinite(input._data) if input.dtype.kind == "f" else np.ones(input.shape, bool))


@numpy_names
def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001 (torch's name)
    """True where every element over ``dim`` (all dims when None) is nonzero. A bool result
    (uint8 for uint8 input, as in torch).

    >>> import nnscratch as ns
    >>> ns.all(ns.tensor([[True, False], [True, True]]), dim=1).tolist()
    [False, True]
    """
    return _test(np.all, input, dim, keepdim, "all")


@numpy_names
def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001 (torch's name)
    """True where some element over ``dim`` (all dims when None) is nonzero.

    >>> import nnscratch as ns
    >>> ns.any(ns.tensor([[True, False], [False, False]]), dim=1).tolist()
    [True, False]
    """
    return _test(np.any, input, dim, keepdim, "any")


def _test(reduce, input, dim, keepdim: bool, name: str) -> Tensor:
    check_tensor(input, name)
    axes = _axes(dim, input.ndim, name)
    result = reduce(input._data, axis=axes, keepdims=keepdim)
    return _new(result.astype(np.uint8) if input.dtype == np.uint8 else result)
