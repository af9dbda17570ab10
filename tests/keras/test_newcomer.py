"""What a newcomer to the Keras front end runs into (issue 18): NaN in the targets, Keras 2's
positional ``compile``, the default batch size on a tiny table, and hyper-parameters that
Keras 3 takes without a word. Real Keras 3 is the oracle where it has an answer."""

import inspect
import os
import warnings

import numpy as np
import pytest

from nnscratch import keras as nk
from nnscratch.errors import InputError

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)  # the article's XOR table
Y = np.array([0, 1, 1, 0], np.float32)

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _keras():
    """Real Keras 3, or a skip on a user's machine; in CI a missing oracle is a failure."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    if os.environ.get("CI"):
        import keras

        return keras
    return pytest.importorskip("keras")


def _model(lib=nk, **compile_kwargs):
    model = lib.Sequential([lib.Input(shape=(2,)), lib.layers.Dense(1, activation="sigmoid")])
    model.compile(**{"optimizer": "sgd", "loss": "binary_crossentropy", **compile_kwargs})
    return model


def _with(array: np.ndarray, index, value) -> np.ndarray:
    array = array.copy()
    array[index] = value
    return array


# ---- NaN or inf in y, sample_weight and validation data ---------------------------------------
@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda m: m.fit(X, _with(Y, 1, np.nan), verbose=0), r"`y`, received 1 NaN .*\(1,\)"),
        (lambda m: m.fit(X, _with(Y, 3, np.inf), verbose=0), r"`y`, .*1 infinite .*\(3,\)"),
        (lambda m: m.evaluate(X, _with(Y, 0, -np.inf), verbose=0), r"`y`, .*1 infinite"),
        (
            lambda m: m.fit(X, Y, sample_weight=_with(np.ones(4), 2, np.nan), verbose=0),
            r"`sample_weight`, received 1 NaN .*\(2,\)",
        ),
        (
            lambda m: m.evaluate(X, Y, sample_weight=_with(np.ones(4), 2, np.inf), verbose=0),
            r"`sample_weight`, .*1 infinite",
        ),
        (
            lambda m: m.fit(X, Y, validation_data=(X, _with(Y, 0, np.nan)), verbose=0),
            r"In `validation_data`: .*`y`, received 1 NaN",
        ),
        (
            lambda m: m.train_on_batch(X, _with(Y, 1, np.nan)),
            r"`y`, received 1 NaN",
        ),
    ],
    ids=[
        "nan y",
        "inf y",
        "evaluate -inf y",
        "nan weight",
        "evaluate inf weight",
        "nan validation y",
        "train_on_batch nan y",
    ],
)
def test_non_finite_targets_and_weights_are_refused_before_any_step(call, words):
    model = _model()
    before = model.get_weights()
    with pytest.raises(InputError, match=words):
        call(model)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_finite_targets_and_integer_labels_still_train():
    history = _model().fit(X, Y.astype(np.int64), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


# ---- compile: Keras 3's argument order ----------------------------------------------------------
def test_compile_takes_its_arguments_in_keras_3s_order():
    keras = _keras()
    ours = list(inspect.signature(nk.Model.compile).parameters.items())
    theirs = list(inspect.signature(keras.Model.compile).parameters.items())
    assert [(n, p.default) for n, p in ours] == [(n, p.default) for n, p in theirs]


def test_keras_2s_positional_metrics_get_a_clear_error():
    keras = _keras()
    with pytest.raises(ValueError, match="loss_weights"):  # what Keras 3 itself says
        _model(keras).compile("adam", "binary_crossentropy", "binary_accuracy")
    model = nk.Sequential([nk.Input(shape=(2,)), nk.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match=r"`loss_weights`.*'binary_accuracy'.*metrics="):
        model.compile("adam", "binary_crossentropy", "binary_accuracy")
    with pytest.raises(ValueError, match=r"`loss_weights`.*\['mae'\].*metrics=\['mae'\]"):
        model.compile("adam", "mse", ["mae"])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics="binary_accuracy")
    assert list(model.fit(X, Y, epochs=1, verbose=0).history) == ["binary_accuracy", "loss"]


@pytest.mark.parametrize("loss_weights", [0.5, [0.5], {"out": 0.5}])
def test_loss_weights_scale_the_loss_as_keras_does(loss_weights):
    keras = _keras()
    losses = []
    weights = None
    for lib in (keras, nk):
        model = lib.Sequential([lib.Input(shape=(2,)), lib.layers.Dense(1, "sigmoid", name="out")])
        if weights is not None:
            model.set_weights(weights)
        weights = model.get_weights()
        model.compile(optimizer="sgd", loss="binary_crossentropy", loss_weights=loss_weights)
        losses.append(model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0))
    np.testing.assert_allclose(losses[1].history["loss"], losses[0].history["loss"], atol=1e-6)


# ---- the default batch size on a tiny table -----------------------------------------------------
def test_the_default_batch_size_on_four_rows_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _model().fit(X, Y, epochs=2, verbose=0)  # the article's call: one batch holds all
    with pytest.warns(UserWarning, match="batch_size=32 is larger than the 4 training samples"):
        _model().fit(X, Y, batch_size=32, epochs=1, verbose=0)  # a choice: still said
    with pytest.warns(UserWarning, match="leaves 3 rows for training and 1 for validation"):
        _model().fit(X, Y, epochs=1, validation_split=0.25, verbose=0)


# ---- fit's hyper-parameters ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"epochs": -1}, r"`epochs` to be an integer >= 0, received -1 \(int\)"),
        ({"epochs": 1.5}, r"`epochs` .* received 1\.5 \(float\)"),
        ({"epochs": "10"}, r"`epochs` .* received '10' \(str\)"),
        ({"epochs": True}, r"`epochs` .* received True \(bool\)"),
        ({"initial_epoch": -1}, r"`initial_epoch` to be an integer >= 0, received -1"),
        ({"epochs": 5, "initial_epoch": 10}, r"initial_epoch=10 and epochs=5.*epochs=15"),
        ({"validation_split": 1.5}, r"`validation_split` to be a fraction in \[0, 1\).*1\.5"),
        ({"validation_split": 1.0}, r"`validation_split` .* received 1\.0"),
        ({"validation_split": -0.2}, r"`validation_split` .* received -0\.2"),
        ({"validation_split": float("nan")}, r"`validation_split` .* received nan"),
        ({"validation_freq": 0}, r"`validation_freq` to be an integer >= 1, received 0"),
        ({"validation_batch_size": 0}, r"`validation_batch_size` .* >= 1, received 0"),
        ({"batch_size": 0}, r"`batch_size` to be a positive integer, received 0"),
    ],
)
def test_fit_refuses_bad_hyperparameters(kwargs, words):
    model = _model()
    before = model.get_weights()
    with pytest.raises(InputError, match=words):
        model.fit(X, Y, verbose=0, **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_fit_still_takes_what_keras_users_pass():
    assert _model().fit(X, Y, epochs=0, verbose=0).history == {}  # as Keras: nothing to train
    history = _model().fit(X, Y, epochs=np.int64(3), initial_epoch=3, verbose=0)
    assert history.epoch == []
    history = _model().fit(X, Y, epochs=2, initial_epoch=1, verbose=0, validation_split=0.0)
    assert history.epoch == [1]
    x, y = np.resize(X, (40, 2)), np.resize(Y, 40)
    history = _model().fit(
        x, y, batch_size=np.int32(8), epochs=2, validation_split=0.2, validation_freq=2, verbose=0
    )
    assert len(history.history["val_loss"]) == 1


# ---- optimizers' hyper-parameters ---------------------------------------------------------------
OPTIMIZERS = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion"]


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("learning_rate", [-0.1, float("nan"), float("inf")])
def test_every_optimizer_refuses_a_bad_learning_rate(name, learning_rate):
    words = rf"`learning_rate` of {name} must be a number >= 0 \(finite\), received {learning_rate}"
    with pytest.raises(ValueError, match=words):
        getattr(nk.optimizers, name)(learning_rate=learning_rate)
    optimizer = getattr(nk.optimizers, name)(learning_rate=0.01)
    with pytest.raises(ValueError, match=f"`learning_rate` of {name}"):
        optimizer.learning_rate = learning_rate  # as a callback would set it
    assert optimizer.learning_rate == np.float32(0.01)


@pytest.mark.parametrize(
    ("name", "kwargs", "words"),
    [
        ("Adam", {"beta_1": 1.0}, r"`beta_1` of Adam must be a number in \[0, 1\), received 1\.0"),
        ("AdamW", {"beta_2": 1.5}, r"`beta_2` of AdamW .* \[0, 1\)"),
        ("Adamax", {"beta_1": -0.1}, r"`beta_1` of Adamax"),
        ("Nadam", {"beta_2": float("nan")}, r"`beta_2` of Nadam .* received nan"),
        ("Adam", {"epsilon": -1e-7}, r"`epsilon` of Adam must be a number >= 0"),
        ("RMSprop", {"rho": 1.5}, r"`rho` of RMSprop must be a number in \[0, 1\]"),
        ("RMSprop", {"momentum": -0.5}, r"`momentum` of RMSprop"),
        ("SGD", {"momentum": float("nan")}, r"`momentum` of SGD .* received nan"),
        ("Adadelta", {"rho": -0.1}, r"`rho` of Adadelta"),
        ("Adagrad", {"initial_accumulator_value": -1.0}, r"`initial_accumulator_value` of Ada"),
        ("Lion", {"beta_2": 1.5}, r"`beta_2` of Lion must be a number in \[0, 1\]"),
        ("Adam", {"weight_decay": -0.01}, r"`weight_decay` of Adam must be a number >= 0"),
    ],
)
def test_optimizers_refuse_hyperparameters_out_of_range(name, kwargs, words):
    with pytest.raises(ValueError, match=words):
        getattr(nk.optimizers, name)(**kwargs)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("Adam", {"learning_rate": 0.0, "beta_1": 0.0, "epsilon": 0.0}),
        ("SGD", {"learning_rate": 0.1, "momentum": 1.0}),
        ("RMSprop", {"rho": 1.0, "momentum": 0.0}),
        ("Lion", {"beta_1": 1.0, "beta_2": 1.0}),
        ("Adagrad", {"initial_accumulator_value": 0.0}),
        ("AdamW", {"weight_decay": 0.0}),
    ],
)
def test_optimizers_take_what_keras_takes_at_the_edges(name, kwargs):
    keras = _keras()
    getattr(keras.optimizers, name)(**kwargs)  # Keras takes it: so must we
    getattr(nk.optimizers, name)(**kwargs)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizers_take_schedules_and_callables(name):
    schedule = nk.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert getattr(nk.optimizers, name)().learning_rate > 0  # the defaults
    assert getattr(nk.optimizers, name)(learning_rate=schedule).learning_rate == np.float32(0.1)
    assert getattr(nk.optimizers, name)(learning_rate=lambda: 0.2).learning_rate == np.float32(0.2)
