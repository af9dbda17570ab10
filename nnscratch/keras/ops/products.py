"""``keras.ops`` products: ``matmul``, ``dot``, ``tensordot``, ``einsum`` and the rest.

Every contraction is a permutation, a reshape and one batched ``matmul``, so gradients are
matmul's. Result dtypes follow Keras on the torch backend: ``matmul``, ``dot``, ``inner``,
``tensordot``, ``vdot`` and ``cross`` promote with Keras's rules, which narrow 64-bit results
to 32 bits (two float64 matrices give a float32 product, computed in float32).

>>> a = reshape(arange(6.0), (2, 3))
>>> matmul(a, transpose(a)).tolist(), einsum("ij,ij->i", a, a).tolist()
([[5.0, 14.0], [14.0, 50.0]], [5.0, 50.0])
"""

from __future__ import annotations

import math

import numpy as np

import nnscratch as ns
from nnscratch.autograd.dtypes import result_type as torch_result_type
from nnscratch.autograd.tensor import Tensor

from .conversion import as_tensor
from .creation import arange, cast  # noqa: F401  (arange: the doctest's)
from .dtype_rules import result_type
from .indexing import diagonal
from .shaping import ravel, reshape, transpose  # noqa: F401  (transpose: the doctest's)
from .symbolic import symbolic

__all__ = [
    "cross", "dot", "einsum", "inner", "kron", "matmul", "outer", "tensordot", "vdot",
    "slogdet",
]  # fmt: skip


def _compute_dtypes(x1: Tensor, x2: Tensor) -> tuple[str, str]:
    """Keras's result dtype for a float product, and the float dtype it is computed in."""
    out = result_type(x1.dtype, x2.dtype)
    return out, result_type(out, float)


@symbolic
def matmul(x1, x2) -> Tensor:
    """The matrix product, batched over leading axes (which broadcast); a 1-D operand is a
    vector. Two int8 operands give int32; bools multiply as floats."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    both_int8 = x1.dtype == np.int8 and x2.dtype == np.int8
    out = "int32" if both_int8 else result_type(x1.dtype, x2.dtype)
    compute = "float32" if out == "bool" else out
    return cast(ns.ops.matmul(cast(x1, compute), cast(x2, compute)), out)


@symbolic
def dot(x1, x2) -> Tensor:
    """The product of ``x1`` and ``x2``: a scalar times a tensor, vector with vector (a
    number), or ``matmul`` for matrices."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    out, compute = _compute_dtypes(x1, x2)
    x1, x2 = cast(x1, compute), cast(x2, compute)
    product = x1 * x2 if x1.ndim == 0 or x2.ndim == 0 else ns.ops.matmul(x1, x2)
    return cast(product, out)


def _axes_pair(axes, ndim1: int) -> tuple[list[int], list[int]]:
    if np.ndim(axes) == 0:
        n = int(axes)
        return list(range(ndim1 - n, ndim1)), list(range(n))
    first, second = axes
    as_list = lambda a: [int(a)] if np.ndim(a) == 0 else [int(v) for v in a]  # noqa: E731
    return as_list(first), as_list(second)


def _contract(x1: Tensor, x2: Tensor, axes1: list[int], axes2: list[int]) -> Tensor:
    """Sum over ``x1``'s ``axes1`` paired with ``x2``'s ``axes2``; free axes of ``x1`` then
    ``x2`` remain, in order. One matmul of (free1, summed) by (summed, free2)."""
    axes1 = [a % x1.ndim for a in axes1]
    axes2 = [a % x2.ndim for a in axes2]
    if [x1.shape[a] for a in axes1] != [x2.shape[a] for a in axes2]:
        raise ValueError(f"tensordot: shapes {x1.shape} and {x2.shape} differ on the summed "
                         f"axes {axes1} and {axes2}")  # fmt: skip
    free1 = [a for a in range(x1.ndim) if a not in axes1]
    free2 = [a for a in range(x2.ndim) if a not in axes2]
    summed = math.prod(x1.shape[a] for a in axes1)
    a = ns.ops.permute(x1, free1 + axes1).reshape(-1, summed)
    b = ns.ops.permute(x2, axes2 + free2).reshape(summed, -1)
    shape = tuple(x1.shape[i] for i in free1) + tuple(x2.shape[i] for i in free2)
    return ns.ops.matmul(a, b).reshape(shape)


@symbolic
def tensordot(x1, x2, axes=2) -> Tensor:
    """The sum of products over ``axes``: an int n (the last n axes of ``x1`` with the first n
    of ``x2``) or two lists of axes to pair."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    out, compute = _compute_dtypes(x1, x2)
    axes1, axes2 = _axes_pair(axes, x1.ndim)
    if len(axes1) != len(axes2) or len(axes1) > min(x1.ndim, x2.ndim):
        raise ValueError(f"tensordot: axes={axes} do not pair up axes of shapes {x1.shape} "
                         f"and {x2.shape}")  # fmt: skip
    return cast(_contract(cast(x1, compute), cast(x2, compute), axes1, axes2), out)


@symbolic
def inner(x1, x2) -> Tensor:
    """The sum of products over the last axes of ``x1`` and ``x2`` (a product for scalars)."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    out, compute = _compute_dtypes(x1, x2)
    x1, x2 = cast(x1, compute), cast(x2, compute)
    if x1.ndim == 0 or x2.ndim == 0:
        return cast(x1 * x2, out)
    return cast(_contract(x1, x2, [-1], [-1]), out)


@symbolic
def vdot(x1, x2) -> Tensor:
    """The dot product of ``x1`` and ``x2`` flattened to vectors."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    out, compute = _compute_dtypes(x1, x2)
    if x1.numel() != x2.numel():
        raise ValueError(f"vdot: x1 and x2 need as many elements, received shapes "
                         f"{x1.shape} and {x2.shape}")  # fmt: skip
    return cast(ns.ops.matmul(ravel(cast(x1, compute)), ravel(cast(x2, compute))), out)


@symbolic
def outer(x1, x2) -> Tensor:
    """Every element of ``x1`` (flattened) times every element of ``x2``: shape (n1, n2)."""
    return reshape(as_tensor(x1), (-1, 1)) * reshape(as_tensor(x2), (1, -1))


@symbolic
def kron(x1, x2) -> Tensor:
    """The Kronecker product: a block tensor, block ``i`` being ``x1[i] * x2``."""
    a, b = as_tensor(x1), as_tensor(x2)
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + a.shape, (1,) * (n - b.ndim) + b.shape
    spread_a = reshape(a, [d for s in sa for d in (s, 1)])
    spread_b = reshape(b, [d for s in sb for d in (1, s)])
    return reshape(spread_a * spread_b, tuple(p * q for p, q in zip(sa, sb)))


@symbolic
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None) -> Tensor:
    """The cross product of 3-vectors along ``axisa`` of ``x1`` and ``axisb`` of ``x2``,
    written along ``axisc``; ``axis`` sets all three, counted after broadcasting the inputs."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    if axis is not None:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
        x1, x2 = ns.ops.expand(x1, shape), ns.ops.expand(x2, shape)
        axisa = axisb = axisc = axis
    a, b = ns.ops.moveaxis(x1, axisa, -1), ns.ops.moveaxis(x2, axisb, -1)
    if a.shape[-1] != 3 or b.shape[-1] != 3:
        raise ValueError(f"cross: expects vectors of 3 elements, received shapes {x1.shape} "
                         f"and {x2.shape}")  # fmt: skip
    out = result_type(x1.dtype, x2.dtype)
    shape = np.broadcast_shapes(a.shape, b.shape)
    a, b = ns.ops.expand(cast(a, out), shape), ns.ops.expand(cast(b, out), shape)
    return ns.ops.moveaxis(ns.ops.cross(a, b, dim=-1), -1, axisc)


@symbolic
def slogdet(x) -> tuple[Tensor, Tensor]:
    """``(sign, log|det|)`` of each square matrix in the last two axes: the determinant as
    ``sign * exp(logabsdet)``, without overflowing for large ones. Differentiable in the log."""
    x = as_tensor(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"slogdet: expects square matrices, received shape {x.shape}")
    det = ns.ops.det(x)
    return ns.ops.sign(det.detach()), ns.ops.log(det.abs())


def _parse_einsum(subscripts: str, ndims: list[int]) -> tuple[list[str], str]:
    """Each operand's labels and the output's, with ``...`` spelled out as upper-case labels
    (NumPy's broadcasting of the leading dims) and the implicit output made explicit."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"einsum: {subscripts!r} names {len(terms)} operands, received "
                         f"{len(ndims)}")  # fmt: skip
    spans = [nd - len(t.replace("...", "")) for t, nd in zip(terms, ndims)]
    broad = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[
        : max([s for s, t in zip(spans, terms) if "..." in t] or [0])
    ]
    terms = [t.replace("...", broad[len(broad) - s :] if s else "") for t, s in zip(terms, spans)]
    for t, nd in zip(terms, ndims):
        if len(t) != nd:
            raise ValueError(f"einsum: term {t!r} of {subscripts!r} does not fit an operand "
                             f"of {nd} dims")  # fmt: skip
    if arrow:
        return terms, output.replace("...", broad)
    counts = {c: "".join(terms).count(c) for c in set("".join(terms))}
    return terms, broad + "".join(sorted(c for c in counts if counts[c] == 1 and c not in broad))


def _take_diagonals(x: Tensor, labels: str) -> tuple[Tensor, str]:
    """A label repeated within one operand ("ii") means its diagonal."""
    for label in labels:
        if labels.count(label) > 1:
            p = labels.index(label)
            q = labels.index(label, p + 1)
            rest = labels[:p] + labels[p + 1 : q] + labels[q + 1 :]
            return _take_diagonals(diagonal(x, 0, p, q), rest + label)
    return x, labels


def _sum_unneeded(x: Tensor, labels: str, keep: set) -> tuple[Tensor, str]:
    axes = [i for i, c in enumerate(labels) if c not in keep]
    if not axes:
        return x, labels
    return ns.ops.sum(x, tuple(axes)), "".join(c for c in labels if c in keep)


def _squeeze_broadcast(x: Tensor, labels: str, sizes: dict) -> tuple[Tensor, str]:
    """Size-1 axes that broadcast against a longer axis of the same label are dropped."""
    keep = [i for i, c in enumerate(labels) if not (x.shape[i] == 1 and sizes[c] != 1)]
    shape = tuple(x.shape[i] for i in keep)
    return x.reshape(shape), "".join(labels[i] for i in keep)


def _pair(a: Tensor, la: str, b: Tensor, lb: str, keep: set) -> tuple[Tensor, str]:
    """Contract two operands, keeping the labels in ``keep``: shared kept labels batch the
    matmul, shared others are summed, the rest are each side's free axes."""
    a, la = _sum_unneeded(a, la, keep | set(lb))
    b, lb = _sum_unneeded(b, lb, keep | set(la))
    batch = [c for c in la if c in lb and c in keep]
    summed = [c for c in la if c in lb and c not in keep]
    left, right = [c for c in la if c not in lb], [c for c in lb if c not in la]
    size = dict(zip(la, a.shape)) | dict(zip(lb, b.shape))
    n = lambda labels: math.prod(size[c] for c in labels)  # noqa: E731
    a = ns.ops.permute(a, [la.index(c) for c in batch + left + summed])
    b = ns.ops.permute(b, [lb.index(c) for c in batch + summed + right])
    out = ns.ops.matmul(a.reshape(n(batch), n(left), n(summed)),
                        b.reshape(n(batch), n(summed), n(right)))  # fmt: skip
    labels = batch + left + right
    return out.reshape(tuple(size[c] for c in labels)), "".join(labels)


def _torch_promotion(dtypes: list) -> np.dtype:
    """torch's result dtype of several tensors' dtypes (bool < ints < floats by kind first)."""
    out = dtypes[0]
    for dtype in dtypes[1:]:
        out = torch_result_type(np.empty(1, out), np.empty(1, dtype))
    return out


@symbolic
def einsum(subscripts, *operands, **kwargs) -> Tensor:
    """Einstein summation: ``"ij,jk->ik"`` is ``matmul``; a label in the inputs but not the
    output is summed over, a repeated label within one operand takes its diagonal, and
    ``...`` stands for leading axes that broadcast. All-int8 operands give int32; otherwise
    the dtype is torch's promotion, as Keras's torch ``einsum`` leaves it (int64 with float16
    is float16, float64 stays float64)."""
    xs = [as_tensor(x) for x in operands]
    if xs and all(x.dtype == np.int8 for x in xs):
        xs = [cast(x, "int32") for x in xs]
    dtype = _torch_promotion([x.dtype for x in xs])
    terms, output = _parse_einsum(subscripts, [x.ndim for x in xs])
    sizes = {}
    for x, term in zip(xs, terms):
        for c, s in zip(term, x.shape):
            sizes[c] = max(sizes.get(c, 1), s)
    pieces = [
        _take_diagonals(*_squeeze_broadcast(cast(x, dtype), t, sizes)) for x, t in zip(xs, terms)
    ]
    out, labels = _sum_unneeded(*pieces[0], set(output) | set("".join(t for _, t in pieces[1:])))
    for i, (x, lx) in enumerate(pieces[1:], start=2):
        later = set(output) | set("".join(t for _, t in pieces[i:]))
        out, labels = _pair(out, labels, x, lx, later)
    out, labels = _sum_unneeded(out, labels, set(output))
    missing = [c for c in output if c not in labels]
    if missing:
        raise ValueError(f"einsum: output labels {missing} of {subscripts!r} are in no input")
    return ns.ops.permute(out, [labels.index(c) for c in output])
