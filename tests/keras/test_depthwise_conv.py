"""DepthwiseConv2D and SeparableConv2D against real Keras 3 (torch backend): from Keras's
own weights (its layout and names), the same outputs and the same gradients of the inputs
and of every weight, over strides, paddings, dilations, multipliers and data formats; a
model trained one step matches; bad arguments are refused naming the layer."""

import os

import numpy as np
import pytest
from keras_layer_grads import assert_grads_match_keras, assert_trains_as_keras

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
L = nk.layers

CONFIGS = [
    {"kernel_size": 3},
    {"kernel_size": (2, 3), "depth_multiplier": 3, "use_bias": False},
    {"kernel_size": 3, "strides": 2, "padding": "same", "depth_multiplier": 2},
    {"kernel_size": 4, "padding": "same"},  # uneven 'same' padding: the odd pixel after
    {"kernel_size": 2, "dilation_rate": (2, 1), "activation": "tanh"},
    {"kernel_size": 3, "padding": "same", "data_format": "channels_first", "strides": (1, 2)},
]


def _pair(name, kwargs, rng, shape):
    """Our layer and Keras's, both built, ours holding Keras's (redrawn) weights."""
    extra = {"filters": 4} if name == "SeparableConv2D" else {}
    theirs = getattr(keras.layers, name)(**extra, **kwargs)
    theirs.build(shape)
    theirs.set_weights(
        [rng.standard_normal(w.shape).astype(np.float32) * 0.5 for w in theirs.weights]
    )
    ours = getattr(L, name)(**extra, **kwargs)
    ours.build(shape)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


@pytest.mark.parametrize("name", ["DepthwiseConv2D", "SeparableConv2D"])
@pytest.mark.parametrize("kwargs", CONFIGS, ids=str)
def test_outputs_and_all_gradients_match_keras(name, kwargs, rng):
    channels_first = kwargs.get("data_format") == "channels_first"
    shape = (2, 3, 7, 6) if channels_first else (2, 7, 6, 3)
    x = rng.standard_normal(shape).astype(np.float32)
    ours, theirs = _pair(name, kwargs, rng, shape)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [p for p, _ in ours.named_parameters()] == [w.name for w in theirs.weights]
    y_k = keras.ops.convert_to_numpy(theirs(x))
    g = rng.standard_normal(y_k.shape).astype(np.float32)
    assert_grads_match_keras(ours, theirs, x, g)
    for unknown in [
        (None, *shape[1:]),
        (None, 3, None, None) if channels_first else (None, None, None, 3),
    ]:
        assert ours.compute_output_shape(unknown) == tuple(theirs.compute_output_shape(unknown))


def test_separable_model_trains_as_keras(rng):
    x = rng.standard_normal((4, 6, 6, 2)).astype(np.float32)
    y = rng.standard_normal((4, 3)).astype(np.float32)

    def model(lib):
        lib.utils.set_random_seed(1)
        m = lib.Sequential(
            [
                lib.Input((6, 6, 2)),
                lib.layers.SeparableConv2D(3, 3, depth_multiplier=2, activation="relu"),
                lib.layers.DepthwiseConv2D(2, padding="same"),
                lib.layers.GlobalAveragePooling2D(),
            ]
        )
        m.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        return m

    assert_trains_as_keras(model, keras, x, y, batch_size=4, epochs=2)


def test_config_keys_are_keras_less_the_constraints():
    for name, extra in [("DepthwiseConv2D", {}), ("SeparableConv2D", {"filters": 2})]:
        ours = set(getattr(L, name)(kernel_size=3, **extra).get_config())
        theirs = set(getattr(keras.layers, name)(kernel_size=3, **extra).get_config())
        assert theirs - ours == {k for k in theirs if "constraint" in k or "activity" in k}
        assert ours <= theirs
    assert L.SeparableConvolution2D is L.SeparableConv2D


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: L.DepthwiseConv2D(0, name="d"), ["DepthwiseConv2D 'd'", "kernel_size"]),
        (
            lambda: L.DepthwiseConv2D(3, depth_multiplier=0, name="d"),
            ["DepthwiseConv2D 'd'", "depth_multiplier"],
        ),
        (
            lambda: L.DepthwiseConv2D(3, padding="causal", name="d"),
            ["DepthwiseConv2D 'd'", "causal"],
        ),
        (
            lambda: L.DepthwiseConv2D(3, strides=2, dilation_rate=2, name="d"),
            ["DepthwiseConv2D 'd'", "dilation_rate"],
        ),
        (
            lambda: L.DepthwiseConv2D(5, name="d")(np.ones((1, 3, 3, 2), np.float32)),
            ["DepthwiseConv2D 'd'", "(1, 3, 3, 2)"],
        ),
        (lambda: L.SeparableConv2D(0, 3, name="s"), ["SeparableConv2D 's'", "filters=0"]),
        (
            lambda: L.SeparableConv2D(2, 3, name="s")(np.ones((1, 5, 5), np.float32)),
            ["SeparableConv2D 's'", "(1, 5, 5)"],
        ),
        (
            lambda: _called_twice(L.SeparableConv2D(2, 1, name="s")),
            ["SeparableConv2D 's'", "2 channels", "(1, 3, 3, 4)"],
        ),
    ],
)
def test_bad_arguments_name_the_layer(make, words):
    with pytest.raises(ValueError) as error:
        make()
    for word in words:
        assert word in str(error.value)


def _called_twice(layer):
    layer(np.ones((1, 3, 3, 2), np.float32))
    layer(np.ones((1, 3, 3, 4), np.float32))
