"""``keras.ops`` on symbolic KerasTensors: a functional model built with ops and KerasTensor
operators between its layers predicts and trains one ``fit`` step as real Keras 3 (torch
backend) does from the same weights."""

from __future__ import annotations

import numpy as np
import pytest
from keras_ops_parity import require_keras
from tolerance import assert_close

from nnscratch import keras as nk
from nnscratch.keras import ops
from nnscratch.keras.layers.keras_tensor import KerasTensor

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

rng = np.random.default_rng(11)
X = rng.standard_normal((8, 4)).astype(np.float32)
Y = rng.standard_normal((8, 1)).astype(np.float32)


def _model(lib):
    """Dense layers joined by ops and operators: relu, scaling, slicing, softmax, powers,
    layer normalization and a squareplus, the way keras.io code writes them."""
    o = lib.ops
    inputs = lib.Input(shape=(4,))
    h = lib.layers.Dense(6)(inputs)
    h = o.relu(h) * 2.0 - 0.5
    mixed = o.softmax(-h[:, :3]) + (h[:, 3:] ** 2) / 3.0
    mixed = o.layer_normalization(mixed, epsilon=1e-3)
    mixed = o.squareplus(mixed, b=1) + 1.0 / (1.0 + o.sigmoid(mixed))
    outputs = lib.layers.Dense(1)(mixed)
    return lib.Model(inputs, outputs)


def _fit_one_step(lib, weights):
    model = _model(lib)
    model.set_weights(weights)
    before = np.asarray(model.predict(X, verbose=0))
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    return before, [np.asarray(w) for w in model.get_weights()], history.history["loss"][0]


def test_functional_model_with_ops_trains_like_keras():
    keras, _ = require_keras()
    weights = [np.asarray(w) for w in _model(keras).get_weights()]
    ours, theirs = _fit_one_step(nk, weights), _fit_one_step(keras, weights)
    assert_close(ours[0], theirs[0], err_msg="predictions before training")
    for k, (a, b) in enumerate(zip(ours[1], theirs[1])):
        assert_close(a, b, err_msg=f"weight {k} after one SGD step")
    assert_close(ours[2], theirs[2], dtype=np.float32, err_msg="loss (a float32 mean)")


def test_each_op_and_operator_records_a_node_named_after_it():
    inputs = nk.Input(shape=(4,))
    y = ops.relu(inputs)
    assert isinstance(y, KerasTensor) and y.shape == (None, 4)
    assert y._keras_history[0].name.startswith("relu")
    cases = {
        "add": y + 1.0, "subtract": 1.0 - y, "multiply": y * y, "divide": y / 2.0,
        "power": y**2, "negative": -y, "absolute": abs(y), "matmul": y @ np.ones((4, 2)),
        "less": y < 0.5, "greater_equal": y >= y, "get_item": y[:, 1:3],
    }  # fmt: skip
    for name, tensor in cases.items():
        assert tensor._keras_history[0].name.startswith(name), name
    assert cases["matmul"].shape == (None, 2) and cases["get_item"].shape == (None, 2)
    assert ops.shape(cases["get_item"]) == (None, 2) and ops.dtype(y) == "float32"
    with pytest.raises(TypeError, match="is not iterable"):
        list(y)


def test_ops_with_several_symbolic_arguments_and_options():
    a, b = nk.Input(shape=(3,)), nk.Input(shape=(3,))
    loss = ops.binary_crossentropy(ops.sigmoid(a), ops.sigmoid(b), from_logits=False)
    model = nk.Model([a, b], loss)
    xa, xb = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    expected = ops.binary_crossentropy(ops.sigmoid(xa), ops.sigmoid(xb)).numpy()
    assert_close(model.predict([xa, xb], verbose=0), expected)


def test_eager_calls_still_compute():
    out = ops.relu(np.array([-1.0, 2.0]))
    assert not isinstance(out, KerasTensor) and out.tolist() == [0.0, 2.0]


SHAPE_CASES = {
    "top_k": lambda o, x: o.top_k(x, 2),
    "moments": lambda o, x: o.moments(x, axes=[1]),
    "rfft": lambda o, x: o.rfft(x),
    "unstack": lambda o, x: o.unstack(x[:, None, :], axis=2),
    "one_hot": lambda o, x: o.one_hot(x[:, 0], 3),
    "softmax": lambda o, x: o.softmax(x, axis=0),
    "logsumexp": lambda o, x: o.logsumexp(x, axis=1, keepdims=True),
    "compare": lambda o, x: x > 0.5,
    "conv": lambda o, x: o.conv(x[:, :, None], np.ones((2, 1, 3), np.float32), padding="same"),
    # Matrix ops that refuse the zeros a shape trace starts from.
    "inv": lambda o, x: o.inv(o.reshape(x[:, :4], (-1, 2, 2))),
    "cholesky": lambda o, x: o.cholesky(o.reshape(x[:, :4], (-1, 2, 2))),
    "solve": lambda o, x: o.solve(o.reshape(x[:, :4], (-1, 2, 2)), x[:, 3:]),
}


@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_symbolic_shapes_and_dtypes_match_keras(case):
    keras, _ = require_keras()
    ours = SHAPE_CASES[case](ops, nk.Input(shape=(5,)))
    theirs = SHAPE_CASES[case](keras.ops, keras.Input(shape=(5,)))
    ours = list(ours) if isinstance(ours, (list, tuple)) else [ours]
    theirs = list(theirs) if isinstance(theirs, (list, tuple)) else [theirs]
    assert [t.shape for t in ours] == [tuple(t.shape) for t in theirs]
    if case != "top_k":  # Keras declares int32 indices symbolically, but returns int64
        assert [t.dtype for t in ours] == [t.dtype for t in theirs]


def test_a_model_can_output_what_a_multi_output_op_gives():
    inputs = nk.Input(shape=(5,))
    values, indices = ops.top_k(inputs, 2)
    mean, variance = ops.moments(inputs, axes=[1])
    model = nk.Model(inputs, [values, indices, mean, variance])
    x = rng.standard_normal((3, 5))
    got = model.predict(x, verbose=0)
    want = [*ops.top_k(x, 2), *ops.moments(x, axes=[1])]
    for a, b in zip(got, want):
        assert_close(a, b.numpy())


def _numpy_part_model(lib):
    """Two Dense branches joined by the NumPy-like ops, as keras.io code writes them between
    layers: a list concatenation and stack, a mean over an axis, expand_dims and matmul with a
    constant, a where, a reshape with -1, max and clip."""
    o = lib.ops
    inputs = lib.Input(shape=(4,))
    a, b = lib.layers.Dense(6)(inputs), lib.layers.Dense(6)(inputs)
    joined = o.tanh(o.concatenate([a, b], axis=-1))
    mean = o.mean(o.stack([a, b], axis=1), axis=1)
    lifted = o.matmul(o.expand_dims(mean, axis=-1), np.linspace(-1, 1, 3, dtype=np.float32)[None])
    leaky = o.where(mean > 0, mean, 0.1 * mean)
    pooled = o.max(o.reshape(joined, (-1, 2, 6)), axis=1)
    both = o.concatenate([leaky, pooled, o.sum(o.square(lifted), axis=-1)], axis=1)
    outputs = lib.layers.Dense(1)(o.clip(both, -2.0, 2.0))
    return lib.Model(inputs, outputs)


def _fit_numpy_part_one_step(lib, weights):
    model = _numpy_part_model(lib)
    model.set_weights(weights)
    before = np.asarray(model.predict(X, verbose=0))
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    return before, [np.asarray(w) for w in model.get_weights()], history.history["loss"][0]


def test_functional_model_with_numpy_ops_trains_like_keras():
    keras, _ = require_keras()
    weights = [np.asarray(w) for w in _numpy_part_model(keras).get_weights()]
    ours, theirs = _fit_numpy_part_one_step(nk, weights), _fit_numpy_part_one_step(keras, weights)
    assert_close(ours[0], theirs[0], err_msg="predictions before training")
    for k, (a, b) in enumerate(zip(ours[1], theirs[1])):
        assert_close(a, b, err_msg=f"weight {k} after one SGD step")
    assert_close(ours[2], theirs[2], dtype=np.float32, err_msg="loss (a float32 mean)")


NUMPY_CASES = {
    "concatenate": lambda o, x: o.concatenate([x, x[:, :2]], axis=1),
    "stack": lambda o, x: o.stack((x, x), axis=-1),
    "mean": lambda o, x: o.mean(x, axis=1, keepdims=True),
    "expand_dims": lambda o, x: o.expand_dims(x, axis=1),
    "matmul": lambda o, x: o.matmul(x, np.ones((5, 3), np.float32)),
    "where": lambda o, x: o.where(x > 0, x, o.zeros_like(x)),
    "argmax": lambda o, x: o.argmax(x, axis=-1),
    "isnan": lambda o, x: o.isnan(x),
    "split": lambda o, x: o.split(x, [2], axis=1),
    "take": lambda o, x: o.take(x, np.array([0, 4, 1]), axis=1),
    "cumsum": lambda o, x: o.cumsum(x, axis=1),
    "sort": lambda o, x: o.sort(x, axis=0),
    "transpose": lambda o, x: o.transpose(o.reshape(x, (-1, 5, 1))),
    "var": lambda o, x: o.var(x, axis=0),
    "full_like": lambda o, x: o.full_like(x, 2, dtype="int32"),
    "int_add": lambda o, x: o.add(o.argmax(x, axis=1), 1),
    "tril": lambda o, x: o.tril(o.expand_dims(x, -1) * x[:, None, :]),
    "meshgrid": lambda o, x: o.meshgrid(x[0], x[0, :3]),
}


@pytest.mark.parametrize("case", sorted(NUMPY_CASES))
def test_numpy_ops_symbolic_shapes_and_dtypes_match_keras(case):
    keras, _ = require_keras()
    ours = NUMPY_CASES[case](ops, nk.Input(shape=(5,)))
    theirs = NUMPY_CASES[case](keras.ops, keras.Input(shape=(5,)))
    ours = list(ours) if isinstance(ours, (list, tuple)) else [ours]
    theirs = list(theirs) if isinstance(theirs, (list, tuple)) else [theirs]
    assert all(isinstance(t, KerasTensor) for t in ours), case
    assert [t.shape for t in ours] == [tuple(t.shape) for t in theirs]
    assert [t.dtype for t in ours] == [t.dtype for t in theirs]


def test_ndim_of_a_keras_tensor_is_its_rank():
    assert ops.ndim(nk.Input(shape=(5, 2))) == 3
