"""Fused regression losses against torch: values, input and target gradients, finite differences."""

import numpy as np
import pytest
from parity import check, require_torch

import nnscratch as ns
from nnscratch.ops import regression_loss

torch = require_torch()
REDUCTIONS = ["mean", "sum", "none"]


def _loss(lib, name):
    """Our function (not yet wired into nn.functional) or torch's."""
    return getattr(regression_loss, name) if lib is ns else getattr(lib.nn.functional, name)


def _pair(rng, shape, scale=2.0):
    return rng.standard_normal(shape) * scale, rng.standard_normal(shape) * scale


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2), ()])
def test_matches_torch(name, reduction, shape, rng):
    x, y = _pair(rng, shape)
    check(lambda lib, x, y: _loss(lib, name)(x, y, reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_delta_matches_torch(delta, reduction, rng):
    x, y = _pair(rng, (4, 5))
    check(lambda lib, x, y: _loss(lib, "huber_loss")(x, y, reduction, delta=delta), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [0.0, 0.3, 1.0, 2.5])
def test_smooth_l1_beta_matches_torch(beta, reduction, rng):
    x, y = _pair(rng, (4, 5))
    check(
        lambda lib, x, y: _loss(lib, "smooth_l1_loss")(x, y, reduction=reduction, beta=beta), x, y
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_elementwise_weight_matches_torch(name, reduction, rng):
    x, y = _pair(rng, (3, 4))
    w = rng.uniform(0.1, 2.0, (3, 4))  # gets its gradient too, as in torch
    check(lambda lib, x, y, w: _loss(lib, name)(x, y, reduction=reduction, weight=w), x, y, w)


@pytest.mark.parametrize("flags", [(False, None), (None, False), (True, True), (False, True)])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss"])
def test_deprecated_size_average_and_reduce_like_torch(name, flags, rng):
    x, y = _pair(rng, (3, 4))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        check(lambda lib, x, y: _loss(lib, name)(x, y, *flags), x, y, gradcheck=False)


def test_l1_gradient_is_zero_where_input_equals_target():
    x = np.array([1.0, -2.0, 0.5, 3.0])
    y = np.array([1.0, -1.0, 0.5, 3.5])  # two exact ties: sign(0) = 0, as torch
    check(lambda lib, x, y: _loss(lib, "l1_loss")(x, y), x, y, gradcheck=False)
    x_ns = ns.tensor(x, requires_grad=True)
    regression_loss.l1_loss(x_ns, ns.tensor(y), reduction="sum").backward()
    assert x_ns.grad.tolist() == [0.0, -1.0, 0.0, -1.0]


@pytest.mark.parametrize("name", ["huber_loss", "smooth_l1_loss"])
def test_at_the_threshold_matches_torch(name):
    x = np.array([1.0, -1.0, 0.0, 2.0, -2.0])
    y = np.zeros(5)  # |d| = 1 exactly: the boundary between the two pieces
    check(lambda lib, x, y: _loss(lib, name)(x, y, reduction="none"), x, y, gradcheck=False)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"])
def test_float32_stays_float32(name, rng):
    x, y = (a.astype(np.float32) for a in _pair(rng, (3, 4)))
    check(lambda lib, x, y: _loss(lib, name)(x, y), x, y, rtol=1e-5, atol=1e-6)


def test_mixed_dtypes_promote_like_torch(rng):
    x, y = _pair(rng, (3, 4))
    check(lambda lib, x, y: _loss(lib, "mse_loss")(x, y), x.astype(np.float32), y, rtol=1e-5)


def test_target_without_grad_gets_none(rng):
    x, y = _pair(rng, (3,))
    x_ns, y_ns = ns.tensor(x, requires_grad=True), ns.tensor(y)
    regression_loss.mse_loss(x_ns, y_ns).backward()
    np.testing.assert_allclose(x_ns.grad.numpy(), 2 * (x - y) / 3)
    assert y_ns.grad is None


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"])
def test_broadcast_target_warns_and_matches_torch(name, rng):
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((4,))
    with pytest.warns(UserWarning, match=rf"{name}: using a target size \(4,\) that is diff"):
        _loss(ns, name)(ns.tensor(x), ns.tensor(y))
    with pytest.warns(UserWarning, match="different to the input size"):  # torch's and ours
        check(lambda lib, x, y: _loss(lib, name)(x, y), x, y)


def test_empty_mean_is_nan_like_torch():
    x, y = np.zeros((0, 3)), np.zeros((0, 3))
    check(lambda lib, x, y: _loss(lib, "mse_loss")(x, y), x, y, gradcheck=False)
    assert np.isnan(regression_loss.mse_loss(ns.tensor(x), ns.tensor(y)).item())


def test_the_fused_op_equals_its_composition(rng):
    x_np, y_np = _pair(rng, (4, 3))
    grads = []
    for fused in (True, False):
        x, y = ns.tensor(x_np, requires_grad=True), ns.tensor(y_np, requires_grad=True)
        loss = regression_loss.mse_loss(x, y) if fused else ((x - y) ** 2).mean()
        loss.backward()
        grads.append((loss.item(), x.grad.numpy(), y.grad.numpy()))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_errors_name_the_function_and_what_was_received(rng):
    x, y = ns.tensor(rng.standard_normal((3, 4))), ns.tensor(rng.standard_normal((3, 4)))
    with pytest.raises(ValueError, match=r"mse_loss: target shape \(5,\) does not broadcast"):
        regression_loss.mse_loss(x, ns.zeros(5))
    with pytest.raises(ValueError, match="l1_loss: reduction must be one of .* received 'avg'"):
        regression_loss.l1_loss(x, y, reduction="avg")
    with pytest.raises(ValueError, match="non-positive values for delta, got 0"):
        regression_loss.huber_loss(x, y, delta=0)
    with pytest.raises(ValueError, match="negative values for beta, got -1"):
        regression_loss.smooth_l1_loss(x, y, beta=-1)
    with pytest.raises(ValueError, match=r"l1_loss: weight and input must have the same size"):
        regression_loss.l1_loss(x, y, weight=ns.ones(4))
    with pytest.raises(TypeError, match="mse_loss: expected a Tensor target, received float"):
        regression_loss.mse_loss(x, 0.5)
    with pytest.raises(TypeError, match="mse_loss: expected a floating point Tensor input"):
        regression_loss.mse_loss(ns.tensor([1, 2]), ns.tensor([1, 2]))
