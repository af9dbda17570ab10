"""fit, evaluate and predict on nested data: lists and dicts of arrays, each of its own dtype.

Oracles: real Keras 3 (torch backend) from the same weights, and hand computation (int64 ids
near 2**53 that any trip through a float array would round).
"""

import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

BASE = 2**53  # int64 holds BASE + 1 exactly; float64 (and float32) do not


class Offset(nk.layers.Layer):
    """ids - BASE, computed in int64, as float32."""

    def call(self, ids):
        return ns.tensor((ids.numpy() - BASE).astype(np.float32))

    def compute_output_shape(self, input_shape):
        return input_shape


def _offset_model():
    ids = nk.Input((1,), dtype="int64", name="ids")
    feats = nk.Input((1,), name="feats")
    diff = nk.layers.Subtract()([Offset(dtype="int64")(ids), feats])
    out = nk.layers.Dense(1, use_bias=False, kernel_initializer="ones")(diff)
    return nk.Model({"ids": ids, "feats": feats}, out)


def _offset_data(n=8):
    k = np.arange(n)
    return {"feats": k.reshape(-1, 1).astype(np.float32), "ids": (BASE + k).reshape(-1, 1)}


@pytest.mark.filterwarnings("ignore:validation_split=")
def test_int64_ids_keep_every_bit_and_stay_paired_through_shuffles():
    """Row i holds ids BASE + i and feature i, so the model's output (ids - BASE) - feature is
    0 exactly, by hand, as long as each id keeps its 64 bits and a shuffle moves the rows of
    both inputs alike. Packing the inputs into one float array makes it nonzero."""
    model, x, y = _offset_model(), _offset_data(), np.zeros((8, 1), np.float32)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    for fit_data in ({"validation_data": (x, y)}, {"validation_split": 0.25}):
        history = model.fit(x, y, batch_size=3, epochs=3, verbose=0, **fit_data).history
        assert all(v == [0.0, 0.0, 0.0] for v in history.values()), history
    reordered = {"ids": x["ids"], "feats": x["feats"]}  # dict order does not matter
    assert model.evaluate(reordered, y, batch_size=5, verbose=0) == [0.0, 0.0]
    np.testing.assert_array_equal(model.predict(x, batch_size=3, verbose=0), y)
    assert model.train_on_batch(x, y) == [0.0, 0.0]
    assert model.test_on_batch(x, y) == [0.0, 0.0]
    np.testing.assert_array_equal(model.predict_on_batch(x), y)
    as_list = [x["ids"], x["feats"]]  # a list follows the model's inputs' order
    np.testing.assert_array_equal(model.predict(as_list, verbose=0), y)


def _sequences_and_features(lib):
    """Variable-length int64 ids (shape (None,)) beside float32 features."""
    L = lib.layers
    ids = lib.Input((None,), dtype="int64", name="ids")
    feats = lib.Input((2,), name="feats")
    pooled = L.GlobalAveragePooling1D()(L.Embedding(10, 3)(ids))
    joined = L.Concatenate()([pooled, L.Dense(3, activation="tanh")(feats)])
    return lib.Model({"ids": ids, "feats": feats}, L.Dense(1)(joined))


def test_ids_of_unknown_length_and_features_fit_as_keras_does(rng):
    keras.utils.clear_session()
    nk.utils.clear_session()
    km, nm = _sequences_and_features(keras), _sequences_and_features(nk)
    nm.set_weights(km.get_weights())
    x = {"ids": rng.integers(0, 10, (12, 5)), "feats": rng.standard_normal((12, 2))}
    y = rng.standard_normal((12, 1))
    val = ({"ids": rng.integers(0, 10, (4, 5)), "feats": rng.standard_normal((4, 2))}, y[:4])
    histories = []
    for model, lib in ((km, keras), (nm, nk)):
        model.compile(optimizer=lib.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
        fit = model.fit(x, y, batch_size=5, epochs=3, shuffle=False, verbose=0, validation_data=val)
        histories.append(fit.history)
    assert sorted(histories[1]) == sorted(histories[0])
    for name in histories[0]:
        np.testing.assert_allclose(histories[1][name], histories[0][name], rtol=1e-5, err_msg=name)
    for ours, theirs in zip(nm.get_weights(), km.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)
    np.testing.assert_allclose(
        nm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


def _dict_model(lib):
    class TwoParts(lib.Model):
        def __init__(self):
            super().__init__()
            self.join = lib.layers.Concatenate()
            self.out = lib.layers.Dense(1)

        def call(self, inputs):
            return self.out(self.join([inputs["a"], inputs["b"]]))

    return TwoParts()


def test_a_subclassed_model_trains_on_a_dict_as_keras_does(rng):
    x = {"a": rng.standard_normal((10, 3)), "b": rng.standard_normal((10, 2))}
    y = rng.standard_normal((10, 1))
    models, histories = [], []
    for lib in (keras, nk):
        model = _dict_model(lib)
        model(x)  # build
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    for model, lib in zip(models, (keras, nk)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        histories.append(model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0))
    np.testing.assert_allclose(histories[1].history["loss"], histories[0].history["loss"], 1e-5)
    np.testing.assert_allclose(
        models[1].predict(x, verbose=0), models[0].predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_mismatched_lengths_and_missing_names_say_which():
    model, x = _offset_model(), _offset_data()
    model.compile(optimizer="sgd", loss="mse")
    short = {"ids": x["ids"], "feats": x["feats"][:7]}
    sizes = r"'x' sizes: 8, 7 \(x\['ids'\]: 8, x\['feats'\]: 7\)\n'y' sizes: 8"
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous(.|\n)*" + sizes):
        model.fit(short, np.zeros((8, 1)), verbose=0)
    with pytest.raises(ValueError, match="'x' sizes: 8, 7"):
        model.predict(short, verbose=0)
    with pytest.raises(ValueError, match=r"'y' sizes: 7"):
        model.evaluate(x, np.zeros((7, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"missing \['feats'\]"):
        model.fit({"ids": x["ids"]}, np.zeros((8, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"In `validation_data`.*missing \['ids'\]"):
        model.fit(x, np.zeros((8, 1)), verbose=0, validation_data=({"feats": x["feats"]}, [0]))
