"""``DepthwiseConv1D`` and ``SeparableConv1D``: the 1-D depthwise and separable convolutions,
on the grouped ``conv1d`` op.

As in 2-D (``depthwise_conv.py``): each of the ``C`` input channels is filtered on its own by
``depth_multiplier`` kernels, a ``conv1d`` with ``groups = C``. Keras's kernel
``(k, C, depth_multiplier)`` reshaped to ``(k, 1, C * depth_multiplier)`` and permuted to
torch's ``(C * depth_multiplier, 1, k)`` puts output channel ``c * depth_multiplier + m`` on
channel ``c``'s kernel ``m``, Keras's order. The separable layer follows with a pointwise
(kernel size 1) ``conv1d`` of Keras's ``(1, C * depth_multiplier, filters)`` kernel.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.conv import conv1d
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
    to_channels_first,
    to_channels_last,
    view_permuted,
)
from .layer import Layer, Shape

__all__ = ["DepthwiseConv1D", "SeparableConv1D"]


class _Depthwise1D(Layer):
    """What both layers share: the depthwise arguments, checks and grouped ``conv1d``."""

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
        self.kernel_size = normalize_tuple(kernel_size, 1, "kernel_size", owner)
        self.strides = normalize_tuple(strides, 1, "strides", owner)
        self.padding = normalize_padding(padding, owner)
        self.depth_multiplier = normalize_tuple(depth_multiplier, 1, "depth_multiplier", owner)[0]
        self.data_format = normalize_data_format(data_format, owner)
        self.dilation_rate = normalize_tuple(dilation_rate, 1, "dilation_rate", owner)
        if self.strides[0] > 1 and self.dilation_rate[0] > 1:
            raise ValueError(
                f"{owner}: `strides > 1` is not supported together with `dilation_rate > 1`, "
                f"received strides={self.strides} and dilation_rate={self.dilation_rate}"
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
        check_rank(self._owner, shape, 1, self.data_format)
        channels = shape[-1 if self.data_format == "channels_last" else 1]
        if channels is None:
            raise ValueError(
                f"{self._owner} needs inputs with a known channel dimension, received shape "
                f"{tuple(shape)}"
            )
        return int(channels)

    def _steps_out(self, input_shape: Shape):
        """The output length (checks rank and, for 'valid', that the kernel fits)."""
        check_rank(self._owner, input_shape, 1, self.data_format)
        steps = input_shape[1 if self.data_format == "channels_last" else 2]
        if self.padding == "valid":
            check_fits(
                self._owner, "kernel size", self.kernel_size, self.dilation_rate, (steps,),
                input_shape,
            )  # fmt: skip
        k, s, d = self.kernel_size[0], self.strides[0], self.dilation_rate[0]
        return conv_length(steps, k, s, d, self.padding)

    def _build_depthwise(self, input_shape: Shape, kernel_name: str) -> None:
        self._input_channels = self._channels(input_shape)
        self._steps_out(input_shape)
        shape = (*self.kernel_size, self._input_channels, self.depth_multiplier)
        self.add_weight(
            shape, self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            name=kernel_name,
        )  # fmt: skip

    def _add_bias(self, size: int) -> None:
        if self.use_bias:
            self.add_weight(
                (size,), self.bias_initializer, regularizer=self.bias_regularizer, name="bias"
            )
        else:
            self.register_parameter("bias", None)

    def _depthwise(self, inputs: Tensor, kernel: Tensor, bias) -> Tensor:
        """The grouped convolution, channels first out; the input is checked first."""
        if self._channels(inputs.shape) != self._input_channels:
            raise ValueError(
                f"{self._owner} expects inputs with {self._input_channels} channels "
                f"({self.data_format}), received shape {tuple(inputs.shape)}"
            )
        self._steps_out(inputs.shape)
        x = to_channels_first(inputs, 1, self.data_format)
        if self.padding == "same":
            k, s, d = self.kernel_size[0], self.strides[0], self.dilation_rate[0]
            x = pad_spatial(x, [same_pads(x.shape[2], k, s, d)])
        channels = self._input_channels
        weight = kernel.reshape(self.kernel_size[0], 1, channels * self.depth_multiplier)
        weight = view_permuted(weight, (2, 1, 0))  # -> torch's (C * M, 1, k)
        return conv1d(x, weight, bias, self.strides, 0, self.dilation_rate, channels)

    def _with_channels(self, input_shape: Shape, channels) -> Shape:
        steps = self._steps_out(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0], steps, channels)
        return (input_shape[0], channels, steps)

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


class DepthwiseConv1D(_Depthwise1D):
    """Each input channel convolved over steps on its own with ``depth_multiplier`` kernels:
    ``channels * depth_multiplier`` outputs; ``kernel`` is ``(k, channels, depth_multiplier)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.DepthwiseConv1D(3, depth_multiplier=2, padding="same")
    >>> layer(ns.ones(1, 6, 3)).shape, layer.kernel.shape
    ((1, 6, 6), (3, 3, 2))
    """

    def __init__(
        self,
        kernel_size,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ) -> None:
        super().__init__(
            kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
            activation, use_bias, depthwise_initializer, bias_initializer,
            depthwise_regularizer, bias_regularizer, **kwargs,
        )  # fmt: skip

    def build(self, input_shape: Shape) -> None:
        self._build_depthwise(input_shape, "kernel")
        self._add_bias(self._input_channels * self.depth_multiplier)
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        y = self._depthwise(inputs, self.kernel, self.bias)
        return self.activation(to_channels_last(y, 1, self.data_format))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return self._with_channels(input_shape, self._channels(input_shape) * self.depth_multiplier)


class SeparableConv1D(_Depthwise1D):
    """A depthwise convolution over steps (``depthwise_kernel``, ``(k, channels,
    depth_multiplier)``), then a pointwise one (``pointwise_kernel``, ``(1, channels *
    depth_multiplier, filters)``), then ``bias`` and ``activation``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.SeparableConv1D(4, 3)
    >>> layer(ns.ones(1, 6, 3)).shape, [w.shape for w in layer.weights]
    ((1, 4, 4), [(3, 3, 1), (1, 3, 4), (4,)])
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
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
            kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
            activation, use_bias, depthwise_initializer, bias_initializer,
            depthwise_regularizer, bias_regularizer, **kwargs,
        )  # fmt: skip
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                f"{self._owner}: `filters` must be a positive int, received filters={filters!r}"
            )
        self.filters = filters
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)

    def build(self, input_shape: Shape) -> None:
        self._build_depthwise(input_shape, "depthwise_kernel")
        middle = self._input_channels * self.depth_multiplier
        self.add_weight(
            (1, middle, self.filters), self.pointwise_initializer,
            regularizer=self.pointwise_regularizer, name="pointwise_kernel",
        )  # fmt: skip
        self._add_bias(self.filters)
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        middle = self._depthwise(inputs, self.depthwise_kernel, None)
        pointwise = view_permuted(self.pointwise_kernel, (2, 1, 0))  # -> (filters, C * M, 1)
        y = conv1d(middle, pointwise, self.bias)
        return self.activation(to_channels_last(y, 1, self.data_format))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._channels(input_shape)
        return self._with_channels(input_shape, self.filters)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "pointwise_initializer": self.pointwise_initializer,
            "pointwise_regularizer": self.pointwise_regularizer,
        }
