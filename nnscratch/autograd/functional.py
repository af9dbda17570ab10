"""``torch.autograd.functional``: Jacobians and vector-Jacobian products of a whole function,
built on ``autograd.grad`` (first order only).

``jvp`` has no forward mode here: it contracts the full Jacobian with ``v``, which costs one
backward pass per output element; fine for the small functions these helpers are used on.

>>> import nnscratch as ns
>>> ns.autograd.functional.jacobian(lambda x: x ** 2, ns.tensor([1.0, 3.0]))
tensor([[2., 0.],
        [0., 6.]])
"""

from __future__ import annotations

import numpy as np

from .differentiate import grad
from .engine import refuse_create_graph
from .grad_mode import enable_grad
from .tensor import Tensor

__all__ = ["jacobian", "vjp", "jvp", "hessian", "hvp", "vhp"]


def _as_tuple(value, name: str, arg: str) -> tuple[bool, tuple]:
    """(whether ``value`` was a tuple or list, its tensors as a tuple)."""
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"{arg}[{i}]" if is_tuple else arg
            raise TypeError(f"{name}: expected {where} to be a Tensor, received {type(v).__name__}")
    return is_tuple, values


def _refuse_graph(name: str, create_graph: bool) -> None:
    if create_graph:
        refuse_create_graph(f"autograd.functional.{name}")


def _leaves(inputs: tuple, name: str) -> tuple:
    for i, x in enumerate(inputs):
        if x.dtype.kind != "f":
            raise TypeError(
                f"{name}: input {i} must be a floating point tensor, received {x.dtype}"
            )
    return tuple(Tensor._make(x._data, True, None) for x in inputs)


def _run(func, inputs, name: str):
    """Call ``func`` on fresh leaves that require grad: (leaves, outputs tuple, was tuple)."""
    xs = _leaves(inputs, name)
    with enable_grad():
        out = func(*xs)
    out_is_tuple, outputs = _as_tuple(out, name, "the output of func")
    return xs, outputs, out_is_tuple


def _gradients(output: Tensor, xs: tuple, seed: np.ndarray, strict: bool, name: str) -> list:
    """d(sum(output * seed)) / d(each x), zeros where x is unused (an error with strict)."""
    used = [False] * len(xs)
    if output.requires_grad:
        found = grad(output, xs, Tensor._make(seed, False, None), retain_graph=True,
                     allow_unused=True)  # fmt: skip
        used = [g is not None for g in found]
    else:
        found = (None,) * len(xs)
    if strict and not all(used):
        raise RuntimeError(
            f"autograd.functional.{name}: the output is independent of input "
            f"{used.index(False)}; this is not allowed in strict mode"
        )
    return [np.zeros_like(x._data) if g is None else g._data for g, x in zip(found, xs)]


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):  # fmt: skip
    """The Jacobian of ``func`` at ``inputs``: for output ``i`` and input ``j``, a tensor of
    shape ``outputs[i].shape + inputs[j].shape``, nested as torch nests it (a Tensor for
    one input and one output, a tuple over whichever was a tuple, a tuple of tuples for both).
    ``vectorize`` and ``strategy`` only change how torch computes it, not the result.

    >>> import nnscratch as ns
    >>> f = lambda x, y: (x * y).sum()
    >>> dx, dy = ns.autograd.functional.jacobian(f, (ns.ones(2), ns.tensor([2.0, 3.0])))
    >>> dx.tolist(), dy.tolist()
    ([2.0, 3.0], [1.0, 1.0])
    """
    _refuse_graph("jacobian", create_graph)
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', received {strategy!r}"
        )
    in_is_tuple, inputs = _as_tuple(inputs, "jacobian", "inputs")
    xs, outputs, out_is_tuple = _run(func, inputs, "jacobian")
    rows = [_jacobian_of(y, xs, strict) for y in outputs]
    rows = [tuple(r) if in_is_tuple else r[0] for r in rows]
    return tuple(rows) if out_is_tuple else rows[0]


def _jacobian_of(y: Tensor, xs: tuple, strict: bool) -> list[Tensor]:
    """[d y / d x for x in xs], each of shape y.shape + x.shape."""
    blocks = [np.zeros((y.numel(), *x.shape), dtype=x.dtype) for x in xs]
    seed = np.zeros(y.numel(), dtype=y.dtype)
    for k in range(y.numel()):
        seed[k] = 1
        for block, g in zip(
            blocks, _gradients(y, xs, seed.reshape(y.shape).copy(), strict, "jacobian")
        ):
            block[k] = g
        seed[k] = 0
    return [Tensor._make(b.reshape(*y.shape, *x.shape), False, None) for b, x in zip(blocks, xs)]


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the outputs, and the gradient of ``sum(outputs * v)`` with
    respect to each input. ``v`` may be left out when the output has one element.

    >>> import nnscratch as ns
    >>> out, g = ns.autograd.functional.vjp(lambda x: x ** 2, ns.tensor([1.0, 3.0]), ns.ones(2))
    >>> g.tolist()
    [2.0, 6.0]
    """
    _refuse_graph("vjp", create_graph)
    in_is_tuple, inputs = _as_tuple(inputs, "vjp", "inputs")
    xs, outputs, out_is_tuple = _run(func, inputs, "vjp")
    vs = _vectors(v, outputs, "vjp", "outputs")
    total = [np.zeros_like(x._data) for x in xs]
    for y, w in zip(outputs, vs):
        for acc, g in zip(total, _gradients(y, xs, w, strict, "vjp")):
            acc += g
    result = tuple(Tensor._make(g, False, None) for g in total)
    return _detached(outputs, out_is_tuple), result if in_is_tuple else result[0]


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the outputs, and their derivative along the direction ``v``
    (one tensor per input). ``v`` may be left out when the input has one element.

    >>> import nnscratch as ns
    >>> out, d = ns.autograd.functional.jvp(lambda x: x ** 2, ns.tensor([1.0, 3.0]), ns.ones(2))
    >>> d.tolist()
    [2.0, 6.0]
    """
    _refuse_graph("jvp", create_graph)
    in_is_tuple, inputs = _as_tuple(inputs, "jvp", "inputs")
    vs = _vectors(v, inputs, "jvp", "inputs")
    xs, outputs, out_is_tuple = _run(func, inputs, "jvp")
    result = []
    for y in outputs:
        blocks = _jacobian_of(y, xs, strict)
        parts = [np.tensordot(b._data, w, axes=w.ndim) for b, w in zip(blocks, vs)]
        result.append(Tensor._make(np.asarray(sum(parts)).astype(y.dtype), False, None))
    return _detached(outputs, out_is_tuple), tuple(result) if out_is_tuple else result[0]


def _vectors(v, tensors: tuple, name: str, what: str) -> list[np.ndarray]:
    """``v`` as arrays matching ``tensors``' shapes (ones for a single one-element tensor)."""
    if v is None:
        if len(tensors) != 1 or tensors[0].numel() != 1:
            raise RuntimeError(
                f"autograd.functional.{name}: v can only be None if the {what} is a single "
                "tensor with one element"
            )
        return [np.ones(tensors[0].shape, dtype=tensors[0].dtype)]
    _, vs = _as_tuple(v, name, "v")
    if len(vs) != len(tensors):
        raise RuntimeError(f"autograd.functional.{name}: {len(tensors)} {what} but {len(vs)} v")
    for i, (w, t) in enumerate(zip(vs, tensors)):
        if w.shape != t.shape:
            raise RuntimeError(
                f"autograd.functional.{name}: v[{i}] has shape {w.shape}, expected the shape "
                f"{t.shape} of {what}[{i}]"
            )
    return [w._data.astype(t.dtype, copy=False) for w, t in zip(vs, tensors)]


def _detached(outputs: tuple, is_tuple: bool):
    detached = tuple(y.detach() for y in outputs)
    return detached if is_tuple else detached[0]


def _second_order(name: str):
    raise NotImplementedError(
        f"autograd.functional.{name} is not supported: second derivatives need double "
        "backward, which nnscratch does not have"
    )


def hessian(func=None, inputs=None, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):  # fmt: skip
    """Not supported: raises NotImplementedError (second order)."""
    _second_order("hessian")


def hvp(func=None, inputs=None, v=None, create_graph: bool = False, strict: bool = False):
    """Not supported: raises NotImplementedError (second order)."""
    _second_order("hvp")


def vhp(func=None, inputs=None, v=None, create_graph: bool = False, strict: bool = False):
    """Not supported: raises NotImplementedError (second order)."""
    _second_order("vhp")
