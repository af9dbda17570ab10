"""``DepthwiseConv2D`` and ``SeparableConv2D``, on the grouped ``conv2d`` op.

A depthwise convolution filters each input channel on its own with ``depth_multiplier``
kernels: a ``conv2d`` with ``groups = channels``. Keras stores that kernel as
``(kh, kw, channels, depth_multiplier)``; output channel ``c * depth_multiplier + m`` is
channel ``c`` through kernel ``m``, which is the kernel reshaped to
``(kh, kw, 1, channels * depth_multiplier)`` and permuted to torch's
``(channels * depth_multiplier, 1, kh, kw)``: two views whose gradients are the ops'.
A separable convolution follows it with a pointwise (1 x 1) ``conv2d`` of Keras's
``(1, 1, channels * depth_multiplier, filters)`` kernel; the bias comes last.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.conv import conv2d
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

__all__ = ["DepthwiseConv2D", "SeparableConv2D"]


class _Depthwise(Layer):
    """The depthwise part both layers share: arguments, checks, padding and the grouped op."""

    def __init__(
        self,
        kernel_size,
        strides,
        padding,
        depth_multiplier,
        data_format,
        dilation_rate,
        activation,
        use_bias,
        depthwise_initializer,
        bias_initializer,
        depthwise_regularizer,
        bias_regularizer,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        owner = self._owner
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size", owner)
        self.strides = normalize_tuple(strides, 2, "strides", owner)
        self.padding = normalize_padding(padding, owner)
        self.depth_multiplier = normalize_tuple(depth_multiplier, 1, "depth_multiplier", owner)[0]
        self.data_format = normalize_data_format(data_format, owner)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate", owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{owner}: `strides > 1` is not supported together with "
                f"`dilation_rate > 1`, received strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    @property
    def _owner(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def _channels(self, shape: Shape) -> int:
        check_rank(self._owner, shape, 2, self.data_format)
        channels = shape[-1 if self.data_format == "channels_last" else 1]
        if channels is None:
            raise ValueError(
                f"{self._owner} needs inputs with a known channel dimension, "
                f"received shape {tuple(shape)}"
            )
        return int(channels)

    def _add_depthwise_kernel(self, channels: int, name: str) -> None:
        shape = (*self.kernel_size, channels, self.depth_multiplier)
        self.add_weight(
            shape, self.depthwise_initializer, regularizer=self.depthwise_regularizer, name=name
        )

    def _add_bias(self, size: int) -> None:
        if self.use_bias:
            self.add_weight(
                (size,), self.bias_initializer, regularizer=self.bias_regularizer, name="bias"
            )
        else:
            self.register_parameter("bias", None)

    def _depthwise(self, inputs: Tensor, kernel: Tensor, bias) -> Tensor:
        """The grouped convolution of channels-first ``x`` (checked), bias optional."""
        self.compute_output_shape(inputs.shape)
        if self._channels(inputs.shape) != self._input_channels:
            raise ValueError(
                f"{self._owner} expects inputs with {self._input_channels} "
                f"channels ({self.data_format}), received shape "
                f"{tuple(inputs.shape)}"
            )
        x = to_channels_first(inputs, 2, self.data_format)
        pads = [(0, 0), (0, 0)]
        if self.padding == "same":
            pads = [
                same_pads(n, k, s, d)
                for n, k, s, d in zip(
                    x.shape[2:], self.kernel_size, self.strides, self.dilation_rate
                )
            ]
        channels = self._input_channels
        # (kh, kw, C, M) -> (kh, kw, 1, C * M) -> torch's (C * M, 1, kh, kw)
        weight = kernel.reshape(*self.kernel_size, 1, channels * self.depth_multiplier)
        weight = view_permuted(weight, (3, 2, 0, 1))
        return conv2d(
            pad_spatial(x, pads), weight, bias, self.strides, 0, self.dilation_rate, channels
        )

    def _spatial_out(self, input_shape: Shape) -> tuple:
        check_rank(self._owner, input_shape, 2, self.data_format)
        sizes = spatial_dims(input_shape, self.data_format)
        if self.padding == "valid":
            check_fits(
                self._owner, "kernel size", self.kernel_size, self.dilation_rate, sizes, input_shape
            )
        return tuple(
            conv_length(n, k, s, d, self.padding)
            for n, k, s, d in zip(sizes, self.kernel_size, self.strides, self.dilation_rate)
        )

    def _with_channels(self, input_shape: Shape, spatial: tuple, channels) -> Shape:
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, channels)
        return (input_shape[0], channels, *spatial)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": self.depthwise_initializer,
            "bias_initializer": self.bias_initializer,
            "depthwise_regularizer": self.depthwise_regularizer,
            "bias_regularizer": self.bias_regularizer,
        }


class DepthwiseConv2D(_Depthwise):
    """Each input channel convolved on its own with ``depth_multiplier`` kernels:
    ``channels * depth_multiplier`` output channels. The kernel is Keras's
    ``(kh, kw, channels, depth_multiplier)`` and is named ``kernel``, as Keras names it.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    >>> layer(ns.ones(1, 5, 5, 3)).shape, layer.kernel.shape
    ((1, 5, 5, 6), (3, 3, 3, 2))
    """

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ) -> None:
        super().__init__(
            kernel_size,
            strides,
            padding,
            depth_multiplier,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            depthwise_initializer,
            bias_initializer,
            depthwise_regularizer,
            bias_regularizer,
            **kwargs,
        )

    def build(self, input_shape: Shape) -> None:
        self._input_channels = self._channels(input_shape)
        self._spatial_out(input_shape)  # a kernel larger than the input fails here
        self._add_depthwise_kernel(self._input_channels, "kernel")
        self._add_bias(self._input_channels * self.depth_multiplier)
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        y = self._depthwise(inputs, self.kernel, self.bias)
        return self.activation(to_channels_last(y, 2, self.data_format))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        channels = self._channels(input_shape) * self.depth_multiplier
        return self._with_channels(input_shape, self._spatial_out(input_shape), channels)


class SeparableConv2D(_Depthwise):
    """A depthwise convolution (``depthwise_kernel``, ``(kh, kw, channels,
    depth_multiplier)``) then a pointwise one (``pointwise_kernel``, ``(1, 1, channels *
    depth_multiplier, filters)``), then ``bias`` and ``activation``: Keras's names and layouts.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.SeparableConv2D(4, 3)
    >>> layer(ns.ones(1, 5, 5, 3)).shape, [w.shape for w in layer.weights]
    ((1, 3, 3, 4), [(3, 3, 3, 1), (1, 1, 3, 4), (4,)])
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ) -> None:
        super().__init__(
            kernel_size,
            strides,
            padding,
            depth_multiplier,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            depthwise_initializer,
            bias_initializer,
            depthwise_regularizer,
            bias_regularizer,
            **kwargs,
        )
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                f"{self._owner}: `filters` must be a positive int, received filters={filters!r}"
            )
        self.filters = filters
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)

    def build(self, input_shape: Shape) -> None:
        self._input_channels = self._channels(input_shape)
        self._spatial_out(input_shape)
        self._add_depthwise_kernel(self._input_channels, "depthwise_kernel")
        middle = self._input_channels * self.depth_multiplier
        self.add_weight(
            (1, 1, middle, self.filters),
            self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            name="pointwise_kernel",
        )
        self._add_bias(self.filters)
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        middle = self._depthwise(inputs, self.depthwise_kernel, None)
        pointwise = view_permuted(self.pointwise_kernel, (3, 2, 0, 1))  # -> (filters, C*M, 1, 1)
        y = conv2d(middle, pointwise, self.bias)
        return self.activation(to_channels_last(y, 2, self.data_format))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._channels(input_shape)
        return self._with_channels(input_shape, self._spatial_out(input_shape), self.filters)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "pointwise_initializer": self.pointwise_initializer,
            "pointwise_regularizer": self.pointwise_regularizer,
        }
