"""nn.init: torch's gains and fans exactly; the samples' ranges and spreads statistically,
on tensors large enough that a wrong formula is many standard errors away."""

import math

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns

init = ns.nn.init

NONLINEARITIES = [
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "selu", "leaky_relu",
]  # fmt: skip


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_calculate_gain_equals_torchs(nonlinearity):
    torch = require_torch()
    assert init.calculate_gain(nonlinearity) == torch.nn.init.calculate_gain(nonlinearity)


@pytest.mark.parametrize("slope", [0, 0.2, 1, math.sqrt(5)])
def test_leaky_relu_gain_with_a_slope_equals_torchs(slope):
    torch = require_torch()
    ours = init.calculate_gain("leaky_relu", slope)
    assert ours == torch.nn.init.calculate_gain("leaky_relu", slope)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "0.1")


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5, 5), (2, 3, 4), (0, 5)])
def test_fans_equal_torchs(shape):
    torch = require_torch()
    ours = init._calculate_fan_in_and_fan_out(ns.empty(*shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_fans_need_two_dimensions_and_a_known_mode():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ns.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(ns.empty(3, 3), mode="fan_avg")


# ---- simple fills -------------------------------------------------------------------------


def test_fills_work_in_place_on_parameters_that_require_grad():
    p = ns.nn.Parameter(ns.empty(3, 4))
    assert init.constant_(p, 0.25) is p and p.requires_grad
    assert np.all(p.detach().numpy() == 0.25) and p.dtype == ns.float32
    assert not init.zeros_(p).detach().numpy().any()
    assert np.all(init.ones_(p).detach().numpy() == 1)
    np.testing.assert_array_equal(init.eye_(p).detach().numpy(), np.eye(3, 4))
    assert p.is_leaf and p.grad is None  # no graph was recorded


def test_uniform_and_normal_statistics():
    ns.manual_seed(0)
    n = 200_000
    u = init.uniform_(ns.empty(n, dtype=ns.float64), -2.0, 3.0).numpy()
    assert u.min() >= -2 and u.max() < 3
    assert abs(u.mean() - 0.5) < 4 * 5 / math.sqrt(12 * n)
    assert abs(u.std() - 5 / math.sqrt(12)) < 0.01
    g = init.normal_(ns.empty(n, dtype=ns.float64), 1.5, 0.5).numpy()
    assert abs(g.mean() - 1.5) < 4 * 0.5 / math.sqrt(n) and abs(g.std() - 0.5) < 0.005


def test_samples_come_from_the_global_generator():
    ns.manual_seed(7)
    a = init.normal_(ns.empty(5)).tolist()
    ns.manual_seed(7)
    assert init.normal_(ns.empty(5)).tolist() == a
    assert init.normal_(ns.empty(5)).tolist() != a


# ---- scaled schemes, against torch's formulas --------------------------------------------


def _expected_bound_and_std(torch, shape, scheme, **kwargs):
    """The range and spread torch's own functions prescribe, from torch's gain and fans."""
    t = torch.empty(*shape)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
    if scheme.startswith("xavier"):
        std = kwargs.get("gain", 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
    else:
        fan = torch.nn.init._calculate_correct_fan(t, kwargs.get("mode", "fan_in"))
        gain = torch.nn.init.calculate_gain(
            kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0)
        )
        std = gain / math.sqrt(fan)
    return math.sqrt(3.0) * std, std


SCHEMES = [
    ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {}), ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"}),
]  # fmt: skip


@pytest.mark.parametrize(("scheme", "kwargs"), SCHEMES)
@pytest.mark.parametrize("shape", [(300, 200), (64, 16, 5, 5)])
def test_scaled_schemes_have_torchs_range_and_spread(scheme, kwargs, shape):
    torch = require_torch()
    bound, std = _expected_bound_and_std(torch, shape, scheme, **kwargs)
    ns.manual_seed(1)
    w = getattr(init, scheme)(ns.empty(*shape, dtype=ns.float64), **kwargs).numpy()
    standard_error = 1 / math.sqrt(w.size)  # of the mean, in units of std; about that of std
    assert abs(w.std() - std) < 0.03 * std and abs(w.mean()) < 4 * standard_error * std
    if scheme.endswith("uniform_"):
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
    # torch's own samples agree with the same statistics (the formulas, not our reading of them)
    torch.manual_seed(1)
    theirs = getattr(torch.nn.init, scheme)(torch.empty(*shape, dtype=torch.float64), **kwargs)
    assert abs(theirs.std().item() - std) < 0.03 * std


def test_kaiming_on_an_empty_tensor_warns_and_does_nothing():
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        t = init.kaiming_normal_(ns.zeros(0, 3))
    assert t.shape == (0, 3)


def test_scaled_schemes_keep_the_dtype():
    assert init.xavier_normal_(ns.empty(4, 4)).dtype == ns.float32
    assert init.kaiming_uniform_(ns.empty(4, 4, dtype=ns.float64)).dtype == ns.float64


# ---- orthogonal ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (3, 2, 2, 2)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):
    ns.manual_seed(2)
    q = init.orthogonal_(ns.empty(*shape, dtype=ns.float64)).numpy().reshape(shape[0], -1)
    rows, cols = q.shape
    gram = q.T @ q if rows >= cols else q @ q.T
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_gain_and_errors():
    ns.manual_seed(3)
    q = init.orthogonal_(ns.empty(4, 4, dtype=ns.float64), gain=2.0).numpy()
    np.testing.assert_allclose(q.T @ q, 4 * np.eye(4), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(ns.empty(4))
    assert init.orthogonal_(ns.empty(0, 3)).shape == (0, 3)


def test_orthogonal_is_not_biased_towards_one_orientation():
    """The sign fix makes Q uniform (Haar): the mean of many Q[0, 0] is near 0."""
    ns.manual_seed(4)
    firsts = [init.orthogonal_(ns.empty(3, 3, dtype=ns.float64)).numpy()[0, 0] for _ in range(400)]
    assert abs(np.mean(firsts)) < 4 * math.sqrt(1 / 3 / 400)
