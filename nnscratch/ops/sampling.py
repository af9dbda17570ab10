"""Random sampling: normal, bernoulli, poisson, multinomial, randperm, and the in-place
samplers behind ``Tensor.normal_``, ``uniform_``, ``random_``, ``bernoulli_`` and
``exponential_``.

Every draw comes from ``random.generator(generator)``: the global generator, or the
``Generator`` passed as ``generator=``. Samples carry no gradient.
"""

from __future__ import annotations

import numpy as np

from .. import random
from ..autograd import device as _device
from ..autograd.dtypes import get_default_dtype, int64, to_dtype
from ..autograd.tensor import Tensor

__all__ = ["normal", "bernoulli", "poisson", "multinomial", "randperm"]


def _new(array: np.ndarray) -> Tensor:
    return Tensor._make(array, False, None)


def _data(value):
    return value._data if isinstance(value, Tensor) else value


def normal(
    mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
    requires_grad: bool = False,
) -> Tensor:  # fmt: skip
    """Normal samples with ``mean`` and ``std``: tensors (broadcast together, the result in
    their float dtype) or numbers with ``size`` given.

    >>> import nnscratch as ns
    >>> ns.normal(ns.zeros(2, 3), 1.0).shape, ns.normal(0.0, 1.0, size=(4,)).dtype
    ((2, 3), dtype('float32'))
    """
    _device.check("normal", device)
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if not tensors and size is None:
        raise TypeError("normal: with a number mean and std, give size=(...) too")
    if tensors and size is not None:
        raise TypeError("normal: size= goes with number mean and std, not with tensors")
    if np.any(np.asarray(_data(std)) < 0):
        raise RuntimeError(f"normal: expected std >= 0, received {std}")
    if tensors:
        dtype = np.result_type(*(t.dtype for t in tensors))
        if dtype.kind != "f":
            raise TypeError(f"normal: mean and std must be floating point, received {dtype}")
        shape = np.broadcast_shapes(*(np.shape(_data(v)) for v in (mean, std)))
    else:
        dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
        shape = _shape(size, "normal")
    draws = random.generator(generator).standard_normal(shape)
    return _new((draws * _data(std) + _data(mean)).astype(dtype)).requires_grad_(requires_grad)


def _shape(size, name: str) -> tuple[int, ...]:
    shape = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    if any(not isinstance(n, (int, np.integer)) or n < 0 for n in shape):
        raise ValueError(f"{name}: sizes must be non-negative ints, received {size}")
    return tuple(int(n) for n in shape)


def _probabilities(input, p, name: str) -> np.ndarray:
    probs = _data(input) if p is None else np.asarray(p)
    if np.any((probs < 0) | (probs > 1)) or np.any(np.isnan(probs)):
        where = "the input" if p is None else p
        raise RuntimeError(f"{name}: expected probabilities in [0, 1], received {where}")
    return probs


def bernoulli(input: Tensor, p: float | None = None, *, generator=None) -> Tensor:
    """0/1 samples in ``input``'s dtype: 1 with probability ``input`` (elementwise), or ``p``
    when given.

    >>> import nnscratch as ns
    >>> ns.bernoulli(ns.tensor([0.0, 1.0])).tolist()
    [0.0, 1.0]
    """
    _check_float(input, "bernoulli")
    probs = _probabilities(input, p, "bernoulli")
    draws = random.generator(generator).random(input.shape)
    return _new((draws < probs).astype(input.dtype))


def _check_float(input, name: str) -> None:
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        found = f"a {input.dtype} tensor" if isinstance(input, Tensor) else type(input).__name__
        raise TypeError(f"{name}: expected a floating point tensor, received {found}")


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson counts with rates ``input`` (non-negative), in ``input``'s dtype.

    >>> import nnscratch as ns
    >>> ns.poisson(ns.zeros(3)).tolist()
    [0.0, 0.0, 0.0]
    """
    _check_float(input, "poisson")
    if np.any(input._data < 0) or np.any(np.isnan(input._data)):
        raise RuntimeError("poisson: expected non-negative rates in the input")
    return _new(random.generator(generator).poisson(input._data).astype(input.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:  # fmt: skip
    """int64 category indices drawn with probabilities proportional to the non-negative
    weights in each row of ``input`` (1-D or 2-D); without ``replacement`` no index repeats.

    >>> import nnscratch as ns
    >>> ns.multinomial(ns.tensor([0.0, 1.0, 0.0]), 2, replacement=True).tolist()
    [1, 1]
    """
    _check_float(input, "multinomial")
    rows = _weights(input._data, num_samples, replacement)
    rng = random.generator(generator)
    draw = _with_replacement if replacement else _without_replacement
    picks = np.stack([draw(row, num_samples, rng) for row in rows]) if len(rows) else rows
    return _new(picks.astype(int64).reshape(input.shape[:-1] + (num_samples,)))


def _weights(data: np.ndarray, num_samples: int, replacement: bool) -> np.ndarray:
    if data.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: expected a 1-D or 2-D input, received shape {data.shape}")
    if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
        raise RuntimeError(f"multinomial: num_samples must be positive, received {num_samples}")
    rows = data.reshape(-1, data.shape[-1])
    if not np.all(np.isfinite(rows)) or np.any(rows < 0) or np.any(rows.sum(1) <= 0):
        raise RuntimeError(
            "multinomial: invalid distribution: weights must be finite, non-negative and have "
            "a positive sum"
        )
    if not replacement and np.any((rows > 0).sum(1) < num_samples):
        raise RuntimeError(
            f"multinomial: cannot draw {num_samples} samples without replacement from a row "
            f"with fewer non-zero weights (input shape {data.shape})"
        )
    return rows.astype(np.float64)


def _with_replacement(row: np.ndarray, count: int, rng) -> np.ndarray:
    cdf = np.cumsum(row)
    picks = np.searchsorted(cdf, rng.random(count) * cdf[-1], side="right")
    return np.minimum(picks, np.flatnonzero(row)[-1])  # rounding never picks a zero weight


def _without_replacement(row: np.ndarray, count: int, rng) -> np.ndarray:
    """The Gumbel top-k trick: the ``count`` largest ``log w + Gumbel`` keys are a sample
    without replacement with probabilities proportional to ``w``."""
    with np.errstate(divide="ignore"):
        keys = np.log(row) + rng.gumbel(size=row.shape)
    return np.argsort(-keys, kind="stable")[:count]


def randperm(n: int, *, generator=None, dtype=int64, device=None,
             requires_grad: bool = False) -> Tensor:  # fmt: skip
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` says otherwise).

    >>> import nnscratch as ns
    >>> sorted(ns.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    _device.check("randperm", device)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise RuntimeError(f"randperm: n must be a non-negative int, received {n!r}")
    out = random.generator(generator).permutation(int(n)).astype(to_dtype(dtype))
    return _new(out).requires_grad_(requires_grad)


# ---- in-place samplers: the arrays Tensor.normal_ and friends copy into the tensor --------
def normal_(tensor: Tensor, mean: float, std: float, generator) -> Tensor:
    """Fill ``tensor`` with normal samples (``Tensor.normal_``)."""
    if std < 0:
        raise RuntimeError(f"normal_: expected std >= 0, received {std}")
    return _fill(tensor, random.generator(generator).normal(mean, std, tensor.shape))


def uniform_(tensor: Tensor, low: float, high: float, generator) -> Tensor:
    """Fill ``tensor`` with uniform samples from ``[low, high)`` (``Tensor.uniform_``)."""
    if low > high:
        raise RuntimeError(f"uniform_: expected from <= to, received from={low} to={high}")
    return _fill(tensor, random.generator(generator).uniform(low, high, tensor.shape))


def random_(tensor: Tensor, low: int, high: int | None, generator) -> Tensor:
    """Fill ``tensor`` with integers from ``[low, high)`` (``Tensor.random_``); with no
    ``high``, up to the largest integer the dtype holds exactly (torch's rule)."""
    if high is None:
        high = _exact_limit(tensor.dtype) + 1
    if low >= high:
        raise RuntimeError(f"random_: expected from < to, received from={low} to={high}")
    return _fill(tensor, random.generator(generator).integers(low, high, tensor.shape))


def _exact_limit(dtype: np.dtype) -> int:
    if dtype.kind == "f":
        return 2 ** (np.finfo(dtype).nmant + 1)
    if dtype.kind == "b":
        return 1
    return int(np.iinfo(dtype).max)


def bernoulli_(tensor: Tensor, p, generator) -> Tensor:
    """Fill ``tensor`` with 0/1 samples, 1 with probability ``p`` (``Tensor.bernoulli_``)."""
    probs = _probabilities(None, _data(p), "bernoulli_")
    return _fill(tensor, random.generator(generator).random(tensor.shape) < probs)


def exponential_(tensor: Tensor, lambd: float, generator) -> Tensor:
    """Fill ``tensor`` with exponential samples of rate ``lambd`` (``Tensor.exponential_``)."""
    if lambd <= 0:
        raise RuntimeError(f"exponential_: expected lambd > 0, received {lambd}")
    return _fill(tensor, random.generator(generator).exponential(1 / lambd, tensor.shape))


def _fill(tensor: Tensor, array: np.ndarray) -> Tensor:
    """Copy samples into ``tensor`` through ``copy_``: a leaf that requires grad refuses it
    outside ``no_grad``, as in torch."""
    return tensor.copy_(_new(array.astype(tensor.dtype)))
