"""A loss dict that names only some of the outputs, against real Keras 3.15 (torch backend).

For a model whose outputs are a dict, ``compile(loss={"cls": ...})`` trains the named outputs
only: from the same weights, the trained weights (the unnamed head's left as they were), the
log keys and values and ``evaluate`` agree with Keras's. For a model whose outputs are a
list, Keras accepts such a dict in ``compile`` (the training guide compiles one) and refuses
it when ``fit`` or ``evaluate`` starts: so do we (``multi_output.OutputLosses``)."""

import numpy as np
import pytest
from keras_ops_parity import require_keras

from nnscratch import keras as nk
from tests.tolerance import assert_close

keras, _ = require_keras()
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

RNG = np.random.default_rng(442)
N = 10
X = RNG.normal(size=(N, 3)).astype(np.float32)
Y = {
    "reg": RNG.normal(size=(N, 1)).astype(np.float32),
    "cls": RNG.integers(0, 3, size=N),
    "aux": RNG.normal(size=(N, 2)).astype(np.float32),
}
RTOL = 2e-5  # float32 over a few steps: each step's rounding carries into the next

CASES = {  # output keys, compile arguments
    "one of two": (
        ["reg", "cls"],
        dict(
            loss={"cls": "sparse_categorical_crossentropy"},
            loss_weights={"cls": 0.5},
            metrics={"reg": ["mae"], "cls": ["accuracy"]},
        ),
    ),
    "two of three": (
        ["reg", "cls", "aux"],
        dict(
            loss={"aux": "mae", "cls": "sparse_categorical_crossentropy"}, metrics={"reg": ["mse"]}
        ),
    ),
}


def _heads(lib, keys, as_dict=True):
    inputs = lib.Input((3,), name="features")
    hidden = lib.layers.Dense(4, activation="tanh", name="hidden")(inputs)
    units = {"reg": 1, "cls": 3, "aux": 2}
    activation = {"cls": "softmax"}
    heads = [lib.layers.Dense(units[k], activation=activation.get(k), name=k)(hidden) for k in keys]
    return lib.Model(inputs, dict(zip(keys, heads)) if as_dict else heads)


def _train(lib, keys, arguments, weights=None):
    model = _heads(lib, keys)
    if weights is not None:  # by layer name: Keras orders a dict of outputs by key
        for layer in model.layers:
            layer.set_weights(weights[layer.name])
    initial = {layer.name: layer.get_weights() for layer in model.layers}
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1), **arguments)
    y = {key: Y[key] for key in keys}
    history = model.fit(
        X,
        y,
        batch_size=4,
        epochs=3,
        shuffle=False,
        verbose=0,
        validation_data=(X[:4], {k: v[:4] for k, v in y.items()}),
    )
    evaluated = model.evaluate(X, y, verbose=0)
    trained = {layer.name: layer.get_weights() for layer in model.layers}
    return initial, trained, model, history.history, evaluated


@pytest.mark.parametrize("name", list(CASES))
def test_a_loss_dict_naming_some_outputs_trains_those_outputs_as_keras_does(name):
    keys, arguments = CASES[name]
    keras.utils.set_random_seed(0)
    initial, their_weights, theirs, their_logs, their_eval = _train(keras, keys, arguments)
    _, our_weights, ours, our_logs, our_eval = _train(nk, keys, arguments, initial)
    for layer, values in their_weights.items():
        for a, b in zip(our_weights[layer], values, strict=True):
            assert_close(a, b, rtol=RTOL, err_msg=layer)
    untrained = [k for k in keys if k not in arguments["loss"]]
    for key in untrained:  # no loss reaches an output the dict leaves out
        for a, b in zip(our_weights[key], initial[key], strict=True):
            np.testing.assert_array_equal(a, b)
    assert sorted(our_logs) == sorted(their_logs)
    for key in their_logs:
        assert_close(np.array(our_logs[key]), np.array(their_logs[key]), rtol=RTOL, err_msg=key)
    assert_close(np.array(our_eval), np.array(their_eval), rtol=RTOL)
    assert ours.metrics_names == theirs.metrics_names


@pytest.mark.parametrize("lib", [keras, nk], ids=["keras", "nnscratch"])
def test_a_loss_dict_naming_some_outputs_of_a_list_is_refused_when_fit_starts(lib):
    model = _heads(lib, ["reg", "cls"], as_dict=False)
    model.compile(optimizer="sgd", loss={"cls": lib.losses.SparseCategoricalCrossentropy()})
    with pytest.raises(ValueError, match=r"in loss dict, but found loss.keys\(\)=\['cls'\]"):
        model.fit(X, [Y["reg"], Y["cls"]], verbose=0)
    with pytest.raises(ValueError, match=r"in loss dict, but found loss.keys\(\)=\['cls'\]"):
        model.evaluate(X, [Y["reg"], Y["cls"]], verbose=0)
