"""``Identity``: returns its input unchanged (a placeholder in a model, or a skip path)."""

from __future__ import annotations

from .layer import Layer, Shape

__all__ = ["Identity"]


class Identity(Layer):
    """Returns its input (a tensor or a structure of them) as it is; a mask passes through.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Identity()(ns.tensor([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """

    supports_masking = True
    _autocast = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.built = True

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape
