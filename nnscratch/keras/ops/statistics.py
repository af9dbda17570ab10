"""``keras.ops`` statistics: spread, quantiles, weighted means, counts and signal helpers.

Quantiles sort the values (``nnscratch.ops.sort`` carries the gradient back to each value's
place) and interpolate between the two neighbours of position ``q * (n - 1)``. As Keras on
torch does, ``var`` and the quantile family compute float64 input in float32 and return
float32; ``std`` keeps float64.

>>> quantile(np.array([1.0, 2.0, 3.0, 4.0]), 0.5).item()
2.5
"""

from __future__ import annotations

import math

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .conversion import as_tensor
from .dtype_rules import result_type
from .elementwise import cast, dtype_of, is_float
from .reductions import axes
from .symbolic import symbolic

__all__ = [
    "average", "bincount", "corrcoef", "correlate", "digitize", "histogram", "median",
    "nanmean", "nanmedian", "nanpercentile", "nanquantile", "nanstd", "nanvar", "percentile",
    "quantile", "std", "var", "trapezoid",
]  # fmt: skip

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


@symbolic
def std(x, axis=None, keepdims=False):
    """Population standard deviation (divides by ``n``); ints and bools give float32."""
    x = as_tensor(x)
    x = x if is_float(x) else cast(x, "float32")
    return ns.std(x, dim=axes("std", axis, x.ndim), correction=0, keepdim=keepdims)


@symbolic
def var(x, axis=None, keepdims=False):
    """Population variance (divides by ``n``), computed and returned in float32 (float16
    returns float16)."""
    x = as_tensor(x)
    out_dtype = result_type(dtype_of(x), float)
    if axis == () or axis == []:
        return cast(ns.zeros_like(x), out_dtype)
    dims = axes("var", axis, x.ndim)
    x = cast(x, result_type(dtype_of(x), "float32"))
    out = ns.var(x, dim=dims, correction=0, keepdim=keepdims)
    return cast(out, out_dtype)


@symbolic
def average(x, axis=None, weights=None):
    """Mean over ``axis``, or ``sum(x * weights) / sum(weights)`` with weights along the last
    axis."""
    x = as_tensor(x)
    found = [dtype_of(x), float] + ([] if weights is None else [dtype_of(as_tensor(weights))])
    dtype = result_type(*found)
    x = cast(x, dtype)
    if axis == () or axis == []:
        return x
    dims = axes("average", axis, x.ndim)
    if weights is None:
        return ns.mean(x, dim=dims)
    w = as_tensor(weights, dtype)
    return ns.div(ns.sum(ns.mul(x, w), dim=dims), ns.sum(w, dim=-1))


# NaN-skipping moments.


def _valid(x: Tensor) -> Tensor:
    return ns.logical_not(ns.isnan(x))


def _per_count(total: Tensor, count: Tensor) -> Tensor:
    """``total / count``, NaN where the count is 0 (without dividing by 0)."""
    none = ns.eq(count, 0)
    out = ns.div(total, ns.where(none, ns.ones_like(count), count).to(total.dtype))
    return ns.where(none, ns.full_like(out, math.nan), out)


@symbolic
def nanmean(x, axis=None, keepdims=False):
    """Mean of the non-NaN values over ``axis``."""
    x = as_tensor(x)
    if axis == () or axis == []:
        return x
    x = cast(x, result_type(dtype_of(x), float))
    dims = axes("nanmean", axis, x.ndim)
    total = ns.sum(ns.where(ns.isnan(x), ns.zeros_like(x), x), dim=dims, keepdim=keepdims)
    return _per_count(total, ns.sum(_valid(x), dim=dims, keepdim=keepdims))


@symbolic
def nanvar(x, axis=None, keepdims=False):
    """Population variance of the non-NaN values over ``axis``."""
    x = as_tensor(x)
    x = cast(x, result_type(dtype_of(x), float))
    if axis == () or axis == []:
        return ns.where(ns.isnan(x), x, ns.zeros_like(x))
    dims = axes("nanvar", axis, x.ndim)
    valid = _valid(x)
    centered = ns.where(valid, ns.sub(x, nanmean(x, axis, keepdims=True)), ns.zeros_like(x))
    total = ns.sum(ns.square(centered), dim=dims, keepdim=keepdims)
    return _per_count(total, ns.sum(valid, dim=dims, keepdim=keepdims))


@symbolic
def nanstd(x, axis=None, keepdims=False):
    """Population standard deviation of the non-NaN values."""
    return ns.sqrt(nanvar(x, axis, keepdims))


# Quantiles.


def _rows(x: Tensor, dims) -> Tensor:
    """``x`` with the reduced axes moved last and flattened into one."""
    if dims is None:
        return ns.reshape(x, (-1,))
    others = [i for i in range(x.ndim) if i not in dims]
    moved = ns.permute(x, [*others, *dims])
    return ns.reshape(moved, (*(x.shape[i] for i in others), -1))


def _const(array, dtype) -> Tensor:
    """A constant tensor from an index or weight array (0-d stays 0-d)."""
    return ns.from_numpy(np.ascontiguousarray(array, dtype=dtype).reshape(np.shape(array)))


def _pick(ordered: Tensor, index: np.ndarray) -> Tensor:
    return ns.take_along_dim(ordered, _const(index[..., None], np.int64), dim=-1)[..., 0]


def _at(ordered: Tensor, count: np.ndarray, nan: np.ndarray, q, method: str) -> Tensor:
    """The ``q`` quantile of each sorted row, of which the first ``count`` values count; a row
    with ``nan`` set answers its last value, a NaN (its gradient goes there, as torch's)."""
    dtype = ordered.dtype  # torch finds the position in the data's dtype: 0.7f * 5 == 3.5
    pos = np.asarray(q, dtype) * (np.maximum(count, 1) - 1).astype(dtype)
    pos = np.where(nan, np.asarray(ordered.shape[-1] - 1, dtype), pos)
    lo, hi = np.floor(pos).astype(np.int64), np.ceil(pos).astype(np.int64)
    if method == "lower" or method == "higher" or method == "nearest":
        return _pick(ordered, {"lower": lo, "higher": hi, "nearest": np.rint(pos)}[method])
    low, high = _pick(ordered, lo), _pick(ordered, hi)
    weight = 0.5 if method == "midpoint" else _const(pos - lo, ordered.dtype)
    return ns.add(low, ns.mul(ns.sub(high, low), weight))


def _quantile(name: str, x, q, axis, method, keepdims, skip_nan: bool) -> Tensor:
    if method not in _METHODS:
        raise ValueError(f"{name}: method must be one of {_METHODS}, received {method!r}")
    x = as_tensor(x)
    out_dtype = result_type(dtype_of(x), float)
    x = cast(x, result_type(dtype_of(x), "float32"))
    dims = axes(name, axis, x.ndim)
    ordered = ns.sort(_rows(x, dims), dim=-1).values  # NaNs sort last
    nan = np.isnan(_rows(x, dims).detach().numpy())
    # quantile: a NaN makes its row's answer NaN. nanquantile: NaNs don't count, and an
    # all-NaN row answers its first value, a NaN.
    count = (~nan).sum(-1) if skip_nan else np.full(nan.shape[:-1], nan.shape[-1])
    blank = np.zeros(count.shape, bool) if skip_nan else nan.any(-1)
    qs = np.asarray(q.detach().numpy() if isinstance(q, Tensor) else q, dtype=x.dtype)
    values = [_at(ordered, count, blank, t, method) for t in qs.reshape(-1)]
    out = values[0] if qs.ndim == 0 else ns.stack(values)
    if keepdims:
        kept = range(x.ndim) if dims is None else dims
        for i in sorted(kept):
            out = ns.unsqueeze(out, i + (qs.ndim > 0))
    return cast(out, out_dtype)


@symbolic
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles (``q`` in [0, 1], a number or a 1-D list: its axis comes first)
    over ``axis``; ``method`` picks between the two neighbours ("linear", "lower",
    "higher", "midpoint", "nearest")."""
    return _quantile("quantile", x, q, axis, method, keepdims, skip_nan=False)


@symbolic
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """``quantile`` of the non-NaN values."""
    return _quantile("nanquantile", x, q, axis, method, keepdims, skip_nan=True)


def _percent(q) -> np.ndarray:
    """Percentages as float32 fractions, divided in float32 as Keras divides them."""
    q = q.detach().numpy() if isinstance(q, Tensor) else q
    return np.asarray(q, dtype=np.float32) / np.float32(100.0)


@symbolic
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """``quantile`` with ``q`` in percent."""
    q = _percent(q)
    return _quantile("percentile", x, q, axis, method, keepdims, skip_nan=False)


@symbolic
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """``nanquantile`` with ``q`` in percent."""
    q = _percent(q)
    return _quantile("nanpercentile", x, q, axis, method, keepdims, skip_nan=True)


@symbolic
def median(x, axis=None, keepdims=False):
    """The middle value over ``axis`` (the mean of the two middle ones for even counts)."""
    return _quantile("median", x, 0.5, axis, "linear", keepdims, skip_nan=False)


@symbolic
def nanmedian(x, axis=None, keepdims=False):
    """``median`` of the non-NaN values."""
    if axis == () or axis == []:
        return as_tensor(x)
    return _quantile("nanmedian", x, 0.5, axis, "linear", keepdims, skip_nan=True)


# Correlation of variables and of signals.


@symbolic
def corrcoef(x):
    """Pearson correlation matrix of the rows of ``x`` (variables in rows, observations in
    columns): the covariance divided by the outer product of the standard deviations."""
    x = as_tensor(x)
    dtype = {"bool": "float32", "int64": "float64"}.get(dtype_of(x), dtype_of(x))
    x = cast(x, dtype) if "float" in dtype else cast(x, "float32")
    rows = x if x.ndim == 2 else ns.reshape(x, (1, -1))
    centered = ns.sub(rows, ns.mean(rows, dim=1, keepdim=True))
    cov = ns.matmul(centered, ns.transpose(centered, 0, 1))
    scale = ns.sqrt(ns.diag(cov))
    out = ns.clamp(ns.div(ns.div(cov, scale[:, None]), scale[None, :]), -1.0, 1.0)
    return out if x.ndim == 2 else ns.reshape(out, ())


@symbolic
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D signals, ``c[k] = sum_n x1[n + k] * x2[n]``, over the
    "full" range of overlaps, or its "same" (length of ``x1``) or "valid" middle part."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full', received {mode!r}")
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    dtype = dtype if dtype in ("float16", "float64") else "float32"
    a, v = as_tensor(x1, dtype), as_tensor(x2, dtype)
    n1, n2 = a.shape[-1], v.shape[-1]
    full = ns.conv1d(ns.reshape(a, (1, 1, n1)), ns.reshape(v, (1, 1, n2)), padding=n2 - 1)
    full = ns.reshape(full, (-1,))
    keep = {"full": n1 + n2 - 1, "same": n1, "valid": abs(n1 - n2) + 1}[mode]
    start = (n1 + n2 - 1 - keep) // 2
    return ns.narrow(full, 0, start, keep)


@symbolic
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the trapezoid rule, with sample points ``x`` (1-D,
    or shaped like ``y``) or a constant spacing ``dx``."""
    y = as_tensor(y)
    y = cast(y, "float32") if dtype_of(y) == "bool" else y
    (axis,) = axes("trapezoid", axis, y.ndim)
    n = y.shape[axis]
    pairs = ns.add(ns.narrow(y, axis, 1, n - 1), ns.narrow(y, axis, 0, n - 1))
    if x is None:
        return ns.div(ns.mul(ns.sum(pairs, dim=axis), as_tensor(dx)), 2.0)
    x = as_tensor(x)
    x_axis = 0 if x.ndim == 1 else axis
    step = ns.sub(ns.narrow(x, x_axis, 1, n - 1), ns.narrow(x, x_axis, 0, n - 1))
    if x.ndim == 1:
        step = ns.reshape(step, (-1,) + (1,) * (y.ndim - 1 - axis))
    return ns.div(ns.sum(ns.mul(pairs, step), dim=axis), 2.0)


# Counting.


@symbolic
def histogram(x, bins=10, range=None):
    """Counts of ``x`` (1-D) in ``bins`` equal-width bins over ``range`` (default: from the
    smallest to the largest value), and the ``bins + 1`` edges."""
    if not isinstance(bins, int) or bins < 0:
        raise ValueError(f"histogram: bins must be a non-negative int, received {bins!r}")
    if range is not None and not (isinstance(range, tuple) and len(range) == 2):
        raise ValueError(f"histogram: range must be a tuple (low, high), received {range!r}")
    if range is not None and range[1] < range[0]:
        raise ValueError(f"histogram: range must have low <= high, received {range!r}")
    x = as_tensor(x)
    if x.ndim > 1:
        raise ValueError(f"histogram: expected a 1-D tensor, received shape {tuple(x.shape)}")
    data = x.detach().numpy()
    counts, edges = np.histogram(data, bins=bins, range=range)
    dtype = dtype_of(x) if is_float(x) else "float32"
    return as_tensor(counts, dtype), as_tensor(edges.astype(data.dtype), dtype)


@symbolic
def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each non-negative int occurs in ``x`` (per row of a 2-D ``x``), or the sum
    of its ``weights``; no gradient (torch has none)."""
    if sparse:
        raise ValueError("bincount: sparse=True is not supported (as in Keras on torch)")
    x = as_tensor(x)
    data = x.detach().numpy()
    if data.size and data.min() < 0:
        raise ValueError(
            f"bincount: expected non-negative integers, received a minimum of {data.min()}"
        )
    w = None if weights is None else as_tensor(weights).detach().numpy()
    dtype = "int32" if weights is None else result_type(dtype_of(x), dtype_of(as_tensor(weights)))
    if data.ndim == 1:
        return as_tensor(np.bincount(data, w, minlength), dtype)
    length = max(minlength, int(data.max(initial=-1)) + 1)
    rows = [np.bincount(r, None if w is None else w[i], length) for i, r in enumerate(data)]
    return as_tensor(np.stack(rows), dtype)


@symbolic
def digitize(x, bins):
    """Index of the bin of each value: ``i`` such that ``bins[i-1] <= x < bins[i]``, int32."""
    x, edges = as_tensor(x), as_tensor(bins)
    return as_tensor(np.digitize(x.detach().numpy(), edges.detach().numpy()), "int32")
