"""Adaptive pooling: ``AdaptiveAveragePooling1D/2D`` and ``AdaptiveMaxPooling1D/2D``.

Instead of a window size, the layer is given the size of its output: each spatial dim of
length ``n`` is cut into ``out`` bins, bin ``i`` covering ``[floor(i n / out),
ceil((i + 1) n / out))`` (bins may overlap by one when ``out`` does not divide ``n``), and
each bin is averaged or maxed. So any input length gives the same output shape, as in a
classifier head that must take images of several sizes. The average is the
``adaptive_avg_pool1d/2d`` op (torch's, whose bins these are); the maximum is one ``amax``
per bin, joined with ``cat``: the ops' gradients throughout.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.checks import is_int
from ...ops.extremes import amax
from ...ops.movement import cat
from ...ops.pooling import adaptive_avg_pool1d, adaptive_avg_pool2d
from ...ops.reshaping import narrow
from .conv_utils import check_rank, normalize_data_format, to_channels_first, to_channels_last
from .layer import Layer, Shape

__all__ = [
    "AdaptiveAveragePooling1D",
    "AdaptiveAveragePooling2D",
    "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D",
]


def _adaptive_max(x: Tensor, output_size: tuple) -> Tensor:
    """The maximum over each bin of each spatial dim of channels-first ``x``, one dim at a
    time (a max over a box is the max over its rows of the max over its columns)."""
    for axis, out in enumerate(output_size, start=2):
        n = x.shape[axis]
        edges = [(i * n // out, -(-(i + 1) * n // out)) for i in range(out)]
        x = cat([amax(narrow(x, axis, a, b - a), axis, keepdim=True) for a, b in edges], axis)
    return x


class _AdaptivePooling(Layer):
    """The shared part: ``output_size`` (one int per spatial dim), ``data_format``, shapes."""

    rank = 1
    _op = None  # the channels-first pooling: (x, output_size) -> pooled x

    def __init__(self, output_size, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        sizes = (output_size,) * self.rank if is_int(output_size) else output_size
        if not isinstance(sizes, (tuple, list)) or len(sizes) != self.rank:
            raise TypeError(
                f"{owner}: `output_size` must be an int or a tuple of {self.rank} ints, "
                f"received output_size={output_size!r}"
            )
        if not all(is_int(s) and s > 0 for s in sizes):
            raise ValueError(
                f"{owner}: `output_size` must hold positive ints, received "
                f"output_size={output_size!r}"
            )
        self.output_size = tuple(int(s) for s in sizes)
        self.data_format = normalize_data_format(data_format, owner)
        self.built = True

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        self.compute_output_shape(inputs.shape)
        x = to_channels_first(inputs, self.rank, self.data_format)
        y = type(self)._op(x, self.output_size)
        return to_channels_last(y, self.rank, self.data_format)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(f"{type(self).__name__} '{self.name}'", input_shape, self.rank,
                   self.data_format)  # fmt: skip
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "output_size": self.output_size,
            "data_format": self.data_format,
        }


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """The mean of each of ``output_size`` bins of steps: ``(batch, steps, channels)`` ->
    ``(batch, output_size, channels)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> x = ns.tensor([[[1.0], [2.0], [3.0], [4.0], [5.0]]])
    >>> keras.layers.AdaptiveAveragePooling1D(2)(x).tolist()
    [[[2.0], [4.0]]]
    """

    rank = 1
    _op = staticmethod(lambda x, size: adaptive_avg_pool1d(x, size[0]))


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """The mean of each bin of an ``output_size`` grid (an int or ``(height, width)``).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.AdaptiveAveragePooling2D((2, 3))(ns.ones(1, 7, 5, 4)).shape
    (1, 2, 3, 4)
    """

    rank = 2
    _op = staticmethod(adaptive_avg_pool2d)


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """The maximum of each of ``output_size`` bins of steps.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> x = ns.tensor([[[1.0], [5.0], [3.0], [4.0], [2.0]]])
    >>> keras.layers.AdaptiveMaxPooling1D(2)(x).tolist()
    [[[5.0], [4.0]]]
    """

    rank = 1
    _op = staticmethod(_adaptive_max)


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """The maximum of each bin of an ``output_size`` grid (an int or ``(height, width)``).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.AdaptiveMaxPooling2D(1, data_format="channels_first")
    >>> layer(ns.ones(2, 3, 4, 4)).shape
    (2, 3, 1, 1)
    """

    rank = 2
    _op = staticmethod(_adaptive_max)
