"""Fused binary losses: against torch, finite differences, and the composition they replace."""

import numpy as np
import pytest
from parity import check

import nnscratch as ns
import nnscratch.nn.functional as F


def _probabilities(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(4,), (3, 5), (1, 4)])
def test_bce_matches_torch(reduction, shape, rng):
    p, y = _probabilities(rng, shape), rng.uniform(0, 1, shape)
    f = lambda lib, p, y: lib.nn.functional.binary_cross_entropy(p, y, reduction=reduction)  # noqa: E731
    check(f, p, y)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_with_logits_matches_torch(reduction, weighted, rng):
    x, y = rng.standard_normal((3, 4)) * 3, rng.uniform(0, 1, (3, 4))
    w, c = rng.uniform(0.5, 2, (4,)), rng.uniform(0.5, 3, (4,))

    def f(lib, x, y):
        extra = {}
        if weighted:
            extra = {"weight": lib.tensor(w), "pos_weight": lib.tensor(c)}
        return lib.nn.functional.binary_cross_entropy_with_logits(
            x, y, reduction=reduction, **extra
        )

    check(f, x, y)


def test_bce_weight_matches_torch(rng):
    p, y, w = (
        _probabilities(rng, (3, 2)),
        rng.integers(0, 2, (3, 2)).astype(float),
        rng.uniform(0, 2, (2,)),
    )
    check(
        lambda lib, p, y: lib.nn.functional.binary_cross_entropy(p, y, weight=lib.tensor(w)), p, y
    )


def test_bce_at_the_edges_is_finite_like_torch():
    p = np.array([0.0, 1.0, 1e-30, 1 - 1e-16])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    check(
        lambda lib, p, y: lib.nn.functional.binary_cross_entropy(p, y, reduction="none"),
        p,
        y,
        gradcheck=False,
        rtol=1e-8,  # torch's 1e-12 floor on p (1 - p) is a float32 constant: 4e-9 off
    )


def test_bce_with_logits_is_stable_for_huge_logits():
    x = np.array([1e4, -1e4, 50.0, -50.0])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    check(
        lambda lib, x, y: lib.nn.functional.binary_cross_entropy_with_logits(
            x, y, reduction="none"
        ),
        x,
        y,
        gradcheck=False,
    )


def test_fused_equals_the_composition_it_replaces(rng):
    x_np, y_np = rng.standard_normal((2, 6)), rng.integers(0, 2, (2, 6)).astype(float)
    grads = []
    for fused in (True, False):
        x, y = ns.tensor(x_np, requires_grad=True), ns.tensor(y_np)
        if fused:
            loss = F.binary_cross_entropy_with_logits(x, y)
        else:
            p = x.sigmoid()
            loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
        loss.backward()
        grads.append((loss.item(), x.grad.numpy()))
    assert grads[0][0] == pytest.approx(grads[1][0], rel=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-10)


def test_float32_stays_float32():
    p = ns.tensor([0.3, 0.6], requires_grad=True)
    loss = F.binary_cross_entropy(p, ns.tensor([0.0, 1.0]))
    loss.backward()
    assert loss.dtype == ns.float32 and p.grad.dtype == ns.float32
    assert F.binary_cross_entropy_with_logits(p, ns.tensor([0.0, 1.0])).dtype == ns.float32


def test_errors_name_the_function_and_what_was_expected():
    p = ns.tensor([0.3, 0.6])
    with pytest.raises(
        ValueError,
        match="binary_cross_entropy: target shape \\(3,\\) must equal the input shape \\(2,\\)",
    ):
        F.binary_cross_entropy(p, ns.zeros(3))
    for reduction in ("mean", "sum", "none"):  # a NumPy scalar, then an array, holds the nan
        with pytest.raises(
            ValueError, match="probabilities in \\[0, 1\\], received values from -0.5"
        ):
            F.binary_cross_entropy(ns.tensor([-0.5, 0.5]), ns.zeros(2), reduction=reduction)
    with pytest.raises(ValueError, match="reduction must be one of .*'avg'"):
        F.binary_cross_entropy_with_logits(p, ns.zeros(2), reduction="avg")


def _clipped_bce(epsilon, reduction):
    """torch's spelling of the clipped BCE: clamp, then BCE (nnscratch's: the fused op)."""

    def f(lib, p, y):
        if lib is ns:
            return ns.ops.clipped_binary_cross_entropy(p, y, epsilon, reduction=reduction)
        return lib.nn.functional.binary_cross_entropy(
            p.clamp(epsilon, 1 - epsilon), y, reduction=reduction
        )

    return f


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_clipped_bce_matches_torch_clamp_then_bce(reduction, rng):
    # Probabilities inside and outside the clip, and exactly on its bounds (gradient passes).
    p = np.concatenate([rng.uniform(0.05, 0.95, 6), [0.0, 1.0, 1e-9, 1e-3, 1 - 1e-3]])
    y = rng.uniform(0, 1, p.shape)
    check(_clipped_bce(1e-3, reduction), p, y, gradcheck=False)
    inside = rng.uniform(0.05, 0.95, (3, 4))
    check(_clipped_bce(1e-3, reduction), inside, rng.uniform(0, 1, (3, 4)))  # + gradcheck


def test_clipped_bce_float32_as_keras_clips(rng):
    p = np.array([0.0, 1.0, 0.5, 1e-9], dtype=np.float32)
    y = np.array([1.0, 0.0, 1.0, 0.0], dtype=np.float32)
    check(_clipped_bce(1e-7, "none"), p, y, atol=1e-5, rtol=1e-6)


def test_clipped_bce_refuses_a_bad_epsilon():
    with pytest.raises(ValueError, match="clipped_binary_cross_entropy: epsilon must be in"):
        ns.ops.clipped_binary_cross_entropy(ns.tensor([0.5]), ns.tensor([1.0]), 0.7)
