"""``Masking``, ``ActivityRegularization``, ``TimeDistributed`` and ``Identity`` in models,
against real Keras 3 (torch backend) from the same weights: the mask reaches the recurrent
layer, the activity penalty reaches the loss, and the shared weights train alike. (The layer
battery checks each layer alone: shapes, configs, saving, values.)"""

import os

import numpy as np
import pytest
from tolerance import assert_close

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _padded_sequences() -> np.ndarray:
    """Three sequences of 2 features, padded at the end with the mask value -1."""
    x = np.random.default_rng(0).standard_normal((3, 5, 2)).astype(np.float32)
    x[0, 3:] = -1.0
    x[1, 1:] = -1.0
    return x


def _both(build):
    """(ours, Keras's) model from ``build(lib)``, ours holding Keras's weights."""
    theirs = build(keras)
    ours = build(nk)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def test_masking_makes_the_lstm_skip_padded_steps():
    def build(lib):
        return lib.Sequential(
            [lib.Input((5, 2)), lib.layers.Masking(mask_value=-1.0), lib.layers.LSTM(3)]
        )

    ours, theirs = _both(build)
    x = _padded_sequences()
    expected = theirs.predict(x, verbose=0)
    assert_close(ours.predict(x, verbose=0), expected)
    # the padding matters: without Masking, the last state differs
    unmasked = nk.Sequential([nk.Input((5, 2)), nk.layers.LSTM(3)])
    unmasked.set_weights(theirs.get_weights())
    assert not np.allclose(unmasked.predict(x, verbose=0)[:2], expected[:2], atol=1e-3)


def test_activity_regularization_adds_keras_penalty_to_the_loss():
    def build(lib):
        return lib.Sequential(
            [
                lib.Input((4,)),
                lib.layers.Dense(3),
                lib.layers.ActivityRegularization(l1=0.05, l2=0.1),
                lib.layers.Dense(1),
            ]
        )

    ours, theirs = _both(build)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    y = rng.standard_normal((6, 1)).astype(np.float32)
    histories = []
    for model in (ours, theirs):
        model.compile(optimizer="sgd", loss="mse")
        histories.append(model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0))
    assert_close(histories[0].history["loss"], histories[1].history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert_close(a, b, rtol=1e-5, atol=1e-6)  # float32, 4 steps


def test_time_distributed_dense_trains_as_keras():
    def build(lib):
        return lib.Sequential(
            [
                lib.Input((4, 3)),
                lib.layers.TimeDistributed(lib.layers.Dense(2, activation="tanh")),
                lib.layers.Identity(),
                lib.layers.Flatten(),
                lib.layers.Dense(1),
            ]
        )

    ours, theirs = _both(build)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 4, 3)).astype(np.float32)
    y = rng.standard_normal((8, 1)).astype(np.float32)
    for model in (ours, theirs):
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert_close(a, b, rtol=1e-5, atol=1e-6)  # float32, 4 Adam steps


def test_time_distributed_refuses_what_keras_refuses():
    with pytest.raises(ValueError, match="keras.layers.Layer"):
        nk.layers.TimeDistributed("dense")
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        nk.layers.TimeDistributed(nk.layers.Dense(2)).build((4, 3))
