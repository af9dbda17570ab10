"""``keras.utils.PyDataset`` / ``Sequence`` and generators as the data of fit, evaluate and
predict, against real Keras 3 (torch backend) and against the same data given as arrays: the
same weights, logs and on_epoch_begin/on_epoch_end calls."""

import os
import warnings

import numpy as np
import pytest

from nnscratch import keras as nk
from nnscratch.keras.py_dataset import PyDataset, Sequence
from tests.tolerance import assert_close

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RNG = np.random.default_rng(7)
X = RNG.normal(size=(10, 3)).astype(np.float32)
Y = RNG.normal(size=(10, 1)).astype(np.float32)
W = RNG.uniform(0.5, 2.0, size=10).astype(np.float32)
VAL_X, VAL_Y = X[:6] * 2, Y[:6] - 1
BATCH = 4


def _dataset_class(base):
    """A dataset of ``x`` (and ``y``, ``w``) in batches of 4 that records its hooks' calls."""

    class Batches(base):
        def __init__(self, x, y=None, w=None, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.w, self.calls = x, y, w, []

        def __len__(self):
            return -(-len(self.x) // BATCH)

        def __getitem__(self, index):
            self.calls.append(index)
            part = slice(index * BATCH, (index + 1) * BATCH)
            if self.y is None:
                return self.x[part]
            if self.w is None:
                return self.x[part], self.y[part]
            return self.x[part], self.y[part], self.w[part]

        def on_epoch_begin(self):
            self.calls.append("begin")

        def on_epoch_end(self):
            self.calls.append("end")

    return Batches


def _model(lib, weights=None):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, activation="tanh"),
                            lib.layers.Dense(1)])  # fmt: skip
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"],
                  weighted_metrics=["mse"])  # fmt: skip
    return model


def _fit_dataset(lib, base, weights=None):
    model = _model(lib, weights)
    initial = [np.array(w, copy=True) for w in model.get_weights()]
    data = _dataset_class(base)(X, Y, W)
    validation = _dataset_class(base)(VAL_X, VAL_Y)
    history = model.fit(data, epochs=3, shuffle=False, verbose=0, validation_data=validation)
    return initial, model, history.history, (data.calls, validation.calls)


def _without_build_peek(calls: list) -> list:
    """Keras's first fit draws batch 0 once before training, to build the model (then resets
    its data: ``on_epoch_end``, as nnscratch does too)."""
    assert calls[:3] == ["begin", 0, "end"]
    return calls[2:]


def test_pydataset_fit_follows_keras():
    keras.utils.set_random_seed(0)
    initial, theirs, their_logs, their_calls = _fit_dataset(keras, keras.utils.PyDataset)
    _, ours, our_logs, our_calls = _fit_dataset(nk, PyDataset, initial)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert_close(a, b, rtol=1e-5)
    assert sorted(our_logs) == sorted(their_logs)
    for key in their_logs:
        assert_close(np.array(our_logs[key]), np.array(their_logs[key]), rtol=1e-5, err_msg=key)
    assert our_calls[0] == _without_build_peek(their_calls[0])
    assert our_calls[0].count("end") == 4  # once when fit starts, then after each epoch
    assert our_calls[1] == their_calls[1]  # each validation: reset, then one epoch


def test_pydataset_fit_equals_fit_on_the_arrays():
    nk.utils.set_random_seed(1)
    start = _model(nk).get_weights()
    _, ours, logs, (calls, _) = _fit_dataset(nk, PyDataset, start)
    arrays = _model(nk, start)
    history = arrays.fit(
        X, Y, sample_weight=W, batch_size=BATCH, epochs=3, shuffle=False, verbose=0,
        validation_data=(VAL_X, VAL_Y), validation_batch_size=BATCH,
    )  # fmt: skip
    for a, b in zip(ours.get_weights(), arrays.get_weights()):
        np.testing.assert_array_equal(a, b)  # the same batches, the same operations
    assert logs == history.history
    assert calls == ["end"] + ["begin", 0, 1, 2, "end"] * 3
    data = _dataset_class(PyDataset)(X, Y)
    assert ours.evaluate(data, verbose=0) == ours.evaluate(X, Y, batch_size=BATCH, verbose=0)
    assert data.calls == ["end", "begin", 0, 1, 2, "end"]
    inputs = _dataset_class(PyDataset)(X)
    predicted = ours.predict(inputs, verbose=0)
    np.testing.assert_array_equal(predicted, ours.predict(X, batch_size=BATCH, verbose=0))
    assert inputs.calls == ["begin", 0, 1, 2, "end"]


def test_steps_per_epoch_continues_through_the_dataset_as_keras():
    calls = {}
    for lib, base in ((keras, keras.utils.PyDataset), (nk, PyDataset)):
        data = _dataset_class(base)(X, Y)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _model(lib).fit(data, epochs=3, steps_per_epoch=2, shuffle=False, verbose=0)
        assert any("ran out of data" in str(w.message) for w in caught)
        calls[lib] = data.calls
    assert calls[nk] == _without_build_peek(calls[keras])


def test_generator_with_steps_equals_arrays():
    def batches():
        while True:
            for start in range(0, 10, BATCH):
                yield X[start : start + BATCH], Y[start : start + BATCH]

    nk.utils.set_random_seed(2)
    start = _model(nk).get_weights()
    from_generator = _model(nk, start)
    logs = from_generator.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0).history
    from_arrays = _model(nk, start)
    expected = from_arrays.fit(X, Y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    assert logs == expected.history


def test_finite_generator_in_evaluate_and_predict():
    model = _model(nk)
    pairs = ((X[i : i + BATCH], Y[i : i + BATCH]) for i in range(0, 10, BATCH))
    assert model.evaluate(pairs, verbose=0) == model.evaluate(X, Y, batch_size=BATCH, verbose=0)
    inputs = (X[i : i + BATCH] for i in range(0, 10, BATCH))
    np.testing.assert_array_equal(
        model.predict(inputs, verbose=0), model.predict(X, batch_size=BATCH, verbose=0)
    )


def test_bad_dataset_arguments_are_refused_as_keras_refuses_them():
    for lib, base in ((keras, keras.utils.PyDataset), (nk, PyDataset)):
        model = _model(lib)
        with pytest.raises(ValueError, match="`y` should not be passed"):
            model.fit(_dataset_class(base)(X, Y), Y, verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        _model(nk).fit((b for b in [(X, Y)]), verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        _model(nk).fit(_dataset_class(PyDataset)(X, Y), validation_split=0.2, verbose=0)


def test_workers_are_accepted_and_noted_once():
    assert Sequence is PyDataset
    data = _dataset_class(Sequence)(X, Y, workers=4, use_multiprocessing=True, max_queue_size=3)
    assert (data.workers, data.use_multiprocessing, data.max_queue_size) == (4, True, 3)
    model = _model(nk)
    with pytest.warns(UserWarning, match="workers are not used"):
        model.fit(data, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(data, verbose=0)  # said once


def test_multi_output_model_trains_on_a_pydataset():
    inputs = nk.Input((3,))
    outputs = [nk.layers.Dense(1, name="a")(inputs), nk.layers.Dense(1, name="b")(inputs)]
    model = nk.Model(inputs, outputs)
    model.compile("sgd", loss=["mse", "mae"])

    class TwoTargets(PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            part = slice(index * 5, index * 5 + 5)
            return X[part], {"a": Y[part], "b": -Y[part]}

    logs = model.fit(TwoTargets(), verbose=0).history
    assert sorted(logs) == ["a_loss", "b_loss", "loss"]
