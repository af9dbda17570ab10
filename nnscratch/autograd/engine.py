"""The backward engine: a topological walk that applies the chain rule once per node."""

from __future__ import annotations

import numpy as np


def backward(root, gradient: np.ndarray, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) into every leaf's ``.grad``, weighted by ``gradient``."""
    grads = {root: gradient}
    for tensor in _topological_order(root):
        grad = grads.pop(tensor, None)  # freed as soon as it is consumed
        if grad is None:
            continue
        if tensor._retains_grad:
            _accumulate(tensor, grad)
        _apply_node(tensor, grad, grads)
        if not retain_graph:
            tensor._ctx.release()


def _apply_node(tensor, grad: np.ndarray, grads: dict) -> None:
    ctx = tensor._ctx
    _check_usable(tensor, ctx)
    input_grads = ctx.function.backward(ctx, grad)
    if not isinstance(input_grads, tuple):
        input_grads = (input_grads,)
    for parent, input_grad in zip(ctx.inputs, input_grads):
        if parent is None or input_grad is None:
            continue
        input_grad = unbroadcast(np.asarray(input_grad), parent._data)
        if parent._ctx is None:
            _accumulate(parent, input_grad)
        elif parent in grads:
            grads[parent] = grads[parent] + input_grad
        else:
            grads[parent] = input_grad


def unbroadcast(grad: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Sum ``grad`` back to the shape (and dtype) of the input ``like`` it was broadcast from."""
    shape = like.shape
    if grad.shape != shape:
        extra = grad.ndim - len(shape)
        stretched = [i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1]
        grad = grad.sum(axis=tuple(range(extra)) + tuple(stretched), keepdims=True)
        grad = grad.reshape(shape)
    if grad.dtype != like.dtype:
        grad = grad.astype(like.dtype)
    return grad


def _accumulate(tensor, grad: np.ndarray) -> None:
    """Add into ``.grad`` as torch does: across uses in one graph and across backward calls."""
    from .tensor import Tensor

    if tensor.grad is None:
        # A copy: backward may hand the same array to several inputs, and the leaf owns its grad.
        tensor.grad = Tensor._make(np.array(grad, dtype=tensor._data.dtype), False, None)
    else:
        tensor.grad._data = tensor.grad._data + grad


def _check_usable(tensor, ctx) -> None:
    if ctx.freed:
        raise RuntimeError(
            f"Trying to backward through the graph a second time ({ctx.name()} was already "
            "used and its saved arrays freed). Pass retain_graph=True to the first backward "
            "if you need to backward twice."
        )
    saved = ctx.saved_tensors
    for position, (x, version) in enumerate(zip(ctx.inputs, ctx.versions)):
        if x is not None and x._version != version and any(s is x._data for s in saved):
            raise RuntimeError(
                f"{ctx.name()} needs input {position} (shape {x.shape}) as it was in the "
                f"forward pass, but an in-place operation modified it since (version "
                f"{version} -> {x._version}). Use an out-of-place op instead."
            )
    if tensor._version and any(s is tensor._data for s in saved):
        raise RuntimeError(
            f"{ctx.name()} needs its output (shape {tensor.shape}) as it was in the forward "
            "pass, but an in-place operation modified it since. Use an out-of-place op instead."
        )


def _topological_order(root) -> list:
    """Non-leaf tensors reachable from ``root``, each after everything that consumes it.

    Iterative depth-first search, so a chain of any length fits within Python's stack.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        tensor, expanded = stack.pop()
        if expanded:
            order.append(tensor)
            continue
        if tensor in visited:
            continue
        visited.add(tensor)
        stack.append((tensor, True))
        for parent in tensor._ctx.inputs:
            if parent is not None and parent._ctx is not None and parent not in visited:
                stack.append((parent, False))
    order.reverse()
    return order
