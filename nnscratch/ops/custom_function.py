"""A gradient given by the user: the op behind ``keras.ops.custom_gradient``.

``forward_fn(*inputs)`` returns ``(output, grad_fn)``; the backward pass calls
``grad_fn(*inputs, upstream=grad)``, which returns one gradient per input (a tuple when there
are several), as Keras's torch backend calls it. Both run without recording a graph.

>>> import nnscratch as ns
>>> def clipped_identity(x):
...     return x * 1, lambda x, upstream: ns.clamp(upstream, -1.0, 1.0)
>>> x = ns.tensor([2.0], requires_grad=True)
>>> (CustomGradient.apply(clipped_identity, x) * 5).sum().backward()
>>> x.grad.tolist()
[1.0]
"""

from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Function
from ..autograd.tensor import Tensor

__all__ = ["CustomGradient"]


def _array(value, like: np.ndarray) -> np.ndarray:
    data = value.detach().numpy() if isinstance(value, Tensor) else np.asarray(value)
    return data.astype(like.dtype, copy=False)


class CustomGradient(Function):
    """y = forward_fn(*x)[0];  dy/dx_i = grad_fn(*x, upstream=grad)[i], from the user"""

    @staticmethod
    def forward(ctx, forward_fn, *arrays):
        ctx.arrays = arrays
        with grad_mode.no_grad():
            output, ctx.grad_fn = forward_fn(*(Tensor(a) for a in arrays))
        return output.detach().numpy() if isinstance(output, Tensor) else np.asarray(output)

    @staticmethod
    def backward(ctx, grad):
        with grad_mode.no_grad():
            grads = ctx.grad_fn(*(Tensor(a) for a in ctx.arrays), upstream=Tensor(grad))
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(ctx.arrays):
            raise ValueError(
                f"custom_gradient: grad_fn returned {len(grads)} gradients for "
                f"{len(ctx.arrays)} inputs"
            )
        # (a None from grad_fn: that input gets no gradient, as in Keras)
        return (None, *(None if g is None else _array(g, a) for g, a in zip(grads, ctx.arrays)))
