"""Dropout variants: ``SpatialDropout1D/2D/3D``, ``GaussianDropout``, ``GaussianNoise`` and
``AlphaDropout``. All are the identity outside training; their noise comes from nnscratch's
global generator (``keras.utils.set_random_seed``) and enters as a constant factor or term,
so gradients flow through the ordinary multiply and add."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from ... import random
from ...autograd.tensor import Tensor
from ...ops.creation import from_numpy
from ...ops.dropout import scaled_mask
from .layer import Layer, Shape

__all__ = [
    "AlphaDropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]

# SELU's constants: alpha and scale
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _check_fraction(layer: str, arg: str, value, upper_open: bool = False) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool)
    if not ok or not (0 <= value < 1 if upper_open else 0 <= value <= 1):
        raise ValueError(
            f"{layer}: invalid value received for argument `{arg}`. Expected a float value "
            f"between 0 and 1. Received: {arg}={value!r}"
        )
    return value


def _normal(shape: tuple, mean: float, stddev: float, dtype: np.dtype) -> Tensor:
    draws = random.generator().standard_normal(shape, dtype=np.float32)
    return from_numpy((draws * stddev + mean).astype(dtype, copy=False))


class _NoiseLayer(Layer):
    """Shared by the layers here: no weights, shape-preserving, active only in training."""

    supports_masking = True  # elementwise: the mask passes through

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.built = True

    call_takes_training = True  # call(inputs, training)
    call_mask_arguments = ()

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        return self.noisy(inputs) if training and self._active() else inputs

    def _active(self) -> bool:
        return self.rate > 0

    def noisy(self, inputs: Tensor) -> Tensor:
        raise NotImplementedError


class _SpatialDropout(_NoiseLayer):
    """Dropout of whole feature maps: one draw per (sample, channel), shared along the other
    axes, the kept maps scaled by ``1 / (1 - rate)``."""

    _rank = 3

    def __init__(self, rate: float, data_format: str | None = None, seed=None, **kwargs):
        rate = _check_fraction(type(self).__name__, "rate", rate)
        super().__init__(**kwargs)
        self.rate, self.seed = rate, seed
        self.data_format = data_format or "channels_last"
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                f"{type(self).__name__}: data_format must be 'channels_last' or "
                f"'channels_first', received {data_format!r}"
            )

    def noisy(self, inputs: Tensor) -> Tensor:
        self._check_rank(inputs.shape)
        channel = 1 if self.data_format == "channels_first" else -1
        noise = [1] * inputs.ndim
        noise[0], noise[channel] = inputs.shape[0], inputs.shape[channel]
        return inputs * from_numpy(scaled_mask(tuple(noise), float(self.rate), inputs.dtype))

    def _check_rank(self, shape: Shape) -> None:
        if len(shape) != self._rank:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects inputs of rank {self._rank}, "
                f"received shape {tuple(shape)}"
            )

    def get_config(self) -> dict:
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of ``(batch, steps, channels)`` inputs while training.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> y = keras.layers.SpatialDropout1D(0.5)(ns.ones(2, 4, 3), training=True)
    >>> bool((y.numpy() == y.numpy()[:, :1]).all()), sorted(set(y.flatten().tolist()) - {0, 2})
    (True, [])
    """

    def __init__(self, rate: float, seed=None, **kwargs) -> None:
        super().__init__(rate, None, seed, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of 4-D inputs (``data_format`` "channels_last": the channel
    axis is the last) while training.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.SpatialDropout2D(0.5)(ns.ones(2, 3, 3, 4)).shape
    (2, 3, 3, 4)
    """

    _rank = 4

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(SpatialDropout2D):
    """Drops whole feature maps of 5-D inputs while training (see ``SpatialDropout2D``).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.SpatialDropout3D(0.5)(ns.ones(1, 2, 2, 2, 3)).shape
    (1, 2, 2, 2, 3)
    """

    _rank = 5


class GaussianDropout(_NoiseLayer):
    """Multiplies the inputs by noise drawn from N(1, rate / (1 - rate)) while training.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.GaussianDropout(0.2)
    >>> layer(ns.ones(2)).tolist(), layer(ns.ones(1000), training=True).std().item() > 0.3
    ([1.0, 1.0], True)
    """

    def __init__(self, rate: float, seed=None, **kwargs) -> None:
        rate = _check_fraction("GaussianDropout", "rate", rate, upper_open=True)
        super().__init__(**kwargs)
        self.rate, self.seed = rate, seed

    def noisy(self, inputs: Tensor) -> Tensor:
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * _normal(inputs.shape, 1.0, stddev, inputs.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class GaussianNoise(_NoiseLayer):
    """Adds noise drawn from N(0, stddev**2) while training.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.GaussianNoise(0.1)
    >>> layer(ns.zeros(2)).tolist(), 0.05 < layer(ns.zeros(1000), training=True).std().item()
    ([0.0, 0.0], True)
    """

    def __init__(self, stddev: float, seed=None, **kwargs) -> None:
        stddev = _check_fraction("GaussianNoise", "stddev", stddev)
        super().__init__(**kwargs)
        self.stddev, self.seed = stddev, seed

    def _active(self) -> bool:
        return self.stddev > 0

    def noisy(self, inputs: Tensor) -> Tensor:
        return inputs + _normal(inputs.shape, 0.0, self.stddev, inputs.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class AlphaDropout(_NoiseLayer):
    """Dropout for SELU networks: dropped inputs become SELU's negative saturation value, and
    an affine map ``a x + b`` restores the inputs' mean and variance, while training.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.AlphaDropout(0.1)
    >>> layer(ns.ones(2)).tolist(), len(set(layer(ns.ones(100), training=True).tolist()))
    ([1.0, 1.0], 2)
    """

    def __init__(self, rate: float, noise_shape=None, seed=None, **kwargs) -> None:
        rate = _check_fraction("AlphaDropout", "rate", rate, upper_open=True)
        super().__init__(**kwargs)
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed

    def noisy(self, inputs: Tensor) -> Tensor:
        rate, saturation = self.rate, -_SELU_ALPHA * _SELU_SCALE
        shape = self._noise_shape(inputs.shape)
        kept = random.generator().random(shape, dtype=np.float32) >= rate
        a = ((1 - rate) * (1 + rate * saturation**2)) ** -0.5
        b = -a * saturation * rate
        # a (x kept + saturation (1 - kept)) + b, as a factor and a term
        factor = from_numpy((kept * a).astype(inputs.dtype))
        term = from_numpy(np.where(kept, b, a * saturation + b).astype(inputs.dtype))
        return inputs * factor + term

    def _noise_shape(self, shape: tuple) -> tuple:
        if self.noise_shape is None:
            return shape
        noise = tuple(s if n is None else n for n, s in zip(self.noise_shape, shape))
        if len(noise) != len(shape) or any(n not in (1, s) for n, s in zip(noise, shape)):
            raise ValueError(
                f"AlphaDropout '{self.name}' got noise_shape={self.noise_shape}, which does not "
                f"broadcast to the inputs' shape {shape}"
            )
        return noise

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "rate": self.rate,
            "noise_shape": self.noise_shape,
            "seed": self.seed,
        }
