"""Parity with torch for sigmoid, relu, leaky_relu, elu, selu, gelu, silu and softplus."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, require_torch
from tolerance import assert_close

import nnscratch as ns

# name -> fn(F, x); F is torch.nn.functional or nnscratch.nn.functional
ACTIVATIONS = {
    "sigmoid": lambda F, x: F.sigmoid(x),
    "relu": lambda F, x: F.relu(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "leaky_relu_0.2": lambda F, x: F.leaky_relu(x, 0.2),
    "leaky_relu_neg": lambda F, x: F.leaky_relu(x, negative_slope=-0.5),
    "elu": lambda F, x: F.elu(x),
    "elu_0.5": lambda F, x: F.elu(x, alpha=0.5),
    "elu_neg": lambda F, x: F.elu(x, -1.5),
    "selu": lambda F, x: F.selu(x),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x, beta=2.0, threshold=5.0),
    "softplus_small_beta": lambda F, x: F.softplus(x, 0.5, 1.0),
}
SHAPES = [(), (7,), (3, 4), (2, 3, 4), (0, 3)]


def _sample(rng, shape):
    """Values in +-3 kept 0.05 away from the kinks at 0 and at softplus's thresholds."""
    x = rng.uniform(0.05, 3.0, shape) * rng.choice([-1.0, 1.0], shape)
    near_threshold = (np.abs(x - 2.5) < 0.05) | (np.abs(x - 2.0) < 0.05)
    return np.where(near_threshold, x + 0.2, x)


def _functional(lib):
    return lib.nn.functional


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_activation_matches_torch(name, shape, rng):
    check(lambda lib, x: ACTIVATIONS[name](_functional(lib), x), _sample(rng, shape))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_transposed_input(name, rng):
    check(lambda lib, x: ACTIVATIONS[name](_functional(lib), x), _sample(rng, (3, 5)).T)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_float32_stays_float32(name, rng):
    x = (_sample(rng, (4, 5)) * 3).astype(np.float32)
    check(lambda lib, x: ACTIVATIONS[name](_functional(lib), x), x, rtol=2e-6)


@pytest.mark.parametrize("name", ["sigmoid", "relu"])
def test_top_level_and_methods(name, rng):
    x = _sample(rng, (3, 4))
    check(lambda lib, x: getattr(lib, name)(x) + getattr(x, name)(), x)


@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
       name=st.sampled_from(sorted(ACTIVATIONS)), seed=st.integers(0, 2**32 - 1))  # fmt: skip
@settings(max_examples=25, deadline=None)
def test_activation_hypothesis_shapes(shape, name, seed):
    x = _sample(np.random.default_rng(seed), shape)
    check(lambda lib, x: ACTIVATIONS[name](_functional(lib), x), x)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_kinks_match_torch(name):
    """Subgradients at 0 (relu: 0, leaky_relu: slope, elu: alpha) and at the thresholds."""
    x = np.array([0.0, -0.0, 2.0, 2.5, 20.0, -1.0])
    check(lambda lib, x: ACTIVATIONS[name](_functional(lib), x), x, gradcheck=False)


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_inputs_are_finite_and_match_torch(name, dtype):
    """|x| = 1e4 overflows no exp (pytest turns NumPy's RuntimeWarning into an error)."""
    x = np.array([1e4, -1e4, 50.0, -50.0, 700.0, -800.0], dtype=dtype)
    out = ACTIVATIONS[name](ns.nn.functional, ns.from_numpy(x))
    assert np.all(np.isfinite(out.numpy()))
    check(lambda lib, x: ACTIVATIONS[name](_functional(lib), x), x, gradcheck=False)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_infinite_inputs_forward(name):
    """Forward only: torch's own backward gives inf * 0 = nan at +-inf for several of these."""
    x = np.array([np.inf]) if name.startswith(("gelu", "silu")) else np.array([np.inf, -np.inf])
    check(lambda lib, x: ACTIVATIONS[name](_functional(lib), x), x, grad=False)


def test_sigmoid_and_softplus_saturate_exactly():
    x = ns.tensor([1e4, -1e4], dtype=ns.float64)
    assert ns.sigmoid(x).tolist() == [1.0, 0.0]
    assert ns.nn.functional.softplus(x).tolist() == [1e4, 0.0]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_nan_propagates_like_torch(name):
    x = np.array([np.nan, 1.0])
    check(lambda lib, x: ACTIVATIONS[name](_functional(lib), x), x, gradcheck=False)


def test_gelu_exact_matches_torch_over_its_whole_range():
    """erf is computed by Cody's approximations: gelu agrees with torch to the policy's float64
    tolerance over [-10, 10] and at its extremes (measured here: ~1e-16 relative)."""
    x = np.concatenate([np.linspace(-10, 10, 20001), [1e-300, -1e-300, 40.0, -40.0]])
    check(lambda lib, x: lib.nn.functional.gelu(x), x, gradcheck=False)


def test_gelu_cdf_against_math_erf():
    """An independent oracle: x * (1 + math.erf(x / sqrt 2)) / 2 evaluated in Python."""
    x = np.array([-6.0, -4.5, -1.3, -0.2, 0.3, 0.46875, 0.5, 3.9, 4.1, 7.0])
    expected = [v * (1 + math.erf(v / math.sqrt(2))) / 2 for v in x]
    out = ns.nn.functional.gelu(ns.from_numpy(x)).numpy()
    assert_close(out, expected)


def test_sigmoid_and_relu_of_integers():
    check(lambda lib, x: lib.sigmoid(x), np.array([-2, 0, 3]), grad=False)
    check(lambda lib, x: lib.relu(x), np.array([-2, 0, 3], dtype=np.int32), grad=False)


@pytest.mark.parametrize("size", [3, 300_000])  # (the large one writes into recycled memory)
def test_relu_refuses_booleans_as_torch(size):
    torch = require_torch()
    flags = np.arange(size) % 2 == 0
    with pytest.raises(RuntimeError, match="Boolean inputs not supported"):
        torch.relu(torch.from_numpy(flags))
    for call in (ns.relu, ns.Tensor.relu):
        with pytest.raises(TypeError, match="relu: boolean inputs are not supported"):
            call(ns.tensor(flags))


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "selu", "gelu", "silu", "softplus"])
def test_float_only_activations_reject_integers(name):
    with pytest.raises(
        TypeError, match=f"{name}: expected a floating point tensor, received int64"
    ):
        getattr(ns.nn.functional, name)(ns.tensor([1, -2]))


def test_argument_errors():
    F, x = ns.nn.functional, ns.ones(3)
    with pytest.raises(ValueError, match="gelu: expected approximate to be 'none' or 'tanh', rec"):
        F.gelu(x, approximate="foo")
    with pytest.raises(TypeError, match="leaky_relu: expected negative_slope to be a number"):
        F.leaky_relu(x, "0.1")
    with pytest.raises(TypeError, match="elu: expected alpha to be a number, received NoneType"):
        F.elu(x, None)
    with pytest.raises(TypeError, match="softplus: expected threshold to be a number"):
        F.softplus(x, 1.0, [20])
    with pytest.raises(TypeError, match="sigmoid: expected input to be a Tensor, received list"):
        ns.sigmoid([1.0])


def test_numpy_scalar_options_keep_float32(rng):
    x = _sample(rng, (3, 4)).astype(np.float32)
    check(lambda lib, x: lib.nn.functional.elu(x, alpha=np.float64(0.7)), x)
    check(lambda lib, x: lib.nn.functional.leaky_relu(x, np.float64(0.3)), x)


def test_composition_matches_torch(rng):
    x = _sample(rng, (4, 3))
    fn = lambda lib, x: lib.nn.functional.gelu(lib.sigmoid(x) * lib.relu(x) - x)  # noqa: E731
    check(fn, x)
