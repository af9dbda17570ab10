"""Creation functions: shapes, dtypes, seeding; compared with torch where values are defined."""

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.zeros(2, 3),
        lambda lib: lib.ones((2, 3)),
        lambda lib: lib.full((2, 2), 1.5),
        lambda lib: lib.full((2,), 3),
        lambda lib: lib.arange(5),
        lambda lib: lib.arange(1, 7, 2),
        lambda lib: lib.arange(0.0, 1.0, 0.25),
        lambda lib: lib.linspace(0, 1, 5),
        lambda lib: lib.eye(3),
        lambda lib: lib.eye(2, 3),
        lambda lib: lib.zeros_like(lib.ones(2, dtype=lib.float64)),
        lambda lib: lib.ones_like(lib.zeros(3, dtype=lib.int64)),
        lambda lib: lib.full_like(lib.zeros(2), 7.0),
        lambda lib: lib.zeros(0, 3),
    ],
)
def test_matches_torch(make):
    torch = require_torch()
    ours, theirs = make(ns), make(torch)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_random_shapes_dtypes_and_ranges():
    ns.manual_seed(0)
    u, n = ns.rand(1000), ns.randn(2, 500, dtype=ns.float64)
    assert u.dtype == ns.float32 and n.dtype == ns.float64 and n.shape == (2, 500)
    assert 0 <= u.numpy().min() and u.numpy().max() < 1
    assert abs(n.numpy().mean()) < 0.15 and abs(n.numpy().std() - 1) < 0.1
    r = ns.randint(3, 6, (400,))
    assert r.dtype == ns.int64 and set(r.tolist()) == {3, 4, 5}
    assert ns.randint(4, (3,)).numpy().max() < 4
    torch = require_torch()
    for lib in (ns, torch):  # torch's keyword spelling: randint(high, size=...)
        drawn = lib.randint(2, size=(300,))
        assert tuple(drawn.shape) == (300,) and set(drawn.tolist()) == {0, 1}
    assert ns.rand_like(n).shape == n.shape and ns.randn_like(u).dtype == ns.float32


def test_manual_seed_repeats():
    ns.manual_seed(7)
    a = ns.randn(5).tolist()
    ns.manual_seed(7)
    assert ns.randn(5).tolist() == a
    with pytest.raises(TypeError, match="manual_seed expects an int"):
        ns.manual_seed(1.5)


def test_requires_grad_and_from_numpy():
    w = ns.zeros(2, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    array = np.arange(3.0)
    t = ns.from_numpy(array)
    array[0] = 9
    assert t.tolist()[0] == 9 and t.dtype == ns.float64  # shared memory, dtype kept
    assert ns.tensor(array).tolist()[0] == 9
    array[1] = 8
    assert ns.tensor(array).tolist()[1] == 8 and t.tolist()[1] == 8


def test_bad_sizes():
    with pytest.raises(ValueError, match="non-negative ints"):
        ns.zeros(-1)
    with pytest.raises(ValueError, match="step must be nonzero"):
        ns.arange(0, 1, 0)
