"""Elementwise math of two or three operands: atan2, fmod, remainder, hypot, lerp, addcmul,
addcdiv. Operands broadcast and promote as in torch; a Python number may stand for a tensor
where torch allows it."""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import get_default_dtype, promote
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .checks import check_tensor
from .elementwise import _silent

__all__ = ["atan2", "arctan2", "fmod", "remainder", "hypot", "lerp", "addcmul", "addcdiv"]


def _float_pair(a, b):
    """Promote, then give integers the default float dtype (atan2 and hypot are float maths)."""
    a, b = promote(a, b)
    if np.result_type(a, b).kind == "f":
        return a, b
    floats = get_default_dtype()
    return np.asarray(a, dtype=floats), np.asarray(b, dtype=floats)


class Atan2(Function):
    """y = atan2(a, b), the angle of (b, a);  dy/da = b / r2,  dy/db = -a / r2,  r2 = a**2 + b**2"""

    @staticmethod
    def forward(ctx, a, b):
        a, b = _float_pair(a, b)
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    @_silent
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        scale = grad / (a * a + b * b)
        return scale * b, scale * -a


class Hypot(Function):
    """y = sqrt(a**2 + b**2);  dy/da = a / y,  dy/db = b / y"""

    @staticmethod
    def forward(ctx, a, b):
        a, b = _float_pair(a, b)
        y = np.hypot(a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    @_silent
    def backward(ctx, grad):
        a, b, y = ctx.saved_tensors
        scale = grad / y
        return scale * a, scale * b


class Fmod(Function):
    """y = a - trunc(a / b) b (the sign of a);  dy/da = 1,  dy/db = -trunc(a / b)"""

    @staticmethod
    @_silent
    def forward(ctx, a, b):
        a, b = promote(a, b)
        ctx.save_for_backward(a, b)
        return np.fmod(a, b)

    @staticmethod
    @_silent
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad, (-grad * np.trunc(a / b) if ctx.needs_input_grad[1] else None)


class Remainder(Function):
    """y = a - floor(a / b) b (the sign of b);  dy/da = 1,  dy/db = -floor(a / b)"""

    @staticmethod
    @_silent
    def forward(ctx, a, b):
        a, b = promote(a, b)
        ctx.save_for_backward(a, b)
        return np.remainder(a, b)

    @staticmethod
    @_silent
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad, (-grad * np.floor(a / b) if ctx.needs_input_grad[1] else None)


class Lerp(Function):
    """y = a + w (b - a);  dy/da = 1 - w,  dy/db = w,  dy/dw = b - a
    (computed as b - (b - a)(1 - w) where w >= 0.5, as torch does, so that w = 1 gives b)"""

    @staticmethod
    def forward(ctx, a, b, w):
        a, b = promote(a, b)
        w = np.asarray(w, dtype=a.dtype)
        ctx.save_for_backward(a, b, w)
        diff = b - a
        return np.where(np.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))

    @staticmethod
    def backward(ctx, grad):
        a, b, w = ctx.saved_tensors
        need_a, need_b, need_w = ctx.needs_input_grad
        grad_a = grad * (1 - w) if need_a else None
        grad_b = grad * w if need_b else None
        return grad_a, grad_b, (grad * (b - a) if need_w else None)


def _operand(value, name: str, arg: str):
    if isinstance(value, np.generic):
        return value.item()
    if not isinstance(value, (Tensor, bool, int, float)):
        raise TypeError(
            f"{name}: expected {arg} to be a Tensor or a number, received {type(value).__name__}"
        )
    return value


def atan2(input: Tensor, other) -> Tensor:
    """The angle of the point ``(other, input)``, in (-pi, pi], elementwise.

    >>> import nnscratch as ns
    >>> round(ns.atan2(ns.tensor([1.0]), ns.tensor([0.0])).item(), 5)
    1.5708
    """
    check_tensor(input, "atan2")
    return Atan2.apply(input, _operand(other, "atan2", "other"))


arctan2 = atan2  # torch.arctan2


def hypot(input: Tensor, other) -> Tensor:
    """``sqrt(input**2 + other**2)`` elementwise, without overflow in the squares.

    >>> import nnscratch as ns
    >>> ns.hypot(ns.tensor([3.0]), ns.tensor([4.0])).tolist()
    [5.0]
    """
    check_tensor(input, "hypot")
    return Hypot.apply(input, _operand(other, "hypot", "other"))


def fmod(input: Tensor, other) -> Tensor:
    """C's remainder: ``input - trunc(input / other) * other``, with the sign of ``input``.

    >>> import nnscratch as ns
    >>> ns.fmod(ns.tensor([-3.0, 3.0]), 2).tolist()
    [-1.0, 1.0]
    """
    check_tensor(input, "fmod")
    return Fmod.apply(input, _operand(other, "fmod", "other"))


def remainder(input, other) -> Tensor:
    """Python's modulus: ``input - floor(input / other) * other``, with the sign of ``other``.

    >>> import nnscratch as ns
    >>> ns.remainder(ns.tensor([-3.0, 3.0]), 2).tolist()
    [1.0, 1.0]
    """
    if not isinstance(other, Tensor):
        check_tensor(input, "remainder")
    return Remainder.apply(
        _operand(input, "remainder", "input"), _operand(other, "remainder", "other")
    )


def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` a number or a Tensor.

    >>> import nnscratch as ns
    >>> ns.lerp(ns.tensor([0.0, 10.0]), ns.tensor([10.0, 20.0]), 0.25).tolist()
    [2.5, 12.5]
    """
    check_tensor(input, "lerp")
    check_tensor(end, "lerp", "end")
    if input.dtype.kind != "f" or end.dtype != input.dtype:
        raise TypeError(
            f"lerp: expected input and end of one floating dtype, received {input.dtype} "
            f"and {end.dtype}"
        )
    return Lerp.apply(input, end, _operand(weight, "lerp", "weight"))


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """``input + value * tensor1 * tensor2`` (composed of mul and add).

    >>> import nnscratch as ns
    >>> ns.addcmul(ns.ones(2), ns.tensor([1.0, 2.0]), ns.tensor([3.0, 4.0]), value=0.5).tolist()
    [2.5, 5.0]
    """
    for arg, t in (("input", input), ("tensor1", tensor1), ("tensor2", tensor2)):
        check_tensor(t, "addcmul", arg)
    scaled = tensor1 if value == 1 else value * tensor1
    return input + scaled * tensor2


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2`` (composed of mul, div and add). As in torch,
    two integer tensors cannot be divided here.

    >>> import nnscratch as ns
    >>> ns.addcdiv(ns.ones(2), ns.tensor([1.0, 2.0]), ns.tensor([4.0, 4.0]), value=2).tolist()
    [1.5, 2.0]
    """
    for arg, t in (("input", input), ("tensor1", tensor1), ("tensor2", tensor2)):
        check_tensor(t, "addcdiv", arg)
    if tensor1.dtype.kind in "biu" and tensor2.dtype.kind in "biu":
        raise RuntimeError(
            "addcdiv: integer division of tensors is not supported; received tensor1 of "
            f"{tensor1.dtype} and tensor2 of {tensor2.dtype} (use a floating dtype)"
        )
    scaled = tensor1 if value == 1 else value * tensor1
    return input + scaled / tensor2
