"""Keras layers: ``Input``, ``Dense``, ``Activation``, ``Dropout``, ``Flatten``, ``Reshape``."""

from .activation import Activation
from .attention import MultiHeadAttention
from .bidirectional import Bidirectional
from .conv_transpose import Conv2DTranspose
from .convolutional import Conv1D, Conv2D
from .dense import Dense
from .dropout import Dropout
from .embedding import Embedding
from .gru import GRU
from .input_layer import Input, InputLayer, KerasTensor
from .layer import Layer
from .lstm import LSTM
from .merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from .regularization import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from .reshaping import Flatten, Reshape
from .simple_rnn import SimpleRNN

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "Bidirectional",
    "GRU",
    "LSTM",
    "SimpleRNN",
    "Activation",
    "AlphaDropout",
    "BatchNormalization",
    "Embedding",
    "GaussianDropout",
    "GaussianNoise",
    "LayerNormalization",
    "MultiHeadAttention",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "Add",
    "Average",
    "Concatenate",
    "Dense",
    "Dropout",
    "Flatten",
    "Input",
    "InputLayer",
    "KerasTensor",
    "Layer",
    "Maximum",
    "Minimum",
    "Multiply",
    "Reshape",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]

# Keras's other names for the same classes.
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
__all__ += [
    "AvgPool1D", "AvgPool2D", "Convolution1D", "Convolution2D", "Convolution2DTranspose",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "MaxPool1D",
    "MaxPool2D",
]  # fmt: skip

# Issue 21: activation layers, more reshaping, Lambda, preprocessing, depthwise/separable convs,
# identity, masking, activity penalties and TimeDistributed.
from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax  # noqa: E402
from .activity_regularization import ActivityRegularization  # noqa: E402
from .depthwise_conv import DepthwiseConv2D, SeparableConv2D  # noqa: E402
from .encoding import CategoryEncoding, Discretization  # noqa: E402
from .identity import Identity  # noqa: E402
from .lambda_layer import Lambda  # noqa: E402
from .masking import Masking  # noqa: E402
from .padding import Cropping1D, Cropping2D, ZeroPadding1D, ZeroPadding2D  # noqa: E402
from .preprocessing import Normalization, Rescaling  # noqa: E402
from .rearranging import Permute, RepeatVector  # noqa: E402
from .resizing import UpSampling1D, UpSampling2D  # noqa: E402
from .time_distributed import TimeDistributed  # noqa: E402

SeparableConvolution2D = SeparableConv2D  # Keras's other name
__all__ += [
    "ActivityRegularization", "Identity", "Masking", "TimeDistributed",
    "CategoryEncoding", "Cropping1D", "Cropping2D", "DepthwiseConv2D", "Discretization", "ELU",
    "Lambda", "LeakyReLU", "Normalization", "PReLU", "Permute", "ReLU", "RepeatVector",
    "Rescaling", "SeparableConv2D", "SeparableConvolution2D", "Softmax", "UpSampling1D",
    "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D",
]  # fmt: skip

# Issue 21, second wave: Dot, group/RMS/unit normalization, dot-product and additive
# attention, the 1-D transposed/depthwise/separable convolutions, adaptive pooling, and
# serialize/deserialize.
from .adaptive_pooling import (  # noqa: E402
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
)
from .conv1d_transpose import Conv1DTranspose  # noqa: E402
from .depthwise_conv1d import DepthwiseConv1D, SeparableConv1D  # noqa: E402
from .dot import Dot, dot  # noqa: E402
from .dot_attention import AdditiveAttention, Attention  # noqa: E402
from .group_normalization import GroupNormalization  # noqa: E402
from .rms_normalization import RMSNormalization  # noqa: E402
from .serialization import deserialize, serialize  # noqa: E402
from .unit_normalization import UnitNormalization  # noqa: E402

Convolution1DTranspose = Conv1DTranspose  # Keras's other names
SeparableConvolution1D = SeparableConv1D
__all__ += [
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D", "AdditiveAttention", "Attention", "Conv1DTranspose",
    "Convolution1DTranspose", "DepthwiseConv1D", "Dot", "GroupNormalization",
    "RMSNormalization", "SeparableConv1D", "SeparableConvolution1D", "UnitNormalization",
    "deserialize", "dot", "serialize",
]  # fmt: skip


def __getattr__(name: str):
    # Keras names nnscratch does not build raise NotImplementedError saying why (not_built.py).
    from ..not_built import refuse

    return refuse("layers", name)
