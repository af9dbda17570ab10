"""fit() against real Keras 3 (torch backend) for every optimizer: the article's XOR model,
the same initial weights, 100 full-batch steps; the weights and the loss history must agree."""

import os
import warnings

import numpy as np
import pytest

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])  # the article's XOR data
Y = np.array([0, 1, 1, 0])
EPOCHS = 100
ATOL = 1e-4

# one optimizer per case, built the same way from keras.optimizers and nk.optimizers; a
# learning rate only where the default (0.001) hardly moves the weights in 100 steps
OPTIMIZERS = {
    "sgd": lambda o: "sgd",
    "sgd_nesterov": lambda o: o.SGD(momentum=0.9, nesterov=True),
    "adam": lambda o: "adam",
    "adam_amsgrad": lambda o: o.Adam(amsgrad=True),
    "adamw": lambda o: "adamw",
    "rmsprop": lambda o: "rmsprop",
    "rmsprop_centered": lambda o: o.RMSprop(centered=True, momentum=0.5),
    "adagrad": lambda o: o.Adagrad(learning_rate=0.05),
    "adadelta": lambda o: o.Adadelta(learning_rate=1.0),  # 0.05 barely moves it (0.01)
    "adamax": lambda o: "adamax",
    "nadam": lambda o: "nadam",
    "lion": lambda o: "lion",
}


def _xor_model(lib):
    return lib.Sequential(
        [
            lib.Input((2,)),
            lib.layers.Dense(10, activation="relu"),
            lib.layers.Dense(10, activation="relu"),
            lib.layers.Dense(1, activation="sigmoid"),
        ]
    )


def _train(lib, make_optimizer, weights=None):
    model = _xor_model(lib)
    if weights is not None:
        model.set_weights(weights)
    initial = [np.array(w, copy=True) for w in model.get_weights()]
    model.compile(optimizer=make_optimizer(lib.optimizers), loss="binary_crossentropy")
    history = model.fit(X, Y, batch_size=4, epochs=EPOCHS, shuffle=False, verbose=0)
    return initial, model.get_weights(), history.history["loss"]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_fit_follows_keras(name):
    make = OPTIMIZERS[name]
    keras.utils.set_random_seed(0)
    initial, theirs, their_loss = _train(keras, make)
    _, ours, our_loss = _train(nk, make, initial)
    assert len(ours) == len(theirs) == 6
    for a, b in zip(ours, theirs):
        assert a.dtype == np.float32 and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=ATOL)
    assert len(our_loss) == len(their_loss) == EPOCHS
    np.testing.assert_allclose(our_loss, their_loss, rtol=0, atol=ATOL)
    moved = max(np.abs(a - b).max() for a, b in zip(initial, theirs))
    assert moved > 1e-3  # the optimizer did train, so agreement means something


def _fit_split(n: int, validation_split: float):
    model = _xor_model(nk)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = np.resize(X, (n, 2)).astype(np.float32)
    y = np.resize(Y, (n,)).astype(np.float32)
    return model.fit(x, y, batch_size=2, epochs=1, validation_split=validation_split, verbose=0)


def test_validation_split_warns_on_small_data():
    with pytest.warns(UserWarning, match=r"3 rows for training and 1 for validation"):
        _fit_split(4, 0.25)
    with pytest.warns(UserWarning, match=r"16 rows for training and 1 for validation"):
        _fit_split(17, 0.05)


def test_validation_split_is_quiet_on_enough_data():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        history = _fit_split(40, 0.2)
    assert "val_loss" in history.history
