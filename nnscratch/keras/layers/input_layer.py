"""``Input`` and ``InputLayer``: declare a model's input shape, so it builds without data."""

from __future__ import annotations

import numpy as np

from .keras_tensor import KerasTensor, Node
from .layer import Layer, Shape

__all__ = ["Input", "InputLayer", "KerasTensor"]


def _standardize_shape(shape) -> Shape:
    if shape is None or isinstance(shape, (int, str)) or not hasattr(shape, "__iter__"):
        raise ValueError(
            f"Cannot convert '{shape}' to a shape: expected a tuple of dimensions such as (2,) "
            "(None for an unknown size)"
        )
    return tuple(None if d is None else int(d) for d in shape)


class InputLayer(Layer):
    """The layer behind ``Input``: holds ``batch_shape = (batch_size, *shape)``; passes data on.

    >>> from nnscratch import keras
    >>> keras.layers.InputLayer(shape=(2,)).batch_shape
    (None, 2)
    """

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        batch_shape=None,
        name=None,
        sparse=False,
        ragged=False,
        optional=False,
        **kwargs,
    ):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse or ragged or optional:
            raise NotImplementedError(
                f"InputLayer '{self.name}': sparse, ragged and optional inputs are not "
                f"supported, received sparse={sparse}, ragged={ragged}, optional={optional}"
            )
        if (shape is None) == (batch_shape is None):
            raise ValueError(
                "You must pass exactly one of `shape` or `batch_shape` to Input. "
                f"Received: shape={shape}, batch_shape={batch_shape}"
            )
        if batch_shape is not None:
            self.batch_shape = _standardize_shape(batch_shape)
        else:
            self.batch_shape = (batch_size, *_standardize_shape(shape))
        self.built = True
        self.output = KerasTensor(self.batch_shape, self.dtype, name=self.name)
        Node(self, None, {}, [self.output])

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return self.batch_shape

    def get_config(self) -> dict:
        return {"batch_shape": self.batch_shape, "dtype": self.dtype, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, batch_shape=None, name=None) -> KerasTensor:  # noqa: N802 (Keras's name)
    """A symbolic input of ``shape`` (no batch dimension): the start of a functional model
    (``keras.Model(inputs, outputs)``) or of a ``Sequential`` one.

    >>> from nnscratch import keras
    >>> keras.layers.Input(shape=(2,)).shape
    (None, 2)
    """
    dtype = np.dtype(dtype or "float32").name
    layer = InputLayer(shape, batch_size, dtype, batch_shape, name)
    return layer.output
