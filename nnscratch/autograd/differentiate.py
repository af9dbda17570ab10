"""torch's functional doors to the engine: ``autograd.grad`` and ``autograd.backward``.

>>> import nnscratch as ns
>>> x = ns.tensor([1.0, 2.0], requires_grad=True)
>>> ns.autograd.grad((x ** 3).sum(), x)
(tensor([ 3., 12.]),)
>>> x.grad is None  # grad returns gradients instead of accumulating them
True
"""

from __future__ import annotations

import numpy as np

from . import engine
from .tensor import Tensor


def grad(
    outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
    create_graph: bool = False, allow_unused: bool | None = None,
    is_grads_batched: bool = False, materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:  # fmt: skip
    """The gradients of ``outputs`` (weighted by ``grad_outputs``) with respect to each of
    ``inputs``, returned rather than added to ``.grad``. First order only."""
    if create_graph:
        engine.refuse_create_graph("autograd.grad")
    if is_grads_batched:
        raise NotImplementedError(
            "autograd.grad(is_grads_batched=True) is not supported; loop over the batch of "
            "grad_outputs and pass retain_graph=True"
        )
    inputs = _as_tuple(inputs, "inputs")
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"autograd.grad: input {i} does not require grad")
    seeds = _seeds(outputs, grad_outputs, "autograd.grad")
    captured = engine.run(seeds, bool(retain_graph), capture=inputs)
    return tuple(
        _result(i, x, captured[x], allow_unused or materialize_grads, materialize_grads)
        for i, x in enumerate(inputs)
    )


def backward(
    tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False,
    inputs=None,
) -> None:  # fmt: skip
    """Accumulate the gradients of several ``tensors`` at once (``torch.autograd.backward``)."""
    if create_graph:
        engine.refuse_create_graph("autograd.backward")
    seeds = _seeds(tensors, grad_tensors, "autograd.backward")
    if inputs is None:
        engine.run(seeds, bool(retain_graph))
    else:
        engine.backward_into(seeds, bool(retain_graph), _as_tuple(inputs, "inputs"))


def _as_tuple(tensors, name: str) -> tuple[Tensor, ...]:
    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}[{i}] must be a Tensor, received {type(x).__name__}")
    return tensors


def _seeds(outputs, grad_outputs, where: str) -> dict:
    """{output: its starting gradient}, summed when an output is listed twice."""
    outputs = _as_tuple(outputs, "outputs")
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"{where}: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    seeds = {}
    for i, (y, g) in enumerate(zip(outputs, grad_outputs)):
        if not y.requires_grad:
            raise RuntimeError(
                f"{where}: output {i} does not require grad and does not have a grad_fn"
            )
        g = y._initial_gradient(g)
        seeds[y] = seeds[y] + g if y in seeds else g
    return seeds


def _result(i: int, x: Tensor, gradient, allow_unused: bool, materialize: bool):
    if gradient is not None:
        return Tensor._make(gradient, False, None)
    if not allow_unused:
        raise RuntimeError(
            f"autograd.grad: input {i} appears not to have been used in the graph; pass "
            "allow_unused=True if this is expected"
        )
    return Tensor._make(np.zeros_like(x._data), False, None) if materialize else None
