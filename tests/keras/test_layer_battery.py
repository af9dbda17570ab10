"""The Keras layer battery: every public class of ``nnscratch.keras.layers`` through the same
five checks, in the spirit of Keras's own layer test harness.

For each row of ``tests/layer_battery_cases.py`` (a layer, its constructor's arguments, its
inputs' shapes and dtype):

1. shape: built and called on seeded data, the output has ``compute_output_shape``'s shape;
2. config: ``from_config(get_config())`` gives the same config and, with the same weights,
   bit-identical outputs;
3. saving: in a small model, ``model.save`` then ``keras.saving.load_model`` predicts
   bit-identically (same code on the same machine);
4. keras: real Keras 3 (torch backend) builds the same layer; its weights, copied into ours,
   give its outputs at float32 tolerance, in inference mode (and BatchNormalization's training
   step too: it is deterministic);
5. training: the layers that behave differently in training are checked by a property of
   their noise (dropout zeroes about ``rate`` of the values and rescales the rest, ...).

A test fails when a public layer class has no row, so a new layer cannot skip the battery.
"""

import os

import numpy as np
import pytest
from layer_battery_cases import ARGS, CASES, LIST, NOT_BATTERY, ONE
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.keras.layers.layer import Layer

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2, and
# both libraries deprecate the rms_scaling they still compute (the battery compares them).
pytestmark = [
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*rms_scaling=True:UserWarning"),
]

L = nk.layers


def _params(check: str) -> list:
    """The cases for one check, each marked xfail (strict) where the table knows a bug."""
    rows = [c for c in CASES if check != "training" or c.training]
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=case.xfail[check])]
            if check in case.xfail
            else [],
        )
        for case in rows
    ]


def _inputs(case, batch: int | None = None, seed: int = 0) -> list[np.ndarray]:
    """Seeded inputs of the case's shapes (the batch axis replaced by ``batch`` if given):
    ids in [0, input_dim) for integer dtypes, standard normal values otherwise."""
    rng = np.random.default_rng(seed)
    shapes = [(batch or s[0], *s[1:]) for s in case.shapes]
    if np.dtype(case.dtype).kind in "iu":
        high = case.kwargs["input_dim"]
        return [rng.integers(0, high, s).astype(case.dtype) for s in shapes]
    return [rng.standard_normal(s).astype(case.dtype) for s in shapes]


def _call(layer, case, xs, **kwargs):
    """The layer on the inputs, in the case's calling style (same for both libraries)."""
    if case.style == LIST:
        return layer(list(xs), **kwargs)
    if case.style == ARGS:
        return layer(*xs, **kwargs)
    return layer(xs[0], **kwargs)


def _output_shape(layer, case, shapes):
    if case.style == LIST:
        return tuple(layer.compute_output_shape([tuple(s) for s in shapes]))
    if case.style == ARGS:
        return tuple(layer.compute_output_shape(*(tuple(s) for s in shapes)))
    return tuple(layer.compute_output_shape(tuple(shapes[0])))


def _np(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, ns.Tensor) else keras.ops.convert_to_numpy(x)


def _built(case, xs):
    """Our layer, built by a call on ``xs``, and that call's output."""
    nk.utils.clear_session()
    layer = case.build(nk)
    return layer, _np(_call(layer, case, xs))


# ---- coverage -----------------------------------------------------------------------------------
def _public_layer_classes() -> dict[str, type]:
    """Name -> class for the Layer subclasses that ``keras.layers`` exports (aliases folded)."""
    found = {}
    for name in L.__all__:
        obj = getattr(L, name)
        if isinstance(obj, type) and issubclass(obj, Layer):
            found.setdefault(obj.__name__, obj)
    return found


def test_every_public_layer_class_has_a_battery_case():
    public = _public_layer_classes()
    covered = {c.layer for c in CASES} | set(NOT_BATTERY)
    missing = sorted(set(public) - covered)
    assert not missing, f"add rows to tests/layer_battery_cases.py for: {missing}"
    unknown = sorted({c.layer for c in CASES} - set(public))
    assert not unknown, f"battery rows name classes keras.layers does not export: {unknown}"


def test_case_ids_are_unique_and_every_class_exists_in_real_keras():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    absent = sorted({c.layer for c in CASES if not hasattr(keras.layers, c.layer)})
    assert not absent, f"real Keras has no class named {absent}"


def test_input_layer_config_round_trips_and_real_keras_reads_it():
    layer = L.InputLayer(shape=(3, 2), name="in_battery")
    clone = L.InputLayer.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.batch_shape == (None, 3, 2)
    theirs = keras.layers.InputLayer.from_config(layer.get_config())
    assert tuple(theirs.batch_shape) == clone.batch_shape and theirs.name == "in_battery"


# ---- 1. output shape ----------------------------------------------------------------------------
@pytest.mark.parametrize("case", _params("shape"))
def test_output_shape_is_compute_output_shape(case):
    xs = _inputs(case)
    layer, out = _built(case, xs)
    assert out.shape == _output_shape(layer, case, [x.shape for x in xs])
    assert out.dtype == np.dtype(case.kwargs.get("dtype", "float32"))


# ---- 2. get_config round trip -------------------------------------------------------------------
@pytest.mark.parametrize("case", _params("config"))
def test_from_config_gives_the_same_config_and_outputs(case):
    xs = _inputs(case)
    layer, out = _built(case, xs)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert type(clone) is type(layer)
    assert clone.get_config() == config
    _call(clone, case, xs)  # builds the weights, then the original's are copied in
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(_np(_call(clone, case, xs)), out)


# ---- 3. save and load ---------------------------------------------------------------------------
def _model_around(layer, case):
    """The layer in the smallest model that holds it: Sequential for one input, functional
    for several."""
    inputs = [nk.Input(shape=s[1:], dtype=case.dtype) for s in case.shapes]
    if case.style == ONE:
        return nk.Sequential([inputs[0], layer])
    return nk.Model(inputs, _call(layer, case, inputs))


@pytest.mark.parametrize("case", _params("saving"))
def test_save_and_load_predicts_bit_identically(case, tmp_path):
    xs = _inputs(case)
    nk.utils.clear_session()
    model = _model_around(case.build(nk), case)
    feed = xs[0] if case.style == ONE else xs
    expected = model.predict(feed, verbose=0)
    model.save(tmp_path / "m.keras")
    restored = nk.saving.load_model(tmp_path / "m.keras")
    assert [type(la).__name__ for la in restored.layers] == [
        type(la).__name__ for la in model.layers
    ]
    np.testing.assert_array_equal(restored.predict(feed, verbose=0), expected)


# ---- 4. real Keras's weights give real Keras's outputs ------------------------------------------
def _drawn_weights(layer, seed: int = 1) -> list[np.ndarray]:
    """New seeded values for a Keras layer's weights, of its shapes and in its order: no zero
    biases or unit scales left to hide a swapped weight; variances stay positive."""
    rng = np.random.default_rng(seed)
    drawn = []
    for w in layer.weights:
        shape, dtype = tuple(w.shape), keras.backend.standardize_dtype(w.dtype)
        if "variance" in w.name:
            drawn.append(rng.uniform(0.5, 1.5, shape).astype(dtype))
        else:
            drawn.append((0.5 * rng.standard_normal(shape)).astype(dtype))
    return drawn


@pytest.mark.parametrize("case", _params("keras"))
def test_real_keras_weights_give_real_keras_outputs(case):
    xs = _inputs(case)
    keras.utils.clear_session()
    theirs = case.build(keras)
    _call(theirs, case, xs)
    theirs.set_weights(_drawn_weights(theirs))
    expected = _np(_call(theirs, case, xs))
    ours, _ = _built(case, xs)
    ours.set_weights(theirs.get_weights())
    assert_close(_np(_call(ours, case, xs)), expected)
    shapes = [(None, *s[1:]) for s in case.shapes]
    assert _output_shape(ours, case, shapes) == _output_shape(theirs, case, shapes)
    if case.training == "batch_norm":  # deterministic in training: Keras is the oracle
        assert_close(_np(_call(ours, case, xs, training=True)),
                     _np(_call(theirs, case, xs, training=True)))  # fmt: skip
        for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
            assert_close(mine, keras_weight)  # the moving statistics after one step


# ---- 5. training mode, by property --------------------------------------------------------------
def _check_dropout(case, x, y):
    """About ``rate`` of the values are zeroed; the rest are scaled by 1 / (1 - rate)."""
    rate = case.kwargs["rate"]
    dropped = y == 0
    assert abs(dropped.mean() - rate) < 0.03
    assert_close(y[~dropped], x[~dropped] / np.float32(1 - rate))


def _check_spatial(case, x, y):
    """Whole channels (the last axis) are dropped: within one sample and channel, all values
    or none are zero; about ``rate`` of the channels go, the others are rescaled."""
    rate = case.kwargs["rate"]
    per_channel = (y == 0).reshape(x.shape[0], -1, x.shape[-1])
    all_or_none = per_channel.all(axis=1) | ~per_channel.any(axis=1)
    assert all_or_none.all()
    assert abs(per_channel.all(axis=1).mean() - rate) < 0.05
    kept = y != 0
    assert_close(y[kept], x[kept] / np.float32(1 - rate))


def _check_gaussian_dropout(case, x, y):
    """Multiplicative noise of mean 1 and standard deviation sqrt(rate / (1 - rate))."""
    rate = case.kwargs["rate"]
    factor = y / x
    assert abs(factor.mean() - 1) < 0.03
    assert abs(factor.std() / np.sqrt(rate / (1 - rate)) - 1) < 0.05


def _check_gaussian_noise(case, x, y):
    """Additive noise of mean 0 and standard deviation ``stddev``."""
    noise = y - x
    assert abs(noise.mean()) < 0.03
    assert abs(noise.std() / case.kwargs["stddev"] - 1) < 0.05


def _check_alpha_dropout(case, x, y):
    """Self-normalising: about ``rate`` of the values become one shared saturation value, the
    rest an affine map of the input, so that a standard normal input keeps mean 0, std 1."""
    values, counts = np.unique(y, return_counts=True)
    saturated = y == values[np.argmax(counts)]
    assert abs(saturated.mean() - case.kwargs["rate"]) < 0.03
    slope, intercept = np.polyfit(x[~saturated], y[~saturated], 1)
    assert_close(y[~saturated], slope * x[~saturated] + intercept, rtol=1e-5)
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05


def _check_batch_norm(case, x, y):
    """With fresh weights (gamma 1, beta 0) the output is the input normalised by the batch's
    own mean and (biased) variance over every axis but ``axis``."""
    axis = case.kwargs.get("axis", -1) % x.ndim
    over = tuple(a for a in range(x.ndim) if a != axis)
    x64 = x.astype(np.float64)
    mean, var = x64.mean(axis=over, keepdims=True), x64.var(axis=over, keepdims=True)
    epsilon = case.kwargs.get("epsilon", 1e-3)
    assert_close(y, (x64 - mean) / np.sqrt(var + epsilon), dtype=np.float32)


TRAINING = {
    "dropout": _check_dropout,
    "spatial": _check_spatial,
    "gaussian_dropout": _check_gaussian_dropout,
    "gaussian_noise": _check_gaussian_noise,
    "alpha_dropout": _check_alpha_dropout,
    "batch_norm": _check_batch_norm,
}


@pytest.mark.parametrize("case", _params("training"))
def test_training_mode_has_the_layers_property(case, restore_random_states):
    nk.utils.set_random_seed(0)
    (x,) = _inputs(case, batch=2000 if case.training != "batch_norm" else None, seed=2)
    layer, inference = _built(case, [x])
    y = _np(_call(layer, case, [x], training=True))
    assert y.shape == inference.shape and y.dtype == inference.dtype
    TRAINING[case.training](case, x, y)
    if case.training != "batch_norm":
        np.testing.assert_array_equal(inference, x)  # inference mode: the identity
        second = _np(_call(layer, case, [x], training=True))
        assert not np.array_equal(second, y)  # a new draw on each call
