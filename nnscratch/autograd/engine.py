"""The backward engine: a topological walk that applies the chain rule once per node."""

from __future__ import annotations

import numpy as np

from . import inplace


def backward(root, gradient: np.ndarray, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) into every leaf's ``.grad``, weighted by ``gradient``.

    A node runs once all its consumers have sent their gradients (Kahn's topological order),
    so each node applies the chain rule exactly once, to its summed gradient.
    """
    pending = _count_consumers(root)
    grads = {root: gradient}
    ready = [root]
    while ready:
        tensor = ready.pop()
        grad = grads.pop(tensor, None)  # freed as soon as it is consumed
        ctx = tensor._ctx
        if ctx.inputs is None:
            _raise_freed(ctx)
        if grad is None:  # no gradient reached this node: only release its inputs
            input_grads = (None,) * len(ctx.inputs)
        else:
            if tensor._retains_grad:
                _accumulate(tensor, grad)
            if inplace.clock != ctx.stamp:  # some in-place write happened since forward
                _check_unchanged(tensor, ctx)
            input_grads = ctx.function.backward(ctx, grad)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
        _send(ctx, input_grads, grads, pending, ready)
        if not retain_graph:
            ctx.release()


def _send(ctx, input_grads: tuple, grads: dict, pending: dict, ready: list) -> None:
    """Route each input's gradient: into a leaf's ``.grad``, or on towards the input's node."""
    for parent, needed, input_grad in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
        if not needed:
            continue
        if input_grad is not None:
            data = parent._data
            if input_grad.shape != data.shape or input_grad.dtype is not data.dtype:
                input_grad = unbroadcast(input_grad, data)
            if parent._ctx is None:
                _accumulate(parent, input_grad)
                continue
            grads[parent] = grads[parent] + input_grad if parent in grads else input_grad
        elif parent._ctx is None:
            continue
        pending[parent] -= 1
        if not pending[parent]:
            ready.append(parent)


def unbroadcast(grad: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Sum ``grad`` back to the shape (and dtype) of the input ``like`` it was broadcast from."""
    shape = like.shape
    if grad.shape != shape:
        extra = grad.ndim - len(shape)
        stretched = [
            i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1
        ]
        grad = grad.sum(axis=(*range(extra), *stretched), keepdims=True)
        grad = grad.reshape(shape)
    if grad.dtype != like.dtype:
        grad = grad.astype(like.dtype)
    return grad


def _accumulate(tensor, grad: np.ndarray) -> None:
    """Add into ``.grad`` as torch does: across uses in one graph and across backward calls."""
    if tensor.grad is None:
        # A copy: backward may hand the same array to several inputs, and the leaf owns its grad.
        tensor.grad = tensor._make(np.array(grad, dtype=tensor._data.dtype), False, None)
    else:
        tensor.grad._data = tensor.grad._data + grad


def _raise_freed(ctx) -> None:
    raise RuntimeError(
        f"Trying to backward through the graph a second time ({ctx.name()} was already used "
        "and its saved arrays freed). Pass retain_graph=True to the first backward if you "
        "need to backward twice."
    )


def _check_unchanged(tensor, ctx) -> None:
    """Raise if an array that ``ctx`` saved (an input or its output) was written in place."""
    saved = ctx.saved_tensors
    written = [x for x in (tensor, *ctx.inputs) if getattr(x, "_version", 0) > ctx.stamp]
    for x in written:
        if any(array is x._data for array in saved):
            role = "its output" if x is tensor else "an input"
            raise RuntimeError(
                f"{ctx.name()} needs {role} (shape {x.shape}) as it was in the forward pass, "
                "but an in-place operation modified it since. Use an out-of-place op instead."
            )


def _count_consumers(root) -> dict:
    """For each non-leaf tensor under ``root``: how many graph edges lead into it.

    Iterative, so a chain of any length fits within Python's stack.
    """
    pending = {}
    stack = [root]
    while stack:
        ctx = stack.pop()._ctx
        if ctx.inputs is None:
            continue  # released; backward reports it when it reaches this node
        for parent, needed in zip(ctx.inputs, ctx.needs_input_grad):
            if needed and parent._ctx is not None:
                if parent in pending:
                    pending[parent] += 1
                else:
                    pending[parent] = 1
                    stack.append(parent)
    return pending
