"""``Masking``: mark the time steps whose features all equal ``mask_value`` as padding."""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from .layer import Layer, Shape

__all__ = ["Masking"]


class Masking(Layer):
    """A step is kept where any feature differs from ``mask_value``; masked steps output
    zeros, and the mask (``(batch, steps)``, True where kept) goes on to the layers that use
    it (the recurrent layers skip masked steps).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> x = ns.tensor([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    >>> layer = keras.layers.Masking(mask_value=0.0)
    >>> layer.compute_mask(x).tolist(), layer(x).tolist()
    ([[True, False, True]], [[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    """

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.built = True

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def _kept(self, inputs: Tensor) -> np.ndarray:
        """``(batch, steps, 1)``: True where some feature differs from ``mask_value``."""
        return np.any(inputs.detach().numpy() != self.mask_value, axis=-1, keepdims=True)

    def call(self, inputs: Tensor) -> Tensor:
        kept = self._kept(inputs)
        return inputs * Tensor(kept.astype(inputs.dtype))

    def compute_mask(self, inputs, mask=None) -> Tensor:
        inputs = inputs if isinstance(inputs, Tensor) else Tensor(np.asarray(inputs))
        return Tensor(self._kept(inputs)[..., 0])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
