"""The functional API, ``keras.Model(inputs, outputs)``, against real Keras 3 (torch backend):
the same graphs built in both, weights copied across, then layers, summaries, predictions,
training trajectories and configs compared; and the error messages."""

import json
import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2; and
# Keras warns when a model's input structure is a one-element list.
pytestmark = [
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The structure of `inputs`:UserWarning"),
]


def _pair(build):
    """The same graph in Keras and in nnscratch (fresh automatic names in both)."""
    keras.utils.clear_session()
    nk.utils.clear_session()
    return build(keras), build(nk)


# ---- the graphs -------------------------------------------------------------------------------
def residual_mlp(lib):
    L = lib.layers
    inputs = lib.Input(shape=(3,))
    h = L.Dense(8, activation="relu")(inputs)
    h = L.Add()([h, L.Dense(8, activation="tanh")(h)])
    return lib.Model(inputs, L.Dense(1)(h))


def two_inputs(lib):
    L = lib.layers
    a, b = lib.Input(shape=(3,), name="a"), lib.Input(shape=(2,), name="b")
    frozen = L.Dense(4, name="frozen")
    joined = L.Concatenate()([L.Dense(4, activation="relu")(a), frozen(b)])
    model = lib.Model(inputs=[a, b], outputs=L.Dense(1)(joined), name="two_inputs")
    frozen.trainable = False
    return model


def shared_layer(lib):
    L = lib.layers
    x = lib.Input(shape=(4,))
    shared = L.Dense(4, activation="tanh", name="shared")
    once = shared(x)
    twice = shared(L.Dense(4)(once))
    return lib.Model(x, L.Dense(2)(L.Average()([once, twice])))


def two_outputs(lib):
    L = lib.layers
    x = lib.Input(shape=(3,), name="x")
    h = L.Dense(5, activation="relu")(x)
    return lib.Model(x, [L.Dense(1, name="score")(h), L.Dense(2, name="logits")(h)])


def nested(lib):
    L = lib.layers
    inner_in = lib.Input(shape=(3,))
    inner = lib.Model(inner_in, L.Dense(4, activation="relu")(inner_in), name="inner")
    stack = lib.Sequential([L.Dense(3), L.Dense(2)], name="stack")
    x = lib.Input(shape=(3,))
    # named: Keras's Sequential spends an automatic "functional" name on its inner graph
    return lib.Model(x, stack(L.Add()([inner(x), L.Dense(4)(x)])), name="outer")


def chain(lib):
    L = lib.layers
    x = lib.Input(shape=(2,))
    return lib.Model(x, L.Dense(1)(L.Dense(8, activation="relu")(x)))


GRAPHS = [residual_mlp, two_inputs, shared_layer, two_outputs, nested, chain]


def _inputs(model, rng, n=5) -> list:
    return [rng.standard_normal((n, *t.shape[1:])).astype(np.float32) for t in model.inputs]


def _as_list(out) -> list:
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]


def _summary(model) -> str:
    out = []
    model.summary(line_length=76, print_fn=out.append)
    return out[0]


# ---- structure, summary, predictions ----------------------------------------------------------
@pytest.mark.parametrize("build", GRAPHS)
def test_layers_weights_and_summary_match_keras(build):
    km, nm = _pair(build)
    assert type(nm).__name__ == "Functional"
    assert [(la.name, type(la).__name__) for la in nm.layers] == [
        (la.name, type(la).__name__) for la in km.layers
    ]
    assert [w.shape for w in nm.get_weights()] == [tuple(w.shape) for w in km.weights]
    assert nm.count_params() == km.count_params()
    assert _summary(nm) == _summary(km)
    assert (nm.input_shape, nm.output_shape) == (km.input_shape, km.output_shape)
    assert nm.compute_output_shape(nm.input_shape) == km.output_shape


@pytest.mark.parametrize("build", GRAPHS)
def test_predict_equals_keras_with_copied_weights(build, rng):
    km, nm = _pair(build)
    nm.set_weights(km.get_weights())
    xs = _inputs(nm, rng)
    given = xs[0] if len(xs) == 1 else xs
    expected = _as_list(km.predict(given, verbose=0))
    for ours, theirs in zip(_as_list(nm.predict(given, verbose=0)), expected, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
    direct = nm([ns.tensor(x) for x in xs] if len(xs) > 1 else xs[0])
    direct = direct if isinstance(direct, list) else [direct]
    for ours, theirs in zip(direct, expected, strict=True):
        assert isinstance(ours, ns.Tensor)
        np.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=1e-6, atol=1e-6)


def test_inputs_given_as_a_dict_by_input_name(rng):
    km, nm = _pair(two_inputs)
    nm.set_weights(km.get_weights())
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    np.testing.assert_allclose(
        nm.predict({"b": b, "a": a}, verbose=0), km.predict([a, b], verbose=0), atol=1e-6
    )


def test_dict_inputs_and_outputs_match_keras(rng):
    def build(lib):
        L = lib.layers
        a, b = lib.Input(shape=(2,), name="left"), lib.Input(shape=(3,), name="right")
        joined = L.Concatenate()([a, b])
        return lib.Model(
            inputs={"left": a, "right": b},
            outputs={"sum": L.Dense(1, name="s")(joined), "vec": L.Dense(2, name="v")(joined)},
        )

    km, nm = _pair(build)
    nm.set_weights(km.get_weights())
    data = {"left": rng.standard_normal((3, 2)), "right": rng.standard_normal((3, 3))}
    ours, theirs = nm.predict(data, verbose=0), km.predict(data, verbose=0)
    assert set(ours) == set(theirs) == {"sum", "vec"}
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], atol=1e-6)


def test_one_element_lists_are_unwrapped_as_keras_does(rng):
    def build(lib):
        x = lib.Input(shape=(3,))
        return lib.Model([x], [lib.layers.Dense(2)(x)])

    km, nm = _pair(build)
    nm.set_weights(km.get_weights())
    x = rng.standard_normal((4, 3)).astype(np.float32)
    ours, theirs = nm.predict([x], verbose=0), km.predict([x], verbose=0)
    assert isinstance(ours, np.ndarray) and isinstance(theirs, np.ndarray)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


@pytest.mark.parametrize(
    "graph",
    ["long_and_short_branch", "shared_at_two_depths", "unused_input"],
)
def test_layer_order_follows_keras_on_tricky_graphs(graph):
    def build(lib):
        L = lib.layers
        a, b = lib.Input(shape=(4,), name="a"), lib.Input(shape=(4,), name="b")
        if graph == "long_and_short_branch":
            long = L.Dense(4, name="p3")(L.Dense(4, name="p2")(L.Dense(4, name="p1")(a)))
            return lib.Model([b, a], [L.Add()([L.Dense(4, name="s")(a), long]), L.Dense(1)(b)])
        if graph == "shared_at_two_depths":
            shared = L.Dense(4, name="shared")
            deep = shared(L.Dense(4, name="d2")(L.Dense(4, name="d1")(b)))
            parts = [L.Dense(4, name="d3")(shared(a)), deep, L.Dense(4, name="d4")(a)]
            return lib.Model([a, b], L.Concatenate()(parts))
        c = lib.Input(shape=(2,), name="c")
        return lib.Model([c, a, b], [L.Dense(4, name="x")(b), L.Dense(4, name="y")(a)])

    km, nm = _pair(build)
    assert [la.name for la in nm.layers] == [la.name for la in km.layers]
    assert _summary(nm) == _summary(km)


# ---- training ---------------------------------------------------------------------------------
@pytest.mark.parametrize("build", [residual_mlp, shared_layer, nested])
def test_twenty_sgd_steps_end_at_keras_weights(build, rng):
    km, nm = _pair(build)
    nm.set_weights(km.get_weights())
    xs = _inputs(nm, rng, n=20)
    y = rng.standard_normal((20, nm.output_shape[-1])).astype(np.float32)
    given = xs[0] if len(xs) == 1 else xs
    histories = []
    for model, lib in ((km, keras), (nm, nk)):
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.05), loss="mse")
        fit = model.fit(given, y, batch_size=4, epochs=4, shuffle=False, verbose=0)
        histories.append(fit.history["loss"])
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)
    for ours, theirs in zip(nm.get_weights(), km.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)
    assert nm.evaluate(given, y, verbose=0) == pytest.approx(km.evaluate(given, y, verbose=0))


def test_multi_input_fit_with_validation_split_and_dicts_matches_keras(rng):
    km, nm = _pair(two_inputs)
    nm.set_weights(km.get_weights())
    a, b = rng.standard_normal((12, 3)), rng.standard_normal((12, 2))
    y = rng.standard_normal((12, 1))
    logs = []
    for model, lib in ((km, keras), (nm, nk)):
        model.compile(optimizer=lib.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
        fit = model.fit(
            {"a": a, "b": b}, y, batch_size=3, epochs=2, shuffle=False, verbose=0,
            validation_split=0.25,
        )  # fmt: skip
        logs.append(fit.history)
    assert sorted(logs[1]) == sorted(logs[0])
    for name in logs[0]:
        np.testing.assert_allclose(logs[1][name], logs[0][name], rtol=1e-5, err_msg=name)
    for ours, theirs in zip(nm.get_weights(), km.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_dropout_in_a_functional_model_follows_the_training_flag():
    x = nk.Input(shape=(1000,))
    model = nk.Model(x, nk.layers.Dropout(0.5)(x))
    ones = np.ones((2, 1000), np.float32)
    np.testing.assert_array_equal(model(ones).numpy(), ones)
    dropped = model(ones, training=True).numpy()
    assert set(np.unique(dropped)) == {0.0, 2.0}


# ---- configuration ----------------------------------------------------------------------------
def _graph_of(config: dict):
    """What a functional config says about the graph (the layers' own configs aside)."""
    config = json.loads(json.dumps(config, default=list))
    layers = [(la["class_name"], la["name"], la["inbound_nodes"]) for la in config["layers"]]
    return layers, config["input_layers"], config["output_layers"]


@pytest.mark.parametrize("build", [two_inputs, shared_layer])
def test_config_describes_the_graph_as_keras_does(build):
    km, nm = _pair(build)
    assert _graph_of(nm.get_config()) == _graph_of(km.get_config())


@pytest.mark.parametrize("build", GRAPHS)
def test_from_config_rebuilds_a_model_that_predicts_the_same(build, rng):
    nk.utils.clear_session()
    model = build(nk)
    config = json.loads(json.dumps(nk.saving.serialize_layer(model)["config"]))
    clone = nk.Model.from_config(config)
    assert [la.name for la in clone.layers] == [la.name for la in model.layers]
    assert [la.trainable for la in clone.layers] == [la.trainable for la in model.layers]
    clone.set_weights(model.get_weights())
    xs = _inputs(model, rng)
    given = xs[0] if len(xs) == 1 else xs
    for a, b in zip(
        _as_list(clone.predict(given, verbose=0)), _as_list(model.predict(given, verbose=0))
    ):
        np.testing.assert_array_equal(a, b)


# ---- calling layers on symbolic tensors -------------------------------------------------------
def test_a_symbolic_call_builds_from_shapes_and_computes_nothing():
    class Loud(nk.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), name="w")

        def call(self, x):
            raise AssertionError("call() must not run on symbolic tensors")

        def compute_output_shape(self, input_shape):
            return (*input_shape[:-1], 2)

    layer = Loud()
    out = layer(nk.Input(shape=(5,)))
    assert out.shape == (None, 2) and layer.w.shape == (5, 2)
    assert out._keras_history == (layer, 0, 0)


def test_a_subclassed_model_inside_a_functional_one_gets_its_output_shape():
    class Twice(nk.Model):
        def __init__(self):
            super().__init__()
            self.dense = nk.layers.Dense(3)

        def call(self, x):
            return self.dense(x) * 2

    x = nk.Input(shape=(4,))
    model = nk.Model(x, Twice()(x))
    assert model.output_shape == (None, 3)
    assert model.predict(np.ones((2, 4)), verbose=0).shape == (2, 3)


# ---- errors -----------------------------------------------------------------------------------
def test_inputs_must_come_from_keras_input():
    nk.utils.clear_session()
    x = nk.Input(shape=(3,))
    hidden = nk.layers.Dense(2)(x)
    with pytest.raises(ValueError, match=r"Model inputs must come from keras\.Input.*'dense'"):
        nk.Model(hidden, nk.layers.Dense(1)(hidden))
    with pytest.raises(ValueError, match=r"Model inputs must come from keras\.Input.*ndarray"):
        nk.Model(np.ones((2, 3)), hidden)
    with pytest.raises(ValueError, match="Model outputs must be tensors made by calling layers"):
        nk.Model(x, np.ones((2, 3)))


def test_an_output_not_connected_to_the_inputs_is_named():
    nk.utils.clear_session()
    a, b = nk.Input(shape=(3,), name="a"), nk.Input(shape=(3,), name="b")
    out = nk.layers.Dense(1, name="head")(b)
    with pytest.raises(
        ValueError,
        match=r"Output 0 of the model \(made by layer 'head'\) is not connected to the model "
        r"inputs: it depends on Input 'b'",
    ):
        nk.Model(a, out)


def test_wrong_data_shape_names_the_input_and_both_shapes():
    nk.utils.clear_session()
    model = residual_mlp(nk)
    expected = r"Input 0 \('input_layer'\) of model 'functional' expects shape \(None, 3\), "
    with pytest.raises(ValueError, match=expected + r"received data of shape \(2, 5\)"):
        model.predict(np.ones((2, 5)), verbose=0)
    with pytest.raises(ValueError, match=expected + r"received shape \(2, 5\)"):
        model(np.ones((2, 5), np.float32))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=expected + r"received data of shape \(4, 2\)"):
        model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)


def test_wrong_number_of_inputs_names_the_inputs():
    model = two_inputs(nk)
    with pytest.raises(ValueError, match=r"expects 2 input arrays \('a', 'b'\), received 3"):
        model.predict([np.ones((2, 3))] * 3, verbose=0)
    with pytest.raises(ValueError, match=r"expects 2 inputs \('a', 'b'\).*shape \(2, 3\)"):
        model.predict(np.ones((2, 3)), verbose=0)
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        model.predict({"a": np.ones((2, 3))}, verbose=0)
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.predict([np.ones((2, 3)), np.ones((3, 2))], verbose=0)


def test_layer_names_must_be_unique():
    x = nk.Input(shape=(2,))
    h = nk.layers.Dense(2, name="twin")(x)
    with pytest.raises(ValueError, match="The name 'twin' is used 2 times"):
        nk.Model(x, nk.layers.Dense(2, name="twin")(h))


def test_a_subclass_given_inputs_and_outputs_is_a_functional_model_of_its_class():
    class Custom(nk.Model):  # (issue 21: the guides' CustomModel(inputs, outputs))
        pass

    x = nk.Input(shape=(2,))
    model = Custom(x, nk.layers.Dense(1)(x))
    assert isinstance(model, Custom) and model.output_shape == (None, 1)
