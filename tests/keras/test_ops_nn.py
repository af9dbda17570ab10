"""``keras.ops`` nn part against real Keras 3 (torch backend): values, dtypes and input gradients
of every function, row by row (``tests/keras_ops_parity.py``), plus the error messages."""

from __future__ import annotations

import numpy as np
import pytest
from keras_ops_parity import Row, check_row, numbered

from nnscratch.keras import ops
from nnscratch.keras.ops import nn as ops_nn

rng = np.random.default_rng(21)


def f64(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def probs(*shape):
    p = rng.uniform(0.05, 1.0, shape)
    return p / p.sum(axis=-1, keepdims=True)


# Activations: each on float64 (values and gradients) and float32, away from kinks (+-1, +-3).
ACTIVATIONS = [
    "relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "swish", "gelu", "elu", "selu",
    "celu", "glu", "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh",
    "hard_shrink", "soft_shrink", "tanh_shrink", "log_sigmoid", "sparse_plus",
    "sparse_sigmoid", "squareplus", "softmax", "log_softmax", "sparsemax",
]  # fmt: skip
X64 = np.array([[-4.2, -2.5, -0.7, -0.2, 0.3, 0.8, 2.2, 4.1],
                [-30.0, -1.3, 0.05, 0.45, 1.6, 3.5, 7.0, 25.0]])  # fmt: skip
X32 = X64.astype(np.float32)
# torch's hardsigmoid backward multiplies by 1/6 rounded to float32 (3e-8 relative).
# Keras computes these in its result type, float32 for float64 inputs (Keras narrows 64-bit
# types on the torch backend): float32's rtol, on values of about 1.
F32_RTOL, IN_FLOAT32 = 2e-6, "Keras computes in float32"
NORM_IN_FLOAT32 = "Keras rounds the norm to float32 (its max/min with epsilon)"
TOLERANCES = {"hard_sigmoid": {"rtol": 1e-7, "why": "torch's float32 1/6 in the gradient"}}

ROWS = numbered(
    [Row(name, (X64,), **TOLERANCES.get(name, {})) for name in ACTIVATIONS]
    + [Row(name, (X32,)) for name in ACTIVATIONS]
    + [
        Row("gelu", (X64,), {"approximate": False}),
        Row("elu", (X64,), {"alpha": 0.5}),
        Row("celu", (X64,), {"alpha": 2.0}),
        Row("leaky_relu", (X64,), {"negative_slope": 0.05}),
        Row("glu", (f64(4, 3),), {"axis": 0}),
        Row("hard_shrink", (X64,), {"threshold": 1.0}),
        Row("soft_shrink", (X64,), {"threshold": 1.0}),
        Row("squareplus", (X64,), {"b": 1}),
        Row("threshold", (X64, 0.5, -2.0)),
        Row("threshold", (X32, 0.0, 0.0)),
        Row("softmax", (f64(3, 4),), {"axis": 0}),
        Row("softmax", (f64(3, 4),), {"axis": None}),
        Row("log_softmax", (f64(2, 3, 4),), {"axis": 1}),
        Row("sparsemax", (f64(3, 5, scale=2.0),), {"axis": 0}),
        Row("relu", (np.array([-2, 0, 3], dtype=np.int32),), grad=False, why="integers"),
        # One-hot encodings and cross-entropies.
        Row("one_hot", (np.array([0, 2, -1, 1]), 3), grad=False),
        Row("one_hot", (np.array([[0, 2], [1, 1]]), 4), {"axis": 0, "dtype": "int32"}, grad=False),
        Row("multi_hot", (np.array([[0, 2], [1, 1]]), 3), grad=False),
        Row("multi_hot", (np.array([0, 3]),), {"num_classes": 5}, grad=False),
        Row("binary_crossentropy", (rng.uniform(0, 1, (3, 4)), rng.uniform(0.01, 0.99, (3, 4)))),
        Row("binary_crossentropy", (rng.uniform(0, 1, (3, 4)), f64(3, 4)), {"from_logits": True}),
        Row(
            "binary_crossentropy",
            (np.array([1.0, 0.0]), np.array([1.0, 0.0])),
            why="clipped at epsilon: the gradient is 0 there",
        ),  # fmt: skip
        Row("categorical_crossentropy", (probs(3, 4), rng.uniform(0.1, 1, (3, 4)))),
        Row("categorical_crossentropy", (probs(3, 4), f64(3, 4)), {"from_logits": True}),
        Row(
            "categorical_crossentropy", (probs(4, 3).T, f64(3, 4)), {"from_logits": True, "axis": 0}
        ),
        Row("sparse_categorical_crossentropy", (np.array([0, 2, 1]), probs(3, 4))),
        Row(
            "sparse_categorical_crossentropy",
            (np.array([[0], [3], [1]]), f64(3, 4)),
            {"from_logits": True},
        ),  # fmt: skip
        Row(
            "sparse_categorical_crossentropy",
            (np.array([[0, 2], [1, 1]]), f64(2, 3, 2)),
            {"from_logits": True, "axis": 1},
        ),  # fmt: skip
        # Convolutions and pooling, channels_last unless said.
        Row("conv", (f64(2, 7, 3), f64(3, 3, 4))),
        Row("conv", (f64(2, 7, 3), f64(3, 3, 4)), {"strides": 2, "padding": "same"}),
        Row("conv", (f64(2, 6, 5, 3), f64(3, 2, 3, 4)), {"padding": "same"}),
        Row("conv", (f64(2, 7, 6, 3), f64(3, 3, 3, 2)), {"strides": (2, 1), "padding": "same"}),
        Row("conv", (f64(1, 7, 7, 2), f64(2, 2, 2, 3)), {"dilation_rate": 2}),
        Row("conv", (f64(2, 4, 5, 6), f64(2, 2, 4, 3)), {"data_format": "channels_first"}),
        Row("conv", (f64(1, 5, 5, 4), f64(3, 3, 2, 6)), {"padding": "same"}, why="2 groups"),
        Row("conv", (f32(2, 6, 5, 3), f32(3, 3, 3, 4)), {"strides": 2}),
        Row("depthwise_conv", (f64(2, 6, 5, 3), f64(3, 3, 3, 2))),
        Row("depthwise_conv", (f64(2, 7, 3), f64(3, 3, 1)), {"strides": 2, "padding": "same"}),
        Row("separable_conv", (f64(2, 6, 6, 3), f64(3, 3, 3, 2), f64(1, 1, 6, 4))),
        Row(
            "separable_conv",
            (f64(1, 5, 5, 2), f64(2, 2, 2, 1), f64(1, 1, 2, 3)),
            {"padding": "same"},
        ),
        Row("conv_transpose", (f64(2, 4, 3), f64(3, 5, 3))),
        Row("conv_transpose", (f64(2, 4, 3), f64(3, 5, 3)), {"strides": 2, "padding": "same"}),
        Row("conv_transpose", (f64(2, 3, 4, 3), f64(3, 3, 2, 3)), {"strides": 2}),
        Row(
            "conv_transpose", (f64(1, 3, 3, 2), f64(3, 3, 4, 2)), {"strides": 2, "padding": "same"}
        ),
        Row(
            "conv_transpose", (f64(1, 3, 3, 2), f64(2, 2, 4, 2)), {"strides": 3, "padding": "same"}
        ),
        Row(
            "conv_transpose",
            (f64(1, 3, 4, 2), f64(3, 3, 1, 2)),
            {"strides": 2, "padding": "same", "output_padding": 1},
        ),  # fmt: skip
        Row("conv_transpose", (f64(1, 3, 4, 2), f64(2, 2, 3, 2)), {"dilation_rate": 2}),
        Row("max_pool", (f64(2, 6, 6, 3), 2)),
        Row("max_pool", (f64(2, 7, 5, 3), 3), {"strides": 2, "padding": "same"}),
        Row("max_pool", (f64(2, 6, 5, 3), (2, 2)), {"strides": 1, "padding": "same"}),
        Row("max_pool", (f64(2, 8, 3), 3), {"strides": 2}),
        Row("max_pool", (f64(2, 3, 6, 6), 2), {"data_format": "channels_first"}),
        Row("average_pool", (f64(2, 6, 6, 3), 2)),
        Row("average_pool", (f64(2, 7, 5, 3), 3), {"strides": 2, "padding": "same"}),
        Row("average_pool", (f64(2, 6, 5, 3), 2), {"strides": 1, "padding": "same"}),
        Row("average_pool", (f64(2, 9, 2), 2), {"strides": 3}),
        Row("adaptive_average_pool", (f64(2, 7, 5, 3), (3, 2))),
        Row("adaptive_average_pool", (f64(2, 7, 3), 3)),
        Row("adaptive_max_pool", (f64(2, 7, 5, 3), (3, 2))),
        Row("adaptive_max_pool", (f64(2, 3, 7), 4), {"data_format": "channels_first"}),
        # Normalizations, attention and the rest.
        Row("moments", (f64(3, 4, 2), [0, 2])),
        Row("moments", (f64(3, 4), 1), {"keepdims": True}),
        Row(
            "batch_normalization",
            (f64(3, 4), f64(4), rng.uniform(0.5, 2, 4), -1),
            {"offset": f64(4), "scale": f64(4)},
            call=lambda o, x, m, v, a: o.batch_normalization(x, m, v, a),
        ),  # fmt: skip
        Row(
            "batch_normalization",
            (f64(3, 4, 2), f64(4), rng.uniform(0.5, 2, 4), 1, f64(4), f64(4)),
            {"epsilon": 0.01},
        ),  # fmt: skip
        Row("layer_normalization", (f64(3, 5),), rtol=F32_RTOL, why=IN_FLOAT32),
        Row("layer_normalization", (f64(3, 5), f64(5), f64(5)), rtol=F32_RTOL, why=IN_FLOAT32),
        Row("layer_normalization", (f32(3, 5), f32(5), f32(5))),
        Row(
            "layer_normalization",
            (f64(2, 3, 4), f64(3, 4), None),
            {"axis": (1, 2), "epsilon": 0.1},
            rtol=F32_RTOL,
            why=IN_FLOAT32,
        ),  # fmt: skip
        Row("rms_normalization", (f64(3, 5), f64(5)), rtol=F32_RTOL, why=IN_FLOAT32),
        Row(
            "rms_normalization",
            (f64(2, 3, 4),),
            {"axis": (1, 2), "epsilon": 0.01},
            rtol=F32_RTOL,
            why=IN_FLOAT32,
        ),  # fmt: skip
        Row("rms_normalization", (f32(2, 3, 4), f32(4))),
        Row("normalize", (f64(3, 4),), rtol=F32_RTOL, why=NORM_IN_FLOAT32),
        Row("normalize", (f64(3, 4),), {"axis": 0, "order": 1}, rtol=F32_RTOL, why=NORM_IN_FLOAT32),
        Row("normalize", (f64(3, 4),), {"order": 3}, rtol=F32_RTOL, why=NORM_IN_FLOAT32),
        Row("normalize", (f32(3, 4),)),
        Row("psnr", (rng.uniform(0, 1, (2, 4)), rng.uniform(0, 1, (2, 4)), 1.0)),
        Row(
            "dot_product_attention",
            (f64(2, 5, 3, 4), f64(2, 6, 3, 4), f64(2, 6, 3, 4)),
            rtol=F32_RTOL,
            why=IN_FLOAT32,
        ),
        Row(
            "dot_product_attention",
            (f64(2, 4, 4, 3), f64(2, 4, 2, 3), f64(2, 4, 2, 3)),
            {"is_causal": True, "scale": 0.7},
            rtol=F32_RTOL,
            why=IN_FLOAT32,
        ),  # fmt: skip
        Row(
            "dot_product_attention",
            (f64(1, 3, 2, 4), f64(1, 5, 2, 4), f64(1, 5, 2, 4)),
            {"mask": rng.uniform(size=(1, 2, 3, 5)) > 0.3, "bias": None},
            rtol=F32_RTOL,
            why=IN_FLOAT32,
        ),  # fmt: skip
        Row(
            "dot_product_attention",
            (f64(1, 3, 2, 4), f64(1, 5, 2, 4), f64(1, 5, 2, 4), f64(1, 2, 3, 5)),
            rtol=F32_RTOL,
            why=IN_FLOAT32,
        ),
        Row("depth_to_space", (f64(2, 3, 4, 8), 2)),
        Row("depth_to_space", (f64(2, 8, 3, 4), 2), {"data_format": "channels_first"}),
        Row("space_to_depth", (f64(2, 4, 6, 3), 2)),
        Row("space_to_depth", (f64(2, 3, 4, 6), 2), {"data_format": "channels_first"}),
        Row("unfold", (f64(2, 3, 5, 6), 2)),
        Row("unfold", (f64(1, 2, 7, 6), (3, 2)), {"dilation": (1, 2), "padding": 1, "stride": 2}),
        Row("fold", (f64(2, 12, 20), (5, 6), 2)),
        Row(
            "fold",
            (f64(1, 12, 12), (7, 6), (3, 2)),
            {"dilation": (1, 2), "padding": 1, "stride": 2},
        ),
        # CTC: labels padded with 0 (the blank), sequences of different lengths.
        Row(
            "ctc_loss",
            (
                np.array([[1, 2, 2], [3, 1, 0], [2, 0, 0]]),
                f32(3, 6, 4),
                np.array([3, 2, 1]),
                np.array([6, 5, 3]),
            ),
        ),  # fmt: skip
        Row(
            "ctc_loss",
            (np.array([[2, 1], [1, 1]]), f64(2, 5, 3), np.array([2, 2]), np.array([5, 4])),
            {"mask_index": 0},
            rtol=F32_RTOL,
            why=IN_FLOAT32,
        ),  # fmt: skip
        Row(
            "ctc_loss",
            (np.array([[0, 1], [1, 1]]), f32(2, 5, 3), np.array([2, 2]), np.array([5, 5]), 2),
        ),
        Row("ctc_decode", (f32(3, 6, 4), np.array([6, 4, 2]))),
        Row(
            "ctc_decode",
            (f32(2, 5, 3), np.array([5, 3])),
            {"merge_repeated": False, "mask_index": 2},
        ),
    ]
)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_parity_with_keras(row):
    check_row(row)


NAMES = [
    *ACTIVATIONS, "elu", "threshold", "one_hot", "multi_hot", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "conv", "depthwise_conv",
    "separable_conv", "conv_transpose", "max_pool", "average_pool", "adaptive_average_pool",
    "adaptive_max_pool", "moments", "batch_normalization", "layer_normalization",
    "rms_normalization", "normalize", "psnr", "dot_product_attention", "depth_to_space",
    "space_to_depth", "unfold", "fold", "ctc_loss", "ctc_decode",
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(set(NAMES)))
def test_every_name_is_the_nn_modules_and_has_a_row(name):
    assert getattr(ops, name) is getattr(ops_nn, name)
    assert name in ops_nn.__all__
    assert any(row.name == name for row in ROWS)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: ops.relu("abc"), TypeError, "keras.ops.relu: expected x to be a tensor"),
        (lambda: ops.glu(np.ones((2, 3))), ValueError, "keras.ops.glu: axis -1 must have an even"),
        (lambda: ops.one_hot([0, 5], 3), ValueError, "keras.ops.one_hot: labels must be below"),
        (lambda: ops.multi_hot([0, 1]), ValueError, "keras.ops.multi_hot: num_classes"),
        (
            lambda: ops.binary_crossentropy(np.ones(3), np.ones(2)),
            ValueError,
            r"keras.ops.binary_crossentropy: target and output must have the same shape",
        ),
        (
            lambda: ops.sparse_categorical_crossentropy(np.zeros(3), np.ones((2, 4))),
            ValueError,
            "keras.ops.sparse_categorical_crossentropy: target must have output's shape",
        ),
        (
            lambda: ops.conv(np.ones((1, 2, 2, 2, 1)), np.ones((1, 1, 1, 1, 1))),
            ValueError,
            r"keras.ops.conv: expected a 3-D .* received shape \(1, 2, 2, 2, 1\)",
        ),
        (
            lambda: ops.conv(np.ones((1, 4, 3)), np.ones((2, 2, 4))),
            ValueError,
            r"keras.ops.conv: kernel of shape \(2, 2, 4\) does not fit inputs with 3 channels",
        ),
        (
            lambda: ops.conv(np.ones((1, 4, 3)), np.ones((2, 3, 4)), padding="full"),
            ValueError,
            "keras.ops.conv: padding must be 'valid' or 'same'",
        ),
        (
            lambda: ops.max_pool(np.ones((1, 4, 4, 1)), 0),
            ValueError,
            "keras.ops.max_pool: expected pool_size to be a positive int",
        ),
        (
            lambda: ops.average_pool(np.ones((1, 4, 1)), 2, data_format="nhwc"),
            ValueError,
            "keras.ops.average_pool: expected data_format",
        ),
        (lambda: ops.moments(np.ones((2, 3)), 4), ValueError, "keras.ops.moments: axis 4 is out"),
        (
            lambda: ops.normalize(np.ones(3), order=0),
            ValueError,
            "keras.ops.normalize: order must be an int >= 1",
        ),
        (lambda: ops.psnr(np.ones(3), np.ones(4), 1.0), ValueError, "keras.ops.psnr: x1 and x2"),
        (
            lambda: ops.dot_product_attention(
                np.ones((2, 3, 4)), np.ones((2, 3, 4)), np.ones((2, 3, 4))
            ),
            ValueError,
            "keras.ops.dot_product_attention: expected 4-D",
        ),  # fmt: skip
        (
            lambda: ops.depth_to_space(np.ones((2, 3, 4)), 2),
            ValueError,
            "keras.ops.depth_to_space: expected a 4-D input",
        ),
        (lambda: ops.fold(np.ones((1, 5, 4)), 3, 2), ValueError, "keras.ops.fold: expected input"),
        (
            lambda: ops.ctc_loss(np.ones((2, 3)), np.ones((2, 4)), [3, 3], [4, 4]),
            ValueError,
            r"keras.ops.ctc_loss: expected output \(batch, steps, classes\)",
        ),
        (
            lambda: ops.ctc_decode(np.ones((1, 2, 3)), [2], strategy="beam_search"),
            NotImplementedError,
            "keras.ops.ctc_decode: strategy='beam_search'",
        ),
    ],
)
def test_bad_input_names_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()
