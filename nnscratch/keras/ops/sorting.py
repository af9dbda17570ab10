"""``keras.ops`` that order and compare neighbours: sorting, searching, ``unique``, ``diff``,
and ``vectorize``, which maps a function over the elements (or slices) of its inputs.

Index results are int32 as Keras gives them; ``sort`` and ``diff`` are differentiable (a sort
moves each gradient back to where its value came from).

>>> x = array([3.0, 1.0, 2.0])
>>> sort(x).tolist(), argsort(x).tolist(), diff(x).tolist(), searchsorted(sort(x), 2.5).item()
([1.0, 2.0, 3.0], [1, 2, 0], [-2.0, 1.0], 2)
"""

from __future__ import annotations

import re

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .conversion import as_tensor
from .creation import array, cast  # noqa: F401  (array: the doctest's)
from .shaping import canonical_axis, ravel, take_slices
from .symbolic import symbolic

__all__ = ["argpartition", "argsort", "searchsorted", "sort", "unique", "diff", "vectorize"]


def _int32(values) -> Tensor:
    return ns.from_numpy(np.array(values, dtype=np.int32, order="C"))


def _flat_or(x: Tensor, axis, name: str) -> tuple[Tensor, int]:
    """``x`` and its axis; ``axis=None`` means the flattened tensor."""
    if axis is None:
        return ravel(x), 0
    return x, canonical_axis(axis, max(x.ndim, 1), name)


@symbolic
def sort(x, axis=-1) -> Tensor:
    """``x`` sorted in ascending order along ``axis`` (the flattened ``x`` when None)."""
    x, axis = _flat_or(as_tensor(x), axis, "sort")
    return ns.ops.sort(x, axis).values


@symbolic
def argsort(x, axis=-1) -> Tensor:
    """The positions that sort ``x`` along ``axis`` (ties keep their order), int32."""
    x, axis = _flat_or(as_tensor(x), axis, "argsort")
    return _int32(np.argsort(x.detach().numpy(), axis=axis, kind="stable"))


@symbolic
def argpartition(x, kth, axis=-1) -> Tensor:
    """Positions that put the ``kth`` smallest element of each lane at index ``kth``, the
    smaller ones (sorted) before it and the larger ones after, int32. Keras leaves the order
    after ``kth`` open; here those keep their original order."""
    x, axis = _flat_or(as_tensor(x), axis, "argpartition")
    values = np.moveaxis(x.detach().numpy(), axis, -1)
    if not 0 <= kth < values.shape[-1]:
        raise ValueError(f"argpartition: kth {kth} is out of range for an axis of size "
                         f"{values.shape[-1]}")  # fmt: skip
    order = np.argsort(values, axis=-1, kind="stable")
    low = order[..., : kth + 1]
    is_low = np.zeros(values.shape, dtype=np.int8)
    np.put_along_axis(is_low, low, 1, axis=-1)
    high = np.argsort(is_low, axis=-1, kind="stable")[..., : values.shape[-1] - kth - 1]
    return _int32(np.moveaxis(np.concatenate([low, high], axis=-1), -1, axis))


@symbolic
def searchsorted(sorted_sequence, values, side="left") -> Tensor:
    """Where each of ``values`` would go in the 1-D ascending ``sorted_sequence`` to keep it
    sorted: before equal elements (``side="left"``) or after them ("right"), int32."""
    sequence = as_tensor(sorted_sequence)
    if sequence.ndim != 1:
        raise ValueError(f"searchsorted: expects a 1-D sorted_sequence, received shape "
                         f"{sequence.shape}")  # fmt: skip
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', received {side!r}")
    found = np.searchsorted(sequence.numpy(), as_tensor(values).numpy(), side=side)
    return _int32(found)


def _fit(values: np.ndarray, size: int, fill, axis: int = 0) -> np.ndarray:
    """``values`` cut or padded with ``fill`` to ``size`` along ``axis`` (Keras's static size)."""
    n = values.shape[axis]
    if n >= size:
        return np.take(values, np.arange(size), axis=axis)
    widths = [(0, 0)] * values.ndim
    widths[axis] = (0, size - n)
    return np.pad(values, widths, constant_values=fill)


@symbolic
def unique(x, sorted=True, return_index=False, return_inverse=False,  # noqa: A002
           return_counts=False, axis=None, size=None, fill_value=None):  # fmt: skip
    """The distinct elements of ``x`` in ascending order (distinct slices along ``axis``),
    and as asked: where each first occurs, where each element of ``x`` went, how often each
    occurs (int64). ``size`` cuts or pads the result to a fixed length with ``fill_value``."""
    x = as_tensor(x)
    data = x.detach().numpy()
    if axis is not None:
        axis = canonical_axis(axis, x.ndim, "unique")
    values, index, inverse, counts = np.unique(data, True, True, True, axis=axis)
    dim = 0 if axis is None else axis
    if size is not None:
        values = _fit(values, size, 0 if fill_value is None else fill_value, dim)
        index, counts = _fit(index, size, 1), _fit(counts, size, 0)
    inverse = inverse.reshape(data.shape if axis is None else (-1,))
    extras = [(return_index, index), (return_inverse, inverse), (return_counts, counts)]
    out = [ns.from_numpy(np.array(values, order="C"))]
    out += [ns.from_numpy(np.asarray(e, dtype=np.int64)) for wanted, e in extras if wanted]
    return out[0] if len(out) == 1 else tuple(out)


@symbolic
def diff(a, n=1, axis=-1) -> Tensor:
    """The ``n``-th difference along ``axis``: ``a[i + 1] - a[i]``, applied ``n`` times (each
    time one element shorter); for bools, whether neighbours differ."""
    x = as_tensor(a)
    axis = canonical_axis(axis, x.ndim, "diff")
    for _ in range(n):
        later, earlier = take_slices(x, axis, slice(1, None)), take_slices(x, axis, slice(None, -1))
        x = ns.ops.ne(later, earlier) if x.dtype.kind == "b" else later - earlier
    return x


def _core_ndims(signature: str | None, count: int) -> list[int]:
    """How many trailing (core) axes each input hands to the function whole: "(m,n),(n)->(m)"
    gives [2, 1]; no signature gives 0 each (the function sees single elements)."""
    if signature is None:
        return [0] * count
    inputs = signature.replace(" ", "").split("->")[0]
    groups = re.findall(r"\(([^)]*)\)", inputs)
    if len(groups) != count:
        raise ValueError(f"vectorize: signature {signature!r} has {len(groups)} inputs, the "
                         f"call gives {count}")  # fmt: skip
    return [len([d for d in g.split(",") if d]) for g in groups]


def _assemble(results: list, loop: tuple):
    """Stack the per-position results into tensors of shape ``loop + result shape``."""
    if isinstance(results[0], (tuple, list)):
        return tuple(_assemble([r[k] for r in results], loop) for k in range(len(results[0])))
    pieces = [as_tensor(r) for r in results]
    return ns.ops.stack(pieces, 0).reshape(loop + pieces[0].shape)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` mapped over its inputs: called once per element of the broadcast inputs
    (or per core slice given by a ``signature`` such as "(n),(n)->()"), results stacked.
    Positional arguments in ``excluded`` are passed unchanged. Gradients flow through."""
    excluded = set(excluded or ())

    def vectorized(*args, **kwargs):
        mapped = [i for i, a in enumerate(args) if i not in excluded and a is not None]
        tensors = [as_tensor(args[i]) for i in mapped]
        cores = _core_ndims(signature, len(mapped))
        leads = [t.shape[: t.ndim - c] for t, c in zip(tensors, cores)]
        loop = np.broadcast_shapes(*leads) if leads else ()
        results = []
        for position in np.ndindex(*loop):
            call = list(args)
            for i, t, lead in zip(mapped, tensors, leads):
                start = len(loop) - len(lead)
                key = tuple(0 if n == 1 else position[start + d] for d, n in enumerate(lead))
                call[i] = t[key] if key else t
            results.append(pyfunc(*call, **kwargs))
        return _assemble(results, tuple(loop))

    vectorized.__name__ = getattr(pyfunc, "__name__", "vectorized")
    vectorized.__doc__ = pyfunc.__doc__
    return vectorized
