"""Keras layers, activations, initializers and regularizers against real Keras 3 (torch)."""

import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _pair(build):
    """The same architecture in Keras and in nnscratch; ``build(lib)`` gets either module."""
    keras.utils.clear_session()
    nk.utils.clear_session()
    return build(keras), build(nk)


def _zoo(lib):
    """Every layer type, with a frozen Dense and a bias-free one."""
    L = lib.layers
    model = lib.Sequential(
        [
            L.Input(shape=(4, 3)),
            L.Flatten(),
            L.Dense(5, use_bias=False),
            L.Dropout(0.5),
            L.Reshape((5, 1)),
            L.Activation("relu"),
            L.Dense(2, activation="tanh"),
            L.Reshape((-1,)),
        ]
    )
    model.layers[1].trainable = False
    return model


def _summary_text(model) -> str:
    out = []
    model.summary(line_length=76, print_fn=out.append)
    return out[0]


# ---- summary and parameter counts -------------------------------------------------------------
def test_summary_of_every_layer_type_matches_keras_character_for_character():
    ours_k, ours_n = _pair(_zoo)
    assert _summary_text(ours_n) == _summary_text(ours_k)


def test_param_counts_output_shapes_and_names_match_keras():
    km, nm = _pair(_zoo)
    assert [la.name for la in nm.layers] == [la.name for la in km.layers]
    assert [la.count_params() for la in nm.layers] == [la.count_params() for la in km.layers]
    assert nm.count_params() == km.count_params()
    assert nm.output_shape == km.output_shape
    assert len(nm.trainable_weights) == len(km.trainable_weights)
    assert len(nm.non_trainable_weights) == len(km.non_trainable_weights)


def test_article_model_summary_counts_30_110_11_151():
    def article(lib):
        model = lib.models.Sequential()
        model.add(lib.layers.Input(shape=(2,)))
        model.add(lib.layers.Dense(10, activation="relu"))
        model.add(lib.layers.Dense(10, activation="relu"))
        model.add(lib.layers.Dense(1, activation="sigmoid"))
        return model

    km, nm = _pair(article)
    assert [la.count_params() for la in nm.layers] == [30, 110, 11]
    assert nm.count_params() == 151
    assert _summary_text(nm) == _summary_text(km)


def test_unbuilt_sequential_summary_matches_keras():
    km, nm = _pair(lambda lib: lib.Sequential([lib.layers.Dense(3)]))
    assert _summary_text(nm) == _summary_text(km)


def test_automatic_names_follow_keras_counters():
    def names(lib):
        layers = [
            lib.layers.Dense(1),
            lib.layers.Dense(1),
            lib.layers.Dropout(0.1),
            lib.layers.InputLayer(shape=(2,)),
            lib.layers.Dense(1),
        ]
        return [la.name for la in layers] + [lib.Sequential().name, lib.Sequential().name]

    assert names(nk) == names(keras)


# ---- Dense ------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "tanh", "softmax", "gelu"])
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3)])
def test_dense_forward_equals_keras_with_copied_weights(activation, shape, rng):
    kl = keras.layers.Dense(4, activation=activation, bias_initializer="random_normal")
    nl = nk.layers.Dense(4, activation=activation)
    x = rng.standard_normal(shape).astype(np.float32)
    expected = keras.ops.convert_to_numpy(kl(x))
    nl.build(x.shape)
    nl.set_weights(kl.get_weights())
    np.testing.assert_allclose(nl(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    assert [w.shape for w in nl.get_weights()] == [tuple(w.shape) for w in kl.weights]


def test_dense_uses_the_linear_op_and_backpropagates_into_the_kernel():
    layer = nk.layers.Dense(2, use_bias=False, kernel_initializer="ones")
    x = ns.tensor([[1.0, 2.0, 3.0]])
    y = layer(x)
    assert y.grad_fn.function.__name__ == "Linear"  # one fused op, as nn.Linear
    y.sum().backward()
    np.testing.assert_allclose(layer.kernel.grad.numpy(), [[1, 1], [2, 2], [3, 3]])


def test_dense_wrong_feature_size_names_layer_and_both_shapes():
    nk.utils.clear_session()
    layer = nk.layers.Dense(3)
    layer(np.zeros((2, 10)))
    with pytest.raises(
        ValueError,
        match=r"Dense 'dense' expects inputs with last dimension 10, "
        r"received shape \(4, 3\)",
    ):
        layer(np.zeros((4, 3)))


@pytest.mark.parametrize("units", [0, -1, 2.5, True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        nk.layers.Dense(units)


def test_dense_config_round_trips():
    layer = nk.layers.Dense(3, activation="relu", use_bias=False, name="d")
    config = layer.get_config()
    assert (config["units"], config["activation"], config["use_bias"]) == (3, "relu", False)
    assert nk.layers.Dense.from_config(config).get_config()["units"] == 3


def test_integer_inputs_are_cast_to_float32():
    layer = nk.layers.Dense(2)
    assert layer(np.array([[0, 1], [1, 1]])).dtype == np.float32


# ---- other layers -----------------------------------------------------------------------------
def test_dropout_is_identity_outside_training_and_scales_inside():
    layer = nk.layers.Dropout(0.25)
    x = np.ones((200, 50), np.float32)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs(y.mean() - 1) < 0.05


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_dropout_rejects_bad_rates(rate):
    with pytest.raises(ValueError, match="rate"):
        nk.layers.Dropout(rate)


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        ("Flatten()", (2, 3, 4)),
        ("Flatten()", (5,)),
        ("Reshape((4, 3))", (2, 12)),
        ("Reshape((-1, 2))", (2, 3, 4)),
    ],
)
def test_reshaping_layers_match_keras(layer, shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    expected = keras.ops.convert_to_numpy(eval(f"keras.layers.{layer}")(x))
    ours = eval(f"nk.layers.{layer}")
    np.testing.assert_array_equal(ours(x).detach().numpy(), expected)
    assert ours.compute_output_shape((None, *shape[1:])) == tuple(
        eval(f"keras.layers.{layer}").compute_output_shape((None, *shape[1:]))
    )


def test_reshape_with_wrong_size_says_both_shapes():
    with pytest.raises(ValueError, match=r"Input shape: \(2, 12\), target_shape: \(5, 2\)"):
        nk.layers.Reshape((5, 2))(np.zeros((2, 12)))


def test_input_needs_a_tuple_shape():
    with pytest.raises(ValueError, match="Cannot convert '2' to a shape"):
        nk.layers.Input(shape=2)


def test_set_weights_checks_count_and_shapes():
    layer = nk.layers.Dense(2)
    layer.build((None, 3))
    with pytest.raises(ValueError, match="length 1, but the layer was expecting 2 weights"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"shape \(3, 2\) is not compatible with .* \(2, 2\)"):
        layer.set_weights([np.zeros((2, 2)), np.zeros(2)])


def test_frozen_layer_has_no_trainable_weights_and_no_gradient():
    layer = nk.layers.Dense(2)
    layer.build((None, 3))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not layer.kernel.requires_grad


def test_custom_layer_with_add_weight():
    class Scale(nk.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w

    layer = Scale()
    np.testing.assert_array_equal(
        layer(np.full((2, 3), 2.0)).detach().numpy(), np.full((2, 3), 2.0)
    )
    assert layer.count_params() == 3


def test_count_params_on_unbuilt_layer_says_so():
    with pytest.raises(ValueError, match="isn't built"):
        nk.layers.Dense(2).count_params()


# ---- activations ------------------------------------------------------------------------------
_ACTIVATIONS = [
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "linear",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "softplus",
    "softsign",
    "leaky_relu",
    "relu6",
    "hard_sigmoid",
    "exponential",
    "mish",
    "log_softmax",
]


@pytest.mark.parametrize("name", _ACTIVATIONS)
def test_activations_match_keras(name, rng):
    x = (3 * rng.standard_normal((4, 5))).astype(np.float32)
    expected = keras.ops.convert_to_numpy(keras.activations.get(name)(keras.ops.array(x)))
    np.testing.assert_allclose(
        nk.activations.get(name)(ns.tensor(x)).detach().numpy(), expected, rtol=2e-5, atol=2e-6
    )


def test_relu_options_match_keras(rng):
    x = (3 * rng.standard_normal((20,))).astype(np.float32)
    kwargs = {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5}
    expected = keras.ops.convert_to_numpy(keras.activations.relu(keras.ops.array(x), **kwargs))
    np.testing.assert_allclose(
        nk.activations.relu(ns.tensor(x), **kwargs).detach().numpy(), expected, rtol=1e-6
    )


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown activation function: 'rleu'.*relu"):
        nk.activations.get("rleu")


# ---- initializers -----------------------------------------------------------------------------
_INITIALIZERS = [
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "random_uniform",
    "random_normal",
    "truncated_normal",
    "orthogonal",
    "zeros",
    "ones",
]


@pytest.mark.parametrize("name", _INITIALIZERS)
def test_initializer_statistics_match_keras(name):
    shape = (300, 200)
    ours = nk.initializers.get(name)(shape)
    theirs = keras.ops.convert_to_numpy(keras.initializers.get(name)(shape))
    assert ours.shape == shape and ours.dtype == np.float32
    # Extremes of normal samples are noisy (and Keras's torch backend truncates only
    # approximately), so only uniform samples compare their min and max.
    stats = (np.mean, np.std, np.min, np.max) if "uniform" in name else (np.mean, np.std)
    for stat in stats:
        np.testing.assert_allclose(stat(ours), stat(theirs), atol=0.03 * max(theirs.std(), 1e-3))


@pytest.mark.parametrize(
    ("name", "stddev"),
    [
        ("glorot_normal", np.sqrt(2 / 500)),
        ("he_normal", np.sqrt(2 / 300)),
        ("truncated_normal", 0.05 * 0.8796256610342398),
    ],
)
def test_truncated_normals_stay_within_two_deviations(name, stddev):
    samples = nk.initializers.get(name)((300, 200))
    assert np.abs(samples).max() <= 2 * stddev / 0.8796256610342398 + 1e-6


def test_constant_and_orthogonal_shapes():
    assert (nk.initializers.Constant(2.5)((2, 3)) == 2.5).all()
    q = nk.initializers.Orthogonal(gain=2.0)((3, 5))
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)


def test_initializers_follow_the_global_seed():
    nk.utils.set_random_seed(7)
    a = nk.layers.Dense(3)
    a.build((None, 2))
    nk.utils.set_random_seed(7)
    b = nk.layers.Dense(3)
    b.build((None, 2))
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


def test_unknown_initializer_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown initializer: 'glorot'.*glorot_uniform"):
        nk.initializers.get("glorot")


# ---- regularizers -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("l1", "l1"),
        ("l2", "l2"),
        ("L1L2(l1=0.1, l2=0.3)", "L1L2(l1=0.1, l2=0.3)"),
        ("L2(0.5)", "L2(0.5)"),
    ],
)
def test_regularizers_match_keras(ours, theirs, rng):
    w = rng.standard_normal((4, 3)).astype(np.float32)
    get = lambda lib, spec: (  # noqa: E731
        lib.regularizers.get(spec) if "(" not in spec else eval(f"lib.regularizers.{spec}")
    )
    expected = float(keras.ops.convert_to_numpy(get(keras, theirs)(keras.ops.array(w))))
    np.testing.assert_allclose(get(nk, ours)(ns.tensor(w)).item(), expected, rtol=1e-6)


def test_regularized_layer_reports_its_penalty_in_losses():
    layer = nk.layers.Dense(
        2, kernel_regularizer=nk.regularizers.L2(0.5), kernel_initializer="ones"
    )
    layer.build((None, 3))
    assert [penalty.item() for penalty in layer.losses] == [3.0]
    layer.trainable = False
    assert layer.losses == []


def test_set_random_seed_rejects_non_integers():
    with pytest.raises(ValueError, match="integer"):
        nk.utils.set_random_seed(1.5)
