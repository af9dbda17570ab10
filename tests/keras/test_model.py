"""Sequential and Model: compile/fit/evaluate/predict against real Keras 3 (torch backend),
from the same weights, plus the error messages and warnings."""

import os
import warnings

import numpy as np
import pytest
from tolerance import assert_close

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture
def data(rng):
    x = rng.standard_normal((12, 3))  # float64, as users pass it: both cast to float32
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64)
    return x, y


def _mlp(lib, regularizer=None, dropout=0.0):
    layers = [
        lib.layers.Input(shape=(3,)),
        lib.layers.Dense(5, activation="tanh", kernel_regularizer=regularizer),
        lib.layers.Dropout(dropout),
        lib.layers.Dense(1, activation="sigmoid"),
    ]
    return lib.Sequential(layers)


def _twins(**kwargs):
    """Our model and Keras's with the same (our) initial weights."""
    ours, theirs = _mlp(nk, **kwargs), _mlp(keras, **kwargs)
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def _assert_histories_match(ours, theirs, atol=1e-6):
    assert list(ours.history) == list(theirs.history)
    for name in theirs.history:
        np.testing.assert_allclose(
            ours.history[name], theirs.history[name], atol=atol, err_msg=name
        )


def _assert_weights_match(ours, theirs, atol=1e-6):
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(mine, keras_weight, atol=atol)


# ---- training trajectories --------------------------------------------------------------------
@pytest.mark.parametrize(
    "optimizer",
    [
        "sgd",
        "adam",
        "rmsprop",
        "SGD(learning_rate=0.1, momentum=0.9, nesterov=True)",
        "Adam(learning_rate=0.01)",
    ],
)
def test_fit_follows_keras_with_validation_metrics_and_regularizer(optimizer, data):
    x, y = data
    ours, theirs = _twins(regularizer="l2")
    make = lambda lib: (  # noqa: E731
        optimizer if "(" not in optimizer else eval(f"lib.optimizers.{optimizer}")
    )
    compile_args = {"loss": "binary_crossentropy", "metrics": ["binary_accuracy", "accuracy"]}
    ours.compile(optimizer=make(nk), **compile_args)
    theirs.compile(optimizer=make(keras), **compile_args)
    fit_args = {
        "epochs": 4,
        "batch_size": 3,
        "shuffle": False,
        "validation_split": 0.25,
        "verbose": 0,
    }
    with pytest.warns(UserWarning, match="rows for training"):  # our small-data warning
        history = ours.fit(x, y, **fit_args)
    _assert_histories_match(history, theirs.fit(x, y, **fit_args))
    _assert_weights_match(ours, theirs)


def test_history_object_matches_keras(data):
    x, y = data
    ours, theirs = _twins()
    for model in (ours, theirs):
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    h_ours = ours.fit(x, y, epochs=5, initial_epoch=2, batch_size=5, shuffle=False, verbose=0)
    h_theirs = theirs.fit(x, y, epochs=5, initial_epoch=2, batch_size=5, shuffle=False, verbose=0)
    assert h_ours.epoch == h_theirs.epoch == [2, 3, 4]
    assert h_ours.params == h_theirs.params
    _assert_histories_match(h_ours, h_theirs)


def test_shuffled_fit_is_repeatable_with_a_seed(data):
    x, y = data
    losses = []
    for _ in range(2):
        nk.utils.set_random_seed(3)
        model = _mlp(nk)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        losses.append(model.fit(x, y, epochs=3, batch_size=4, verbose=0).history["loss"])
    assert losses[0] == losses[1]


def test_sample_weight_and_class_weight_follow_keras(data):
    x, y = data
    weights = np.linspace(0.5, 2.0, len(y))
    for kwargs in ({"sample_weight": weights}, {"class_weight": {0: 0.3, 1: 2.0}}):
        ours, theirs = _twins()
        for model in (ours, theirs):
            model.compile(
                optimizer="sgd",
                loss="binary_crossentropy",
                metrics=["binary_accuracy"],
                weighted_metrics=["binary_accuracy", "mse"],
            )
        fit_args = {"epochs": 3, "batch_size": 4, "shuffle": False, "verbose": 0, **kwargs}
        _assert_histories_match(ours.fit(x, y, **fit_args), theirs.fit(x, y, **fit_args))
        _assert_weights_match(ours, theirs)


def test_validation_data_and_function_losses_follow_keras(data):
    x, y = data
    ours, theirs = _twins()
    ours.compile(optimizer="rmsprop", loss=nk.losses.mean_squared_error)
    theirs.compile(optimizer="rmsprop", loss=keras.losses.mean_squared_error)
    fit_args = {
        "epochs": 3,
        "batch_size": 5,
        "shuffle": False,
        "verbose": 0,
        "validation_data": (x[:4], y[:4]),
    }
    _assert_histories_match(ours.fit(x, y, **fit_args), theirs.fit(x, y, **fit_args))


def test_subclassed_model_trains_as_keras(data):
    x, y = data

    def make(lib):
        class Net(lib.Model):
            def __init__(self):
                super().__init__()
                self.hidden = lib.layers.Dense(4, activation="relu")
                self.out = lib.layers.Dense(1)

            def call(self, inputs):
                return self.out(self.hidden(inputs))

        model = Net()
        model(x[:1])
        model.compile(optimizer="sgd", loss="mse")
        return model

    ours, theirs = make(nk), make(keras)
    theirs.set_weights(ours.get_weights())
    fit_args = {"epochs": 3, "batch_size": 4, "shuffle": False, "verbose": 0}
    _assert_histories_match(ours.fit(x, y, **fit_args), theirs.fit(x, y, **fit_args))


# ---- evaluate, predict, single batches --------------------------------------------------------
def test_evaluate_returns_keras_values_and_layout(data):
    x, y = data
    ours, theirs = _twins(regularizer="l1")
    for model in (ours, theirs):
        model.compile(
            optimizer="sgd", loss="binary_crossentropy", metrics=["binary_accuracy", "mse"]
        )
    np.testing.assert_allclose(
        ours.evaluate(x, y, batch_size=5, verbose=0),
        theirs.evaluate(x, y, batch_size=5, verbose=0),
        rtol=1e-6,
    )
    mine = ours.evaluate(x, y, verbose=0, return_dict=True)
    keras_dict = theirs.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(mine) == sorted(keras_dict)
    ours, theirs = _twins()  # fresh: a recompiled Keras model keeps its old metrics
    ours.compile(optimizer="sgd", loss="binary_crossentropy")
    theirs.compile(optimizer="sgd", loss="binary_crossentropy")
    assert isinstance(ours.evaluate(x, y, verbose=0), float)
    np.testing.assert_allclose(
        ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-6
    )


def test_predict_is_batched_numpy_and_ignores_dropout(data):
    x, _ = data
    ours, theirs = _twins(dropout=0.5)
    out = ours.predict(x, batch_size=5, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (12, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out, theirs.predict(x, verbose=0), atol=1e-6)
    assert_close(ours.predict_on_batch(x), out)  # one batch of 12, not batches of 5: not bitwise


def test_train_on_batch_and_test_on_batch_follow_keras(data):
    x, y = data
    ours, theirs = _twins()
    for model in (ours, theirs):
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
    for _ in range(3):
        np.testing.assert_allclose(
            ours.train_on_batch(x, y), theirs.train_on_batch(x, y), atol=1e-6
        )
    np.testing.assert_allclose(ours.test_on_batch(x, y), theirs.test_on_batch(x, y), atol=1e-6)
    _assert_weights_match(ours, theirs)


def test_get_weights_order_and_shapes_match_keras(rng):
    ours, theirs = _twins()
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    new = [rng.standard_normal(w.shape).astype(np.float32) for w in theirs.get_weights()]
    ours.set_weights(new)
    theirs.set_weights(new)
    x = rng.standard_normal((6, 3))
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), atol=1e-6)


def test_sequential_without_input_builds_on_first_fit(data):
    x, y = data
    model = nk.Sequential([nk.layers.Dense(2, activation="relu"), nk.layers.Dense(1)])
    lines = []
    model.summary(print_fn=lines.append)
    assert "0 (unbuilt)" in lines[0]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=4, verbose=0)
    assert model.input_shape == (None, 3) and model.output_shape == (None, 1)
    assert model.count_params() == 11


def test_verbose_2_fit_prints_one_line_per_epoch(data, capsys):
    x, y = data
    model = _mlp(nk)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics="binary_accuracy")
    model.fit(x, y, epochs=2, batch_size=4, verbose=2)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "Epoch 1/2" and printed[2] == "Epoch 2/2"
    assert printed[1].startswith("3/3 - ") and "binary_accuracy: " in printed[1]


def test_callbacks_see_the_hooks_and_can_stop_training(data):
    x, y = data
    calls = []

    class Recorder:
        def set_model(self, model):
            self.model = model

        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_train_batch_end(self, batch, logs=None):
            calls.append(f"batch_end {batch}")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(f"epoch_end {epoch} {sorted(logs)}")
            self.model.stop_training = epoch == 1

    model = _mlp(nk)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=5, batch_size=6, verbose=0, callbacks=[Recorder()])
    assert calls == [
        "train_begin",
        "batch_end 0",
        "batch_end 1",
        "epoch_end 0 ['loss']",
        "batch_end 0",
        "batch_end 1",
        "epoch_end 1 ['loss']",
    ]
    assert history.epoch == [0, 1]


# ---- errors and warnings ----------------------------------------------------------------------
def test_fit_evaluate_before_compile_say_so(data):
    x, y = data
    model = _mlp(nk)
    for method in ("fit", "evaluate", "train_on_batch"):
        with pytest.raises(ValueError, match=rf"must call `compile\(\)` before calling `{method}"):
            getattr(model, method)(x, y)


def test_rows_of_x_and_y_must_agree(data):
    x, y = data
    model = _mlp(nk)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="'x' sizes: 12\n'y' sizes: 11"):
        model.fit(x, y[:11], verbose=0)


def test_input_shape_mismatch_names_the_layer_and_both_shapes(data):
    _, y = data
    nk.utils.clear_session()
    model = _mlp(nk)
    model.compile(loss="mse")
    expected = (
        r"Sequential model 'sequential' expects inputs of shape \(None, 3\) \(its first "
        r"layer is 'dense'\), received shape \(12, 4\)"
    )
    for call in (
        lambda: model.fit(np.zeros((12, 4)), y, verbose=0),
        lambda: model.predict(np.zeros((12, 4)), verbose=0),
    ):
        with pytest.raises(ValueError, match=expected):
            call()


def test_fit_warns_when_the_batch_holds_every_sample(data):
    x, y = data
    model = _mlp(nk)
    model.compile(loss="mse")
    with pytest.warns(UserWarning, match="batch_size=32 is larger than the 12 training samples"):
        model.fit(x, y, batch_size=32, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, verbose=0)  # the default batch size: no warning
        model.fit(x, y, batch_size=12, verbose=0)


def test_sequential_add_checks_its_argument():
    model = nk.Sequential([nk.layers.Dense(1, name="d")])
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        model.add("dense")
    with pytest.raises(ValueError, match="unique names. Name 'd'"):
        model.add(nk.layers.Dense(1, name="d"))
    with pytest.raises(ValueError, match="an Input can only be the first layer"):
        model.add(nk.layers.Input(shape=(2,)))


def test_unknown_names_in_compile_list_the_valid_ones():
    model = _mlp(nk)
    with pytest.raises(ValueError, match="Unknown optimizer 'adamm'"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="Unknown loss 'mse2'"):
        model.compile(loss="mse2")
