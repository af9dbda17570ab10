"""``keras.random``: random tensors with Keras 3's signatures, drawn by NumPy.

Every function takes ``seed=``: ``None`` (nnscratch's global generator, seeded by
``keras.utils.set_random_seed``), an ``int`` (the same numbers on every call) or a
``SeedGenerator`` (new numbers each call, repeatable); see ``seed_generator``. Results are
nnscratch Tensors, ``float32`` unless ``dtype`` says otherwise (``randint`` and
``categorical``: ``int32``). ``dropout`` and ``shuffle`` are differentiable in their input.

>>> from nnscratch import keras
>>> a = keras.random.uniform((2, 3), seed=1); b = keras.random.uniform((2, 3), seed=1)
>>> bool((a == b).all()), str(a.dtype)
(True, 'float32')
"""

from __future__ import annotations

import numbers

import numpy as np

from ..autograd.dtypes import to_dtype
from ..autograd.tensor import Tensor
from ..ops.creation import from_numpy
from .ops.conversion import as_tensor
from .seed_generator import SeedGenerator, rng_for

__all__ = [
    "SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
    "randint", "shuffle", "truncated_normal", "uniform",
]  # fmt: skip


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of N(``mean``, ``stddev``**2)."""
    dtype, shape = _float_dtype(dtype, "normal"), _shape(shape, "normal")
    z = rng_for(seed, "normal").standard_normal(shape, dtype=_draw_dtype(dtype))
    return _tensor(z * stddev + mean, dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of U[``minval``, ``maxval``): ``maxval`` itself is never drawn."""
    dtype, shape = _float_dtype(dtype, "uniform"), _shape(shape, "uniform")
    u = rng_for(seed, "uniform").random(shape, dtype=_draw_dtype(dtype))
    values = (minval + (maxval - minval) * u).astype(dtype)
    below = np.nextafter(np.asarray(maxval, dtype), np.asarray(minval, dtype))
    return _tensor(np.minimum(values, below) if maxval > minval else values, dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of N(``mean``, ``stddev``**2) kept within two ``stddev`` of the mean: a draw
    outside is drawn again."""
    dtype, shape = _float_dtype(dtype, "truncated_normal"), _shape(shape, "truncated_normal")
    rng = rng_for(seed, "truncated_normal")
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2
    while outside.any():  # each round keeps ~95% of what it redraws
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2
    return _tensor(z * stddev + mean, dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None) -> Tensor:
    """Integers uniform in [``minval``, ``maxval``)."""
    dtype, shape = to_dtype(dtype), _shape(shape, "randint")
    if dtype.kind not in "iu":
        raise ValueError(f"randint expects an integer dtype, received dtype={dtype}")
    if not minval < maxval:
        raise ValueError(f"randint expects minval < maxval, received {minval} and {maxval}")
    return _tensor(rng_for(seed, "randint").integers(minval, maxval, shape), dtype)


def categorical(logits, num_samples, dtype="int32", seed=None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (shape ``(batch, classes)``), each
    drawn with probability ``softmax(logits)``: the result has shape ``(batch, num_samples)``."""
    logits = np.asarray(as_tensor(logits).detach().numpy(), dtype=np.float64)
    if logits.ndim != 2:
        raise ValueError(
            "`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
            f"Received: logits={logits.shape}"
        )
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng_for(seed, "categorical").random((logits.shape[0], int(num_samples)))
    picks = (u[:, :, None] >= cdf[:, None, :]).sum(axis=2)
    return _tensor(np.minimum(picks, logits.shape[1] - 1), to_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None) -> Tensor:
    """``inputs`` with each entry zeroed with probability ``rate`` and the rest scaled by
    ``1 / (1 - rate)``; ``noise_shape`` shares one draw along its axes of size 1 (``None``
    entries take ``inputs``' size)."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
        raise ValueError(f"dropout expects `rate` in [0, 1], received rate={rate!r}")
    x = as_tensor(inputs)
    if x.dtype.kind != "f":
        x = x.to(to_dtype("float32"))
    shape = x.shape if noise_shape is None else _noise_shape(noise_shape, x.shape)
    keep = rng_for(seed, "dropout").random(shape) >= rate
    scale = 1.0 / (1.0 - rate) if rate < 1 else 0.0
    return x * from_numpy(np.multiply(keep, scale, dtype=x.dtype))


def shuffle(x, axis=0, seed=None) -> Tensor:
    """``x`` with its slices along ``axis`` in a random order (a permutation)."""
    x = as_tensor(x)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"shuffle: axis {axis} is out of range for a {x.ndim}-d input")
    order = rng_for(seed, "shuffle").permutation(x.shape[axis])
    return x[(slice(None),) * (axis % x.ndim) + (order,)]


def gamma(shape, alpha, dtype=None, seed=None) -> Tensor:
    """Samples of Gamma(``alpha``, scale 1)."""
    dtype, shape = _float_dtype(dtype, "gamma"), _shape(shape, "gamma")
    return _tensor(rng_for(seed, "gamma").standard_gamma(alpha, shape), dtype)


def beta(shape, alpha, beta, dtype=None, seed=None) -> Tensor:
    """Samples of Beta(``alpha``, ``beta``)."""
    dtype, shape = _float_dtype(dtype, "beta"), _shape(shape, "beta")
    return _tensor(rng_for(seed, "beta").beta(alpha, beta, shape), dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> Tensor:
    """Successes in ``counts`` trials of probability ``probabilities`` (broadcast together),
    as floats (``float32`` by default), as Keras returns them."""
    dtype, shape = _float_dtype(dtype, "binomial"), _shape(shape, "binomial")
    draws = rng_for(seed, "binomial").binomial(np.asarray(counts), np.asarray(probabilities), shape)
    return _tensor(draws, dtype)


# ---- helpers ------------------------------------------------------------------------------
def _float_dtype(dtype, where: str) -> np.dtype:
    result = to_dtype("float32" if dtype is None else dtype)
    if result.kind != "f":
        raise ValueError(f"{where} expects a floating point dtype, received dtype={result}")
    return result


def _draw_dtype(dtype: np.dtype) -> np.dtype:
    """NumPy draws float32 or float64 directly; narrower floats are drawn as float32."""
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


def _shape(shape, where: str) -> tuple:
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    if not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 0
               for d in shape):  # fmt: skip
        raise ValueError(f"{where} expects `shape` to be a tuple of ints >= 0, received {shape}")
    return tuple(int(d) for d in shape)


def _noise_shape(noise_shape, shape: tuple) -> tuple:
    filled = tuple(s if n is None else n for n, s in zip(noise_shape, shape))
    if len(noise_shape) != len(shape) or any(n not in (1, s) for n, s in zip(filled, shape)):
        raise ValueError(
            f"dropout: `noise_shape` {tuple(noise_shape)} does not broadcast to the input's "
            f"shape {shape}: each entry must be 1, None or the input's size"
        )
    return filled


def _tensor(array, dtype: np.dtype) -> Tensor:
    return from_numpy(np.ascontiguousarray(np.asarray(array).astype(dtype, copy=False)))
