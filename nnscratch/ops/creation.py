"""Making tensors: from data, filled, ranges, identity and random."""

from __future__ import annotations

import numpy as np

from .. import random
from ..autograd import device as _device
from ..autograd.dtypes import as_array, get_default_dtype, int64, to_dtype
from ..autograd.tensor import Tensor

__all__ = [
    "tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange", "linspace", "eye",
    "rand", "randn", "randint", "zeros_like", "ones_like", "full_like", "rand_like",
    "randn_like", "randint_like", "as_tensor", "is_tensor", "numel", "empty_like",
]  # fmt: skip


def _sizes(size: tuple) -> tuple[int, ...]:
    """``zeros(2, 3)`` and ``zeros((2, 3))`` both mean shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"sizes must be non-negative ints, received {size}")
    return tuple(int(n) for n in size)


def _size_args(sizes: tuple, size, name: str) -> tuple[int, ...]:
    """torch's spellings of a shape: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=...)``."""
    if size is None:
        return _sizes(sizes)
    if sizes:
        raise TypeError(f"{name}: give the sizes either positionally or as size=, not both")
    return _sizes((size,) if isinstance(size, (tuple, list)) else (size,))


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._make(array, False, None).requires_grad_(requires_grad)


def _float_dtype(dtype):
    return get_default_dtype() if dtype is None else to_dtype(dtype)


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats become float32).

    >>> import nnscratch as ns
    >>> ns.tensor([[1, 2], [3, 4]]).dtype, ns.tensor(0.5).dtype
    (dtype('int64'), dtype('float32'))
    """
    _device.check("tensor", device)
    if isinstance(data, Tensor):
        data = data._data
    return _new(as_array(data, dtype), requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, received {type(array).__name__}")
    return Tensor._make(array, False, None)


def zeros(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` says otherwise)."""
    _device.check("zeros", device)
    return _new(np.zeros(_size_args(sizes, size, "zeros"), _float_dtype(dtype)), requires_grad)


def ones(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 unless ``dtype`` says otherwise)."""
    _device.check("ones", device)
    return _new(np.ones(_size_args(sizes, size, "ones"), _float_dtype(dtype)), requires_grad)


def empty(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor: its values are whatever memory held."""
    _device.check("empty", device)
    return _new(np.empty(_size_args(sizes, size, "empty"), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``size`` filled with ``fill_value``; the dtype follows the value as in torch."""
    _device.check("full", device)
    if dtype is None:
        dtype = as_array(fill_value).dtype
    return _new(np.full(_sizes((size,)), fill_value, to_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps; int64 for int arguments, float32 otherwise.

    >>> import nnscratch as ns
    >>> ns.arange(5).tolist(), ns.arange(0, 1, 0.25).tolist()
    ([0, 1, 2, 3, 4], [0.0, 0.25, 0.5, 0.75])
    """
    _device.check("arange", device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = int64 if ints else get_default_dtype()
    return _new(np.arange(start, end, step).astype(to_dtype(dtype)), requires_grad)


def linspace(
    start, end, steps: int, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    _device.check("linspace", device)
    return _new(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(
    n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``)."""
    _device.check("eye", device)
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(*sizes, size=None, generator=None, out=None, dtype=None, device=None,
         requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Uniform samples from [0, 1), from the generator seeded by ``manual_seed`` (or from
    ``generator``); written into ``out`` when given."""
    _device.check("rand", device)
    dtype, shape = _float_dtype(dtype), _size_args(sizes, size, "rand")
    drawn = _new(random.generator(generator).random(shape).astype(dtype), requires_grad)
    if out is None:
        return drawn
    from .out import write_out  # out.py needs the ops this module is part of

    return write_out("rand", out, lambda: drawn)


def randn(*sizes, size=None, generator=None, dtype=None, device=None,
          requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Standard normal samples, from the generator seeded by ``manual_seed`` (or from
    ``generator``)."""
    _device.check("randn", device)
    dtype, shape = _float_dtype(dtype), _size_args(sizes, size, "randn")
    return _new(random.generator(generator).standard_normal(shape).astype(dtype), requires_grad)


def randint(low, high=None, size=(), *, generator=None, dtype=None, device=None) -> Tensor:
    """Integers from ``[low, high)`` (``randint(high, size)`` works too, as in torch)."""
    _device.check("randint", device)
    if isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=size)
        low, high = 0, low
    array = random.generator(generator).integers(low, high, _sizes((size,)))
    return _new(array.astype(int64 if dtype is None else to_dtype(dtype)), False)


def _like(input: Tensor, dtype):
    return input.shape, (input.dtype if dtype is None else to_dtype(dtype))


def zeros_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros with ``input``'s shape and dtype."""
    _device.check("zeros_like", device)
    shape, dtype = _like(input, dtype)
    return _new(np.zeros(shape, dtype), requires_grad)


def ones_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Ones with ``input``'s shape and dtype."""
    _device.check("ones_like", device)
    shape, dtype = _like(input, dtype)
    return _new(np.ones(shape, dtype), requires_grad)


def full_like(
    input: Tensor, fill_value, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """``fill_value`` with ``input``'s shape and dtype."""
    _device.check("full_like", device)
    shape, dtype = _like(input, dtype)
    return _new(np.full(shape, fill_value, dtype), requires_grad)


def rand_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False, *,
              generator=None) -> Tensor:  # fmt: skip
    """Uniform [0, 1) samples with ``input``'s shape and dtype."""
    _device.check("rand_like", device)
    shape, dtype = _like(input, dtype)
    return rand(shape, generator=generator, dtype=dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False, *,
               generator=None) -> Tensor:  # fmt: skip
    """Standard normal samples with ``input``'s shape and dtype."""
    _device.check("randn_like", device)
    shape, dtype = _like(input, dtype)
    return randn(shape, generator=generator, dtype=dtype, requires_grad=requires_grad)


def randint_like(input: Tensor, low, high=None, dtype=None, device=None) -> Tensor:
    """Integers from ``[low, high)`` with ``input``'s shape and dtype."""
    _device.check("randint_like", device)
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=input.dtype if dtype is None else dtype)


def empty_like(input: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor with ``input``'s shape and dtype."""
    _device.check("empty_like", device)
    shape, dtype = _like(input, dtype)
    return _new(np.empty(shape, dtype), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor without copying when it can: a tensor is returned as is and a
    NumPy array shares its memory, unless ``dtype`` asks for another dtype (then a copy).

    >>> import numpy as np, nnscratch as ns
    >>> a = np.zeros(2)
    >>> t = ns.as_tensor(a); a[0] = 5; t.tolist(), ns.as_tensor([1, 2]).dtype
    ([5.0, 0.0], dtype('int64'))
    """
    _device.check("as_tensor", device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or to_dtype(dtype) == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def is_tensor(obj) -> bool:
    """Whether ``obj`` is a Tensor (a Parameter counts), as ``torch.is_tensor``.

    >>> import nnscratch as ns
    >>> ns.is_tensor(ns.ones(1)), ns.is_tensor([1.0])
    (True, False)
    """
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``.

    >>> import nnscratch as ns
    >>> ns.numel(ns.zeros(2, 3))
    6
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"numel: expected a Tensor, received {type(input).__name__}")
    return input.numel()
