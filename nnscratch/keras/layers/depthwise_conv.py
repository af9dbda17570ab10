"""``DepthwiseConv2D`` and ``SeparableConv2D``, on the grouped ``conv2d`` op, and the
rank-generic bases that ``DepthwiseConv1D`` and ``SeparableConv1D`` (``depthwise_conv1d.py``)
share with them.

A depthwise convolution filters each input channel on its own with ``depth_multiplier``
kernels: a ``conv2d`` (``conv1d`` in 1-D) with ``groups = channels``. Keras stores that kernel
as ``(*kernel_size, channels, depth_multiplier)``; output channel ``c * depth_multiplier + m``
is channel ``c`` through kernel ``m``, which is the kernel reshaped to
``(*kernel_size, 1, channels * depth_multiplier)`` and permuted to torch's
``(channels * depth_multiplier, 1, *kernel_size)``: two views whose gradients are the ops'.
A separable convolution follows it with a pointwise (kernel size 1) convolution of Keras's
``(1, ..., 1, channels * depth_multiplier, filters)`` kernel; the bias comes last.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.conv import conv2d
from .. import activations, initializers, regularizers
from .conv_utils import (
    check_rank,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
    pad_spatial,
    same_pads,
    to_channels_first,
    to_channels_last,
    view_permuted,
)
from .convolutional import check_strides_or_dilation, output_spatial, positive_int
from .layer import Layer, Shape

__all__ = ["DepthwiseConv2D", "SeparableConv2D"]


class _Depthwise(Layer):
    """The depthwise part every depthwise and separable layer shares, in ``rank`` spatial dims
    run by the grouped channels-first ``_op`` (``conv1d`` or ``conv2d``): the arguments, the
    checks, the depthwise kernel and its convolution, the output shape and the config.

    The defaults are Keras's 1-D ones (``DepthwiseConv1D`` takes this constructor as it is);
    the 2-D layers restate it only to show Keras's ``(1, 1)`` defaults, which mean the same.
    """

    rank: int  # each layer sets both: the number of spatial dims ...
    _op = None  # ... and the op that convolves them (a staticmethod)

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
        super().__init__(**kwargs)
        owner, rank = self._owner, self.rank
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = normalize_tuple(strides, rank, "strides", owner)
        self.padding = normalize_padding(padding, owner)
        self.depth_multiplier = normalize_tuple(depth_multiplier, 1, "depth_multiplier", owner)[0]
        self.data_format = normalize_data_format(data_format, owner)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate", owner)
        check_strides_or_dilation(owner, self.strides, self.dilation_rate)
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
        check_rank(self._owner, shape, self.rank, self.data_format)
        channels = shape[-1 if self.data_format == "channels_last" else 1]
        if channels is None:
            raise ValueError(
                f"{self._owner} needs inputs with a known channel dimension, "
                f"received shape {tuple(shape)}"
            )
        return int(channels)

    def _build_depthwise(self, input_shape: Shape, name: str) -> None:
        """Read the input channels, check the kernel fits, add the depthwise kernel ``name``."""
        self._input_channels = self._channels(input_shape)
        output_spatial(self, input_shape)  # a kernel larger than the input fails here
        shape = (*self.kernel_size, self._input_channels, self.depth_multiplier)
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
        """The grouped convolution of ``inputs`` (checked), bias optional, channels first out."""
        channels = self._channels(inputs.shape)
        output_spatial(self, inputs.shape)
        if channels != self._input_channels:
            raise ValueError(
                f"{self._owner} expects inputs with {self._input_channels} "
                f"channels ({self.data_format}), received shape "
                f"{tuple(inputs.shape)}"
            )
        x = to_channels_first(inputs, self.rank, self.data_format)
        if self.padding == "same":  # Keras's: any odd pixel after, so padded beforehand
            windows = zip(x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)
            x = pad_spatial(x, [same_pads(n, k, s, d) for n, k, s, d in windows])
        # (*k, C, M) -> (*k, 1, C * M) -> torch's (C * M, 1, *k)
        weight = kernel.reshape(*self.kernel_size, 1, channels * self.depth_multiplier)
        weight = view_permuted(weight, _torch_kernel_order(self.rank))
        return self._op(x, weight, bias, self.strides, 0, self.dilation_rate, channels)

    def _with_channels(self, input_shape: Shape, channels) -> Shape:
        spatial = output_spatial(self, input_shape)
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


class _DepthwiseConv(_Depthwise):
    """``DepthwiseConv1D`` and ``DepthwiseConv2D``: the depthwise convolution (``kernel``),
    ``bias`` and ``activation``."""

    def build(self, input_shape: Shape) -> None:
        self._build_depthwise(input_shape, "kernel")
        self._add_bias(self._input_channels * self.depth_multiplier)
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        y = self._depthwise(inputs, self.kernel, self.bias)
        return self.activation(to_channels_last(y, self.rank, self.data_format))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return self._with_channels(input_shape, self._channels(input_shape) * self.depth_multiplier)


class _SeparableConv(_Depthwise):
    """``SeparableConv1D`` and ``SeparableConv2D``: a depthwise convolution
    (``depthwise_kernel``) then a pointwise one (``pointwise_kernel``), then ``bias`` and
    ``activation``. The defaults are Keras's 1-D ones, as in ``_Depthwise``."""

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
        self.filters = positive_int(filters, "filters", self._owner)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)

    def build(self, input_shape: Shape) -> None:
        self._build_depthwise(input_shape, "depthwise_kernel")
        middle = self._input_channels * self.depth_multiplier
        self.add_weight(
            (*(1,) * self.rank, middle, self.filters),
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
        # (1, ..., C * M, filters) -> torch's (filters, C * M, 1, ...)
        pointwise = view_permuted(self.pointwise_kernel, _torch_kernel_order(self.rank))
        y = self._op(middle, pointwise, self.bias)
        return self.activation(to_channels_last(y, self.rank, self.data_format))

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


class DepthwiseConv2D(_DepthwiseConv):
    """Each input channel convolved on its own with ``depth_multiplier`` kernels:
    ``channels * depth_multiplier`` output channels. The kernel is Keras's
    ``(kh, kw, channels, depth_multiplier)`` and is named ``kernel``, as Keras names it.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    >>> layer(ns.ones(1, 5, 5, 3)).shape, layer.kernel.shape
    ((1, 5, 5, 6), (3, 3, 3, 2))
    """

    rank = 2
    _op = staticmethod(conv2d)

    def __init__(
        self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
        data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
        depthwise_initializer="glorot_uniform", bias_initializer="zeros",
        depthwise_regularizer=None, bias_regularizer=None, **kwargs,
    ) -> None:  # fmt: skip
        super().__init__(
            kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
            activation, use_bias, depthwise_initializer, bias_initializer,
            depthwise_regularizer, bias_regularizer, **kwargs,
        )  # fmt: skip


class SeparableConv2D(_SeparableConv):
    """A depthwise convolution (``depthwise_kernel``, ``(kh, kw, channels,
    depth_multiplier)``) then a pointwise one (``pointwise_kernel``, ``(1, 1, channels *
    depth_multiplier, filters)``), then ``bias`` and ``activation``: Keras's names and layouts.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.SeparableConv2D(4, 3)
    >>> layer(ns.ones(1, 5, 5, 3)).shape, [w.shape for w in layer.weights]
    ((1, 3, 3, 4), [(3, 3, 3, 1), (1, 1, 3, 4), (4,)])
    """

    rank = 2
    _op = staticmethod(conv2d)

    def __init__(
        self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
        dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
        depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
        bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
        bias_regularizer=None, **kwargs,
    ) -> None:  # fmt: skip
        super().__init__(
            filters, kernel_size, strides, padding, data_format, dilation_rate,
            depth_multiplier, activation, use_bias, depthwise_initializer,
            pointwise_initializer, bias_initializer, depthwise_regularizer,
            pointwise_regularizer, bias_regularizer, **kwargs,
        )  # fmt: skip


def _torch_kernel_order(rank: int) -> tuple:
    """The permutation from Keras's ``(*kernel_size, in, out)`` to torch's ``(out, in, *k)``."""
    return (rank + 1, rank, *range(rank))
