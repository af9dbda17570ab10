"""Multi-output functional models against real Keras 3 (torch backend): a regression head
("score") and a classification head ("priority") trained from the same weights, with losses,
loss weights and metrics given as lists or dicts keyed by output name, per-output sample
weights and validation data. The weights, the log keys and every logged value must agree;
``evaluate`` must list its values in Keras's order; bad structures must be refused."""

import os
import warnings

import numpy as np
import pytest

from nnscratch import keras as nk
from tests.tolerance import assert_close

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RNG = np.random.default_rng(21)
N = 12
X = RNG.normal(size=(N, 3)).astype(np.float32)
SCORE = RNG.normal(size=(N, 1)).astype(np.float32)
PRIORITY = RNG.integers(0, 3, size=N)
WEIGHTS = RNG.uniform(0.5, 2.0, size=N).astype(np.float32)
VAL_X, VAL_SCORE, VAL_PRIORITY = X[:5] + 0.5, SCORE[:5] * 2, PRIORITY[::-1][:5]
RTOL = 2e-5  # float32 over a few steps: each step's rounding carries into the next


def _two_heads(lib):
    inputs = lib.Input((3,), name="features")
    hidden = lib.layers.Dense(5, activation="tanh", name="hidden")(inputs)
    score = lib.layers.Dense(1, name="score")(hidden)
    priority = lib.layers.Dense(3, activation="softmax", name="priority")(hidden)
    return lib.Model(inputs, [score, priority])


def _as_dict(score, priority):
    return {"score": score, "priority": priority}


CASES = {
    "lists": dict(
        compile=dict(
            loss=["mse", "sparse_categorical_crossentropy"],
            loss_weights=[0.5, 2.0],
            metrics=["mae", ["accuracy", "sparse_categorical_crossentropy"]],
            weighted_metrics=[["mae"], None],
        ),
        y=[SCORE, PRIORITY],
        sample_weight=[WEIGHTS, WEIGHTS[::-1].copy()],
        validation_data=(VAL_X, [VAL_SCORE, VAL_PRIORITY]),
    ),
    "dicts": dict(
        compile=dict(
            loss={"priority": "sparse_categorical_crossentropy", "score": "mae"},
            loss_weights={"score": 3.0, "priority": 0.25},
            metrics={"priority": ["accuracy", "accuracy"]},
            weighted_metrics={"score": ["mse"], "priority": ["accuracy"]},
        ),
        y=_as_dict(SCORE, PRIORITY),  # (Keras 3.15 fails on a dict y with sample weights)
        sample_weight=None,
        validation_data=(VAL_X, [VAL_SCORE, VAL_PRIORITY], WEIGHTS[:5]),  # one for both
    ),
    "one_loss": dict(  # a single loss for the score only: no per-output loss logs
        compile=dict(loss={"score": "mse", "priority": None}, metrics={"priority": ["acc"]}),
        y=(SCORE, PRIORITY),
        sample_weight=None,
        validation_data=(VAL_X, (VAL_SCORE, VAL_PRIORITY)),
    ),
}


def _train(lib, case, weights=None):
    model = _two_heads(lib)
    if weights is not None:
        model.set_weights(weights)
    initial = [np.array(w, copy=True) for w in model.get_weights()]
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1), **case["compile"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(
            X, case["y"], sample_weight=case["sample_weight"], batch_size=5, epochs=3,
            shuffle=False, verbose=0, validation_data=case["validation_data"],
        )  # fmt: skip
        evaluated = model.evaluate(VAL_X, case["validation_data"][1], verbose=0)
        as_dict = model.evaluate(VAL_X, case["validation_data"][1], verbose=0, return_dict=True)
    return initial, model, history.history, evaluated, as_dict


@pytest.mark.parametrize("name", list(CASES))
def test_multi_output_fit_follows_keras(name):
    keras.utils.set_random_seed(0)
    initial, theirs, their_logs, their_eval, their_dict = _train(keras, CASES[name])
    _, ours, our_logs, our_eval, our_dict = _train(nk, CASES[name], initial)
    assert ours.output_names == theirs.output_names == ["score", "priority"]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert_close(a, b, rtol=RTOL)
    assert max(np.abs(a - b).max() for a, b in zip(initial, theirs.get_weights())) > 1e-3
    assert sorted(our_logs) == sorted(their_logs)
    assert any(key.startswith("val_priority_") for key in our_logs)
    for key in their_logs:
        assert_close(np.array(our_logs[key]), np.array(their_logs[key]), rtol=RTOL, err_msg=key)
    assert sorted(our_dict) == sorted(their_dict)
    assert_close(np.array(our_eval), np.array(their_eval), rtol=RTOL)  # the same order
    assert ours.metrics_names == theirs.metrics_names


def test_loss_logs_are_each_outputs_unweighted_loss():
    """``loss`` is the weighted sum of the per-output losses, which are logged unweighted."""
    model = _two_heads(nk)
    model.compile("sgd", loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[0.5, 2])
    logs = model.evaluate(X, [SCORE, PRIORITY], verbose=0, return_dict=True, batch_size=N)
    score, priority = model.predict(X, verbose=0)
    mse = float(np.mean((score - SCORE) ** 2))
    cross_entropy = float(np.mean(-np.log(priority[np.arange(N), PRIORITY])))
    assert_close(logs["score_loss"], mse, dtype=np.float32)
    assert_close(logs["priority_loss"], cross_entropy, dtype=np.float32)
    assert_close(logs["loss"], 0.5 * mse + 2 * cross_entropy, dtype=np.float32)


def test_sample_weights_by_output_name_equal_those_by_position():
    """A dict y with a dict of sample weights (which Keras 3.15 fails on, KeyError 0) trains as
    the same data given by position."""
    runs = []
    for y, weights in (
        ([SCORE, PRIORITY], [WEIGHTS, None]),
        (_as_dict(SCORE, PRIORITY), {"priority": None, "score": WEIGHTS}),
    ):
        nk.utils.set_random_seed(3)
        model = _two_heads(nk)
        model.compile("sgd", loss=["mse", "sparse_categorical_crossentropy"])
        history = model.fit(X, y, sample_weight=weights, batch_size=4, shuffle=False, verbose=0)
        runs.append((model.get_weights(), history.history))
    (first, first_logs), (second, second_logs) = runs
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)  # the same operations on the same data
    assert first_logs == second_logs
    model = _two_heads(nk)
    model.compile("sgd", loss=["mse", "sparse_categorical_crossentropy"])
    unweighted = model.evaluate(X, [SCORE, PRIORITY], verbose=0, return_dict=True)
    weighted = model.evaluate(X, [SCORE, PRIORITY], sample_weight={"score": WEIGHTS,
                              "priority": None}, verbose=0, return_dict=True)  # fmt: skip
    assert weighted["priority_loss"] == unweighted["priority_loss"]
    assert weighted["score_loss"] != unweighted["score_loss"]


BAD_COMPILE = {
    "loss list too long": (dict(loss=["mse", "mse", "mse"]), "one loss per output"),
    "loss dict unknown key": (dict(loss={"score": "mse", "nope": "mse"}), "in loss dict"),
    "loss_weights length": (dict(loss=["mse", "mse"], loss_weights=[1.0]), "`loss_weights`"),
    "metrics string": (dict(loss="mse", metrics="mae"), "list, tuple, or dict"),
    "metrics dict unknown key": (dict(loss="mse", metrics={"nope": ["mae"]}), "output names"),
    "metrics too many": (dict(loss="mse", metrics=["mae", "mae", "mae"]), "output names"),
}


@pytest.mark.parametrize("name", list(BAD_COMPILE))
def test_bad_compile_structures_are_refused_as_keras_refuses_them(name):
    arguments, message = BAD_COMPILE[name]
    with pytest.raises((ValueError, KeyError)):  # Keras refuses them when fit starts
        model = _two_heads(keras)
        model.compile("sgd", **arguments)
        model.fit(X, [SCORE, SCORE], verbose=0)
    with pytest.raises(ValueError, match=message):
        _two_heads(nk).compile("sgd", **arguments)


BAD_FIT = {
    "y one array": (dict(y=SCORE), "list of 2 arrays"),
    "y list too short": (dict(y=[SCORE]), "list of 2 arrays"),
    "y list too long": (dict(y=[SCORE, PRIORITY, PRIORITY]), "list of 2 arrays"),
    "sample_weight too short": (
        dict(y=[SCORE, PRIORITY], sample_weight=[WEIGHTS]),
        "`sample_weight`",
    ),
    "sample_weight 2-D": (
        dict(y=[SCORE, PRIORITY], sample_weight=np.ones((N, 2))),
        "one scalar score per sample",
    ),
    "class_weight": (dict(y=[SCORE, PRIORITY], class_weight={0: 1.0}), "single output"),
}


@pytest.mark.parametrize("name", list(BAD_FIT))
def test_bad_fit_structures_are_refused_as_keras_refuses_them(name):
    arguments, message = BAD_FIT[name]
    loss = ["mse", "sparse_categorical_crossentropy"]
    for lib, match in ((keras, None), (nk, message)):
        model = _two_heads(lib)
        model.compile("sgd", loss=loss)
        with pytest.raises(ValueError, match=match):
            model.fit(X, verbose=0, **arguments)


def test_y_dict_key_that_is_no_output_name_is_refused():
    model = _two_heads(nk)
    model.compile("sgd", loss=["mse", "sparse_categorical_crossentropy"])
    with pytest.raises(ValueError, match=r"unknown \['nope'\]"):
        model.fit(X, {"score": SCORE, "nope": PRIORITY}, verbose=0)


def test_nested_outputs_are_refused_by_name():
    inputs = nk.Input((3,))
    a, b, c = (nk.layers.Dense(1, name=n)(inputs) for n in "abc")
    model = nk.Model(inputs, [a, [b, c]])
    with pytest.raises(NotImplementedError, match="nested outputs"):
        model.compile("sgd", loss="mse")


def test_compiled_multi_output_model_saves_and_loads(tmp_path):
    """The per-output compile arguments travel in the ``.keras`` file: the loaded model logs
    and evaluates as the saved one."""
    model = _two_heads(nk)
    model.compile(
        "sgd",
        loss={"score": "mse", "priority": "sparse_categorical_crossentropy"},
        loss_weights={"score": 1.0, "priority": 0.5},
        metrics={"priority": ["accuracy"]},
    )
    model.fit(X, [SCORE, PRIORITY], verbose=0)
    model.save(tmp_path / "two_heads.keras")
    loaded = nk.saving.load_model(tmp_path / "two_heads.keras")
    expected = model.evaluate(X, [SCORE, PRIORITY], verbose=0, return_dict=True)
    assert loaded.evaluate(X, [SCORE, PRIORITY], verbose=0, return_dict=True) == expected
    assert loaded.metrics_names == ["loss", "compile_metrics", "score_loss", "priority_loss"]


def _dict_heads(lib):
    inputs = lib.Input((3,), name="features")
    hidden = lib.layers.Dense(4, activation="tanh", name="hidden")(inputs)
    outputs = {"reg": lib.layers.Dense(1, name="score")(hidden),
               "cls": lib.layers.Dense(3, name="priority")(hidden)}  # fmt: skip
    return lib.Model(inputs, outputs)


def _fit_dict_heads(lib, weights=None):
    model = _dict_heads(lib)
    if weights is not None:  # by layer name: Keras orders a dict of outputs by key
        for layer in model.layers:
            layer.set_weights(weights[layer.name])
    initial = {layer.name: layer.get_weights() for layer in model.layers}
    model.compile(
        lib.optimizers.SGD(learning_rate=0.1),
        loss={"reg": "mse", "cls": lib.losses.SparseCategoricalCrossentropy(from_logits=True)},
        loss_weights={"reg": 1.0, "cls": 0.2},
        metrics={"cls": [lib.metrics.SparseCategoricalAccuracy()], "reg": ["mae"]},
    )
    y = {"reg": SCORE, "cls": PRIORITY}
    history = model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return initial, model, history.history, model.evaluate(X, y, verbose=0)


def test_dict_of_outputs_is_keyed_by_its_keys_as_in_keras():
    keras.utils.set_random_seed(0)
    initial, theirs, their_logs, their_eval = _fit_dict_heads(keras)
    _, ours, our_logs, our_eval = _fit_dict_heads(nk, initial)
    assert sorted(our_logs) == sorted(their_logs)
    assert "cls_sparse_categorical_accuracy" in our_logs
    for key in their_logs:
        assert_close(np.array(our_logs[key]), np.array(their_logs[key]), rtol=RTOL, err_msg=key)
    assert ours.metrics_names == theirs.metrics_names == ["loss", "compile_metrics", "reg_loss",
                                                          "cls_loss"]  # fmt: skip
    assert_close(np.array(our_eval), np.array(their_eval), rtol=RTOL)


def test_one_loss_serves_every_output_and_a_weight_list_weighs_each():
    inputs = nk.Input((3,))
    model = nk.Model(
        inputs, [nk.layers.Dense(1, name="a")(inputs), nk.layers.Dense(1, name="b")(inputs)]
    )
    model.compile("sgd", loss="mse", loss_weights=[1.0, 3.0])  # (Keras 3 refuses the pair)
    logs = model.evaluate(X, [SCORE, -SCORE], verbose=0, return_dict=True, batch_size=N)
    a, b = model.predict(X, verbose=0)
    assert_close(logs["a_loss"], float(np.mean((a - SCORE) ** 2)), dtype=np.float32)
    assert_close(logs["b_loss"], float(np.mean((b + SCORE) ** 2)), dtype=np.float32)
    assert_close(logs["loss"], logs["a_loss"] + 3 * logs["b_loss"], dtype=np.float32)
