"""The fused affine map behind ``nn.Linear`` and Keras's ``Dense``: ``linear``."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from . import blas
from .activation import ReLU, Sigmoid
from .checks import check_float_dtypes, check_tensors
from .elementwise import Tanh

__all__ = ["linear"]


class Linear(Function):
    """y = x W^T + b;  dy/dx = grad W,  dy/dW = grad^T x,  dy/db = sum of grad over leading dims
    Replaces: input @ weight.T + bias (a transpose, a matmul and a broadcast add: three nodes).
    Leading dimensions of x are folded into one batch so the work is two BLAS calls. With
    ``kernel_layout`` the weight arrives as W^T, (in, out) (Keras's kernel), and its gradient
    is x^T grad: no transpose node in the graph."""

    @staticmethod
    def forward(ctx, x, weight, bias, kernel_layout=False):
        x2 = _rows(x) if x.ndim != 2 else x
        kernel = weight if kernel_layout else weight.T  # W^T, (in, out), a view
        y = blas.dot(x2, kernel)
        if bias is not None:
            y += bias  # y is a fresh array: adding in place saves a temporary
        ctx.save_for_backward(x2, kernel)
        ctx.kernel_layout = kernel_layout
        return y if x.ndim == 2 else y.reshape(*x.shape[:-1], kernel.shape[1])

    @staticmethod
    def backward(ctx, grad):
        x2, kernel = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        g2 = grad if grad.ndim == 2 else _rows(grad)
        grad_x = grad_w = grad_b = None
        if need_x:
            grad_x = blas.dot(g2, kernel.T)
            if grad.ndim != 2:  # the input's leading dimensions are the gradient's
                grad_x = grad_x.reshape(*grad.shape[:-1], kernel.shape[0])
        if need_w:
            grad_w = blas.dot(x2.T, g2) if ctx.kernel_layout else blas.dot(g2.T, x2)
        if need_b:  # (the engine reshapes a non-1-D bias)
            grad_b = np.add.reduce(g2, axis=0)  # g2.sum(axis=0) without its Python wrapper
        return grad_x, grad_w, grad_b, None


class LinearActivation(Function):
    """y = f(x W^T + b), f an elementwise activation op;  dy/d(x, W, b) = Linear's backward of
    f's backward of grad
    Replaces: f(linear(x, W, b)), two nodes (Keras's Dense with an activation). It runs both
    ops' own forward and backward, so its numbers are theirs; f keeps its own context."""

    @staticmethod
    def forward(ctx, x, weight, bias, kernel_layout, activation):
        inner = Context(activation, (True,))
        ctx.activation = inner
        return activation.forward(inner, Linear.forward(ctx, x, weight, bias, kernel_layout))

    @staticmethod
    def backward(ctx, grad):
        inner = ctx.activation
        return (*Linear.backward(ctx, inner.function.backward(inner, grad)), None)


# The activations dense() can run inside its node: elementwise ops whose backward returns
# one gradient.
_ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


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
    if not _fits(input, weight, bias, 1):
        _explain("linear", input, weight, bias, 1)
    return Linear.apply(input, weight, bias)


def dense(
    input: Tensor, kernel: Tensor, bias: Tensor | None = None, activation: str | None = None
) -> Tensor:
    """``activation(input @ kernel + bias)`` with Keras's kernel of shape ``(in_features,
    out_features)``: ``linear``'s op reading the kernel as stored (Keras's ``Dense``), with
    ``"relu"``, ``"sigmoid"`` or ``"tanh"`` run inside the same node.

    >>> import nnscratch as ns
    >>> x = ns.tensor([[1.0, 2.0]])
    >>> kernel = ns.tensor([[1.0, 1.0, 0.0], [0.0, 1.0, 2.0]])
    >>> dense(x, kernel, ns.tensor([0.5, 0.0, -4.0]), activation="relu").tolist()
    [[1.5, 3.0, 0.0]]
    """
    if not _fits(input, kernel, bias, 0):
        _explain("dense", input, kernel, bias, 0)
    if activation is None:
        return Linear.apply(input, kernel, bias, True)
    if activation not in _ACTIVATIONS:
        raise ValueError(
            f"dense: activation must be None or one of {sorted(_ACTIVATIONS)}, received "
            f"{activation!r}"
        )
    return LinearActivation.apply(input, kernel, bias, True, _ACTIVATIONS[activation])


def _fits(input, weight, bias, in_axis: int) -> bool:
    """The valid case in a few comparisons (it runs on every forward pass); ``_explain``
    then says what is wrong. ``in_axis``: the weight's axis of input features."""
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        return False
    x, w = input._data, weight._data
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[in_axis]:
        return False
    if x.dtype != w.dtype or x.dtype.kind != "f":
        return False
    if bias is None:
        return True
    b = bias._data if isinstance(bias, Tensor) else None
    return b is not None and b.dtype == x.dtype and b.shape in ((w.shape[1 - in_axis],), (1,), ())


def _explain(name: str, input, weight, bias, in_axis: int) -> None:
    """Raise the error that says why ``(input, weight, bias)`` do not fit."""
    check_tensors(name, input=input, weight=weight, bias=bias)
    layout = "(out, in)" if in_axis == 1 else "(in, out)"
    if weight.ndim != 2:
        raise ValueError(f"{name}: weight must be 2-D {layout}, received shape {weight.shape}")
    in_features, out_features = weight.shape[in_axis], weight.shape[1 - in_axis]
    if input.ndim == 0 or input.shape[-1] != in_features:
        raise ValueError(
            f"{name}: input shape {input.shape} does not fit weight shape {weight.shape}: "
            f"the last dimension of input must be {in_features}"
        )
    if bias is not None and bias.shape not in ((out_features,), (1,), ()):
        raise ValueError(
            f"{name}: bias shape {bias.shape} does not fit {out_features} output features"
        )
    check_float_dtypes(name, input=input, weight=weight, bias=bias)
