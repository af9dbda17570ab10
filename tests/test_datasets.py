"""Toy datasets: the logic-gate truth tables and the two spirals."""

import numpy as np
import pytest

from nnscratch.datasets import logic_gate, two_spirals

INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]
TRUTH = {  # written out by hand, one row per input above
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "xor": [0, 1, 1, 0],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xnor": [1, 0, 0, 1],
}


@pytest.mark.parametrize("name", TRUTH)
def test_logic_gate_truth_tables(name):
    x, y = logic_gate(name)
    assert x.dtype == y.dtype == np.float32
    assert x.shape == (4, 2) and y.shape == (4, 1)
    assert x.tolist() == INPUTS
    assert y.ravel().tolist() == TRUTH[name]


def test_logic_gate_names_are_case_insensitive_and_checked():
    assert logic_gate("XOR")[1].ravel().tolist() == TRUTH["xor"]
    with pytest.raises(ValueError, match="unknown gate 'xand'.*'and'"):
        logic_gate("xand")


@pytest.mark.parametrize("n", [2, 101, 400])
def test_two_spirals_shapes_dtypes_and_balance(n):
    X, y = two_spirals(n_samples=n, noise=0.05, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(y.tolist()) == {0, 1}
    assert np.bincount(y).tolist() == [n - n // 2, n // 2]


def test_two_spirals_is_deterministic_for_a_seed():
    a, b = two_spirals(300, noise=0.1, seed=5), two_spirals(300, noise=0.1, seed=5)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], two_spirals(300, noise=0.1, seed=6)[0])


def test_two_spirals_arms_are_each_others_half_turn_and_interleave():
    X, y = two_spirals(n_samples=1000, seed=1)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 1 + 1e-6
    # Along the ray at angle 0 the arms alternate: as r grows, the class at that angle
    # flips more than once (a straight boundary would give one flip at most).
    angle = np.arctan2(X[:, 1], X[:, 0])
    on_ray = np.abs(angle) < 0.05
    labels_by_radius = y[on_ray][np.argsort(r[on_ray])]
    assert np.count_nonzero(np.diff(labels_by_radius)) >= 2
    # Arm 1 is arm 0 turned by pi: every arm-1 point's negation lies on arm 0.
    turns = 1.5
    theta = np.arctan2(-X[y == 1, 1], -X[y == 1, 0])
    expected = (r[y == 1] * turns * 2 * np.pi + np.pi) % (2 * np.pi) - np.pi
    assert np.allclose(np.angle(np.exp(1j * (theta - expected))), 0, atol=1e-5)


def test_two_spirals_are_not_linearly_separable():
    X, y = two_spirals(n_samples=600, noise=0.02, seed=2)
    design = np.hstack([X, np.ones((len(X), 1))]).astype(np.float64)
    w, *_ = np.linalg.lstsq(design, 2.0 * y - 1, rcond=None)
    accuracy = np.mean((design @ w > 0) == (y == 1))
    assert accuracy < 0.75


def test_two_spirals_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_samples"):
        two_spirals(n_samples=1)
    with pytest.raises(ValueError, match="noise"):
        two_spirals(noise=-0.1)
