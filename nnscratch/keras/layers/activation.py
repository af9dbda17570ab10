"""``Activation``: apply an activation function as a layer of its own."""

from __future__ import annotations

from ...autograd.tensor import Tensor
from .. import activations
from .layer import Layer

__all__ = ["Activation"]


class Activation(Layer):
    """Applies ``activation`` (a name such as ``"relu"``, or a callable) to its input.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Activation("relu")(ns.tensor([[-1.0, 2.0]])).tolist()
    [[0.0, 2.0]]
    """

    supports_masking = True  # elementwise: the mask passes through

    def __init__(self, activation, **kwargs) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
