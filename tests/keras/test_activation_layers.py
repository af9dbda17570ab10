"""The activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax) against real Keras 3 (torch
backend): outputs and gradients from the same weights, PReLU's training step, Softmax's mask,
and bad arguments refused naming the layer. (Shapes, configs and saving: the layer battery.)"""

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
    ("ReLU", {}),
    ("ReLU", {"max_value": 1.0, "negative_slope": 0.2, "threshold": 0.3}),
    ("LeakyReLU", {}),
    ("ELU", {"alpha": 0.7}),
    ("Softmax", {"axis": 1}),
    ("Softmax", {"axis": (1, 2)}),
    ("PReLU", {"alpha_initializer": "random_normal"}),
    ("PReLU", {"shared_axes": [1]}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=str)
def test_outputs_and_gradients_match_keras(name, kwargs, rng):
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    theirs = getattr(keras.layers, name)(**kwargs)
    theirs.build(x.shape)
    ours = getattr(L, name)(**kwargs)
    ours.build(x.shape)
    ours.set_weights([rng.standard_normal(w.shape).astype(np.float32) for w in ours.weights])
    theirs.set_weights(ours.get_weights())
    y, dx, dws = run_with_grads(ours, x, g)
    y_k, dx_k, dws_k = run_with_grads(theirs, x, g)
    assert_close(y, y_k)
    assert_close(dx, dx_k)
    assert len(dws) == len(dws_k)
    for dw, dw_k in zip(dws, dws_k):
        assert_close(dw, dw_k)


def test_prelu_alpha_trains_as_in_keras(rng):
    """Two SGD steps of a Dense + PReLU model from the same weights: the same alphas."""
    x = rng.standard_normal((8, 3)).astype(np.float32)
    y = rng.standard_normal((8, 4)).astype(np.float32)

    def model(lib):
        lib.utils.set_random_seed(3)
        m = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4), lib.layers.PReLU()])
        m.compile(optimizer=lib.optimizers.SGD(0.5), loss="mse")
        return m

    ours, theirs = model(nk), model(keras)
    ours.set_weights(theirs.get_weights())
    ours.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    theirs.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    alpha, alpha_k = ours.layers[-1].get_weights()[0], theirs.layers[-1].get_weights()[0]
    assert np.abs(alpha).max() > 1e-3  # it moved from its zero start
    assert_close(alpha, alpha_k)


def test_softmax_mask_matches_keras(rng):
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    for mask in (rng.random((2, 3, 4)) > 0.4, (rng.random((2, 1, 4)) > 0.4).astype(np.float32)):
        mask[..., 0] = 1  # every row keeps a position
        y, dx, _ = run_with_grads(L.Softmax(), x, g, mask=mask)
        y_k, dx_k, _ = run_with_grads(keras.layers.Softmax(), x, g, mask=mask)
        assert_close(y, y_k)
        assert_close(dx, dx_k)
        assert (y[np.broadcast_to(mask, y.shape) == 0] == 0).all()
    empty = np.ones((2, 3, 4), bool)
    empty[0, 1] = False  # a row with nothing kept: all zeros, as Keras
    y, _, _ = run_with_grads(L.Softmax(), x, g, mask=empty)
    assert_close(y, run_with_grads(keras.layers.Softmax(), x, g, mask=empty)[0])
    assert (y[0, 1] == 0).all()


def test_softmax_gets_the_mask_in_a_model():
    """The inputs' mask (batch, steps) reaches Softmax in a model, as in Keras, where it
    broadcasts from the right against (batch, steps, features): square here, as it must be."""
    ids = np.array([[1, 2, 0, 0], [2, 2, 1, 0], [1, 1, 1, 1], [2, 0, 0, 0]])

    def model(lib):
        inputs = lib.Input((4,), dtype="int32")
        embedded = lib.layers.Embedding(3, 4, mask_zero=True)(inputs)
        return lib.Model(inputs, lib.layers.Softmax()(embedded))

    ours, theirs = model(nk), model(keras)
    ours.set_weights(theirs.get_weights())
    probabilities = ours.predict(ids, verbose=0)
    assert_close(probabilities, theirs.predict(ids, verbose=0))
    assert (probabilities[:, 0, 2:] == 0).all() and (probabilities[:, 3, 1:] == 0).all()


def test_leaky_relu_takes_keras2_alpha():
    assert L.LeakyReLU(alpha=0.1).negative_slope == 0.1


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: L.ReLU(max_value=-1.0, name="r"), ["ReLU 'r'", "max_value=-1.0"]),
        (lambda: L.ReLU(negative_slope=None, name="r"), ["ReLU 'r'", "negative_slope=None"]),
        (lambda: L.ReLU(threshold=-0.5, name="r"), ["ReLU 'r'", "threshold=-0.5"]),
        (lambda: L.LeakyReLU(-0.1, name="lr"), ["LeakyReLU 'lr'", "negative_slope=-0.1"]),
        (
            lambda: L.PReLU(shared_axes=[3], name="p")(np.ones((2, 3), np.float32)),
            ["PReLU 'p'", "shared_axes", "(2, 3)"],
        ),
        (
            lambda: L.Softmax(name="s")(np.ones((2, 3), np.float32), mask=np.ones((2, 2), bool)),
            ["Softmax 's'", "(2, 3)", "(2, 2)"],
        ),
    ],
)
def test_bad_arguments_name_the_layer(make, words):
    with pytest.raises(ValueError) as error:
        make()
    for word in words:
        assert word in str(error.value)
