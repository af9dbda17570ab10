"""The table of the Keras layer battery (``tests/keras/test_layer_battery.py``): one row per
layer configuration, written out, so that a reader sees every case without running anything.

A ``Case`` names a class of ``keras.layers`` (ours and real Keras's spell it alike), the
constructor's keyword arguments, the shapes of the inputs *with* the batch axis, and their
dtype. A nested layer (``Bidirectional``'s ``layer``) is a ``Nested`` row, built with the same
library as its wrapper. ``xfail`` maps a check of the battery (``"shape"``, ``"config"``,
``"saving"``, ``"keras"``, ``"training"``) to the reason it is a known bug of nnscratch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How a case's inputs reach the layer: one tensor, a list of tensors (merge layers), or
# several positional tensors (``MultiHeadAttention(query, value)``).
ONE, LIST, ARGS = "one", "list", "args"


@dataclass(frozen=True)
class Nested:
    """A layer given to another layer's constructor: ``layers.<layer>(**kwargs)``."""

    layer: str
    kwargs: dict


@dataclass(frozen=True)
class Case:
    """One configuration of one layer class; ``id`` names it in pytest's output."""

    id: str
    layer: str
    kwargs: dict
    shapes: tuple  # the input shapes, batch axis included; several for LIST and ARGS
    dtype: str = "float32"
    style: str = ONE
    training: str | None = None  # the property of training mode (see the battery's table)
    xfail: dict = field(default_factory=dict)

    def build(self, lib):
        """The layer, made by ``lib`` (``nnscratch.keras`` or ``keras``)."""
        return _make(lib, self.layer, self.kwargs)


def _make(lib, layer: str, kwargs: dict):
    resolved = {k: _make(lib, v.layer, v.kwargs) if isinstance(v, Nested) else v
                for k, v in kwargs.items()}  # fmt: skip
    return getattr(lib.layers, layer)(**resolved)


SEQ = ((2, 5, 3),)  # (batch, steps, features): the recurrent layers' input
IMAGE = ((2, 5, 6, 3),)  # (batch, rows, cols, channels)
PAIR = ((2, 3, 4), (2, 3, 4))

CASES = [
    # ---- core -----------------------------------------------------------------------------------
    Case("dense", "Dense", {"units": 3}, ((2, 4),)),
    Case("dense_relu_3d", "Dense", {"units": 5, "activation": "relu"}, ((2, 3, 4),)),
    Case("dense_nobias_f64", "Dense", {"units": 2, "use_bias": False, "dtype": "float64"},
         ((3, 4),), dtype="float64"),
    Case("activation_softmax", "Activation", {"activation": "softmax"}, ((2, 3, 4),)),
    Case("activation_gelu", "Activation", {"activation": "gelu"}, ((2, 6),)),
    Case("embedding", "Embedding", {"input_dim": 7, "output_dim": 3}, ((2, 5),), dtype="int32"),
    Case("embedding_mask_zero", "Embedding", {"input_dim": 6, "output_dim": 2, "mask_zero": True},
         ((3, 4),), dtype="int64"),
    # ---- reshaping ------------------------------------------------------------------------------
    Case("flatten", "Flatten", {}, ((2, 3, 4),)),
    Case("flatten_channels_first", "Flatten", {"data_format": "channels_first"}, ((2, 3, 2, 2),)),
    Case("reshape", "Reshape", {"target_shape": (4, 3)}, ((2, 12),)),
    Case("reshape_infer", "Reshape", {"target_shape": (-1, 2)}, ((2, 3, 4),)),
    # ---- merging --------------------------------------------------------------------------------
    Case("add", "Add", {}, PAIR, style=LIST),
    Case("subtract", "Subtract", {}, PAIR, style=LIST),
    Case("multiply", "Multiply", {}, PAIR, style=LIST),
    Case("average", "Average", {}, PAIR, style=LIST),
    Case("maximum", "Maximum", {}, PAIR, style=LIST),
    Case("minimum", "Minimum", {}, PAIR, style=LIST),
    Case("add_three", "Add", {}, ((2, 4),) * 3, style=LIST),
    Case("concatenate", "Concatenate", {}, ((2, 3, 4), (2, 3, 2)), style=LIST),
    Case("concatenate_axis1", "Concatenate", {"axis": 1}, ((2, 3, 4), (2, 2, 4)), style=LIST),
    # ---- convolution ----------------------------------------------------------------------------
    Case("conv1d", "Conv1D", {"filters": 4, "kernel_size": 3}, ((2, 7, 3),)),
    Case("conv1d_causal_dilated", "Conv1D",
         {"filters": 4, "kernel_size": 2, "padding": "causal", "dilation_rate": 2,
          "activation": "tanh"}, ((2, 7, 2),)),
    Case("conv2d", "Conv2D", {"filters": 4, "kernel_size": (3, 2)}, IMAGE),
    Case("conv2d_same_strided", "Conv2D",
         {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same", "use_bias": False},
         IMAGE),
    Case("conv2d_channels_first", "Conv2D",
         {"filters": 3, "kernel_size": 2, "data_format": "channels_first"}, ((2, 3, 5, 4),)),
    Case("conv2d_transpose", "Conv2DTranspose", {"filters": 2, "kernel_size": 3}, ((2, 3, 4, 3),)),
    Case("conv2d_transpose_same_strided", "Conv2DTranspose",
         {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same",
          "output_padding": 1}, ((2, 3, 3, 2),)),
    # ---- pooling --------------------------------------------------------------------------------
    Case("max_pool1d", "MaxPooling1D", {}, ((2, 6, 3),)),
    Case("max_pool1d_same", "MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"},
         ((2, 7, 2),)),
    Case("max_pool2d", "MaxPooling2D", {"pool_size": 2}, IMAGE),
    Case("max_pool2d_channels_first", "MaxPooling2D",
         {"pool_size": (2, 3), "data_format": "channels_first"}, ((2, 3, 5, 6),)),
    Case("avg_pool1d", "AveragePooling1D", {"pool_size": 2, "strides": 1}, ((2, 6, 3),)),
    Case("avg_pool2d", "AveragePooling2D", {"pool_size": 2}, IMAGE),
    # 'same' with an even padding only: Keras 3.15's torch backend replicates the edge where the
    # padding is uneven (keras-team/keras#18452); tests/keras/test_pooling.py checks that case
    # by hand.
    Case("avg_pool2d_same", "AveragePooling2D", {"pool_size": 3, "strides": 1, "padding": "same"},
         IMAGE),
    Case("global_avg_pool1d", "GlobalAveragePooling1D", {}, ((2, 5, 3),)),
    Case("global_avg_pool1d_keepdims", "GlobalAveragePooling1D",
         {"keepdims": True, "data_format": "channels_first"}, ((2, 3, 5),)),
    Case("global_avg_pool2d", "GlobalAveragePooling2D", {}, IMAGE),
    Case("global_max_pool1d", "GlobalMaxPooling1D", {}, ((2, 5, 3),)),
    Case("global_max_pool2d_keepdims", "GlobalMaxPooling2D", {"keepdims": True}, IMAGE),
    # ---- normalization --------------------------------------------------------------------------
    Case("batch_norm", "BatchNormalization", {"momentum": 0.9, "epsilon": 1e-2}, ((6, 4),),
         training="batch_norm"),
    Case("batch_norm_axis1", "BatchNormalization", {"axis": 1, "center": False},
         ((4, 3, 5),), training="batch_norm"),
    Case("layer_norm", "LayerNormalization", {"epsilon": 1e-2}, ((2, 3, 4),)),
    Case("layer_norm_two_axes", "LayerNormalization", {"axis": (1, 2), "scale": False},
         ((2, 3, 4),)),
    Case("layer_norm_rms", "LayerNormalization", {"rms_scaling": True}, ((2, 5),)),
    # ---- regularization: identity at inference, noise in training --------------------------------
    Case("dropout", "Dropout", {"rate": 0.4, "seed": 1}, ((2, 3, 4),), training="dropout"),
    Case("spatial_dropout1d", "SpatialDropout1D", {"rate": 0.5, "seed": 2}, ((2, 4, 3),),
         training="spatial"),
    Case("spatial_dropout2d", "SpatialDropout2D", {"rate": 0.3, "seed": 3}, ((2, 3, 3, 2),),
         training="spatial"),
    Case("spatial_dropout3d", "SpatialDropout3D", {"rate": 0.3, "seed": 4}, ((2, 2, 2, 2, 3),),
         training="spatial"),
    Case("gaussian_dropout", "GaussianDropout", {"rate": 0.3, "seed": 5}, ((2, 6),),
         training="gaussian_dropout"),
    Case("gaussian_noise", "GaussianNoise", {"stddev": 0.5, "seed": 6}, ((2, 6),),
         training="gaussian_noise"),
    Case("alpha_dropout", "AlphaDropout", {"rate": 0.2, "seed": 7}, ((2, 6),),
         training="alpha_dropout"),
    # ---- recurrent ------------------------------------------------------------------------------
    Case("simple_rnn", "SimpleRNN", {"units": 4}, SEQ),
    Case("simple_rnn_sequences_relu", "SimpleRNN",
         {"units": 3, "activation": "relu", "return_sequences": True, "dropout": 0.2}, SEQ),
    Case("lstm", "LSTM", {"units": 4}, SEQ),
    Case("lstm_backwards_sequences", "LSTM",
         {"units": 3, "return_sequences": True, "go_backwards": True}, SEQ),
    Case("gru", "GRU", {"units": 4}, SEQ),
    Case("gru_reset_before", "GRU", {"units": 3, "reset_after": False, "return_sequences": True},
         SEQ),
    Case("bidirectional_lstm", "Bidirectional", {"layer": Nested("LSTM", {"units": 3})}, SEQ),
    Case("bidirectional_gru_ave", "Bidirectional",
         {"layer": Nested("GRU", {"units": 2, "return_sequences": True}), "merge_mode": "ave"},
         SEQ),
    # ---- attention ------------------------------------------------------------------------------
    Case("multi_head_attention", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
         ((2, 4, 5), (2, 6, 5)), style=ARGS),
    Case("multi_head_attention_value_dim", "MultiHeadAttention",
         {"num_heads": 3, "key_dim": 2, "value_dim": 4, "output_shape": (6,), "use_bias": False},
         ((2, 3, 4), (2, 5, 3)), style=ARGS),
    # ---- activation layers ----------------------------------------------------------------------
    Case("relu", "ReLU", {}, ((2, 3, 4),)),
    Case("relu_options", "ReLU", {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.5},
         ((2, 3, 4),)),
    Case("leaky_relu", "LeakyReLU", {}, ((2, 6),)),
    Case("leaky_relu_slope", "LeakyReLU", {"negative_slope": 0.05}, ((2, 3, 4),)),
    Case("prelu", "PReLU", {}, ((2, 3, 4),)),
    Case("prelu_shared_axes", "PReLU", {"shared_axes": [1, 2]}, IMAGE),
    Case("elu", "ELU", {"alpha": 0.5}, ((2, 3, 4),)),
    Case("softmax_layer", "Softmax", {}, ((2, 3, 4),)),
    Case("softmax_two_axes", "Softmax", {"axis": (1, 2)}, ((2, 3, 4),)),
    # ---- more reshaping: up-sampling, padding, cropping, repeat, permute, Lambda ----------------
    Case("up_sampling1d", "UpSampling1D", {"size": 3}, SEQ),
    Case("up_sampling2d", "UpSampling2D", {"size": (2, 3)}, IMAGE),
    Case("up_sampling2d_bilinear", "UpSampling2D", {"size": 2, "interpolation": "bilinear"},
         IMAGE),
    Case("up_sampling2d_bilinear_channels_first", "UpSampling2D",
         {"size": (3, 2), "interpolation": "bilinear", "data_format": "channels_first"},
         ((2, 3, 4, 5),)),
    Case("zero_padding1d", "ZeroPadding1D", {"padding": (1, 2)}, SEQ),
    Case("zero_padding2d", "ZeroPadding2D", {"padding": ((1, 0), (2, 1))}, IMAGE),
    Case("zero_padding2d_channels_first", "ZeroPadding2D",
         {"padding": 1, "data_format": "channels_first"}, ((2, 3, 4, 5),)),
    Case("cropping1d", "Cropping1D", {"cropping": (1, 2)}, SEQ),
    Case("cropping2d", "Cropping2D", {"cropping": ((1, 2), (0, 1))}, IMAGE),
    Case("cropping2d_channels_first", "Cropping2D",
         {"cropping": 1, "data_format": "channels_first"}, ((2, 3, 4, 5),)),
    Case("repeat_vector", "RepeatVector", {"n": 3}, ((2, 4),)),
    Case("permute", "Permute", {"dims": (2, 1)}, ((2, 3, 4),)),
    Case("permute_3d", "Permute", {"dims": (3, 1, 2)}, ((2, 3, 4, 5),)),
    # ---- preprocessing that trains with the model -----------------------------------------------
    Case("rescaling", "Rescaling", {"scale": 1 / 255, "offset": -1.0}, ((2, 3, 4),)),
    Case("rescaling_per_channel", "Rescaling", {"scale": [0.5, 2.0, -1.0], "offset": 0.25},
         ((2, 4, 3),)),
    Case("normalization", "Normalization", {}, ((2, 3, 4),)),
    Case("normalization_two_axes", "Normalization", {"axis": (1, 2)}, ((2, 3, 4),)),
    Case("normalization_given", "Normalization",
         {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 0.25]}, ((2, 5, 3),)),
    Case("normalization_invert_global", "Normalization", {"axis": None, "invert": True},
         ((2, 3, 4),)),
    Case("discretization_one_hot", "Discretization",
         {"bin_boundaries": [-1.0, 0.0, 0.5], "output_mode": "one_hot"}, ((2, 5),)),
    Case("discretization_count", "Discretization",
         {"bin_boundaries": [0.0], "output_mode": "count"}, ((3, 6),)),
    # ---- depthwise and separable convolution ----------------------------------------------------
    Case("depthwise_conv2d", "DepthwiseConv2D", {"kernel_size": 3}, IMAGE),
    Case("depthwise_conv2d_multiplier_same", "DepthwiseConv2D",
         {"kernel_size": (3, 2), "depth_multiplier": 2, "padding": "same", "strides": 2,
          "activation": "relu"}, IMAGE),
    Case("depthwise_conv2d_dilated_channels_first", "DepthwiseConv2D",
         {"kernel_size": 2, "dilation_rate": 2, "data_format": "channels_first",
          "use_bias": False}, ((2, 3, 6, 6),)),
    Case("separable_conv2d", "SeparableConv2D", {"filters": 4, "kernel_size": 3}, IMAGE),
    Case("separable_conv2d_multiplier_same", "SeparableConv2D",
         {"filters": 5, "kernel_size": 3, "depth_multiplier": 2, "padding": "same",
          "strides": (2, 1)}, IMAGE),
    Case("separable_conv2d_dilated_channels_first", "SeparableConv2D",
         {"filters": 2, "kernel_size": 2, "data_format": "channels_first", "dilation_rate": 2,
          "use_bias": False}, ((2, 3, 6, 6),)),
    # ---- core extras: identity, masking, activity penalty, time-distributed ---------------------
    Case("identity", "Identity", {}, ((2, 3),)),
    Case("masking", "Masking", {"mask_value": 0.5}, SEQ),
    Case("activity_regularization", "ActivityRegularization", {"l1": 0.01, "l2": 0.02}, ((2, 4),)),
    Case("time_distributed_dense", "TimeDistributed",
         {"layer": Nested("Dense", {"units": 3, "activation": "tanh"})}, SEQ),
    Case("time_distributed_conv", "TimeDistributed",
         {"layer": Nested("Conv1D", {"filters": 2, "kernel_size": 2})}, ((2, 3, 5, 4),)),
    # ---- second wave: dot, normalization, attention, 1-D convolutions, adaptive pooling -------
    Case("dot_last_axes", "Dot", {"axes": -1}, PAIR, style=LIST),
    Case("dot_cross_axes_normalized", "Dot", {"axes": (1, 2), "normalize": True},
         ((2, 3, 5), (2, 4, 3)), style=LIST),
    Case("dot_vectors", "Dot", {"axes": 1}, ((2, 4), (2, 4)), style=LIST),
    Case("group_normalization", "GroupNormalization", {"groups": 2}, ((2, 3, 4),)),
    Case("group_normalization_instance_axis1", "GroupNormalization",
         {"groups": -1, "axis": 1, "center": False, "epsilon": 0.1}, ((2, 3, 4, 2),)),
    Case("rms_normalization", "RMSNormalization", {}, ((2, 3, 4),)),
    Case("rms_normalization_two_axes", "RMSNormalization", {"axis": [2, 1], "epsilon": 1e-3},
         ((2, 3, 4),)),
    Case("unit_normalization", "UnitNormalization", {}, ((2, 3, 4),)),
    Case("unit_normalization_two_axes", "UnitNormalization", {"axis": [1, 2]}, ((2, 3, 4),)),
    Case("attention_dot", "Attention", {}, ((2, 3, 4), (2, 5, 4)), style=LIST),
    Case("attention_scaled_with_key", "Attention", {"use_scale": True},
         ((2, 3, 4), (2, 5, 6), (2, 5, 4)), style=LIST),
    Case("attention_concat", "Attention", {"score_mode": "concat", "use_scale": True},
         ((2, 3, 4), (2, 5, 4)), style=LIST),
    Case("additive_attention", "AdditiveAttention", {}, ((2, 3, 4), (2, 5, 4)), style=LIST),
    Case("additive_attention_unscaled", "AdditiveAttention", {"use_scale": False},
         ((2, 3, 4), (2, 5, 6), (2, 5, 4)), style=LIST),
    Case("conv1d_transpose", "Conv1DTranspose", {"filters": 4, "kernel_size": 3}, SEQ),
    Case("conv1d_transpose_same_strided", "Conv1DTranspose",
         {"filters": 2, "kernel_size": 4, "strides": 3, "padding": "same", "output_padding": 1},
         SEQ),
    Case("conv1d_transpose_dilated_channels_first", "Conv1DTranspose",
         {"filters": 3, "kernel_size": 2, "dilation_rate": 2, "data_format": "channels_first",
          "use_bias": False}, SEQ),
    Case("depthwise_conv1d", "DepthwiseConv1D", {"kernel_size": 3}, SEQ),
    Case("depthwise_conv1d_multiplier_same", "DepthwiseConv1D",
         {"kernel_size": 2, "strides": 2, "padding": "same", "depth_multiplier": 2,
          "activation": "relu"}, SEQ),
    Case("separable_conv1d", "SeparableConv1D", {"filters": 4, "kernel_size": 3}, SEQ),
    Case("separable_conv1d_dilated_channels_first", "SeparableConv1D",
         {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "depth_multiplier": 2,
          "data_format": "channels_first", "padding": "same"}, ((2, 3, 6),)),
    Case("adaptive_average_pooling1d", "AdaptiveAveragePooling1D", {"output_size": 3},
         ((2, 7, 3),)),
    Case("adaptive_average_pooling2d", "AdaptiveAveragePooling2D", {"output_size": (2, 3)},
         IMAGE),
    Case("adaptive_max_pooling1d_channels_first", "AdaptiveMaxPooling1D",
         {"output_size": 2, "data_format": "channels_first"}, ((2, 3, 7),)),
    Case("adaptive_max_pooling2d", "AdaptiveMaxPooling2D", {"output_size": 3}, IMAGE),
]  # fmt: skip

# Public classes of ``keras.layers`` that are not run through the battery, and why.
NOT_BATTERY = {
    "Layer": "the abstract base: its call raises NotImplementedError by design",
    "InputLayer": (
        "a placeholder with no call on data; tests/keras/test_layer_battery.py checks its config"
    ),
    "Lambda": (
        "its config names a function that loading must be given (never code): "
        "tests/keras/test_lambda_layer.py"
    ),
    "CategoryEncoding": (
        "takes integer ids, which the battery draws only for layers with `input_dim`: "
        "tests/keras/test_preprocessing_layers.py"
    ),
}
