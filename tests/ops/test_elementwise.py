"""Parity with torch for exp, log, sqrt, abs, sin, cos, tanh, clamp, maximum, minimum, where."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, require_torch

import nnscratch as ns

SHAPES = [(), (5,), (3, 4), (2, 3, 4), (0, 3)]


def _positive(rng, shape):
    return rng.uniform(0.2, 3.0, shape)


def _away_from_zero(rng, shape):
    """Values with |x| >= 0.1, so finite differences never straddle the kink of |x|."""
    return rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


# name -> input sampler (each keeps finite differences valid)
UNARY = {
    "exp": lambda rng, s: rng.standard_normal(s),
    "log": _positive,
    "sqrt": _positive,
    "abs": _away_from_zero,
    "sin": lambda rng, s: rng.standard_normal(s) * 3,
    "cos": lambda rng, s: rng.standard_normal(s) * 3,
    "tanh": lambda rng, s: rng.standard_normal(s) * 2,
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("shape", SHAPES)
def test_unary_matches_torch(name, shape, rng):
    check(lambda lib, x: getattr(lib, name)(x), UNARY[name](rng, shape))


@pytest.mark.parametrize("name", UNARY)
def test_unary_transposed_input(name, rng):
    x = UNARY[name](rng, (3, 5)).T
    check(lambda lib, x: getattr(lib, name)(x), x)


@pytest.mark.parametrize("name", UNARY)
def test_unary_as_tensor_method(name, rng):
    check(lambda lib, x: getattr(x, name)(), UNARY[name](rng, (2, 3)))


@pytest.mark.parametrize("name", UNARY)
def test_unary_float32_stays_float32(name, rng):
    x = UNARY[name](rng, (4, 3)).astype(np.float32)
    check(lambda lib, x: getattr(lib, name)(x), x, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh"])
def test_unary_integer_input_gives_default_float(name):
    check(lambda lib, x: getattr(lib, name)(x), np.array([1, 2, 3]), grad=False, rtol=1e-6)
    assert getattr(ns, name)(ns.tensor([1, 2])).dtype == ns.float32


def test_abs_keeps_integers():
    check(lambda lib, x: lib.abs(x), np.array([-3, 0, 2], dtype=np.int32), grad=False)


@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
       name=st.sampled_from(sorted(UNARY)), seed=st.integers(0, 2**32 - 1))  # fmt: skip
@settings(max_examples=25, deadline=None)
def test_unary_hypothesis_shapes(shape, name, seed):
    x = UNARY[name](np.random.default_rng(seed), shape)
    check(lambda lib, x: getattr(lib, name)(x), x)


def test_chain_of_unary_ops_matches_torch(rng):
    x = _positive(rng, (3, 4))
    check(lambda lib, x: lib.sqrt(lib.exp(lib.sin(x)) + lib.log(x).abs()).tanh().cos(), x)


# sin(inf) and cos(inf) are left out: NumPy warns there, and they are not normal inputs.
EXTREMES = [
    (name, value)
    for name in UNARY
    for value in [0.0, -1.0, 1e4, -1e4, np.inf, -np.inf]
    if not (name in ("sin", "cos") and np.isinf(value))
]


@pytest.mark.parametrize("name, value", EXTREMES)
def test_extreme_values_match_torch_without_warnings(name, value):
    """torch's inf/nan results, without NumPy RuntimeWarnings (pytest makes them errors).

    One value at a time: the parity loss would otherwise add inf - inf.
    """
    check(lambda lib, x: getattr(lib, name)(x), np.array([value]), gradcheck=False)


def test_abs_gradient_is_zero_at_zero():
    check(lambda lib, x: lib.abs(x), np.array([-1.0, 0.0, 2.0]), gradcheck=False)


def test_abs_rejects_bool():
    with pytest.raises(TypeError, match="abs: expected a numeric tensor"):
        ns.abs(ns.tensor([True, False]))


@pytest.mark.parametrize("name", UNARY)
def test_unary_rejects_non_tensor(name):
    with pytest.raises(TypeError, match=f"{name}: expected input to be a Tensor, received float"):
        getattr(ns, name)(1.0)


# ---- clamp ------------------------------------------------------------------------------------


# Inputs drawn on a grid offset from the bounds, so no element sits on a kink.
def _clamp_input(rng, shape):
    return rng.uniform(-2.0, 2.0, shape) + 0.013


@pytest.mark.parametrize("bounds", [(-0.5, 0.7), (None, 0.4), (-0.3, None), (0, 1)])
@pytest.mark.parametrize("shape", SHAPES)
def test_clamp_scalar_bounds(bounds, shape, rng):
    lo, hi = bounds
    check(lambda lib, x: lib.clamp(x, lo, hi), _clamp_input(rng, shape))


def test_clamp_keywords_and_method(rng):
    x = _clamp_input(rng, (3, 4))
    check(lambda lib, x: x.clamp(min=-0.5) + lib.clamp(x, max=0.5), x)


def test_clamp_transposed_input(rng):
    check(lambda lib, x: lib.clamp(x, -0.5, 0.5), _clamp_input(rng, (3, 5)).T)


@pytest.mark.parametrize(
    "shapes", [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((2, 3, 4), (3, 1), ())]
)
def test_clamp_tensor_bounds_broadcast(shapes, rng):
    # Bounds broadcast to the input's shape: torch's backward fails when they widen it.
    x = _clamp_input(rng, shapes[0])
    lo = rng.uniform(-1.0, -0.1, shapes[1]) + 0.0071
    hi = rng.uniform(0.1, 1.0, shapes[2]) + 0.0037
    check(lambda lib, x, lo, hi: lib.clamp(x, lo, hi), x, lo, hi)


def test_clamp_one_tensor_bound(rng):
    x, b = _clamp_input(rng, (3, 4)), _clamp_input(rng, (4,)) + 0.0029
    check(lambda lib, x, b: lib.clamp(x, min=b), x, b)
    check(lambda lib, x, b: lib.clamp(x, max=b), x, b)


def test_clamp_min_above_max_gives_max(rng):
    x = _clamp_input(rng, (3, 4))
    lo, hi = rng.uniform(0.5, 1.0, (3, 4)), rng.uniform(-1.0, 0.4, (3, 4))
    check(lambda lib, x, lo, hi: lib.clamp(x, lo, hi), x, lo, hi)
    check(lambda lib, x: lib.clamp(x, 1.0, -1.0), x)


def test_clamp_boundaries_match_torch():
    """Elements equal to a bound pass the gradient to the input (torch's subgradient)."""
    x = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    check(lambda lib, x: lib.clamp(x, -0.5, 0.5), x, gradcheck=False)
    check(lambda lib, x: lib.clamp(x, 0.0, 0.0), x, gradcheck=False)
    lo, hi = np.array([-1.0, 0.0, 0.0, 0.5, 1.0, 3.0]), np.array([1.0, 0.0, 0.0, 0.5, 1.0, 2.0])
    check(lambda lib, x, lo, hi: lib.clamp(x, lo, hi), x, lo, hi, gradcheck=False)


def test_clamp_nan_matches_torch():
    x = np.array([np.nan, 1.0, -3.0])
    check(lambda lib, x: lib.clamp(x, -1.0, 0.5), x, gradcheck=False)
    check(lambda lib, x, b: lib.clamp(x, min=b), x, np.array([np.nan, 0.0, 0.0]), gradcheck=False)


@pytest.mark.parametrize(
    "x, lo, hi",
    [
        (np.array([1, 5, 9]), 2, 7),  # int stays int
        (np.array([1, 5, 9]), 0.5, None),  # a float bound lifts int to float32
        (np.array([1.0, 5.0], np.float32), np.array(2.0), None),  # 0-dim float64 never widens
        (np.array([1.0, 5.0], np.float32), np.array([2.0, 3.0]), None),  # dimensioned does
        (np.array([1, 5], np.int32), np.array(2.5), np.array([3.0, 4.0], np.float32)),
    ],
)
def test_clamp_dtype_promotion(x, lo, hi):
    arrays = [b for b in (lo, hi) if isinstance(b, np.ndarray)]

    def fn(lib, x, *tensors):
        it = iter(tensors)
        return lib.clamp(x, *(next(it) if isinstance(b, np.ndarray) else b for b in (lo, hi)))

    check(fn, x, *arrays, grad=False)


def test_clamp_float32_stays_float32(rng):
    x = _clamp_input(rng, (3, 4)).astype(np.float32)
    check(lambda lib, x: lib.clamp(x, -0.5, np.float64(0.5)), x)


def test_clamp_errors():
    x = ns.ones(3)
    with pytest.raises(ValueError, match="clamp: at least one of 'min' or 'max'"):
        ns.clamp(x)
    with pytest.raises(TypeError, match="clamp: expected 'max' to be a number, a Tensor or None"):
        ns.clamp(x, 0.0, "1")


# ---- maximum / minimum ------------------------------------------------------------------------

BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((0, 3), (3,))]


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize("shapes", BINARY_SHAPES)
def test_max_min_broadcast(name, shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    check(lambda lib, x, y: getattr(lib, name)(x, y), a, b)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_max_min_transposed_and_method(name, rng):
    a, b = rng.standard_normal((4, 3)).T, rng.standard_normal((3, 4))
    check(lambda lib, x, y: getattr(x, name)(y), a, b)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_max_min_ties_split_gradient_like_torch(name):
    a = np.array([1.0, 2.0, 3.0, -1.0, np.nan])
    b = np.array([1.0, 1.0, 4.0, -1.0, 0.0])
    check(lambda lib, x, y: getattr(lib, name)(x, y), a, b, gradcheck=False)
    check(lambda lib, x: getattr(lib, name)(x, x), a[:4], gradcheck=False)  # both halves: 1
    check(lambda lib, x, y: getattr(lib, name)(x, y), a[:4, None], b[:4], gradcheck=False)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize(
    "a, b",
    [
        (np.ones(3, np.float32), np.ones((), np.float64)),  # -> float32
        (np.ones(3, np.int32), np.full((), 2.5)),  # -> float64 (0-dim of higher category)
        (np.ones(3, np.int64), np.ones(3, np.float32)),  # -> float32
        (np.arange(3), np.array([2, 0, 1], np.int8)),  # -> int64
    ],
)
def test_max_min_dtype_promotion(name, a, b):
    check(lambda lib, x, y: getattr(lib, name)(x, y), a, b, grad=False)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_max_min_float32_stays_float32(name, rng):
    a, b = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2))
    check(lambda lib, x, y: getattr(lib, name)(x, y), a, b)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_max_min_reject_numbers(name):
    with pytest.raises(TypeError, match=f"{name}: expected other to be a Tensor, received float"):
        getattr(ns, name)(ns.ones(2), 1.0)


# ---- where ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shapes", [((3, 4),) * 3, ((3, 1), (1, 4), (4,)), ((4,), (3, 1), ()), ((0, 2), (2,), (2,))]
)
def test_where_broadcast(shapes, rng):
    cond = rng.random(shapes[0]) > 0.5
    a, b = rng.standard_normal(shapes[1]), rng.standard_normal(shapes[2])
    check(lambda lib, c, x, y: lib.where(c, x, y), cond, a, b)


def test_where_transposed_and_method(rng):
    cond, a, b = rng.random((4, 3)) > 0.5, rng.standard_normal((3, 4)).T, rng.standard_normal(3)
    check(lambda lib, c, x, y: x.where(c, y), cond, a, b)


@pytest.mark.parametrize("other", [0.0, -2, 1.5])
def test_where_scalar_branch(other, rng):
    cond, a = rng.random((3, 4)) > 0.5, rng.standard_normal((3, 4))
    check(lambda lib, c, x: lib.where(c, x, other), cond, a)
    check(lambda lib, c, x: lib.where(c, other, x), cond, a)


@pytest.mark.parametrize(
    "a, b",
    [
        (1.0, 0), (1, 0), (True, False), (1, 0.5),  # Python numbers: float32, int64, bool
        (np.array([1, 2], np.int32), 0.5),  # a float number lifts int to float32
        (np.ones(2, np.float32), np.ones((), np.float64)),  # 0-dim never widens: float32
        (np.ones(2, np.float32), np.ones(2, np.float64)),  # dimensioned widens: float64
    ],
)  # fmt: skip
def test_where_dtype_promotion(a, b):
    cond = np.array([True, False])
    arrays = [v for v in (a, b) if isinstance(v, np.ndarray)]

    def fn(lib, c, *tensors):
        it = iter(tensors)
        x, y = (next(it) if isinstance(v, np.ndarray) else v for v in (a, b))
        return lib.where(c, x, y)

    check(fn, cond, *arrays, grad=False)


def test_where_float32_stays_float32(rng):
    cond = rng.random((3, 4)) > 0.5
    a, b = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2))
    check(lambda lib, c, x, y: lib.where(c, x, y), cond, a, b)


def test_where_unselected_nan_gets_zero_gradient():
    cond = np.array([True, False])
    check(lambda lib, c, x, y: lib.where(c, x, y.log()), cond, np.ones(2), np.array([-1.0, 2.0]),
          gradcheck=False)  # fmt: skip


def test_where_errors():
    x = ns.ones(2)
    with pytest.raises(TypeError, match="where: expected condition to be a bool tensor, .*int64"):
        ns.where(ns.tensor([1, 0]), x, x)
    with pytest.raises(TypeError, match="where: expected condition to be a bool tensor, .*list"):
        ns.where([True, False], x, x)
    with pytest.raises(TypeError, match="where: expected other to be a Tensor or a number"):
        ns.where(ns.tensor([True, False]), x, "0")


# ---- hypothesis: broadcasting binary ops ------------------------------------------------------


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4),
       seed=st.integers(0, 2**32 - 1))  # fmt: skip
@settings(max_examples=25, deadline=None)
def test_binary_hypothesis_broadcast(shapes, seed):
    rng = np.random.default_rng(seed)
    s1, s2, s3 = shapes.input_shapes
    a, b = rng.standard_normal(s1), rng.standard_normal(s2)
    check(lambda lib, x, y: lib.maximum(x, y) * lib.minimum(y, x), a, b)
    check(lambda lib, c, x, y: lib.where(c, x, y), rng.random(s3) > 0.5, a, b)
    lo, hi = -rng.uniform(0.1, 1.0, s2) - 0.007, rng.uniform(0.1, 1.0, s3) + 0.003
    x = rng.standard_normal(shapes.result_shape) + 0.011  # torch needs the widest input here
    check(lambda lib, x, lo, hi: lib.clamp(x, lo, hi), x, lo, hi)


def test_top_level_names_exist():
    torch = require_torch()
    for name in ["exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "clamp", "maximum",
                 "minimum", "where"]:  # fmt: skip
        assert callable(getattr(ns, name)) and callable(getattr(torch, name))


@pytest.mark.parametrize("name", ["exp", "sqrt", "tanh", "sigmoid", "relu"])
def test_derivative_from_output_saves_only_the_output(name):
    """These ops keep their output for backward (dy/dx is a function of y): no input copy."""
    y = getattr(ns, name)(ns.tensor([0.5, 2.0], requires_grad=True))
    saved = y.grad_fn.saved_tensors
    assert len(saved) == 1 and saved[0] is y.detach().numpy()
