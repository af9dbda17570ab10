"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate) against real
Keras 3 (torch backend): values, symbolic shapes, training through them, configs and errors."""

import os

import numpy as np
import pytest
from parity import check

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


def _keras_numpy(x) -> np.ndarray:
    return keras.ops.convert_to_numpy(x)


# ---- eager values -----------------------------------------------------------------------------
SHAPE_CASES = [
    [(4, 3), (4, 3)],
    [(4, 3), (4, 1)],  # a size-1 dimension stretches
    [(4, 3), (4, 2, 3)],  # a lower-rank input gains a dimension after the batch axis
    [(2, 3, 1), (2, 1, 5)],
    [(4, 3), (4, 3), (4, 3)],
]


@pytest.mark.parametrize(
    ("name", "shapes"),
    [(n, s) for n in ELEMENTWISE for s in SHAPE_CASES if n != "Subtract" or len(s) == 2],
)
def test_elementwise_merges_equal_keras(name, shapes, rng):
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    expected = _keras_numpy(getattr(keras.layers, name)()(xs))
    ours = getattr(nk.layers, name)()(xs)
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("axis", "shapes"),
    [(-1, [(2, 3), (2, 5)]), (1, [(2, 3, 4), (2, 1, 4), (2, 2, 4)]), (0, [(2, 3), (1, 3)])],
)
def test_concatenate_equals_keras(axis, shapes, rng):
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    expected = _keras_numpy(keras.layers.Concatenate(axis=axis)(xs))
    np.testing.assert_array_equal(nk.layers.Concatenate(axis=axis)(xs).numpy(), expected)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "average", "maximum", "minimum"])
def test_functional_forms_equal_the_layers(name, rng):
    xs = [rng.standard_normal((3, 2)).astype(np.float32) for _ in range(2)]
    expected = _keras_numpy(getattr(keras.layers, name)(xs))
    np.testing.assert_allclose(getattr(nk.layers, name)(xs).numpy(), expected, atol=1e-6)
    x = nk.Input(shape=(2,))
    out = getattr(nk.layers, name)([x, x], name=f"my_{name}")
    assert out._keras_history[0].name == f"my_{name}"


def test_concatenate_functional_form_takes_axis(rng):
    xs = [rng.standard_normal((2, 3, 4)).astype(np.float32) for _ in range(2)]
    expected = _keras_numpy(keras.layers.concatenate(xs, axis=1))
    np.testing.assert_array_equal(nk.layers.concatenate(xs, axis=1).numpy(), expected)


# ---- gradients --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*ELEMENTWISE, "Concatenate"])
def test_merge_gradients_match_torch_and_finite_differences(name, rng):
    torch_merge = {
        "Add": lambda t, a, b: a + b,
        "Subtract": lambda t, a, b: a - b,
        "Multiply": lambda t, a, b: a * b,
        "Average": lambda t, a, b: (a + b) / 2,
        "Maximum": lambda t, a, b: t.maximum(a, b),
        "Minimum": lambda t, a, b: t.minimum(a, b),
        "Concatenate": lambda t, a, b: t.cat([a, b], -1),
    }[name]

    def fn(lib, a, b):
        if lib is ns:
            return getattr(nk.layers, name)(dtype="float64")([a, b])
        return torch_merge(lib, a, b)

    check(fn, rng.standard_normal((3, 4)), rng.standard_normal((3, 4)))


# ---- symbolic shapes --------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*ELEMENTWISE, "Concatenate"])
@pytest.mark.parametrize(
    "shapes", [[(8,), (8,)], [(8,), (1,)], [(2, 8), (8,)], [(None, 3), (None, 3)], [(3, 1), (3, 4)]]
)
def test_symbolic_output_shapes_equal_keras(name, shapes):
    def build(lib):
        return getattr(lib.layers, name)()([lib.Input(shape=s) for s in shapes])

    try:
        expected = build(keras).shape
    except ValueError:
        with pytest.raises(ValueError, match=f"{name} layer '"):
            build(nk)
        return
    assert build(nk).shape == tuple(expected)


def test_concatenate_axis_1_symbolic_shape_sums_the_axis():
    a, b = nk.Input(shape=(2, 8)), nk.Input(shape=(3, 8))
    assert nk.layers.Concatenate(axis=1)([a, b]).shape == (None, 5, 8)
    c = nk.Input(shape=(None, 8))
    assert nk.layers.Concatenate(axis=1)([a, c]).shape == (None, None, 8)


def test_a_symbolic_merge_computes_nothing_and_records_its_inputs():
    nk.utils.clear_session()
    a, b = nk.Input(shape=(4,), name="a"), nk.Input(shape=(4,), name="b")
    out = nk.layers.Add()([a, b])
    layer, node_index, tensor_index = out._keras_history
    assert (layer.name, node_index, tensor_index, layer.built) == ("add", 0, 0, True)
    assert layer._inbound_nodes[0].input_tensors == [a, b]


# ---- training through merges ------------------------------------------------------------------
def _merge_model(lib):
    """Two Dense branches of one input, merged by every merge layer, joined, then a head."""
    L = lib.layers
    x = lib.Input(shape=(3,))
    left, right = L.Dense(4, activation="tanh")(x), L.Dense(4)(x)
    merged = [getattr(L, name)()([left, right]) for name in [*ELEMENTWISE, "Concatenate"]]
    return lib.Model(x, L.Dense(1)(L.Concatenate()(merged)))


def test_fit_through_every_merge_layer_follows_keras(rng):
    keras.utils.clear_session()
    nk.utils.clear_session()
    km, nm = _merge_model(keras), _merge_model(nk)
    km.set_weights(nm.get_weights())
    x = rng.standard_normal((16, 3)).astype(np.float32)
    y = rng.standard_normal((16, 1)).astype(np.float32)
    for model, lib in ((km, keras), (nm, nk)):
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
        model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    for ours, theirs in zip(nm.get_weights(), km.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)


# ---- configuration ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*ELEMENTWISE, "Concatenate"])
def test_config_has_keras_keys_and_round_trips(name):
    kwargs = {"axis": 1} if name == "Concatenate" else {}
    theirs = getattr(keras.layers, name)(name="m", **kwargs).get_config()
    ours = getattr(nk.layers, name)(name="m", **kwargs).get_config()
    assert set(ours) == set(theirs)
    assert getattr(nk.layers, name).from_config(ours).get_config() == ours


# ---- errors -----------------------------------------------------------------------------------
def test_incompatible_shapes_name_the_layer_and_the_shapes():
    nk.utils.clear_session()
    a, b = nk.Input(shape=(8,)), nk.Input(shape=(4,))
    with pytest.raises(ValueError, match=r"Add layer 'add' .*\[\(None, 8\), \(None, 4\)\]"):
        nk.layers.Add()([a, b])
    with pytest.raises(ValueError, match=r"Multiply layer 'multiply' .*\[\(2, 8\), \(2, 4\)\]"):
        nk.layers.Multiply()([np.ones((2, 8)), np.ones((2, 4))])


def test_concatenate_mismatch_names_the_axis_and_the_shapes():
    nk.utils.clear_session()
    a, b = nk.Input(shape=(2, 8)), nk.Input(shape=(3, 7))
    with pytest.raises(
        ValueError,
        match=r"Concatenate layer 'concatenate' requires inputs with matching shapes except on "
        r"the concatenation axis \(axis=1\), received shapes \[\(None, 2, 8\), \(None, 3, 7\)\]",
    ):
        nk.layers.Concatenate(axis=1)([a, b])
    with pytest.raises(ValueError, match=r"axis=-1\), received shapes \[\(None, 8\), \(None, 2,"):
        nk.layers.Concatenate()([nk.Input(shape=(8,)), nk.Input(shape=(2, 8))])
    with pytest.raises(ValueError, match="axis=3"):
        nk.layers.Concatenate(axis=3)([np.ones((2, 3)), np.ones((2, 3))])


def test_merge_input_count_and_kind_errors():
    x = nk.Input(shape=(3,))
    with pytest.raises(ValueError, match=r"Subtract layer '.*' .*exactly 2 inputs, received 3"):
        nk.layers.Subtract()([x, x, x])
    with pytest.raises(ValueError, match=r"called on a list of inputs.*\(None, 3\)"):
        nk.layers.Add()(x)
    with pytest.raises(ValueError, match="different batch sizes"):
        nk.layers.Add()([nk.Input(batch_shape=(2, 3)), nk.Input(batch_shape=(5, 3))])
    with pytest.raises(ValueError, match="mix of symbolic tensors"):
        nk.layers.Add()([x, np.ones((2, 3))])
