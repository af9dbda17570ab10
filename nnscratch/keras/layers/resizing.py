"""``UpSampling1D`` and ``UpSampling2D``: make each sample longer or larger by whole factors.

'nearest' repeats every step or pixel ``size`` times (``repeat_interleave``). UpSampling2D's
'bilinear' mixes the two nearest input pixels along each spatial axis, with half-pixel
centres (an output pixel ``o`` sits at input position ``(o + 0.5) / size - 0.5``, clamped to
the edges), as Keras's ``ops.image.resize`` without antialiasing: one constant
``(out, in)`` matrix per axis, applied with ``matmul``, so the gradient is the ops'.
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...ops import matmul
from .conv_utils import (
    check_rank,
    normalize_data_format,
    normalize_tuple,
    to_channels_first,
    to_channels_last,
)
from .layer import Layer, Shape

__all__ = ["UpSampling1D", "UpSampling2D"]


def _times(size, factor: int):
    return None if size is None else size * factor


class UpSampling1D(Layer):
    """``(batch, steps, features)`` -> ``(batch, steps * size, features)``, each step repeated.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.UpSampling1D(2)(ns.tensor([[[1.0], [2.0]]])).tolist()
    [[[1.0], [1.0], [2.0], [2.0]]]
    """

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def __init__(self, size=2, **kwargs) -> None:
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 1, "size", f"UpSampling1D '{self.name}'")[0]
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        check_rank(f"UpSampling1D '{self.name}'", inputs.shape, 1, "channels_last")
        return inputs.repeat_interleave(self.size, dim=1)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], _times(input_shape[1], self.size), input_shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}


class UpSampling2D(Layer):
    """Images ``size[0]`` times taller and ``size[1]`` times wider: 'nearest' repeats pixels,
    'bilinear' interpolates them.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> x = ns.tensor([[[[0.0], [4.0]]]])  # one image of 1 x 2 pixels
    >>> keras.layers.UpSampling2D((1, 2), interpolation="bilinear")(x)[0, 0, :, 0].tolist()
    [0.0, 1.0, 3.0, 4.0]
    """

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs) -> None:
        super().__init__(**kwargs)
        owner = f"UpSampling2D '{self.name}'"
        self.size = normalize_tuple(size, 2, "size", owner)
        self.data_format = normalize_data_format(data_format, owner)
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in ("nearest", "bilinear"):
            raise ValueError(
                f"{owner}: `interpolation` must be 'nearest' or 'bilinear' (the others of Keras "
                f"are not built in nnscratch), received interpolation={interpolation!r}"
            )
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        check_rank(f"UpSampling2D '{self.name}'", inputs.shape, 2, self.data_format)
        x = to_channels_first(inputs, 2, self.data_format)
        if self.interpolation == "nearest":
            y = x.repeat_interleave(self.size[0], dim=2).repeat_interleave(self.size[1], dim=3)
        else:
            rows = _bilinear_matrix(x.shape[2], self.size[0], x.dtype)
            cols = _bilinear_matrix(x.shape[3], self.size[1], x.dtype)
            y = matmul(matmul(Tensor(rows), x), Tensor(np.ascontiguousarray(cols.T)))
        return to_channels_last(y, 2, self.data_format)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, a, b, c = input_shape
        if self.data_format == "channels_first":
            return (n, a, _times(b, self.size[0]), _times(c, self.size[1]))
        return (n, _times(a, self.size[0]), _times(b, self.size[1]), c)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }


def _bilinear_matrix(size: int, factor: int, dtype) -> np.ndarray:
    """The ``(size * factor, size)`` matrix of linear interpolation with half-pixel centres.

    >>> _bilinear_matrix(2, 2, np.float64).tolist()
    [[1.0, 0.0], [0.75, 0.25], [0.25, 0.75], [0.0, 1.0]]
    """
    position = np.maximum((np.arange(size * factor) + 0.5) / factor - 0.5, 0.0)
    low = np.minimum(np.floor(position).astype(np.int64), size - 1)
    high = np.minimum(low + 1, size - 1)
    frac = position - low
    matrix = np.zeros((size * factor, size))
    rows = np.arange(size * factor)
    np.add.at(matrix, (rows, low), 1.0 - frac)
    np.add.at(matrix, (rows, high), frac)
    return matrix.astype(dtype)
