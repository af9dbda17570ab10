"""``Flatten`` and ``Reshape``: change the shape of each sample, keeping the batch dimension."""

from __future__ import annotations

import math

from ...autograd.tensor import Tensor
from .conv_utils import normalize_data_format
from .layer import Layer, Shape

__all__ = ["Flatten", "Reshape"]


class Flatten(Layer):
    """``(batch, d1, d2, ...)`` -> ``(batch, d1 * d2 * ...)``; a 1-D input becomes ``(batch, 1)``.

    The features come out in channels-last order whatever ``data_format`` says (``None`` means
    ``"channels_last"``): with ``"channels_first"`` the channel axis (1) is first moved to the
    end, so a ``Dense`` after it sees the same features as after a channels-last model.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Flatten()(ns.zeros(4, 3, 2)).shape
    (4, 6)
    >>> x = ns.arange(6.0).reshape(1, 3, 2)  # 3 channels of 2 steps
    >>> keras.layers.Flatten(data_format="channels_first")(x).tolist()
    [[0.0, 2.0, 4.0, 1.0, 3.0, 5.0]]
    """

    _autocast = False

    def __init__(self, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, f"Flatten '{self.name}'")
        self.built = True

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.movedim(1, -1)
        return inputs.reshape(inputs.shape[0], math.prod(inputs.shape[1:]))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (no batch dimension; one entry may be -1).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Reshape((3, -1))(ns.zeros(4, 12)).shape
    (4, 3, 4)
    """

    _autocast = False

    def __init__(self, target_shape, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1 or any(
            d < -1 or d == 0 for d in self.target_shape
        ):
            raise ValueError(
                f"Reshape target_shape must hold positive sizes and at most one -1, "
                f"received {self.target_shape}"
            )
        self.built = True

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        target = self.compute_output_shape(inputs.shape)
        return inputs.reshape(*target)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        size = None if None in input_shape[1:] else math.prod(input_shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if size is not None and (size % known if -1 in self.target_shape else size != known):
            raise ValueError(
                f"Reshape '{self.name}': the total size of the output array must be unchanged. "
                f"Input shape: {tuple(input_shape)}, target_shape: {self.target_shape}"
            )
        free = None if size is None else size // known
        return (input_shape[0], *(free if d == -1 else d for d in self.target_shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}
