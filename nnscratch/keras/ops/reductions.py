"""``keras.ops`` reductions: sums, products, extremes, truth tests and running totals.

``axis`` is ``None`` (every axis), an int or a tuple of ints; ``keepdims=True`` keeps each
reduced axis with length 1. Dtypes follow Keras on torch: ``sum`` of bools or small ints is
int32, ``mean`` of ints is float32, ``argmax`` is int32, and ``prod``/``cumsum`` resolve their
dtype with Keras's ``result_type`` (so float64 gives float32 there, as in Keras).

>>> sum(np.array([[1, 2], [3, 4]]), axis=0).tolist()
[4, 6]
"""

from __future__ import annotations

import builtins

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .bitwise import isclose
from .conversion import as_tensor
from .dtype_rules import result_type
from .elementwise import cast, dtype_of, is_float, nan_to_num
from .symbolic import symbolic

__all__ = [
    "all", "allclose", "amax", "amin", "any", "argmax", "argmin", "count_nonzero", "cumprod",
    "cumsum", "max", "mean", "min", "nanargmax", "nanargmin", "nancumprod", "nancumsum",
    "nanmax", "nanmin", "nanprod", "nansum", "prod", "ptp", "sum",
]  # fmt: skip


def axes(name: str, axis, ndim: int) -> tuple[int, ...] | None:
    """``axis`` as a sorted tuple of non-negative axes (None: every axis), checked: NumPy's
    ``AxisError`` is an IndexError (as torch raises) and a ValueError (as Keras raises)."""
    if axis is None:
        return None
    listed = (int(axis),) if isinstance(axis, (int, np.integer)) else tuple(map(int, axis))
    for a in listed:
        if not -builtins.max(ndim, 1) <= a < builtins.max(ndim, 1):
            raise np.exceptions.AxisError(
                f"{name}: axis {a} is out of range for a tensor with {ndim} dimensions "
                f"(expected an axis in [{-ndim}, {ndim - 1}])"
            )
    return tuple(sorted({a % builtins.max(ndim, 1) for a in listed}))


def _stack(x) -> Tensor:
    """A list of tensors or arrays is stacked first (each keeps its dtype), as Keras's
    ``sum``/``mean`` do."""
    if isinstance(x, (list, tuple)) and builtins.any(
        isinstance(v, (Tensor, np.ndarray)) for v in x
    ):
        return ns.stack([as_tensor(v) for v in x])
    return as_tensor(x)


def _small_to_int32(x: Tensor) -> str:
    dtype = dtype_of(x)
    return "int32" if dtype in ("bool", "uint8", "int8", "int16") else dtype


@symbolic
def sum(x, axis=None, keepdims=False):
    """Sum over ``axis``; bools and small ints sum as int32."""
    x = _stack(x)
    if axis == () or axis == []:
        return x
    dims = axes("sum", axis, x.ndim)
    return cast(ns.sum(x, dim=dims, keepdim=keepdims), _small_to_int32(x))


@symbolic
def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis``; ints and bools give float32."""
    x = _stack(x)
    if axis == () or axis == []:
        return x
    dims = axes("mean", axis, x.ndim)
    return ns.mean(x if is_float(x) else cast(x, "float32"), dim=dims, keepdim=keepdims)


@symbolic
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis``, in ``dtype`` (default: Keras's ``result_type`` of ``x``, small
    ints and bools as int32)."""
    x = as_tensor(x)
    dims = axes("prod", axis, x.ndim)
    if dtype is None:
        dtype = result_type(dtype_of(x))
        dtype = "int32" if dtype in ("bool", "uint8", "int8", "int16") else dtype
    x = cast(x, dtype)
    if dims is None:
        return cast(ns.prod(ns.reshape(x, (-1,)), dim=0), dtype)
    for a in reversed(dims):
        x = ns.prod(x, dim=a, keepdim=keepdims)
    return cast(x, dtype)


def _extreme(name: str, op, x, axis, keepdims) -> Tensor:
    x = as_tensor(x)
    if axis == () or axis == []:
        return x
    return op(x, dim=axes(name, axis, x.ndim), keepdim=keepdims)


@symbolic
def amax(x, axis=None, keepdims=False):
    """Largest value over ``axis`` (tied maxima share the gradient)."""
    return _extreme("amax", ns.amax, x, axis, keepdims)


@symbolic
def amin(x, axis=None, keepdims=False):
    """Smallest value over ``axis``."""
    return _extreme("amin", ns.amin, x, axis, keepdims)


def _empty(name: str, x: Tensor, keepdims: bool, initial):
    if initial is None:
        raise ValueError(
            f"{name}: cannot reduce an empty tensor (shape {tuple(x.shape)}) without `initial`"
        )
    value = as_tensor(initial)
    return ns.reshape(value, (1,) * x.ndim) if keepdims else value


@symbolic
def max(x, axis=None, keepdims=False, initial=None):
    """Largest value over ``axis``, at least ``initial`` when given."""
    x = as_tensor(x)
    if 0 in x.shape:
        return _empty("max", x, keepdims, initial)
    out = _extreme("max", ns.amax, x, axis, keepdims)
    if initial is None:
        return out
    return ns.clamp(out, min=np.asarray(initial, dtype=out.dtype).item())


@symbolic
def min(x, axis=None, keepdims=False, initial=None):
    """Smallest value over ``axis``, at most ``initial`` when given."""
    x = as_tensor(x)
    if 0 in x.shape:
        return _empty("min", x, keepdims, initial)
    out = _extreme("min", ns.amin, x, axis, keepdims)
    if initial is None:
        return out
    return ns.clamp(out, max=np.asarray(initial, dtype=out.dtype).item())


@symbolic
def ptp(x, axis=None, keepdims=False):
    """Peak to peak: ``max - min`` over ``axis``."""
    x = as_tensor(x)
    if axis == ():
        return ns.zeros_like(x)
    return ns.sub(amax(x, axis, keepdims), amin(x, axis, keepdims))


def _arg(name: str, op, x, axis, keepdims) -> Tensor:
    x = as_tensor(x)
    x = cast(x, "uint8") if dtype_of(x) == "bool" else x
    if axis is not None:
        (axis,) = axes(name, axis, x.ndim)
    return cast(op(x, dim=axis, keepdim=keepdims), "int32")


@symbolic
def argmax(x, axis=None, keepdims=False):
    """Index of the largest value along ``axis`` (of the flattened tensor when None), int32."""
    return _arg("argmax", ns.argmax, x, axis, keepdims)


@symbolic
def argmin(x, axis=None, keepdims=False):
    """Index of the smallest value along ``axis``, int32."""
    return _arg("argmin", ns.argmin, x, axis, keepdims)


def _truth(name: str, op, x, axis, keepdims) -> Tensor:
    x = as_tensor(x)
    if axis == () or axis == []:
        return cast(x, "bool")
    return cast(op(x, dim=axes(name, axis, x.ndim), keepdim=keepdims), "bool")


@symbolic
def all(x, axis=None, keepdims=False):
    """True where every value along ``axis`` is nonzero."""
    return _truth("all", ns.all, x, axis, keepdims)


@symbolic
def any(x, axis=None, keepdims=False):
    """True where some value along ``axis`` is nonzero."""
    return _truth("any", ns.any, x, axis, keepdims)


@symbolic
def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """True when every pair is close (``isclose``): a 0-d bool tensor."""
    return ns.all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


@symbolic
def count_nonzero(x, axis=None):
    """Number of nonzero values over ``axis``, int32."""
    x = as_tensor(x)
    if axis == () or axis == []:
        return cast(ns.ne(x, 0), "int32")
    return cast(ns.sum(ns.ne(x, 0), dim=axes("count_nonzero", axis, x.ndim)), "int32")


def _running(name: str, op, x, axis, dtype) -> Tensor:
    x = as_tensor(x)
    if axis is None:
        x, axis = ns.reshape(x, (-1,)), 0
    (axis,) = axes(name, axis, x.ndim)
    dtype = result_type(dtype or dtype_of(x))
    dtype = "int32" if dtype == "bool" else dtype
    return cast(op(cast(x, dtype), axis), dtype)


@symbolic
def cumsum(x, axis=None, dtype=None):
    """Running sum along ``axis`` (of the flattened tensor when None)."""
    return _running("cumsum", ns.cumsum, x, axis, dtype)


@symbolic
def cumprod(x, axis=None, dtype=None):
    """Running product along ``axis``."""
    return _running("cumprod", ns.cumprod, x, axis, dtype)


# The nan* family: NaNs are skipped (treated as 0 in sums, 1 in products).


def _nan_as(x: Tensor, value: float) -> Tensor:
    """``x`` with NaNs replaced by ``value`` (their gradient is 0)."""
    return ns.where(ns.isnan(x), ns.full_like(x, value), x) if is_float(x) else x


@symbolic
def nansum(x, axis=None, keepdims=False):
    """Sum over ``axis``, NaNs counted as 0."""
    return sum(_nan_as(_stack(x), 0.0), axis, keepdims)


@symbolic
def nanprod(x, axis=None, keepdims=False):
    """Product over ``axis``, NaNs counted as 1."""
    x = as_tensor(x)
    if axis == () or axis == []:
        return _nan_as(x, 1.0)
    return prod(_nan_as(x, 1.0), axis, keepdims)


@symbolic
def nancumsum(x, axis=None, dtype=None):
    """Running sum, NaNs as 0 (and infinities clipped to the dtype's range, as Keras does)."""
    return cumsum(nan_to_num(x), axis, dtype)


@symbolic
def nancumprod(x, axis=None, dtype=None):
    """Running product, NaNs as 1 (infinities clipped to the dtype's range)."""
    return cumprod(nan_to_num(x, nan=1.0), axis, dtype)


def _nan_extreme(name: str, op, fill: float, x, axis, keepdims) -> Tensor:
    x = as_tensor(x)
    if not is_float(x) or axis == () or axis == []:
        return x if axis == () or axis == [] else _extreme(name, op, x, axis, keepdims)
    out = _extreme(name, op, _nan_as(x, fill), axis, keepdims)
    empty = _truth(name, ns.all, ns.isnan(x), axis, keepdims)
    return ns.where(empty, ns.full_like(out, float("nan")), out)


@symbolic
def nanmax(x, axis=None, keepdims=False):
    """Largest non-NaN value over ``axis`` (NaN where all are NaN)."""
    return _nan_extreme("nanmax", ns.amax, float("-inf"), x, axis, keepdims)


@symbolic
def nanmin(x, axis=None, keepdims=False):
    """Smallest non-NaN value over ``axis`` (NaN where all are NaN)."""
    return _nan_extreme("nanmin", ns.amin, float("inf"), x, axis, keepdims)


def _nan_arg(name: str, op, fill: float, x, axis, keepdims) -> Tensor:
    x = as_tensor(x)
    if not is_float(x):
        return _arg(name, op, x, axis, keepdims)
    out = _arg(name, op, _nan_as(x, fill), axis, keepdims)
    empty = _truth(name, ns.all, ns.isnan(x), axis, keepdims)
    return ns.where(empty, ns.full_like(out, -1), out)


@symbolic
def nanargmax(x, axis=None, keepdims=False):
    """Index of the largest non-NaN value (-1 where all are NaN), int32."""
    return _nan_arg("nanargmax", ns.argmax, float("-inf"), x, axis, keepdims)


@symbolic
def nanargmin(x, axis=None, keepdims=False):
    """Index of the smallest non-NaN value (-1 where all are NaN), int32."""
    return _nan_arg("nanargmin", ns.argmin, float("inf"), x, axis, keepdims)
