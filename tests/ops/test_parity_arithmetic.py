"""Arithmetic ops against torch (values, gradients) and finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check

import nnscratch as ns

SHAPE_PAIRS = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((0, 3), (3,))]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("shapes", SHAPE_PAIRS)
def test_binary(op, shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    check(lambda lib, x, y: getattr(lib, op)(x, y), a, b + 3.0)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, y: x + y * 2.5 - 1,
        lambda lib, x, y: 1.5 - x / y,
        lambda lib, x, y: 2.0 / y,
        lambda lib, x, y: -x * y,
        lambda lib, x, y: lib.add(x, y, alpha=2),
        lambda lib, x, y: lib.sub(x, y, alpha=0.5),
    ],
)
def test_operators_and_scalars(fn, rng):
    check(fn, rng.standard_normal((2, 3)), rng.uniform(1, 2, (2, 3)))


def test_transposed_inputs(rng):
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 4))
    check(lambda lib, x, y: x * y + x / (y * y + 1), a.T, b)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, y: x**2,
        lambda lib, x, y: x**0.5,
        lambda lib, x, y: x**-1.5,
        lambda lib, x, y: x**y,
        lambda lib, x, y: 2.0**y,
        lambda lib, x, y: lib.pow(x, y),
    ],
)
def test_pow(fn, rng):
    check(fn, rng.uniform(0.5, 2, (3, 2)), rng.standard_normal((3, 2)))


def test_pow_at_zero_base_matches_torch():
    check(
        lambda lib, x, y: x**y,
        np.array([0.0, 0.0, 1.0]),
        np.array([2.0, 3.0, 2.0]),
        gradcheck=False,
    )


@pytest.mark.parametrize(
    "shapes",
    [
        ((3, 4), (4, 5)),
        ((4,), (4,)),
        ((4,), (4, 2)),
        ((3, 4), (4,)),
        ((2, 3, 4), (4, 5)),
        ((4,), (2, 4, 5)),
        ((2, 1, 3, 4), (5, 4, 2)),
        ((2, 3, 4), (2, 4, 1)),
        ((0, 4), (4, 2)),
    ],
)
def test_matmul(shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    check(lambda lib, x, y: x @ y, a, b)
    check(lambda lib, x, y: lib.matmul(x, y), a, b)


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(RuntimeError, match="shapes \\(2, 3\\) and \\(2, 3\\) cannot be multiplied"):
        ns.ones(2, 3) @ ns.ones(2, 3)
    with pytest.raises(RuntimeError, match="at least 1 dimension"):
        ns.matmul(ns.tensor(1.0), ns.ones(2))


def test_float32_stays_float32(rng):
    x = ns.tensor(rng.standard_normal((3, 3)).astype(np.float32), requires_grad=True)
    y = (x @ x * 2 - x / 3) ** 2
    y.sum().backward()
    assert y.dtype == ns.float32 and x.grad.dtype == ns.float32


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_broadcasting_matches_torch(data):
    shape_a, shape_b = data.draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3)
    ).input_shapes
    elements = st.floats(0.5, 2.0)
    a = data.draw(hnp.arrays(np.float64, shape_a, elements=elements))
    b = data.draw(hnp.arrays(np.float64, shape_b, elements=elements))
    check(lambda lib, x, y: x * y - x / y + (x + y) ** 2, a, b, gradcheck=False)
