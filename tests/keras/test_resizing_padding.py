"""UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D, RepeatVector and Permute against real
Keras 3 (torch backend): outputs and input gradients, unknown sizes in
``compute_output_shape``, and bad arguments refused naming the layer. (Configs and saving:
the layer battery.)"""

import os

import numpy as np
import pytest
from keras_layer_grads import run_with_grads
from tolerance import assert_close

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
L = nk.layers

CASES = [
    ("UpSampling1D", {"size": 3}, (2, 4, 3)),
    ("UpSampling2D", {"size": (2, 3)}, (2, 3, 4, 2)),
    ("UpSampling2D", {"size": 3, "interpolation": "bilinear"}, (2, 3, 4, 2)),
    (
        "UpSampling2D",
        {"size": (2, 1), "interpolation": "bilinear", "data_format": "channels_first"},
        (2, 2, 5, 3),
    ),
    ("ZeroPadding1D", {"padding": (2, 0)}, (2, 4, 3)),
    ("ZeroPadding2D", {"padding": (1, 2)}, (2, 3, 4, 2)),
    ("ZeroPadding2D", {"padding": ((0, 1), (2, 0)), "data_format": "channels_first"}, (2, 2, 3, 4)),
    ("Cropping1D", {"cropping": 1}, (2, 4, 3)),
    ("Cropping2D", {"cropping": ((1, 0), (1, 2))}, (2, 3, 5, 2)),
    ("Cropping2D", {"cropping": (1, 1), "data_format": "channels_first"}, (2, 2, 4, 5)),
    ("RepeatVector", {"n": 4}, (3, 5)),
    ("Permute", {"dims": (3, 1, 2)}, (2, 3, 4, 5)),
]


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=str)
def test_outputs_gradients_and_shapes_match_keras(name, kwargs, shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    ours, theirs = getattr(L, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    y_k = keras.ops.convert_to_numpy(theirs(x))
    g = rng.standard_normal(y_k.shape).astype(np.float32)
    y, dx, _ = run_with_grads(ours, x, g)
    y_k, dx_k, _ = run_with_grads(theirs, x, g)
    assert_close(y, y_k)
    assert_close(dx, dx_k)
    for unknown in [(None, *shape[1:]), (None,) * len(shape)]:
        if name == "Permute" or name == "RepeatVector" and unknown[1] is None:
            continue  # (Keras's own shape code needs known sizes there)
        assert tuple(ours.compute_output_shape(unknown)) == tuple(
            theirs.compute_output_shape(unknown)
        )


def test_bilinear_upsampling_of_a_ramp_by_hand():
    """Half-pixel centres: 0, 4 stretched to 4 pixels is 0, 1, 3, 4 (edges clamped)."""
    x = np.array([0.0, 4.0], np.float32).reshape(1, 2, 1, 1)
    y = L.UpSampling2D((2, 1), interpolation="bilinear")(x).numpy()
    np.testing.assert_array_equal(y.ravel(), [0.0, 1.0, 3.0, 4.0])


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: L.UpSampling1D(0, name="u"), ["UpSampling1D 'u'", "size"]),
        (
            lambda: L.UpSampling2D(interpolation="bicubic", name="u"),
            ["UpSampling2D 'u'", "bicubic"],
        ),
        (
            lambda: L.UpSampling2D(name="u")(np.ones((2, 3, 4), np.float32)),
            ["UpSampling2D 'u'", "(2, 3, 4)"],
        ),
        (lambda: L.ZeroPadding2D(((1, 2, 3), 1), name="z"), ["ZeroPadding2D 'z'", "padding"]),
        (lambda: L.ZeroPadding1D(-1, name="z"), ["ZeroPadding1D 'z'", "-1"]),
        (
            lambda: L.Cropping1D((2, 2), name="c")(np.ones((1, 4, 2), np.float32)),
            ["Cropping1D 'c'", "(1, 4, 2)"],
        ),
        (
            lambda: L.Cropping2D(((3, 0), (0, 0)), name="c")(np.ones((1, 3, 3, 1), np.float32)),
            ["Cropping2D 'c'", "(1, 3, 3, 1)"],
        ),
        (lambda: L.RepeatVector(0, name="r"), ["RepeatVector 'r'", "n=0"]),
        (
            lambda: L.RepeatVector(2, name="r")(np.ones((1, 2, 3), np.float32)),
            ["RepeatVector 'r'", "(1, 2, 3)"],
        ),
        (lambda: L.Permute((0, 1), name="p"), ["Permute 'p'", "(0, 1)"]),
        (
            lambda: L.Permute((2, 1), name="p")(np.ones((1, 2), np.float32)),
            ["Permute 'p'", "(1, 2)"],
        ),
    ],
)
def test_bad_arguments_name_the_layer(make, words):
    with pytest.raises(ValueError) as error:
        make()
    for word in words:
        assert word in str(error.value)
