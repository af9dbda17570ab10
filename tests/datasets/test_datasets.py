"""Toy datasets: logic-gate truth tables, moons, circles, blobs and the two spirals."""

import itertools
import os

import numpy as np
import pytest

from nnscratch.datasets import (
    GATES,
    logic_gate,
    make_blobs,
    make_circles,
    make_moons,
    two_spirals,
)

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


# ---- n-input gates ----------------------------------------------------------------------------
RULES = {  # each gate on one row of bits, in plain Python
    "and": all,
    "or": any,
    "nand": lambda bits: not all(bits),
    "nor": lambda bits: not any(bits),
    "xor": lambda bits: sum(bits) % 2 == 1,
    "xnor": lambda bits: sum(bits) % 2 == 0,
    "parity": lambda bits: sum(bits) % 2 == 1,
    "majority": lambda bits: sum(bits) > len(bits) / 2,
}


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("name", RULES)
def test_n_input_gates_match_their_rule_in_binary_counting_order(name, n):
    x, y = logic_gate(name, n_inputs=n)
    rows = list(itertools.product([0, 1], repeat=n))  # 0..0, 0..01, ..., 1..1
    assert x.dtype == y.dtype == np.float32
    assert x.shape == (2**n, n) and y.shape == (2**n, 1)
    assert x.tolist() == [list(row) for row in rows]
    assert y.ravel().tolist() == [float(RULES[name](row)) for row in rows]


def test_two_input_gates_keep_their_default_and_table():
    for name in TRUTH:
        assert logic_gate(name, n_inputs=2)[1].ravel().tolist() == TRUTH[name]
        assert np.array_equal(logic_gate(name)[0], logic_gate(name, 2)[0])


def test_not_takes_one_input():
    for x, y in (logic_gate("not"), logic_gate("NOT", n_inputs=1)):
        assert x.tolist() == [[0.0], [1.0]] and y.tolist() == [[1.0], [0.0]]
    with pytest.raises(ValueError, match="'not' takes exactly 1 input, received n_inputs=2"):
        logic_gate("not", n_inputs=2)


def test_majority_ties_are_zero_and_xor_is_parity():
    x, y = logic_gate("majority", n_inputs=4)
    ties = x.sum(axis=1) == 2
    assert ties.sum() == 6 and not y[ties].any()
    assert np.array_equal(logic_gate("xor", 5)[1], logic_gate("parity", 5)[1])


def test_gate_arguments_are_checked():
    with pytest.raises(ValueError, match="unknown gate 'buffer'") as error:
        logic_gate("buffer")
    for name in ("and", "majority", "not", "parity", "xnor"):
        assert repr(name) in str(error.value)
    assert set(GATES) == {*RULES, "not"}
    with pytest.raises(ValueError, match="n_inputs must be between 1 and 20, received 0"):
        logic_gate("and", n_inputs=0)
    with pytest.raises(ValueError, match="received 21"):
        logic_gate("or", n_inputs=21)
    for bad in (2.0, True, "2"):
        with pytest.raises(TypeError, match="n_inputs must be an int"):
            logic_gate("and", n_inputs=bad)


# ---- moons, circles, blobs --------------------------------------------------------------------
def _require_sklearn():
    """sklearn (a test extra), or a skip on a user's machine; in CI a missing oracle fails."""
    if os.environ.get("CI"):
        import sklearn.datasets

        return sklearn.datasets
    return pytest.importorskip("sklearn.datasets")


def _check_arrays(X, y, n):
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64


@pytest.mark.parametrize("n", [2, 7, 100])
def test_moons_lie_on_two_unit_half_circles(n):
    X, y = make_moons(n_samples=n, seed=0)
    _check_arrays(X, y, n)
    assert np.bincount(y, minlength=2).tolist() == [n // 2, n - n // 2]
    upper, lower = X[y == 0].astype(np.float64), X[y == 1].astype(np.float64)
    assert np.allclose(np.hypot(*upper.T), 1, atol=1e-6) and (upper[:, 1] >= -1e-6).all()
    assert np.allclose(np.hypot(*(lower - [1, 0.5]).T), 1, atol=1e-6)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()


@pytest.mark.parametrize("factor", [0.0, 0.3, 0.8])
def test_circles_have_radii_one_and_factor(factor):
    X, y = make_circles(n_samples=51, factor=factor, seed=1)
    _check_arrays(X, y, 51)
    assert np.bincount(y).tolist() == [25, 26]
    radius = np.hypot(*X.astype(np.float64).T)
    assert np.allclose(radius[y == 0], 1, atol=1e-6)
    assert np.allclose(radius[y == 1], factor, atol=1e-6)
    angles = np.sort(np.arctan2(X[y == 0, 1], X[y == 0, 0]) % (2 * np.pi))
    assert np.allclose(np.diff(angles), 2 * np.pi / 25, atol=1e-5)  # evenly spaced


@pytest.mark.slow  # importing sklearn takes seconds
def test_noiseless_moons_and_circles_match_sklearn():
    datasets = _require_sklearn()
    for n in (8, 33):
        ours, theirs = make_moons(n, shuffle=False), datasets.make_moons(n, shuffle=False)
        assert np.allclose(ours[0], theirs[0], atol=1e-6)
        assert np.array_equal(ours[1], theirs[1])
        ours = make_circles(n, factor=0.5, shuffle=False)
        theirs = datasets.make_circles(n, factor=0.5, shuffle=False)
        assert np.allclose(ours[0], theirs[0], atol=1e-6)
        assert np.array_equal(ours[1], theirs[1])


def test_noise_has_the_requested_spread():
    clean, y = make_circles(4000, factor=0.5, shuffle=False)
    noisy, y2 = make_circles(4000, noise=0.05, factor=0.5, shuffle=False, seed=3)
    assert np.array_equal(y, y2)
    assert abs(np.std(noisy - clean) - 0.05) < 0.003
    moons_clean, _ = make_moons(4000, shuffle=False)
    moons_noisy, _ = make_moons(4000, noise=0.2, shuffle=False, random_state=3)
    assert abs(np.std(moons_noisy - moons_clean) - 0.2) < 0.01


def test_shuffle_permutes_rows_and_seeds_repeat():
    a, b = make_moons(50, noise=0.1, seed=4), make_moons(50, noise=0.1, random_state=4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], make_moons(50, noise=0.1, seed=5)[0])
    shuffled, y = make_circles(40, seed=0)
    ordered, y_ordered = make_circles(40, shuffle=False)
    assert not np.array_equal(y, y_ordered)
    key = lambda X: sorted(map(tuple, X.round(5).tolist()))  # noqa: E731
    assert key(shuffled) == key(ordered)


def test_blobs_centres_spread_and_balance():
    centres = np.array([[-5.0, 0.0], [5.0, 5.0], [0.0, -8.0]])
    X, y = make_blobs(3001, centers=centres, cluster_std=[0.5, 1.0, 2.0], seed=0)
    _check_arrays(X, y, 3001)
    assert np.bincount(y).tolist() == [1001, 1000, 1000]
    for k, std in enumerate([0.5, 1.0, 2.0]):
        assert np.allclose(X[y == k].mean(axis=0), centres[k], atol=0.2)
        assert np.allclose(X[y == k].std(axis=0), std, rtol=0.1)


def test_blobs_default_centres_lie_in_the_box():
    X, y = make_blobs(300, cluster_std=0.0, seed=2, center_box=(1.0, 3.0))
    _check_arrays(X, y, 300)
    assert np.bincount(y).tolist() == [100, 100, 100]
    for k in range(3):
        points = X[y == k]
        assert np.allclose(points, points[0]) and ((points >= 1) & (points <= 3)).all()
    counts = make_blobs([3, 0, 5], centers=2 * np.eye(3)[:, :2], seed=0)[1]
    assert np.bincount(counts, minlength=3).tolist() == [3, 0, 5]


def test_toy_sets_reject_bad_arguments():
    with pytest.raises(ValueError, match="make_moons: n_samples must be >= 2"):
        make_moons(1)
    with pytest.raises(ValueError, match="make_circles: noise must be >= 0"):
        make_circles(10, noise=-1)
    with pytest.raises(ValueError, match="factor must be in"):
        make_circles(10, factor=1.0)
    with pytest.raises(ValueError, match="seed or random_state"):
        make_moons(10, seed=1, random_state=1)
    with pytest.raises(ValueError, match="cluster_std must be >= 0"):
        make_blobs(10, cluster_std=-1.0)
    with pytest.raises(ValueError, match="one count >= 0 per centre"):
        make_blobs([3, 4], centers=3)
