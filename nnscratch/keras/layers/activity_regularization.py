"""``ActivityRegularization``: add an L1/L2 penalty on a layer's activations to the loss."""

from __future__ import annotations

from ...autograd.tensor import Tensor
from .. import regularizers
from .layer import Layer, Shape

__all__ = ["ActivityRegularization"]


class ActivityRegularization(Layer):
    """Returns its input, and adds ``l1 * sum(|x|) + l2 * sum(x**2)`` over the batch,
    divided by the batch size, to the model's loss (``add_loss``), as Keras 3 does for a
    layer's ``activity_regularizer``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.ActivityRegularization(l1=0.5)
    >>> _ = layer(ns.tensor([[1.0, -2.0], [3.0, 0.0]]))
    >>> [float(t) for t in layer.losses]  # 0.5 * 6 / 2 samples
    [1.5]
    """

    supports_masking = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self._penalty = regularizers.L1L2(l1=self.l1, l2=self.l2)
        self.built = True

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        batch = inputs.shape[0] if inputs.ndim else 1
        self.add_loss(self._penalty(inputs) / batch)
        return inputs

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
