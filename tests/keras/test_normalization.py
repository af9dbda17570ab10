"""BatchNormalization and LayerNormalization against real Keras 3 (torch backend): outputs in
inference and training, the moving statistics, masks, parameter counts and summaries, configs,
a short fit, and errors."""

import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _np(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, ns.Tensor) else keras.ops.convert_to_numpy(x)


def _twins(name: str, shape: tuple, rng, **kwargs):
    """The layer built in Keras and in nnscratch, with the same random weights (variances > 0)."""
    theirs, ours = getattr(keras.layers, name)(**kwargs), getattr(nk.layers, name)(**kwargs)
    theirs.build(shape)
    ours.build(shape)
    weights = [rng.standard_normal(w.shape).astype(np.float32) for w in theirs.get_weights()]
    if name == "BatchNormalization":
        weights[-1] = np.abs(weights[-1]) + 0.5
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return theirs, ours


def _assert_weights_equal(ours, theirs, atol=1e-6):
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=atol)


# ---- BatchNormalization -----------------------------------------------------------------------
BN_CASES = [
    ((8, 3), -1, {}),
    ((4, 5, 3), -1, {}),
    ((4, 3, 5), 1, {"momentum": 0.5}),
    ((2, 3, 4, 5), 1, {"epsilon": 0.1}),
    ((2, 4, 3, 5), -2, {"center": False}),
    ((6, 4), 0, {"scale": False}),
    ((1, 3), -1, {}),  # one value per feature: batch_norm refuses it, Keras normalises to 0
]


@pytest.mark.parametrize(("shape", "axis", "options"), BN_CASES)
def test_batch_norm_equals_keras_in_inference_and_training(shape, axis, options, rng):
    theirs, ours = _twins("BatchNormalization", shape, rng, axis=axis, **options)
    for training in (False, True, True, False, True):
        x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
        expected = _np(theirs(x, training=training))
        np.testing.assert_allclose(_np(ours(x, training=training)), expected, atol=2e-5)
        _assert_weights_equal(ours, theirs)  # the moving statistics moved alike


def test_moving_variance_is_the_biased_batch_variance_as_in_keras(rng):
    x = rng.standard_normal((5, 3)).astype(np.float32)
    layer = nk.layers.BatchNormalization(momentum=0.25)
    layer(x, training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.75 * x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.25 + 0.75 * x.var(0), rtol=1e-6)


def test_batch_norm_with_a_mask_equals_keras(rng):
    theirs, ours = _twins("BatchNormalization", (3, 4, 2), rng, momentum=0.5)
    x = rng.standard_normal((3, 4, 2)).astype(np.float32)
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]], bool)
    expected = _np(theirs(x, training=True, mask=mask))
    np.testing.assert_allclose(_np(ours(x, training=True, mask=mask)), expected, atol=1e-5)
    _assert_weights_equal(ours, theirs)


def test_frozen_batch_norm_runs_in_inference_mode_like_keras(rng):
    theirs, ours = _twins("BatchNormalization", (6, 3), rng)
    theirs.trainable = ours.trainable = False
    x = rng.standard_normal((6, 3)).astype(np.float32)
    before = ours.get_weights()
    np.testing.assert_allclose(
        _np(ours(x, training=True)), _np(theirs(x, training=True)), atol=1e-6
    )
    _assert_weights_equal(ours, theirs)
    assert all((a == b).all() for a, b in zip(before, ours.get_weights()))


def test_batch_norm_gradients_flow_to_input_gamma_and_beta(rng):
    ours = nk.layers.BatchNormalization()
    x = ns.tensor(rng.standard_normal((6, 3)).astype(np.float32), requires_grad=True)
    (
        ours(x, training=True) * ns.tensor(rng.standard_normal((6, 3)).astype(np.float32))
    ).sum().backward()
    assert x.grad is not None and ours.gamma.grad is not None and ours.beta.grad is not None
    assert ours.moving_mean.grad is None
    np.testing.assert_allclose(x.grad.numpy().sum(0), 0, atol=1e-5)  # mean removal's gradient


def _dense_norm_dense(lib, norm):
    layers = lib.layers
    return lib.Sequential([layers.Input((4,)), layers.Dense(5), norm(lib), layers.Dense(2)])


SUMMARY_NORMS = {
    "batch": lambda lib: lib.layers.BatchNormalization(),
    "batch_unscaled": lambda lib: lib.layers.BatchNormalization(scale=False, center=False),
    "layer": lambda lib: lib.layers.LayerNormalization(),
}


@pytest.mark.parametrize("norm", list(SUMMARY_NORMS))
def test_param_counts_and_summary_match_keras(norm):
    keras.utils.clear_session()
    nk.utils.clear_session()
    theirs = _dense_norm_dense(keras, SUMMARY_NORMS[norm])
    ours = _dense_norm_dense(nk, SUMMARY_NORMS[norm])
    assert [la.count_params() for la in ours.layers] == [la.count_params() for la in theirs.layers]
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights)
    texts = [], []
    theirs.summary(line_length=76, print_fn=texts[0].append)
    ours.summary(line_length=76, print_fn=texts[1].append)
    assert texts[1] == texts[0]


@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_ten_sgd_steps_follow_keras(norm, rng):
    x = rng.standard_normal((20, 4)).astype(np.float32)
    y = rng.standard_normal((20, 2)).astype(np.float32)
    theirs = _dense_norm_dense(keras, SUMMARY_NORMS[norm])
    ours = _dense_norm_dense(nk, SUMMARY_NORMS[norm])
    ours.set_weights(theirs.get_weights())
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)  # 10 steps
    _assert_weights_equal(ours, theirs, atol=1e-5)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), _np(theirs.predict(x, verbose=0)), atol=1e-5
    )


def test_batch_norm_config_round_trips_and_matches_keras():
    kwargs = {"axis": 1, "momentum": 0.9, "epsilon": 0.01, "center": False, "scale": True}
    ours = nk.layers.BatchNormalization(**kwargs)
    theirs = keras.layers.BatchNormalization(**kwargs).get_config()
    config = ours.get_config()
    assert {k: config[k] for k in kwargs} == {k: theirs[k] for k in kwargs}
    assert set(config) <= set(theirs)
    again = nk.layers.BatchNormalization.from_config(config).get_config()
    assert {k: again[k] for k in kwargs} == {k: config[k] for k in kwargs}


def test_batch_norm_errors_name_the_layer_and_shapes():
    layer = nk.layers.BatchNormalization(name="bn")
    layer(np.ones((4, 3), np.float32))
    with pytest.raises(
        ValueError, match=r"'bn' expects inputs of rank 2 with 3 features.*\(4, 5\)"
    ):
        layer(np.ones((4, 5), np.float32))
    with pytest.raises(ValueError, match=r"rank 2.*\(4, 2, 3\)"):
        layer(np.ones((4, 2, 3), np.float32))
    with pytest.raises(ValueError, match=r"axis=3, out of range for inputs of rank 2"):
        nk.layers.BatchNormalization(axis=3)(np.ones((4, 3), np.float32))
    masked = nk.layers.BatchNormalization(name="bn_m")
    with pytest.raises(ValueError, match=r"'bn_m' expects a mask of shape \(2, 4\).*\(2, 3\)"):
        masked(np.ones((2, 4, 3), np.float32), training=True, mask=np.ones((2, 3), bool))
    with pytest.raises(TypeError, match="axis must be an int"):
        nk.layers.BatchNormalization(axis=[1, 2])


# ---- LayerNormalization -----------------------------------------------------------------------
LN_CASES = [
    ((6, 3), -1, {}),
    ((4, 5, 3), [1, 2], {"epsilon": 0.1}),
    ((2, 3, 4, 5), [1, 3], {}),  # not contiguous: moved to the end and back
    ((2, 3, 4), -1, {"center": False}),
    ((2, 3, 4), -1, {"scale": False}),
]


@pytest.mark.parametrize(("shape", "axis", "options"), LN_CASES)
def test_layer_norm_equals_keras(shape, axis, options, rng):
    theirs, ours = _twins("LayerNormalization", shape, rng, axis=axis, **options)
    x = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
    for training in (False, True):
        np.testing.assert_allclose(_np(ours(x, training=training)), _np(theirs(x)), atol=2e-5)
    assert ours.get_config()["axis"] == theirs.get_config()["axis"]


def test_layer_norm_on_a_middle_axis_equals_the_formula(rng):
    # Keras's torch backend fails on a single non-last axis; check against the formula instead
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    layer = nk.layers.LayerNormalization(axis=1, epsilon=0.01)
    layer.build(x.shape)
    gamma, beta = rng.standard_normal((2, 4)).astype(np.float32)
    layer.set_weights([gamma, beta])
    mean, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 0.01) * gamma[:, None] + beta[:, None]
    np.testing.assert_allclose(_np(layer(x)), expected, atol=1e-5)


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`:UserWarning")
def test_deprecated_rms_scaling_equals_keras(rng):
    with pytest.warns(UserWarning):
        theirs, ours = _twins("LayerNormalization", (3, 4), rng, rms_scaling=True)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(_np(ours(x)), _np(theirs(x)), atol=1e-5)


def test_layer_norm_config_round_trips_and_errors():
    layer = nk.layers.LayerNormalization(axis=[2, 1], epsilon=0.01, name="ln")
    layer(np.ones((2, 3, 4), np.float32))
    config = layer.get_config()
    assert config["axis"] == keras.layers.LayerNormalization(axis=[1, 2]).get_config()["axis"]
    assert nk.layers.LayerNormalization.from_config(config).get_config()["epsilon"] == 0.01
    with pytest.raises(
        ValueError, match=r"'ln' expects inputs of rank 3 with sizes \(3, 4\).*\(2, 3, 5\)"
    ):
        layer(np.ones((2, 3, 5), np.float32))
    with pytest.raises(TypeError, match="axis"):
        nk.layers.LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="out of range"):
        nk.layers.LayerNormalization(axis=2)(np.ones((2, 3), np.float32))
