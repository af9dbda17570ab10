"""The backward engine: a topological walk that applies the chain rule once per node."""

from __future__ import annotations

import sys
from heapq import heapify, heappop, heappush

import numpy as np

from . import inplace

# A leaf may keep a gradient array that nothing else holds, instead of a copy (as torch's
# AccumulateGrad steals an unshared gradient). In the loop below such an array is referenced
# by the loop variable, zip's result tuple, the backward's returned tuple and getrefcount's
# argument: 4. Any other holder (a second input's slot, a saved tensor, a cache) makes it more.
# CPython 3.14 borrows some references, so the count is only trusted before it.
_SOLE_OWNER_REFS = 4 if sys.implementation.name == "cpython" and sys.version_info < (3, 14) else 0
_getrefcount = sys.getrefcount


def backward(root, gradient: np.ndarray, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) into every leaf's ``.grad``, weighted by ``gradient``."""
    run({root: gradient}, retain_graph)


def backward_into(grads: dict, retain_graph: bool, inputs: tuple) -> None:
    """``backward(inputs=...)``: from ``grads`` (tensor: gradient), accumulate only into the
    ``.grad`` of ``inputs``."""
    for tensor, grad in run(grads, retain_graph, capture=inputs).items():
        if grad is not None:
            _accumulate(tensor, grad)


def run(grads: dict, retain_graph: bool = False, capture=None) -> dict | None:
    """Apply the chain rule from ``grads`` (tensor: gradient) back to the leaves.

    Nodes run latest-recorded first (a heap on ``ctx.stamp``): every consumer of a tensor was
    recorded after it, so a node runs once, on its fully summed gradient. No recursion, so
    a chain of any length works. Leaves get their gradients added to ``.grad``; with
    ``capture`` (a sequence of tensors) nothing is accumulated and the gradients reaching
    those tensors are returned instead. (One loop, without helper calls: it runs once per
    node.)
    """
    captured = None if capture is None else dict.fromkeys(capture)
    held = {}  # leaf gradients summed before use: leaves with hooks, or while capturing
    queue = [(-t._ctx.stamp, t) for t in grads if t._ctx is not None]
    if len(queue) != len(grads):  # a leaf among the roots: its gradient goes straight on
        held.update((t, grads.pop(t)) for t in [t for t in grads if t._ctx is None])
    heapify(queue)
    while queue:
        tensor = heappop(queue)[1]
        grad = grads.pop(tensor)  # freed as soon as it is consumed
        ctx = tensor._ctx
        if ctx.inputs is None:
            _raise_freed(ctx)
        if tensor._hooks is not None:
            grad = tensor._hooks.run(tensor, grad)
        if captured is not None and tensor in captured:
            captured[tensor] = grad
        if inplace.last_write > ctx.stamp:  # some array was written in place since forward
            _check_unchanged(tensor, ctx)
        input_grads = ctx.function.backward(ctx, grad)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        for parent, needed, input_grad in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
            if not needed or input_grad is None:
                continue
            data = parent._data
            if input_grad.shape != data.shape or input_grad.dtype is not data.dtype:
                input_grad = unbroadcast(input_grad, data)
            if parent._ctx is None:
                if parent._hooks is not None or captured is not None:
                    held[parent] = _sum(held[parent], input_grad) if parent in held else input_grad
                    continue
                # a leaf's first gradient may be kept rather than copied
                sole = (
                    parent._grad is None
                    and input_grad.base is None
                    and _getrefcount(input_grad) <= _SOLE_OWNER_REFS
                )
                _accumulate(parent, input_grad, sole)
                continue
            if parent._ctx.stamp > ctx.stamp:  # rewritten in place since this node read it
                parent = inplace.value_seen_by(parent, ctx.stamp)
            if parent in grads:
                grads[parent] = _sum(grads[parent], input_grad)
            else:  # the first gradient to reach this node: schedule it
                grads[parent] = input_grad
                heappush(queue, (-parent._ctx.stamp, parent))
        if not retain_graph:
            ctx.saved_tensors = ctx.inputs = None  # release the arrays; mark the node used
    if held:
        _finish_leaves(held, captured)
    return captured


def _finish_leaves(held: dict, captured: dict | None) -> None:
    """Run the held leaves' hooks, then accumulate their gradients or hand them back."""
    for leaf, grad in held.items():
        if leaf._hooks is not None:
            grad = leaf._hooks.run(leaf, grad)
        if captured is None:
            _accumulate(leaf, grad)
        elif leaf in captured:
            captured[leaf] = grad


def refuse_create_graph(where: str) -> None:
    raise NotImplementedError(
        f"{where}(create_graph=True): higher-order gradients are not supported. nnscratch's "
        "backward functions run on NumPy arrays and are not recorded themselves; take a "
        "second derivative by finite differences of the first (autograd.gradcheck shows how)."
    )


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


def _accumulate(tensor, grad: np.ndarray, sole_owner: bool = False) -> None:
    """Add into ``.grad`` as torch does: across uses in one graph and across backward calls."""
    if tensor._grad is None:
        # The leaf owns its grad: a copy, unless no one else holds the array (backward may
        # hand one array to several inputs). The dtype already matches: gradients are cast
        # to their input's dtype.
        tensor._grad = tensor._make(grad if sole_owner else grad.copy(), False, None)
    else:
        tensor._grad._data = _sum(tensor._grad._data, grad)


def _sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b, kept an array: NumPy turns the sum of two 0-d arrays into a scalar, which
    in-place updates (an optimizer's ``buf *= momentum``) would silently not change."""
    total = a + b
    return total if type(total) is np.ndarray else np.asarray(total)


def _raise_freed(ctx) -> None:
    raise RuntimeError(
        f"Trying to backward through the graph a second time ({ctx.name()} was already used "
        "and its saved arrays freed). Pass retain_graph=True to the first backward if you "
        "need to backward twice."
    )


def _check_unchanged(tensor, ctx) -> None:
    """Raise if an array that ``ctx`` saved (an input or its output) was written in place."""
    saved = getattr(ctx, "saved_tensors", ())
    written = [x for x in (tensor, *ctx.inputs) if getattr(x, "_version", 0) > ctx.stamp]
    for x in written:
        if any(array is x._data for array in saved):
            role = "its output" if x is tensor else "an input"
            raise RuntimeError(
                f"{ctx.name()} needs {role} (shape {x.shape}) as it was in the forward pass, "
                "but an in-place operation modified it since. Use an out-of-place op instead."
            )
