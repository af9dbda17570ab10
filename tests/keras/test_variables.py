"""``keras.Variable`` as Keras code uses it: layer weights and metric state updated in place
with ``assign`` / ``assign_add`` / ``assign_sub``, read with ``value`` and ``numpy()``; a
user's ``keras.metrics.Metric`` subclass with ``add_variable``, in ``fit`` next to Keras's."""

import os

import numpy as np
import pytest
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _steps(lib):
    """The same updates on a Variable of each library; its values after each."""
    v = lib.Variable(np.array([1.0, 2.0, 3.0], np.float32), trainable=False, name="state")
    seen = []
    for update, value in (("assign_add", [0.5, 0.5, 0.5]), ("assign_sub", 1.0),
                          ("assign", [4.0, 5.0, 6.0]), ("assign_add", 2.0)):  # fmt: skip
        getattr(v, update)(np.asarray(value, np.float32))
        seen.append(np.array(v.numpy()))
    return v, seen


def test_the_assign_family_matches_keras():
    ours, ours_seen = _steps(nk)
    theirs, theirs_seen = _steps(keras)
    for a, b in zip(ours_seen, theirs_seen):
        np.testing.assert_array_equal(a, b)
    assert (ours.name, ours.trainable, ours.dtype.name) == (theirs.name, False, "float32")
    assert ours.value is ours


def test_a_variable_needs_a_shape_with_an_initializer_name():
    with pytest.raises(ValueError, match="shape"):
        nk.Variable("zeros")
    assert nk.Variable("ones", shape=(2, 2)).numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_layer_weights_are_variables_that_train_and_assign():
    layer = nk.layers.Dense(2)
    layer.build((None, 3))
    assert all(isinstance(w, nk.Variable) for w in layer.weights)
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    layer.bias.assign([1.0, -1.0])
    out = layer(ns.zeros(1, 3))
    assert out.tolist() == [[1.0, -1.0]]
    out.sum().backward()  # the assign kept it a leaf of the graph
    assert layer.bias.value.grad.tolist() == [1.0, 1.0]


def _running_sum_layer(lib):
    """A layer that keeps a non-trainable running total of its inputs (assign_add in call)."""

    class RunningSum(lib.layers.Layer):
        def build(self, input_shape):
            self.total = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                         trainable=False, name="total")  # fmt: skip

        def call(self, x):
            self.total.assign_add(lib.ops.sum(x, axis=0))
            return x

    return RunningSum()


def test_a_layer_updating_its_state_in_call_matches_keras():
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    totals = []
    for lib in (nk, keras):
        layer = _running_sum_layer(lib)
        layer(x)
        layer(x)
        totals.append(np.array(layer.total.numpy()))
        assert len(layer.trainable_weights) == 0 and len(layer.non_trainable_weights) == 1
    np.testing.assert_array_equal(totals[0], totals[1])


def _argmax_hits(lib):
    """A user's metric, written as Keras's guides write one: a running count of the samples
    whose argmax prediction equals the label, kept in a state variable."""

    class ArgmaxHits(lib.metrics.Metric):
        def __init__(self, name="argmax_hits", **kwargs):
            super().__init__(name=name, **kwargs)
            self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")

        def update_state(self, y_true, y_pred, sample_weight=None):
            predicted = lib.ops.argmax(y_pred, axis=1)
            labels = lib.ops.cast(lib.ops.reshape(y_true, (-1,)), "int32")
            same = lib.ops.cast(lib.ops.equal(lib.ops.cast(predicted, "int32"), labels), "float32")
            self.hits.assign_add(lib.ops.sum(same))

        def result(self):
            return self.hits.value

    return ArgmaxHits()


def test_a_user_metric_with_state_variables_logs_as_keras():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((12, 4)).astype(np.float32)
    y = rng.integers(0, 3, (12, 1))
    logs = []
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    ours = nk.Sequential([nk.Input((4,)), nk.layers.Dense(3)])
    ours.set_weights(theirs.get_weights())
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(optimizer="sgd", loss=lib.losses.SparseCategoricalCrossentropy(True),
                      metrics=[_argmax_hits(lib)])  # fmt: skip
        history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
        logs.append(history.history)
    assert sorted(logs[0]) == sorted(logs[1]) == ["argmax_hits", "loss"]
    assert logs[1]["argmax_hits"] == logs[0]["argmax_hits"]  # counts: exact, reset each epoch
    assert_close(logs[1]["loss"], logs[0]["loss"], rtol=1e-5)
    metric = _argmax_hits(nk)
    metric.update_state(np.array([0, 1]), np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert float(metric.result()) == 1.0
    metric.reset_state()  # the base class zeroes the state variables
    assert float(metric.result()) == 0.0 and len(metric.variables) == 1
