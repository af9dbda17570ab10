"""``Conv1DTranspose``: the transposed convolution over steps, on the ``conv_transpose1d`` op.

It is ``Conv2DTranspose`` with one spatial dim: the same output lengths and the same window of
the full result ('valid' / 'same' / ``output_padding``), worked out by the 2-D layer's
rank-generic geometry; only the op and the kernel view differ. The kernel has Keras's layout
``(kernel_size, filters, channels)``, seen as torch's ``(channels, filters, kernel_size)``.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.conv import conv_transpose1d
from .conv_transpose import Conv2DTranspose
from .conv_utils import pad_spatial, to_channels_first, to_channels_last, view_permuted

__all__ = ["Conv1DTranspose"]


class Conv1DTranspose(Conv2DTranspose):
    """A 1-D transposed convolution: inputs ``(batch, steps, channels)`` (or channels first),
    kernel ``(kernel_size, filters, channels)``. 'same' padding makes ``steps * strides``
    outputs; ``output_padding`` (smaller than ``strides``) adds steps at the end.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.Conv1DTranspose(4, 3, strides=2, padding="same")
    >>> layer(ns.ones(2, 5, 3)).shape, layer.kernel.shape
    ((2, 10, 4), (3, 4, 3))
    """

    rank = 1

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
        **kwargs,
    ) -> None:
        super().__init__(
            filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
            **kwargs,
        )  # fmt: skip

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        self._check_call_input(inputs.shape, self.input_channels)
        self.compute_output_shape(inputs.shape)  # an empty output fails here
        x = to_channels_first(inputs, 1, self.data_format)
        padding, extra, crop = self._window(x.shape[2], 0)
        kernel = view_permuted(self.kernel, (2, 1, 0))  # (k, filters, in) -> (in, filters, k)
        y = conv_transpose1d(
            x, kernel, self.bias, self.strides, padding, extra, dilation=self.dilation_rate
        )
        y = pad_spatial(y, [(-crop[0], -crop[1])])
        return self.activation(to_channels_last(y, 1, self.data_format))
