"""``TimeDistributed``: apply one layer to every time step of a sequence, with shared weights."""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ..saving.serialization import deserialize_layer, serialize_layer
from .layer import Layer, Shape

__all__ = ["TimeDistributed"]


class TimeDistributed(Layer):
    """``(batch, steps, ...)`` -> ``layer`` on each ``(batch, ...)`` slice -> ``(batch, steps,
    ...)``. The steps are folded into the batch axis for one call of ``layer`` (one matrix
    product for a ``Dense``, instead of one per step); that is the same maths as Keras's call
    per step for every layer that treats samples independently. A layer that mixes samples
    (``BatchNormalization`` while training) would see all steps as one batch.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.TimeDistributed(keras.layers.Dense(4))
    >>> layer(ns.ones(2, 5, 3)).shape, [tuple(w.shape) for w in layer.weights]
    ((2, 5, 4), [(3, 4), (4,)])
    """

    supports_masking = True

    def __init__(self, layer: Layer, **kwargs) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer}"
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Shape) -> None:
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed '{self.name}': `TimeDistributed` Layer should be passed an "
                f"`input_shape` with at least 3 dimensions, received: {input_shape}"
            )
        if not self.layer.built:
            self.layer.build((input_shape[0], *input_shape[2:]))
        super().build(input_shape)

    call_takes_training = True  # call(inputs, training, mask)
    call_mask_arguments = ("mask",)

    def call(self, inputs: Tensor, training: bool = False, mask=None) -> Tensor:
        batch, steps = inputs.shape[:2]
        folded = inputs.reshape(batch * steps, *inputs.shape[2:])
        outputs = self.layer(folded, training=training)
        return outputs.reshape(batch, steps, *outputs.shape[1:])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        inner = self.layer.compute_output_shape((input_shape[0], *input_shape[2:]))
        return (input_shape[0], input_shape[1], *inner[1:])

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config: dict) -> TimeDistributed:
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"])
        return cls(**config)
