"""``keras.ops`` that make new tensors: filled shapes, ranges, grids and window functions.

Keras's dtype rule for creation: ``dtype=None`` means the float default (float32) for
``zeros``/``ones``/``eye``..., the input's dtype for the ``*_like`` functions, and for ranges
the promotion of the endpoints' types (``arange(5)`` is int32, ``linspace(0, 1)`` float32).
Ranges built from tensors (``linspace(a, b)``) are differentiable in ``a`` and ``b``.

>>> arange(3).tolist(), linspace(0.0, 1.0, num=3).tolist(), tri(2).tolist()
([0, 1, 2], [0.0, 0.5, 1.0], [[1.0, 0.0], [1.0, 1.0]])
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .conversion import as_tensor
from .dtype_rules import result_type
from .symbolic import symbolic

__all__ = [
    "arange", "array", "empty", "empty_like", "eye", "full", "full_like", "geomspace",
    "identity", "linspace", "logspace", "meshgrid", "ones", "ones_like", "tri", "zeros",
    "zeros_like", "bartlett", "blackman", "hamming", "hanning", "kaiser", "vander",
]  # fmt: skip

FLOATX = "float32"


def _shape(shape) -> tuple[int, ...]:
    return (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)


def _constant(array, dtype) -> Tensor:
    return ns.from_numpy(np.array(array, dtype=np.dtype(dtype), order="C"))


def cast(x: Tensor, dtype) -> Tensor:
    """``x`` as ``dtype`` (a differentiable cast; ``x`` itself when it already is)."""
    dtype = np.dtype(dtype)
    return x if x.dtype == dtype else x.to(dtype)


def _type_of(value):
    """What Keras promotes for an endpoint: a tensor's dtype or a Python value's type."""
    return getattr(value, "dtype", type(value))


def zeros(shape, dtype=None) -> Tensor:
    """A tensor of zeros of ``shape`` (an int or a tuple), float32 unless ``dtype`` says."""
    return _constant(np.zeros(_shape(shape)), dtype or FLOATX)


def ones(shape, dtype=None) -> Tensor:
    """A tensor of ones of ``shape``, float32 unless ``dtype`` says."""
    return _constant(np.ones(_shape(shape)), dtype or FLOATX)


def empty(shape, dtype=None) -> Tensor:
    """A tensor of ``shape`` whose values mean nothing (here zeros), float32 by default."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None) -> Tensor:
    """``shape`` filled with ``fill_value``, float32 unless ``dtype`` says; a tensor
    ``fill_value`` of 1 or more dims fills the trailing dims (broadcast, differentiable)."""
    fill = as_tensor(fill_value, dtype or FLOATX)
    shape = _shape(shape)
    if fill.ndim == 0:
        return _constant(np.full(shape, fill.item()), fill.dtype)
    return ns.ops.expand(fill.reshape((1,) * (len(shape) - fill.ndim) + fill.shape), shape)


@symbolic
def zeros_like(x, dtype=None) -> Tensor:
    """Zeros of ``x``'s shape and (unless ``dtype`` says) dtype."""
    x = as_tensor(x)
    return zeros(x.shape, dtype or x.dtype)


@symbolic
def ones_like(x, dtype=None) -> Tensor:
    """Ones of ``x``'s shape and (unless ``dtype`` says) dtype."""
    x = as_tensor(x)
    return ones(x.shape, dtype or x.dtype)


@symbolic
def empty_like(x, dtype=None) -> Tensor:
    """An uninitialised (here zero) tensor of ``x``'s shape and dtype."""
    return zeros_like(x, dtype)


@symbolic
def full_like(x, fill_value, dtype=None) -> Tensor:
    """``x``'s shape filled with ``fill_value``, in ``dtype`` or ``x``'s dtype."""
    x = as_tensor(x)
    return full(x.shape, fill_value, dtype or x.dtype)


def eye(N, M=None, k=0, dtype=None) -> Tensor:  # noqa: N803 (Keras's names)
    """An ``N`` x ``M`` matrix with ones on diagonal ``k`` (above the main one when k > 0)."""
    return _constant(np.eye(N, N if M is None else M, k=k or 0), dtype or FLOATX)


def identity(n, dtype=None) -> Tensor:
    """The ``n`` x ``n`` identity matrix, float32 by default."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None) -> Tensor:  # noqa: N803
    """An ``N`` x ``M`` matrix of ones on and below diagonal ``k``, zeros above."""
    return _constant(np.tri(N, M or N, k=k), dtype or FLOATX)


def array(x, dtype=None) -> Tensor:
    """``x`` as a tensor (Keras's dtype rules for Python values; ``dtype`` casts)."""
    return as_tensor(x, dtype)


def arange(start, stop=None, step=None, dtype=None) -> Tensor:
    """``start, start + step, ...`` up to (not including) ``stop``; ``arange(n)`` is 0..n-1.
    The dtype promotes the arguments' types: ints give int32, a float gives float32."""
    if dtype is None:
        given = [v for v in (start, stop, step) if v is not None]
        dtype = result_type(*(_type_of(v) for v in given))
    if stop is None:
        start, stop = 0, start
    values = np.arange(_number(start), _number(stop), 1 if step is None else _number(step))
    return _constant(values, dtype)


def _number(value):
    return value.item() if isinstance(value, (Tensor, np.ndarray, np.generic)) else value


def _endpoint_dtype(start, stop, dtype) -> str:
    return dtype or result_type(_type_of(start), _type_of(stop), float)


def _fractions(num: int, denominator: int, dtype) -> Tensor:
    """``[0, 1, ..., num-1] / denominator``: where each point sits between start and stop."""
    return _constant(np.arange(num) / max(denominator, 1), dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (``stop`` left out when
    ``endpoint=False``); tensors ``start``/``stop`` give one range per element along ``axis``,
    differentiable in both. ``retstep=True`` also returns the spacing."""
    dtype = _endpoint_dtype(start, stop, dtype)
    a, b = as_tensor(start, dtype), as_tensor(stop, dtype)
    steps = num - 1 if endpoint else num
    t = _fractions(num, steps, dtype).reshape((num,) + (1,) * max(a.ndim, b.ndim))
    out = ns.ops.moveaxis(a + t * (b - a), 0, axis)
    if not retstep:
        return out
    return out, (b - a) / steps if steps > 0 else _constant(np.nan, dtype)


def _float64(t: Tensor) -> np.ndarray:
    return t.detach().numpy().astype(np.float64)


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0) -> Tensor:
    """``base ** linspace(start, stop)``: ``num`` values evenly spaced on a log scale."""
    exponents = linspace(start, stop, num, endpoint, dtype=_endpoint_dtype(start, stop, dtype))
    return ns.ops.moveaxis(ns.ops.pow(base, exponents), 0, axis)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0) -> Tensor:
    """``num`` values from ``start`` to ``stop`` in geometric progression (each a constant
    multiple of the one before); ``start`` and ``stop`` share a sign. Constant endpoints are
    worked in float64 and rounded once: NumPy's float32 log10(100) is 2 + 1 ulp."""
    dtype = _endpoint_dtype(start, stop, dtype)
    a, b = as_tensor(start, dtype), as_tensor(stop, dtype)
    if not (a.requires_grad or b.requires_grad):
        values = np.geomspace(_float64(a), _float64(b), num, endpoint, axis=axis)
        return _constant(values, dtype)
    out = logspace(ns.ops.log10(a.abs()), ns.ops.log10(b.abs()), num, endpoint, dtype=dtype)
    return ns.ops.moveaxis(out * ns.ops.sign(a), 0, axis)


@symbolic
def meshgrid(*x, indexing="xy") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D ``x``: with ``indexing="xy"`` the first two outputs are
    (len(x[1]), len(x[0])) as in plotting; ``"ij"`` keeps the inputs' order (matrix)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', received {indexing!r}")
    return tuple(ns.ops.meshgrid(*(as_tensor(v) for v in x), indexing=indexing))


def _window(values) -> Tensor:
    return _constant(values, FLOATX)


def bartlett(x) -> Tensor:
    """The triangular (Bartlett) window of ``x`` points, float32."""
    return _window(np.bartlett(int(_number(x))))


def blackman(x) -> Tensor:
    """The Blackman window of ``x`` points (three cosine terms), float32."""
    return _window(np.blackman(int(_number(x))))


def hamming(x) -> Tensor:
    """The Hamming window of ``x`` points (0.54 - 0.46 cos), float32."""
    return _window(np.hamming(int(_number(x))))


def hanning(x) -> Tensor:
    """The Hann window of ``x`` points (0.5 - 0.5 cos), float32."""
    return _window(np.hanning(int(_number(x))))


def kaiser(x, beta) -> Tensor:
    """The Kaiser window of ``x`` points; ``beta`` trades main-lobe width for side lobes."""
    return _window(np.kaiser(int(_number(x)), float(_number(beta))))


@symbolic
def vander(x, N=None, increasing=False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of 1-D ``x``: columns ``x**(N-1), ..., x, 1`` (reversed when
    ``increasing``). Built by repeated products, so the gradient is exact even at x = 0."""
    x = as_tensor(x)
    if x.ndim != 1:
        raise ValueError(f"vander: expects a 1-D x, received shape {x.shape}")
    columns = [ones_like(x)]
    for _ in range(1, len(x) if N is None else N):
        columns.append(columns[-1] * x)
    out = ns.ops.stack(columns[: len(x) if N is None else N], 1)
    return cast(out if increasing else ns.ops.flip(out, (1,)), result_type(x.dtype))
