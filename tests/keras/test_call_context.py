"""A layer called inside another layer's ``call`` without ``training`` inherits the running
call's flag, as in Keras 3: ``fit`` trains the BatchNormalization and Dropout inside a user's
block, and ``predict`` runs them in inference mode. Checked against real Keras 3 (torch
backend) from the same weights, and by hand."""

import os

import numpy as np
import pytest
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _block_model(lib):
    """A user's block whose ``call`` takes no ``training``: its norm must follow the model's."""

    class NormBlock(lib.layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = lib.layers.Dense(3)
            self.norm = lib.layers.BatchNormalization(momentum=0.5)

        def call(self, x):
            return self.norm(self.dense(x))

    return lib.Sequential([lib.Input((4,)), NormBlock(), lib.layers.Dense(1)])


def test_fit_trains_a_norm_inside_a_user_block_as_keras():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.standard_normal((8, 1)).astype(np.float32)
    theirs, ours = _block_model(keras), _block_model(nk)
    ours.set_weights(theirs.get_weights())
    histories = []
    for model in (theirs, ours):
        model.compile(optimizer="sgd", loss="mse")
        histories.append(model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0))
    assert_close(histories[1].history["loss"], histories[0].history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):  # moving statistics included
        assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert_close(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_an_explicit_flag_wins_and_the_context_ends_with_the_call():
    seen = []

    class Probe(nk.layers.Layer):
        def call(self, x, training=False):
            seen.append(training)
            return x

    class Outer(nk.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inherits, self.told = Probe(), Probe()

        def call(self, x):
            return self.told(self.inherits(x), training=False)

    outer = Outer()
    outer(ns.ones(1, 2), training=True)
    outer(ns.ones(1, 2))  # a new outermost call: nothing left over from the last one
    assert seen == [True, False, False, False]
