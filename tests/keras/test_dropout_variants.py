"""SpatialDropout1D/2D/3D, GaussianDropout, GaussianNoise and AlphaDropout against real Keras 3
(torch backend). Random streams differ, so training mode is compared through statistics and
structure (which values occur, what is shared), inference mode exactly."""

import math
import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

LAYERS = {
    "SpatialDropout1D": ({"rate": 0.3}, (2, 5, 4)),
    "SpatialDropout2D": ({"rate": 0.3}, (2, 3, 3, 4)),
    "SpatialDropout3D": ({"rate": 0.3, "data_format": "channels_first"}, (2, 4, 2, 2, 2)),
    "GaussianDropout": ({"rate": 0.3}, (4, 6)),
    "GaussianNoise": ({"stddev": 0.3}, (4, 6)),
    "AlphaDropout": ({"rate": 0.3}, (4, 6)),
}


@pytest.fixture(autouse=True)
def _seeded():
    """Both generators seeded, so the statistical checks below cannot flake."""
    keras.utils.set_random_seed(0)
    nk.utils.set_random_seed(0)


def _np(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, ns.Tensor) else keras.ops.convert_to_numpy(x)


def _both(layer: str, /, **override):
    kwargs = {**LAYERS[layer][0], **override}
    return getattr(keras.layers, layer)(**kwargs), getattr(nk.layers, layer)(**kwargs)


@pytest.mark.parametrize("name", list(LAYERS))
def test_inference_is_the_identity_as_in_keras(name, rng):
    theirs, ours = _both(name)
    x = rng.standard_normal(LAYERS[name][1]).astype(np.float32)
    np.testing.assert_array_equal(_np(ours(x)), _np(theirs(x)))
    np.testing.assert_array_equal(_np(ours(x, training=False)), x)
    assert ours.count_params() == theirs.count_params() == 0


@pytest.mark.parametrize("name", list(LAYERS))
def test_config_round_trips_with_keras_keys(name):
    theirs, ours = _both(name, name=f"my_{name.lower()}")
    config, their_config = ours.get_config(), theirs.get_config()
    assert set(config) == set(their_config)
    for key in set(config) - {"dtype"}:
        assert config[key] == their_config[key], key
    assert type(ours).from_config(config).get_config() == config


@pytest.mark.parametrize(
    ("name", "shape", "channel", "data_format"),
    [
        ("SpatialDropout1D", (40, 6, 50), -1, None),
        ("SpatialDropout2D", (40, 3, 3, 50), -1, "channels_last"),
        ("SpatialDropout2D", (40, 50, 3, 3), 1, "channels_first"),
        ("SpatialDropout3D", (40, 2, 2, 2, 50), -1, "channels_last"),
    ],
)
def test_spatial_dropout_drops_whole_maps_like_keras(name, shape, channel, data_format, rng):
    extra = {} if data_format is None else {"data_format": data_format}
    theirs, ours = _both(name, rate=0.4, **extra)
    x = np.ones(shape, np.float32)
    values = []
    for layer in (theirs, ours):
        y = _np(layer(x, training=True))
        maps = np.moveaxis(y, channel, 1).reshape(shape[0], shape[channel], -1)
        assert (maps == maps[..., :1]).all()  # one draw per (sample, channel)
        values.append(np.unique(y.round(5)))
        dropped = (maps[..., 0] == 0).mean()
        assert abs(dropped - 0.4) < 0.06  # 2000 draws: 4 standard deviations is 0.044
    np.testing.assert_array_equal(values[0], values[1])  # {0, 1 / 0.6}


def _moments(layer, x: np.ndarray) -> tuple[float, float]:
    y = _np(layer(x, training=True))
    return float(y.mean()), float(y.std())


@pytest.mark.parametrize(
    ("name", "kwargs", "x", "mean", "std"),
    [
        ("GaussianDropout", {"rate": 0.2}, 1.0, 1.0, math.sqrt(0.2 / 0.8)),
        ("GaussianNoise", {"stddev": 0.3}, 0.5, 0.5, 0.3),
    ],
)
def test_gaussian_layers_have_keras_noise_statistics(name, kwargs, x, mean, std):
    inputs = np.full((200, 100), x, np.float32)
    for layer in _both(name, **kwargs):  # within 5 standard errors of the expected moments
        got_mean, got_std = _moments(layer, inputs)
        assert abs(got_mean - mean) < 5 * std / math.sqrt(inputs.size), type(layer).__module__
        assert abs(got_std - std) < 5 * std / math.sqrt(2 * inputs.size), type(layer).__module__


def test_alpha_dropout_values_and_moments_match_keras(rng):
    theirs, ours = _both("AlphaDropout", rate=0.2)
    ones = np.ones((100, 100), np.float32)
    value_sets = [np.unique(_np(layer(ones, training=True)).round(5)) for layer in (theirs, ours)]
    np.testing.assert_array_equal(value_sets[0], value_sets[1])  # a + b and a * alpha' + b
    x = rng.standard_normal((200, 100)).astype(np.float32)
    for layer in (theirs, ours):
        mean, std = _moments(layer, x)  # the point of alpha dropout: moments of N(0, 1) kept
        assert abs(mean) < 0.035 and abs(std - 1) < 0.025  # 5 standard errors


def test_alpha_dropout_noise_shape_shares_draws():
    layer = nk.layers.AlphaDropout(0.5, noise_shape=(None, 1, 4))
    y = _np(layer(np.ones((3, 5, 4), np.float32), training=True))
    assert (y == y[:, :1]).all()
    with pytest.raises(ValueError, match=r"noise_shape=\(3, 2, 4\).*\(3, 5, 4\)"):
        nk.layers.AlphaDropout(0.5, noise_shape=(3, 2, 4))(np.ones((3, 5, 4)), training=True)


@pytest.mark.parametrize("name", ["GaussianDropout", "AlphaDropout", "SpatialDropout1D"])
def test_training_noise_is_a_constant_factor_for_the_gradient(name, rng):
    """y = x * noise (+ term): dy/dx is the noise factor, read off two inputs' outputs."""
    layer = getattr(nk.layers, name)(0.3)
    x = ns.tensor(rng.standard_normal((3, 4, 5)).astype(np.float32), requires_grad=True)
    ns.manual_seed(1)
    y = layer(x, training=True)
    y.sum().backward()
    ns.manual_seed(1)
    shifted = _np(layer(ns.tensor(x.detach().numpy() + 1), training=True))
    np.testing.assert_allclose(x.grad.numpy(), shifted - _np(y), atol=1e-5)


def test_seeding_repeats_the_noise():
    layer = nk.layers.GaussianNoise(0.5)
    nk.utils.set_random_seed(3)
    first = _np(layer(np.zeros((2, 3), np.float32), training=True))
    nk.utils.set_random_seed(3)
    np.testing.assert_array_equal(_np(layer(np.zeros((2, 3), np.float32), training=True)), first)


def test_errors_name_the_layer_and_what_was_wrong():
    with pytest.raises(ValueError, match=r"'sd' expects inputs of rank 3, received shape \(2, 3\)"):
        nk.layers.SpatialDropout1D(0.5, name="sd")(np.ones((2, 3)), training=True)
    with pytest.raises(ValueError, match="data_format"):
        nk.layers.SpatialDropout2D(0.5, data_format="nhwc")
    for layer, arg in [
        (nk.layers.GaussianDropout, 1.0),
        (nk.layers.AlphaDropout, -0.1),
        (nk.layers.SpatialDropout1D, 1.5),
        (nk.layers.GaussianNoise, 2.0),
    ]:
        with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
            layer(arg)
