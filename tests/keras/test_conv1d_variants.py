"""Conv1DTranspose, DepthwiseConv1D, SeparableConv1D and the adaptive pooling layers against
real Keras 3 (torch backend): from Keras's own weights (its names, layout and order), the same
outputs and gradients of the inputs and of every weight, over strides, paddings,
output_padding, dilations, multipliers and data formats; a model trains as Keras's; the
aliases are Keras's; bad arguments are refused naming the layer."""

import os

import numpy as np
import pytest
from keras_layer_grads import assert_grads_match_keras, assert_trains_as_keras

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
L = nk.layers

CONFIGS = {  # layer -> keyword arguments to try
    "Conv1DTranspose": [
        {"filters": 4, "kernel_size": 3},
        {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
        {"filters": 2, "kernel_size": 4, "strides": 3, "padding": "same", "output_padding": 1},
        {"filters": 3, "kernel_size": 2, "strides": 3},  # stride > kernel: zeros between
        {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1, "use_bias": False},
        {"filters": 3, "kernel_size": 3, "dilation_rate": 2, "padding": "same",
         "activation": "tanh"},
        {"filters": 2, "kernel_size": 3, "strides": 2, "data_format": "channels_first"},
    ],
    "DepthwiseConv1D": [
        {"kernel_size": 3},
        {"kernel_size": 2, "strides": 2, "padding": "same", "depth_multiplier": 3},
        {"kernel_size": 4, "padding": "same", "use_bias": False},  # odd padding after
        {"kernel_size": 2, "dilation_rate": 3, "activation": "relu"},
        {"kernel_size": 3, "data_format": "channels_first", "depth_multiplier": 2},
    ],
    "SeparableConv1D": [
        {"filters": 4, "kernel_size": 3},
        {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same", "depth_multiplier": 2},
        {"filters": 3, "kernel_size": 2, "dilation_rate": 2, "use_bias": False},
        {"filters": 2, "kernel_size": 3, "data_format": "channels_first", "padding": "same"},
    ],
    "AdaptiveAveragePooling1D": [{"output_size": 3}, {"output_size": 4,
                                                      "data_format": "channels_first"}],
    "AdaptiveMaxPooling1D": [{"output_size": 3}, {"output_size": (2,),
                                                  "data_format": "channels_first"}],
    "AdaptiveAveragePooling2D": [{"output_size": (2, 3)}, {"output_size": 3,
                                                           "data_format": "channels_first"}],
    "AdaptiveMaxPooling2D": [{"output_size": (3, 2)}, {"output_size": 2,
                                                       "data_format": "channels_first"}],
}  # fmt: skip
ROWS = [(name, kwargs) for name, configs in CONFIGS.items() for kwargs in configs]


def _shape(name: str, kwargs: dict) -> tuple:
    first = kwargs.get("data_format") == "channels_first"
    if name.endswith("2D"):
        return (2, 3, 7, 5) if first else (2, 7, 5, 3)
    return (2, 3, 7) if first else (2, 7, 3)


@pytest.mark.parametrize(("name", "kwargs"), ROWS, ids=str)
def test_outputs_and_all_gradients_match_keras(name, kwargs, rng):
    shape = _shape(name, kwargs)
    x = rng.standard_normal(shape).astype(np.float32)
    theirs = getattr(keras.layers, name)(**kwargs)
    theirs.build(shape)
    theirs.set_weights([rng.standard_normal(w.shape).astype(np.float32) for w in theirs.weights])
    ours = getattr(L, name)(**kwargs)
    ours.build(shape)
    assert [p for p, _ in ours.named_parameters()] == [w.name for w in theirs.weights]
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    y_k = keras.ops.convert_to_numpy(theirs(x))
    g = rng.standard_normal(y_k.shape).astype(np.float32)
    assert_grads_match_keras(ours, theirs, x, g)
    unknown = (None, *shape[1:])
    assert ours.compute_output_shape(unknown) == tuple(theirs.compute_output_shape(unknown))


def test_a_conv1d_transpose_model_trains_as_keras(rng):
    x = rng.standard_normal((6, 5, 2)).astype(np.float32)
    y = rng.standard_normal((6, 3)).astype(np.float32)

    def model(lib):
        lib.utils.set_random_seed(2)
        m = lib.Sequential([
            lib.Input((5, 2)),
            lib.layers.Conv1DTranspose(3, 3, strides=2, padding="same", activation="tanh"),
            lib.layers.SeparableConv1D(4, 2, depth_multiplier=2),
            lib.layers.DepthwiseConv1D(3, padding="same"),
            lib.layers.AdaptiveMaxPooling1D(3),
            lib.layers.AdaptiveAveragePooling1D(1),
            lib.layers.Flatten(),
            lib.layers.Dense(3),
        ])  # fmt: skip
        m.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        return m

    assert_trains_as_keras(model, keras, x, y, batch_size=3, epochs=2)


def test_configs_are_keras_configs_less_the_constraints():
    for name, configs in CONFIGS.items():
        ours = getattr(L, name)(**configs[-1]).get_config()
        theirs = getattr(keras.layers, name)(**configs[-1]).get_config()
        dropped = {k for k in theirs if "constraint" in k or k == "activity_regularizer"}
        assert set(theirs) - set(ours) == dropped
        for key in set(ours) - {"dtype", "name"} - {k for k in ours if "initializer" in k}:
            assert ours[key] == theirs[key], (name, key)
    assert L.Convolution1DTranspose is L.Conv1DTranspose
    assert L.SeparableConvolution1D is L.SeparableConv1D


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: L.Conv1DTranspose(2, 3, strides=2, output_padding=2, name="t"),
         ["Conv1DTranspose 't'", "output padding"]),
        (lambda: L.Conv1DTranspose(2, 3, padding="causal", name="t"),
         ["Conv1DTranspose 't'", "causal"]),
        (lambda: L.Conv1DTranspose(2, 3, name="t")(np.ones((1, 4, 3, 2), np.float32)),
         ["Conv1DTranspose 't'", "(1, 4, 3, 2)"]),
        (lambda: L.DepthwiseConv1D(3, depth_multiplier=0, name="d"),
         ["DepthwiseConv1D 'd'", "depth_multiplier"]),
        (lambda: L.DepthwiseConv1D(3, strides=2, dilation_rate=2, name="d"),
         ["DepthwiseConv1D 'd'", "dilation_rate"]),
        (lambda: L.DepthwiseConv1D(5, name="d")(np.ones((1, 3, 2), np.float32)),
         ["DepthwiseConv1D 'd'", "(1, 3, 2)"]),
        (lambda: L.SeparableConv1D(0, 3, name="s"), ["SeparableConv1D 's'", "filters=0"]),
        (lambda: _called_twice(L.SeparableConv1D(2, 1, name="s")),
         ["SeparableConv1D 's'", "2 channels", "(1, 3, 4)"]),
        (lambda: L.AdaptiveMaxPooling2D((2, 0), name="p"), ["AdaptiveMaxPooling2D 'p'", "(2, 0)"]),
        (lambda: L.AdaptiveAveragePooling1D(2, name="p")(np.ones((1, 4, 3, 2), np.float32)),
         ["AdaptiveAveragePooling1D 'p'", "(1, 4, 3, 2)"]),
    ],
)  # fmt: skip
def test_bad_arguments_name_the_layer(make, words):
    with pytest.raises(ValueError) as error:
        make()
    for word in words:
        assert word in str(error.value)


def test_an_output_size_of_the_wrong_length_is_a_type_error():
    with pytest.raises(TypeError, match="AdaptiveAveragePooling1D 'p'.*tuple of 1"):
        L.AdaptiveAveragePooling1D((2, 2), name="p")


def _called_twice(layer):
    layer(np.ones((1, 3, 2), np.float32))
    layer(np.ones((1, 3, 4), np.float32))
