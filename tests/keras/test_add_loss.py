"""``Layer.add_loss``: a loss term computed in ``call`` from the inputs, kept for the latest
forward pass only, and added by ``fit`` to the compiled loss, as in Keras 3. Checked against
real Keras 3 (torch backend) from the same weights, and by hand."""

import os

import numpy as np
import pytest
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _penalty_layer(lib, rate: float):
    """An activity penalty on the layer's inputs: ``rate * mean(x**2)``."""

    class ActivityPenalty(lib.layers.Layer):
        def call(self, x):
            self.add_loss(rate * (x * x).mean())
            return x

    return ActivityPenalty()


def _model(lib, rate=0.5):
    return lib.Sequential(
        [
            lib.Input((3,)),
            lib.layers.Dense(4, activation="tanh"),
            _penalty_layer(lib, rate),
            lib.layers.Dense(1),
        ]
    )


def test_losses_hold_the_latest_call_only():
    layer = _penalty_layer(nk, rate=2.0)
    layer(ns.ones(2, 3))
    layer(ns.full((2, 3), 3.0))
    assert [float(t) for t in layer.losses] == [18.0]  # 2 * mean(9): the second call only


def test_a_model_gathers_its_layers_added_losses():
    model = _model(nk)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    model(x)
    hidden = np.tanh(
        x @ model.layers[0].kernel.detach().numpy() + model.layers[0].bias.detach().numpy()
    )
    assert len(model.losses) == 1
    assert_close(model.losses[0].detach().numpy(), 0.5 * np.mean(hidden * hidden))


def test_fit_adds_the_terms_as_keras_does():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 3)).astype(np.float32)
    y = rng.standard_normal((8, 1)).astype(np.float32)
    results = {}
    theirs = _model(keras)
    weights = theirs.get_weights()
    for lib, model in (("keras", theirs), ("ours", _model(nk))):
        model.set_weights(weights)
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
        results[lib] = history.history["loss"], model.get_weights()
    # float32 over 6 steps: a few ulp a step, carried forward
    assert_close(results["ours"][0], results["keras"][0], rtol=1e-5, atol=1e-6)
    for ours, theirs in zip(results["ours"][1], results["keras"][1]):
        assert_close(ours, theirs, rtol=1e-5, atol=1e-6)
    without = _model(nk, rate=0.0)  # the term matters: without it the losses differ
    without.set_weights(weights)
    without.compile(optimizer="sgd", loss="mse")
    plain = without.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert plain.history["loss"][0] < results["ours"][0][0] - 1e-3


def _every_other_step_model(lib):
    """A layer that adds its penalty on every second training call only (Python control flow
    in call, as Keras's torch backend runs it), so the first fit step has no term."""

    class EveryOtherStep(lib.layers.Layer):
        def __init__(self):
            super().__init__()
            self.calls = 0

        def call(self, x, training=False):
            if training:
                self.calls += 1
                if self.calls % 2 == 0:
                    self.add_loss(0.5 * (x * x).mean())
            return x

        def compute_output_shape(self, input_shape):
            return input_shape

    return lib.Sequential([lib.Input((3,)), lib.layers.Dense(4), EveryOtherStep(),
                           lib.layers.Dense(1)])  # fmt: skip


def test_a_term_added_after_the_first_step_still_counts_as_in_keras():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((8, 3)).astype(np.float32)
    y = rng.standard_normal((8, 1)).astype(np.float32)
    theirs, ours = _every_other_step_model(keras), _every_other_step_model(nk)
    ours.set_weights(theirs.get_weights())
    histories = []
    for model in (theirs, ours):
        model.compile(optimizer="sgd", loss="mse")
        histories.append(model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0))
    assert_close(histories[1].history["loss"], histories[0].history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert_close(a, b, rtol=1e-5, atol=1e-6)
