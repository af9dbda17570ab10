"""The fused affine map behind ``nn.Linear`` and Keras's ``Dense``: ``linear``."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor

__all__ = ["linear"]


class Linear(Function):
    """y = x W^T + b;  dy/dx = grad W,  dy/dW = grad^T x,  dy/db = sum of grad over leading dims
    Replaces: input @ weight.T + bias (a transpose, a matmul and a broadcast add: three nodes).
    Leading dimensions of x are folded into one batch so the work is two BLAS calls."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        x2 = _rows(x) if x.ndim != 2 else x
        y = np.dot(x2, weight.T)
        if bias is not None:
            y += bias  # y is a fresh array: adding in place saves a temporary
        ctx.save_for_backward(x2, weight)
        ctx.out_shape = (*x.shape[:-1], weight.shape[0])
        return y.reshape(ctx.out_shape) if x.ndim != 2 else y

    @staticmethod
    def backward(ctx, grad):
        x2, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = _rows(grad) if grad.ndim != 2 else grad
        grad_x = (
            np.dot(g2, weight).reshape(*ctx.out_shape[:-1], weight.shape[1]) if need_x else None
        )
        grad_w = np.dot(g2.T, x2) if need_w else None
        grad_b = g2.sum(axis=0) if need_b else None  # the engine reshapes a non-1-D bias
        return grad_x, grad_w, grad_b


def _rows(a: np.ndarray) -> np.ndarray:
    """``a`` as a matrix: leading dimensions folded into rows (no -1, so size 0 works)."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` as one op; ``input`` may have any leading dimensions.

    ``weight`` has shape ``(out_features, in_features)``, ``bias`` ``(out_features,)``.

    >>> import nnscratch as ns
    >>> x = ns.tensor([[1.0, 2.0]])
    >>> w = ns.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    >>> ns.nn.functional.linear(x, w, ns.tensor([0.5, 0.0, -1.0])).tolist()
    [[1.5, 3.0, 3.0]]
    """
    _check(input, weight, bias)
    return Linear.apply(input, weight, bias)


def _check(input, weight, bias) -> None:
    for name, t in (("input", input), ("weight", weight), ("bias", bias)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"linear: expected {name} to be a Tensor, received {type(t).__name__}")
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out, in), received shape {weight.shape}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input shape {input.shape} does not fit weight shape {weight.shape}: "
            f"the last dimension of input must be {weight.shape[1]}"
        )
    if bias is not None and bias.shape not in ((weight.shape[0],), (1,), ()):
        raise ValueError(
            f"linear: bias shape {bias.shape} does not fit {weight.shape[0]} output features"
        )
    _check_dtypes(input, weight, bias)


def _check_dtypes(input, weight, bias) -> None:
    """torch refuses mixed dtypes here rather than promote: no silent upcast of the weights."""
    dtypes = {t.dtype for t in (input, weight, bias) if t is not None}
    if len(dtypes) > 1 or input.dtype.kind != "f":
        found = ", ".join(f"{n}={t.dtype}" for n, t in zip(("input", "weight", "bias"),
                          (input, weight, bias)) if t is not None)  # fmt: skip
        raise TypeError(f"linear: expected one floating dtype for all operands, received {found}")
