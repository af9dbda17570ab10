"""``Conv1D`` and ``Conv2D``: Keras's convolution layers, on the ``conv1d`` / ``conv2d`` ops.

The kernel has Keras's layout ``(*kernel_size, in_channels / groups, filters)``; inside
``call`` it is seen in torch's ``(filters, in_channels / groups, *kernel_size)`` through a
``permute`` view, and channels-last inputs are moved to channels first the same way, so the
derivatives all come from the ops. Keras's 'same' padding puts an odd extra pixel after (the
ops pad symmetrically), so uneven padding is done beforehand with ``pad``.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.conv import conv1d, conv2d
from .. import activations, initializers, regularizers
from .conv_utils import (
    check_fits,
    check_rank,
    conv_length,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
    pad_spatial,
    same_pads,
    spatial_dims,
    to_channels_first,
    to_channels_last,
    view_permuted,
)
from .layer import Layer, Shape

__all__ = ["BaseConv", "Conv1D", "Conv2D"]


class BaseConv(Layer):
    """What every Keras convolution shares: its configuration, weights and argument checks.

    Subclasses set ``rank`` (spatial dims) and write ``build``, ``call`` and
    ``compute_output_shape``; ``_paddings`` lists the padding modes they accept.
    """

    rank = 2
    _paddings = ("valid", "same")

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=1,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = positive_int(filters, "filters", self._owner)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size", self._owner)
        self.strides = normalize_tuple(strides, self.rank, "strides", self._owner)
        self.padding = normalize_padding(padding, self._owner, self._paddings)
        self.data_format = normalize_data_format(data_format, self._owner)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate", self._owner)
        check_strides_or_dilation(self._owner, self.strides, self.dilation_rate)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    @property
    def _owner(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _input_channels(self, input_shape: Shape) -> int:
        """The channel count of a build shape, checked for rank and presence."""
        check_rank(self._owner, input_shape, self.rank, self.data_format)
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(
                f"{self._owner} needs inputs with a known channel dimension ({self.data_format})"
                f", received shape {tuple(input_shape)}"
            )
        return int(channels)

    def _add_weights(self, kernel_shape: tuple) -> None:
        self.add_weight(
            kernel_shape,
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        if self.use_bias:
            self.add_weight(
                (self.filters,),
                self.bias_initializer,
                regularizer=self.bias_regularizer,
                name="bias",
            )
        else:
            self.register_parameter("bias", None)

    def _check_call_input(self, shape: tuple, channels: int) -> None:
        check_rank(self._owner, shape, self.rank, self.data_format)
        if shape[self._channel_axis()] != channels:
            where = "last axis" if self.data_format == "channels_last" else "axis 1"
            raise ValueError(
                f"{self._owner} expects inputs with {channels} channels ({self.data_format}: "
                f"{where}), received shape {tuple(shape)}"
            )

    def _with_output_channels(self, input_shape: Shape, spatial: tuple) -> Shape:
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, self.filters)
        return (input_shape[0], self.filters, *spatial)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer,
            "bias_initializer": self.bias_initializer,
            "kernel_regularizer": self.kernel_regularizer,
            "bias_regularizer": self.bias_regularizer,
        }


class _Conv(BaseConv):
    """A convolution of ``rank`` spatial dims with ``groups``: Conv1D and Conv2D."""

    _op = None  # the channels-first op: conv1d or conv2d

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        groups: int = 1,
        **kwargs,
    ) -> None:
        super().__init__(
            filters, kernel_size, strides, padding, data_format, dilation_rate, **kwargs
        )
        self.groups = positive_int(groups, "groups", self._owner)
        if self.filters % self.groups:
            raise ValueError(
                f"{self._owner}: the number of filters must be divisible by the number of "
                f"groups, received filters={self.filters}, groups={self.groups}"
            )

    def build(self, input_shape: Shape) -> None:
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"{self._owner}: the number of input channels must be divisible by the number "
                f"of groups, received groups={self.groups} and input shape {tuple(input_shape)}"
            )
        self.compute_output_shape(input_shape)  # a kernel larger than the input fails here
        self.input_channels = channels
        self._add_weights((*self.kernel_size, channels // self.groups, self.filters))
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        self._check_call_input(inputs.shape, self.input_channels)
        if self.padding == "valid":  # the only padding a kernel can outgrow
            self.compute_output_shape(inputs.shape)
        x = to_channels_first(inputs, self.rank, self.data_format)
        x, padding = self._padded(x)
        # (*k, in/g, out) -> torch's (out, in/g, *k): a view; its gradient flows back through it
        kernel = view_permuted(self.kernel, (self.rank + 1, self.rank, *range(self.rank)))
        y = self._op(x, kernel, self.bias, self.strides, padding, self.dilation_rate, self.groups)
        return self.activation(to_channels_last(y, self.rank, self.data_format))

    def _padded(self, x: Tensor) -> tuple[Tensor, tuple]:
        """The input, padded beforehand when the ops cannot (uneven or causal), and the
        symmetric padding left for the op."""
        none = (0,) * self.rank
        if self.padding == "valid":
            return x, none
        if self.padding == "causal":  # all of it before: output t sees inputs up to t
            return pad_spatial(x, [(self.dilation_rate[0] * (self.kernel_size[0] - 1), 0)]), none
        pads = [
            same_pads(n, k, s, d)
            for n, k, s, d in zip(x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)
        ]
        if all(before == after for before, after in pads):
            return x, tuple(before for before, _ in pads)
        return pad_spatial(x, pads), none

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return self._with_output_channels(input_shape, output_spatial(self, input_shape))

    def get_config(self) -> dict:
        config = super().get_config()
        return {**config, "groups": self.groups}


class Conv1D(_Conv):
    """A 1-D convolution over steps: ``activation(conv1d(inputs, kernel) + bias)``.

    Inputs are ``(batch, steps, channels)`` (``data_format="channels_last"``, the default) or
    ``(batch, channels, steps)``; the kernel is ``(kernel_size, channels / groups, filters)``.
    ``padding`` is 'valid', 'same' (``ceil(steps / strides)`` outputs, an odd extra pixel of
    padding after) or 'causal' (all the padding before, so output ``t`` sees inputs up to ``t``).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.Conv1D(4, 3, padding="same")
    >>> layer(ns.ones(2, 10, 3)).shape, layer.kernel.shape
    ((2, 10, 4), (3, 3, 4))
    """

    rank = 1
    _paddings = ("valid", "same", "causal")
    _op = staticmethod(conv1d)


class Conv2D(_Conv):
    """A 2-D convolution over images: ``activation(conv2d(inputs, kernel) + bias)``.

    Inputs are ``(batch, height, width, channels)`` (``data_format="channels_last"``, the
    default) or ``(batch, channels, height, width)``; the kernel is
    ``(kh, kw, channels / groups, filters)``, Keras's layout, so weights copy across with
    ``get_weights`` / ``set_weights``. 'same' padding gives ``ceil(size / strides)`` outputs,
    with any odd pixel of padding on the bottom/right, as Keras.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")
    >>> layer(ns.ones(2, 7, 7, 3)).shape, layer.kernel.shape
    ((2, 4, 4, 8), (3, 3, 3, 8))
    """

    rank = 2
    _op = staticmethod(conv2d)


def positive_int(value, name: str, owner: str) -> int:
    """``value`` if it is a positive int (not a bool), else an error naming ``owner``."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{owner}: `{name}` must be a positive int, received {name}={value!r}")
    return value


def check_strides_or_dilation(owner: str, strides: tuple, dilation_rate: tuple) -> None:
    """Refuse strides and dilation both above 1, which Keras does not support together."""
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(
            f"{owner}: `strides > 1` is not supported together with `dilation_rate > 1`, "
            f"received strides={strides} and dilation_rate={dilation_rate}"
        )


def output_spatial(layer, input_shape: Shape) -> tuple:
    """The spatial output sizes of a convolution ``layer`` (its ``rank``, ``data_format``,
    ``padding``, ``kernel_size``, ``strides`` and ``dilation_rate``) on ``input_shape``,
    after checking the rank and, for 'valid' padding, that the (dilated) kernel fits."""
    check_rank(layer._owner, input_shape, layer.rank, layer.data_format)
    sizes = spatial_dims(input_shape, layer.data_format)
    if layer.padding == "valid":
        check_fits(
            layer._owner, "kernel size", layer.kernel_size, layer.dilation_rate, sizes, input_shape
        )
    windows = zip(sizes, layer.kernel_size, layer.strides, layer.dilation_rate)
    return tuple(conv_length(n, k, s, d, layer.padding) for n, k, s, d in windows)
