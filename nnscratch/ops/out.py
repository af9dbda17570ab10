"""torch's ``out=`` argument: compute, then write the result into a given tensor.

As in torch, ``out=`` is outside autograd (an input that requires grad is refused while grad
mode is on), ``out`` is resized when its shape differs (with torch's warning when it held
elements), and the result must cast safely to ``out``'s dtype (float into an int is refused).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..autograd import grad_mode
from ..autograd.inplace import mark_written
from ..autograd.tensor import Tensor


def write_out(name: str, out, function, *args, **kwargs) -> Tensor:
    """``function(*args, **kwargs)`` written into ``out``; returns ``out``.

    >>> import nnscratch as ns
    >>> c = ns.empty(0)
    >>> ns.add(ns.ones(2), ns.ones(2), out=c) is c, c.tolist()
    (True, [2.0, 2.0])
    """
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}: expected out to be a Tensor, received {type(out).__name__}")
    if grad_mode._enabled and any(getattr(t, "_requires_grad", False) for t in (*args, out)):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    result = function(*args, **kwargs)._data
    if not np.can_cast(result.dtype, out.dtype, casting="same_kind"):
        raise RuntimeError(
            f"{name}: result type {result.dtype} can't be cast to the desired output type "
            f"{out.dtype} of out"
        )
    if out.shape != result.shape:
        _resize(name, out, result.shape)
    np.copyto(out._data, result, casting="same_kind")
    mark_written(out)
    return out


def _resize(name: str, out: Tensor, shape: tuple) -> None:
    if out.numel():
        warnings.warn(
            f"{name}: an output with one or more elements was resized since it had shape "
            f"{list(out.shape)}, which does not match the required output shape {list(shape)}. "
            "Resize it to zero elements first (out.resize_(0)) to avoid this warning.",
            UserWarning,
            stacklevel=4,
        )
    out._data = np.empty(shape, dtype=out.dtype)
