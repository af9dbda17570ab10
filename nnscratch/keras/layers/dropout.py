"""``Dropout``: zero a fraction of the inputs while training, scaling the rest up."""

from __future__ import annotations

from numbers import Real

from ...autograd.tensor import Tensor
from ...nn.dropout import dropout
from .layer import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """While training, zeroes each input with probability ``rate`` and scales the others by
    ``1 / (1 - rate)``; outside training (``predict``, ``evaluate``) it passes inputs through.

    Masks come from nnscratch's global generator (``keras.utils.set_random_seed``).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.Dropout(0.5)
    >>> layer(ns.ones(1, 4)).tolist()
    [[1.0, 1.0, 1.0, 1.0]]
    >>> sorted(set(layer(ns.ones(1, 100), training=True).flatten().tolist()))
    [0.0, 2.0]
    """

    supports_masking = True  # elementwise: the mask passes through

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        if isinstance(rate, bool) or not isinstance(rate, Real) or not 0 <= rate < 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float "
                f"value between 0 and 1. Received: rate={rate}"
            )
        if noise_shape is not None:
            raise NotImplementedError("Dropout(noise_shape=...) is not supported yet")
        super().__init__(**kwargs)
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed
        self.built = True

    call_takes_training = True  # call(inputs, training)
    call_mask_arguments = ()

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if training and self.rate > 0:
            return dropout(inputs, float(self.rate), training=True)
        return inputs

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "rate": self.rate,
            "noise_shape": self.noise_shape,
            "seed": self.seed,
        }
