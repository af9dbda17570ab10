"""``RepeatVector`` and ``Permute``: rearrange each sample's values without changing them."""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from .conv_utils import view_permuted
from .layer import Layer, Shape

__all__ = ["Permute", "RepeatVector"]


class RepeatVector(Layer):
    """``(batch, features)`` -> ``(batch, n, features)``: the vector repeated ``n`` times.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.RepeatVector(3)(ns.tensor([[1.0, 2.0]])).tolist()
    [[[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]]
    """

    _autocast = False
    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def __init__(self, n, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(
                f"RepeatVector '{self.name}': `n` must be a positive int, received n={n!r}"
            )
        self.n = int(n)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim != 2:
            raise ValueError(
                f"RepeatVector '{self.name}' expects 2-D inputs (batch, features), received "
                f"shape {tuple(inputs.shape)}"
            )
        return inputs.unsqueeze(1).expand(inputs.shape[0], self.n, inputs.shape[1])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Reorder the axes of each sample: ``dims`` is a permutation of ``1 .. rank`` (the batch
    axis, 0, stays first).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Permute((2, 1))(ns.zeros(4, 3, 5)).shape
    (4, 5, 3)
    """

    _autocast = False
    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def __init__(self, dims, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Permute '{self.name}': `dims` must be a permutation of 1 .. "
                f"{len(self.dims)} (the batch axis 0 is not permuted), received dims={dims!r}"
            )
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim != len(self.dims) + 1:
            raise ValueError(
                f"Permute '{self.name}' with dims={self.dims} expects {len(self.dims) + 1}-D "
                f"inputs, received shape {tuple(inputs.shape)}"
            )
        return view_permuted(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}
