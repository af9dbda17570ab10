"""``keras.ops`` core part: tensors and dtypes, slices and scatters, and control flow.

Control flow runs eagerly in Python, as on Keras's torch backend: ``cond`` calls one branch,
``while_loop`` and ``fori_loop`` loop, ``scan`` and ``map`` stack what each step returns.
Gradients flow through every step, since each step is made of nnscratch ops.

>>> from nnscratch.keras import ops
>>> ops.fori_loop(0, 4, lambda i, total: total + i, ops.convert_to_tensor(0)).item()
6
>>> ops.dtype(ops.cast([1, 2], "float16"))
'float16'
"""

from __future__ import annotations

import builtins
import functools

import numpy as np

import nnscratch as ns
from nnscratch.autograd.dtypes import to_dtype
from nnscratch.autograd.tensor import Tensor
from nnscratch.keras.layers.keras_tensor import KerasTensor, flatten, map_structure, pack_like
from nnscratch.ops.custom_function import CustomGradient

from .arguments import tensor_arg
from .conversion import as_tensor
from .symbolic import symbolic

__all__ = [
    "cast", "convert_to_tensor", "convert_to_numpy", "dtype", "is_tensor", "shape",
    "stop_gradient", "saturate_cast", "slice", "slice_update", "scatter", "scatter_update",
    "unstack", "cond", "switch", "fori_loop", "while_loop", "scan", "associative_scan", "map",
    "vectorized_map", "custom_gradient",
]  # fmt: skip


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None) -> Tensor:
    """``x`` as a Tensor: Python floats become float32, ints int32 (Keras's rules)."""
    if sparse or ragged:
        raise ValueError("keras.ops.convert_to_tensor: no sparse or ragged tensors in nnscratch")
    return tensor_arg(x, "convert_to_tensor", dtype=dtype)


def convert_to_numpy(x) -> np.ndarray:
    """``x`` as a NumPy array (detached from the graph)."""
    if isinstance(x, Tensor):
        return x.detach().numpy()
    return np.asarray(tensor_arg(x, "convert_to_numpy").numpy())


def is_tensor(x) -> bool:
    """True for an nnscratch Tensor (not for arrays or numbers)."""
    return isinstance(x, Tensor)


def dtype(x) -> str:
    """The dtype's Keras name: ``"float32"``, ``"int64"``, ``"bool"``..."""
    if isinstance(x, KerasTensor):
        return x.dtype
    return str(tensor_arg(x, "dtype").dtype)


def shape(x) -> tuple:
    """The shape as a tuple of Python ints (a KerasTensor's has None for unknown sizes)."""
    if isinstance(x, KerasTensor):
        return x.shape
    return tuple(int(n) for n in tensor_arg(x, "shape").shape)


@symbolic
def cast(x, dtype) -> Tensor:
    """``x`` converted to ``dtype`` (differentiable between float dtypes)."""
    return tensor_arg(x, "cast").to(to_dtype(dtype))


def _limits(dtype: np.dtype) -> tuple:
    info = np.iinfo(dtype) if dtype.kind in "iu" else np.finfo(dtype)
    return info.min, info.max


@symbolic
def saturate_cast(x, dtype) -> Tensor:
    """``cast`` after clipping ``x`` to the range ``dtype`` can hold (no wrap-around), each
    limit nudged towards 0 when ``x``'s dtype cannot hold it exactly."""
    x, target = tensor_arg(x, "saturate_cast"), to_dtype(dtype)
    if target.kind == "b" or x.dtype.kind == "b":
        return x.to(target)
    (in_lo, in_hi), (out_lo, out_hi) = _limits(x.dtype), _limits(target)
    lo = np.asarray(max(in_lo, out_lo)).astype(x.dtype)
    hi = np.asarray(min(in_hi, out_hi)).astype(x.dtype)
    lo = np.nextafter(lo, 0, dtype=x.dtype) if lo < out_lo else lo
    hi = np.nextafter(hi, 0, dtype=x.dtype) if hi > out_hi else hi
    return ns.clamp(x, ns.tensor(lo), ns.tensor(hi)).to(target)


@symbolic
def stop_gradient(variable) -> Tensor:
    """``variable``'s value, cut from the graph: no gradient flows back through it."""
    return tensor_arg(getattr(variable, "value", variable), "stop_gradient", "variable").detach()


def _starts(start_indices, name: str) -> list[int]:
    return [int(s) for s in np.asarray(as_tensor(start_indices).numpy()).reshape(-1)]


@symbolic
def slice(inputs, start_indices, shape) -> Tensor:  # noqa: A001 (Keras's name)
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices``."""
    x = tensor_arg(inputs, "slice", "inputs")
    starts, sizes = _starts(start_indices, "slice"), _starts(shape, "slice")
    if len(starts) != x.ndim or len(sizes) != x.ndim:
        raise ValueError(
            f"keras.ops.slice: expected {x.ndim} start indices and sizes, received "
            f"start_indices={start_indices}, shape={shape}"
        )
    return x[tuple(builtins.slice(a, a + n) for a, n in zip(starts, sizes))]


@symbolic
def slice_update(inputs, start_indices, updates) -> Tensor:
    """``inputs`` with the block at ``start_indices`` replaced by ``updates`` (out of place)."""
    x, u = (
        tensor_arg(inputs, "slice_update", "inputs"),
        tensor_arg(updates, "slice_update", "updates"),
    )
    starts = _starts(start_indices, "slice_update")
    if len(starts) != x.ndim or u.ndim != x.ndim:
        raise ValueError(
            f"keras.ops.slice_update: expected updates and start_indices of rank {x.ndim}, "
            f"received updates {tuple(u.shape)}, start_indices={start_indices}"
        )
    key = tuple(builtins.slice(a, a + n) for a, n in zip(starts, u.shape))
    return ns.index_put(x, key, u.to(x.dtype))


def _flat_positions(indices: np.ndarray, shape: tuple) -> np.ndarray:
    """Each row of ``indices`` (the first k coordinates) as one index into the first k dims."""
    k = indices.shape[-1]
    return np.ravel_multi_index(tuple(indices.reshape(-1, k).T), shape[:k])


def _scatter_add(base: Tensor, indices: np.ndarray, values: Tensor) -> Tensor:
    """``base`` plus ``values`` added at ``indices`` (repeats add up), differentiably."""
    k = indices.shape[-1]
    rows = base.reshape(-1, *base.shape[k:])
    flat = _flat_positions(indices, tuple(base.shape))
    values = values.reshape(len(flat), *base.shape[k:]).to(base.dtype)
    index = ns.from_numpy(flat.reshape(-1, *[1] * (rows.ndim - 1))).expand(*values.shape)
    return ns.scatter_add(rows, 0, index, values).reshape(*base.shape)


@symbolic
def scatter(indices, values, shape) -> Tensor:
    """Zeros of ``shape`` with ``values`` added at ``indices``, an ``(..., k)`` array of
    coordinates into the first k dims (repeated coordinates add up)."""
    v = tensor_arg(values, "scatter", "values")
    idx = tensor_arg(indices, "scatter", "indices").numpy().astype(np.int64)
    return _scatter_add(ns.zeros(*[int(n) for n in shape], dtype=v.dtype), idx, v)


@symbolic
def scatter_update(inputs, indices, updates, reduction=None) -> Tensor:
    """``inputs`` with ``updates`` written at the ``(n, k)`` coordinates ``indices``; with
    ``reduction`` "add", "max", "min" or "mul" combined with what is there instead."""
    x = tensor_arg(inputs, "scatter_update", "inputs")
    u = tensor_arg(updates, "scatter_update", "updates").to(x.dtype)
    idx = tensor_arg(indices, "scatter_update", "indices").numpy().astype(np.int64)
    if reduction is None:
        return ns.index_put(x, tuple(idx.T), u)
    if reduction == "add":
        return _scatter_add(x, idx, u)
    combine = {"max": ns.maximum, "min": ns.minimum, "mul": ns.mul}.get(reduction)
    if combine is None:
        raise ValueError(
            f"keras.ops.scatter_update: reduction must be None, 'add', 'max', 'min' or 'mul', "
            f"received {reduction!r}"
        )
    for i, row in enumerate(idx):  # one at a time: a repeated coordinate combines again
        key = tuple(int(c) for c in row)
        x = ns.index_put(x, key, combine(x[key], u[i]))
    return x


@symbolic
def unstack(x, num=None, axis=0) -> list[Tensor]:
    """The slices of ``x`` along ``axis``, as a list."""
    x = tensor_arg(x, "unstack")
    if num is not None and num != x.shape[axis]:
        raise ValueError(f"keras.ops.unstack: num={num} but axis {axis} has size {x.shape[axis]}")
    return list(ns.unbind(x, dim=axis))


def _callable(f, name: str, arg: str = "f") -> None:
    if not callable(f):
        raise TypeError(f"keras.ops.{name}: {arg} must be callable, received {f!r}")


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` else ``false_fn()``."""
    return true_fn() if bool(pred) else false_fn()


def switch(index, branches, *operands):
    """``branches[index](*operands)``, ``index`` clipped to the valid range."""
    i = int(np.clip(int(as_tensor(index).item()), 0, len(branches) - 1))
    return branches[i](*operands)


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``."""
    _callable(body_fun, "fori_loop", "body_fun")
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def _as_tensors(structure):
    return map_structure(lambda v: as_tensor(v) if not isinstance(v, Tensor) else v, structure)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (at most
    ``maximum_iterations`` times); a single loop variable is passed and returned bare."""
    _callable(body, "while_loop", "body")
    packed = isinstance(loop_vars, (tuple, list))
    state = tuple(_as_tensors(list(loop_vars))) if packed else (_as_tensors(loop_vars),)
    steps = 0
    while bool(cond(*state)) and (maximum_iterations is None or steps < maximum_iterations):
        state = body(*state)
        state = tuple(state) if isinstance(state, (tuple, list)) else (state,)
        steps += 1
    return state if packed else state[0]


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``carry, y = f(carry, x)`` for each ``x`` along ``xs``'s first axis; returns the last
    carry and the ``y``s stacked (zeros like ``init`` where ``f`` gives ``y = None``)."""
    _callable(f, "scan")
    if xs is None and length is None:
        raise ValueError("keras.ops.scan: give xs to scan over, or length")
    leaves = (
        [as_tensor(v) if not isinstance(v, Tensor) else v for v in flatten(xs)]
        if xs is not None
        else []
    )
    n = int(length) if length is not None else leaves[0].shape[0]
    carry, ys = _as_tensors(init), []
    steps = range(n - 1, -1, -1) if reverse else range(n)
    for i in steps:
        x = pack_like(xs, [leaf[i] for leaf in leaves]) if xs is not None else None
        carry, y = f(carry, x)
        ys.append(y if y is not None else map_structure(ns.zeros_like, carry))
    ys = ys[::-1] if reverse else ys
    if not ys:
        return carry, None
    stacked = [ns.stack(list(column)) for column in zip(*(flatten(y) for y in ys))]
    return carry, pack_like(ys[0], stacked)


def map(f, xs):  # noqa: A001 (Keras's name)
    """``f`` applied to each slice of ``xs`` along its first axis, results stacked."""
    _callable(f, "map")
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def vectorized_map(function, elements):
    """``function`` on each slice of ``elements`` along the first axis, results stacked (a
    Python loop here: nnscratch has no vmap)."""
    _callable(function, "vectorized_map", "function")
    return map(function, elements)


def associative_scan(f, elems, reverse=False, axis=0):
    """The running ``f``-combination along ``axis``: ``out[i] = f(out[i - 1], elems[i])``,
    ``f`` an associative function of slices (with ``axis`` kept, of size 1)."""
    _callable(f, "associative_scan")
    leaves = [as_tensor(v) if not isinstance(v, Tensor) else v for v in flatten(elems)]
    if reverse:
        leaves = [ns.flip(leaf, dims=(axis,)) for leaf in leaves]
    n = leaves[0].shape[axis]
    if any(leaf.shape[axis] != n for leaf in leaves):
        raise ValueError("keras.ops.associative_scan: elems must have the same size along axis")
    running = [leaf.narrow(axis, 0, 1) for leaf in leaves]
    outputs = [running]
    for i in range(1, n):
        step = [leaf.narrow(axis, i, 1) for leaf in leaves]
        running = flatten(f(pack_like(elems, running), pack_like(elems, step)))
        outputs.append(running)
    result = [ns.cat(list(column), dim=axis) for column in zip(*outputs)]
    if reverse:
        result = [ns.flip(r, dims=(axis,)) for r in result]
    return pack_like(elems, result)


def custom_gradient(f):
    """Decorate ``f(*inputs) -> (output, grad_fn)`` so that backpropagation through its
    output calls ``grad_fn(*inputs, upstream=gradient)`` (Keras's torch-backend convention)
    instead of differentiating ``f``'s own ops.

    >>> @custom_gradient
    ... def straight_through_round(x):
    ...     return ns.round(x), lambda x, upstream: upstream
    >>> x = ns.tensor([0.4, 1.6], requires_grad=True)
    >>> straight_through_round(x).sum().backward()
    >>> x.grad.tolist()
    [1.0, 1.0]
    """
    _callable(f, "custom_gradient")

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        inputs = [a if isinstance(a, Tensor) else as_tensor(a) for a in args]
        return CustomGradient.apply(functools.partial(f, **kwargs), *inputs)

    return wrapped
