"""Reductions against torch: sum, mean, var, std, max/min, argmax/argmin, amax/amin, logsumexp."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from parity import check, require_torch

import nnscratch as ns

# (shape, dim) pairs: None, ints, negative ints, tuples, the empty tuple (all dims), 0-d.
DIMS = [
    ((3, 4), None),
    ((3, 4), 0),
    ((3, 4), -1),
    ((2, 3, 4), (0, 2)),
    ((2, 3, 4), (-1, 1)),
    ((2, 3, 4), ()),
    ((5,), 0),
]
INT_DIMS = [((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1), ((5,), 0)]
# parity.check cannot pass 0-d arrays to torch (np.ascontiguousarray makes them 1-d), so 0-d
# inputs are compared with torch by hand in test_zero_dim_inputs.


def _distinct(rng, shape):
    """Values with no ties (so max/min are differentiable and finite differences valid)."""
    size = int(np.prod(shape))
    return (rng.permutation(size) + rng.uniform(0.1, 0.9, size)).reshape(shape) / size


def _call(name, **kwargs):
    return lambda lib, x: getattr(lib, name)(x, **kwargs)


def _check_infinite(fn, a):
    """Compare values and gradients (for an upstream gradient of ones) with torch.

    For outputs holding inf or nan, where parity.check's weighted sum of the outputs would
    itself make inf - inf.
    """
    torch = require_torch()
    check(fn, a, grad=False)
    ours, theirs = ns.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out_ours, out_theirs = fn(ns, ours), fn(torch, theirs)
    out_ours.backward(ns.ones(*out_ours.shape, dtype=out_ours.dtype))
    out_theirs.backward(torch.ones_like(out_theirs))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-7)


# ---- sum and mean ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize(("shape", "dim"), DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_mean(name, shape, dim, keepdim, rng):
    check(_call(name, dim=dim, keepdim=keepdim), rng.standard_normal(shape))


@pytest.mark.parametrize("name", ["sum", "mean"])
def test_sum_mean_transposed_and_float32(name, rng):
    a = rng.standard_normal((4, 3))
    check(_call(name, dim=1), a.T, gradcheck=False)  # gradcheck's nudges miss transposed inputs
    check(_call(name, dim=(0,), keepdim=True), a.T.astype(np.float32), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize(("shape", "dim"), [((0, 3), 0), ((0, 3), 1), ((2, 0), None), ((0,), 0)])
def test_sum_mean_zero_size(name, shape, dim):
    # sum of nothing is 0, mean of nothing is nan, as torch (and no RuntimeWarning)
    check(_call(name, dim=dim), np.zeros(shape), gradcheck=False)


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.uint8, np.int64])
def test_sum_counts_bools_and_small_ints_as_int64(dtype, rng):
    a = (rng.integers(0, 3, (3, 4))).astype(dtype)
    check(_call("sum"), a, grad=False)
    check(_call("sum", dim=0), a, grad=False)


def test_mean_of_integers_is_an_error():
    with pytest.raises(TypeError, match="mean: expected a floating point tensor, received int64"):
        ns.tensor([1, 2]).mean()


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "amax", "logsumexp"])
def test_dim_errors(name):
    x = ns.zeros(2, 3)
    fn = getattr(ns, name)
    with pytest.raises(IndexError, match=rf"{name}: dim 2 is out of range .* 2 dimensions"):
        fn(x, 2)
    with pytest.raises(IndexError, match=rf"{name}: dim -3 is out of range"):
        fn(x, (0, -3))
    with pytest.raises(RuntimeError, match=rf"{name}: dim 0 appears multiple times"):
        fn(x, (0, -2))
    with pytest.raises(TypeError, match=rf"{name}: dim must be an int or a tuple of ints"):
        fn(x, 1.5)


# ---- var and std -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize(("shape", "dim"), [d for d in DIMS if d[1] != ()])
@pytest.mark.parametrize("correction", [0, 1, 2.5, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_var_std(name, shape, dim, correction, keepdim, rng):
    check(_call(name, dim=dim, correction=correction, keepdim=keepdim), rng.standard_normal(shape))


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_over_the_empty_tuple_reduce_everything(name, rng):
    # torch's values agree, but its gradient for dim=() is wrong (it fails torch's own gradcheck),
    # so the gradient is compared with torch's for dim=None, and checked by finite differences.
    torch = require_torch()
    a = rng.standard_normal((2, 3, 4))
    check(_call(name, dim=(), keepdim=True), a, grad=False)
    ours = ns.tensor(a, requires_grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    getattr(ns, name)(ours, ()).backward()
    getattr(torch, name)(theirs, None).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-7)
    ns.autograd.gradcheck(
        lambda x: getattr(ns, name)(x, (), keepdim=True), (ns.tensor(a, requires_grad=True),)
    )


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_transposed_float32_zero_size(name, rng):
    a = rng.standard_normal((4, 3))
    check(_call(name, dim=0), a.T, gradcheck=False)  # gradcheck's nudges miss transposed inputs
    check(_call(name, dim=1, keepdim=True), a.astype(np.float32), atol=1e-6, rtol=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch warns for any empty input
        check(_call(name, dim=1), np.zeros((0, 3)), gradcheck=False)  # an empty output


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize(
    ("shape", "dim", "correction"),
    [((2, 3), 1, 3), ((2, 3), 1, 4), ((2, 1), 1, 1), ((1,), None, 1), ((0,), 0, 1), ((2, 0), 1, 0)],
)
def test_var_std_without_degrees_of_freedom_match_torch(name, shape, dim, correction, rng):
    # torch divides by max(0, n - c) (inf, or nan for 0/0) and warns; no RuntimeWarning here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's own warning
        _check_infinite(_call(name, dim=dim, correction=correction), rng.standard_normal(shape))
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        getattr(ns, name)(ns.zeros(*shape), dim, correction=correction)


def test_std_of_a_constant_slice_has_zero_gradient():
    check(_call("std", dim=1), np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]]), gradcheck=False)


def test_var_legacy_unbiased_spellings(rng):
    a = rng.standard_normal((3, 4))
    check(lambda lib, x: lib.var(x, unbiased=False), a)
    check(lambda lib, x: lib.std(x, 1, unbiased=True, keepdim=True), a)
    check(lambda lib, x: lib.var(x, False), a)
    check(lambda lib, x: lib.var(x, 0, correction=None), a)


def test_var_std_errors():
    with pytest.raises(TypeError, match="var: expected a floating point tensor, received int64"):
        ns.tensor([1, 2]).var()
    with pytest.raises(TypeError, match="std: correction must be a number, received 'a'"):
        ns.std(ns.zeros(3), correction="a")


def test_var_std_are_stable_for_a_large_offset():
    a = 1e8 + np.array([1.0, 2.0, 3.0, 4.0])
    check(_call("var"), a, gradcheck=False)
    check(_call("std"), a, gradcheck=False)


# ---- max and min ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (5,)])
def test_max_min_full(name, shape, rng):
    check(_call(name), _distinct(rng, shape))


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize(("shape", "dim"), INT_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_dim(name, shape, dim, keepdim, rng):
    check(lambda lib, x: getattr(lib, name)(x, dim, keepdim), _distinct(rng, shape))


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_dim_named_tuple_transposed_float32(name, rng):
    a = _distinct(rng, (4, 3))
    check(lambda lib, x: getattr(lib, name)(x, dim=1), a.T, gradcheck=False)
    check(lambda lib, x: getattr(lib, name)(x, 0), a.astype(np.float32), rtol=1e-6)
    out = getattr(ns.tensor(a), name)(1)
    assert out.values is out[0] and out.indices is out[1]
    assert out.indices.dtype == np.int64 and not out.indices.requires_grad
    assert type(out).__name__ == name


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_dim_zero_size_other_dim(name):
    check(lambda lib, x: getattr(lib, name)(x, 1), np.zeros((0, 3)), gradcheck=False)


# Ties: the full reduction splits the gradient evenly; with a dim, the first index takes it.
TIES = [
    np.array([[3.0, 1.0, 3.0], [2.0, 3.0, 0.0]]),
    np.array([[1.0, 1.0], [1.0, 1.0]]),
    np.array([[0.0, 5.0, 0.0, 5.0]]),
]


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("a", TIES)
def test_max_min_ties(name, a):
    check(_call(name), a, gradcheck=False)
    check(lambda lib, x: getattr(lib, name)(x, 1), a, gradcheck=False)
    check(lambda lib, x: getattr(lib, name)(x, 0, True), a, gradcheck=False)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_nan_propagates_like_torch(name):
    a = np.array([[1.0, np.nan, np.nan], [2.0, 0.5, 3.0]])
    check(_call(name), a, gradcheck=False)  # the gradient is split among the NaNs
    check(lambda lib, x: getattr(lib, name)(x, 1), a, gradcheck=False)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_integers_and_bools(name, rng):
    ints = rng.integers(-5, 5, (3, 4))
    check(_call(name), ints, grad=False)
    check(lambda lib, x: getattr(lib, name)(x, 1), ints, grad=False)
    check(lambda lib, x: getattr(lib, name)(x, 0), ints > 0, grad=False)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_errors(name):
    x = ns.zeros(2, 3)
    with pytest.raises(RuntimeError, match=rf"{name}\(\): Expected reduction dim to be specified"):
        getattr(ns, name)(ns.zeros(0, 3))
    with pytest.raises(IndexError, match=rf"{name}\(\): Expected reduction dim 0 to have non-zero"):
        getattr(ns, name)(ns.zeros(0, 3), 0)
    with pytest.raises(TypeError, match=rf"{name}\(\): dim must be an int, received \(0, 1\)"):
        getattr(ns, name)(x, (0, 1))
    with pytest.raises(TypeError, match=rf"{name}\(\): keepdim=True needs a dim"):
        getattr(ns, name)(x, keepdim=True)
    with pytest.raises(IndexError, match=rf"{name}: dim 2 is out of range"):
        getattr(ns, name)(x, 2)


@pytest.mark.parametrize(("name", "elementwise"), [("max", "maximum"), ("min", "minimum")])
def test_max_min_with_a_tensor_is_elementwise(name, elementwise, rng):
    from nnscratch.ops import elementwise as module

    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    if hasattr(module, elementwise):
        check(lambda lib, x, y: getattr(lib, name)(x, y), a, b)
    else:
        with pytest.raises(TypeError, match=rf"call nnscratch.{elementwise}\(input, other\)"):
            getattr(ns, name)(ns.tensor(a), ns.tensor(b))


# ---- argmax and argmin ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize(("shape", "dim"), [((3, 4), None), ((2, 3, 4), None), *INT_DIMS])
@pytest.mark.parametrize("keepdim", [False, True])
def test_argmax_argmin(name, shape, dim, keepdim, rng):
    check(_call(name, dim=dim, keepdim=keepdim), _distinct(rng, shape), grad=False)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_ties_nan_transposed_integers(name, rng):
    for a in [
        *TIES,
        np.array([1.0, np.nan, np.nan]),
        _distinct(rng, (4, 3)).T,
        rng.integers(0, 3, (4, 5)),
    ]:
        check(_call(name), a, grad=False)
        check(_call(name, dim=-1), a, grad=False)
    check(_call(name, dim=1), np.zeros((0, 3)), grad=False)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_errors(name):
    with pytest.raises(TypeError, match=rf"{name}\(\): does not support bool input"):
        getattr(ns, name)(ns.tensor([True, False]))
    with pytest.raises(RuntimeError, match=rf"{name}\(\): Expected reduction dim to be specified"):
        getattr(ns, name)(ns.zeros(0))
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        getattr(ns, name)(ns.zeros(0, 2), 0)
    with pytest.raises(TypeError, match=rf"{name}\(\): dim must be an int"):
        getattr(ns, name)(ns.zeros(2, 2), (0, 1))


# ---- amax and amin -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["amax", "amin"])
@pytest.mark.parametrize(("shape", "dim"), DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_amax_amin(name, shape, dim, keepdim, rng):
    kwargs = {} if dim is None else {"dim": dim}
    check(_call(name, keepdim=keepdim, **kwargs), _distinct(rng, shape))


@pytest.mark.parametrize("name", ["amax", "amin"])
@pytest.mark.parametrize("a", TIES)
def test_amax_amin_split_ties_evenly_per_slice(name, a):
    check(_call(name, dim=1), a, gradcheck=False)
    check(_call(name, dim=(0, 1)), a, gradcheck=False)
    check(_call(name), a.T, gradcheck=False)  # also a transposed input


@pytest.mark.parametrize("name", ["amax", "amin"])
def test_amax_amin_nan_float32_integers_zero_size(name, rng):
    check(_call(name, dim=1), np.array([[1.0, np.nan], [2.0, 3.0]]), gradcheck=False)
    check(_call(name, dim=0), _distinct(rng, (3, 2)).astype(np.float32))
    check(_call(name, dim=1), rng.integers(0, 9, (3, 4)), grad=False)
    check(_call(name, dim=0), np.zeros((2, 0)), gradcheck=False)
    with pytest.raises(IndexError, match=rf"{name}\(\): Expected reduction dim 1 to have non-zero"):
        getattr(ns, name)(ns.zeros(2, 0), 1)
    with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
        getattr(ns, name)(ns.zeros(0))


# ---- logsumexp -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("shape", "dim"), [d for d in DIMS if d[1] is not None])
@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp(shape, dim, keepdim, rng):
    a = rng.standard_normal(shape)
    if dim == () and not keepdim:  # torch raises here (a torch bug); ours reduces all dims
        check(lambda lib, x: lib.logsumexp(x, tuple(range(x.ndim)), keepdim), a)
        np.testing.assert_allclose(ns.logsumexp(ns.tensor(a), ()).item(), np.log(np.exp(a).sum()))
        return
    check(lambda lib, x: lib.logsumexp(x, dim, keepdim), a)


def test_logsumexp_transposed_float32_integers(rng):
    a = rng.standard_normal((4, 3))
    check(lambda lib, x: lib.logsumexp(x, 0), a.T, gradcheck=False)
    check(lambda lib, x: lib.logsumexp(x, 1), a.astype(np.float32), atol=1e-6, rtol=1e-5)
    check(lambda lib, x: lib.logsumexp(x, 1), rng.integers(-3, 3, (2, 3)), grad=False)  # float32


@pytest.mark.parametrize("scale", [1e4, -1e4])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logsumexp_is_stable(scale, dtype, rng):
    a = scale * np.array([[1.0, 1.0, 0.5], [0.3, 1.0, -1.0]]) + rng.uniform(-1, 1, (2, 3))
    check(lambda lib, x: lib.logsumexp(x, 1), a.astype(dtype), gradcheck=False, rtol=1e-6)
    out = ns.logsumexp(ns.tensor(np.full(3, scale, dtype=dtype)), 0)
    assert out.dtype == dtype and np.isclose(out.item(), scale + np.log(3), rtol=1e-6)


def test_logsumexp_infinite_and_empty_slices():
    inf = np.inf
    a = np.array([[-inf, -inf, -inf], [1.0, -inf, 2.0], [inf, 1.0, 0.0], [inf, inf, 0.0]])
    _check_infinite(lambda lib, x: lib.logsumexp(x, 1), a)  # -inf row: -inf, nan grad
    _check_infinite(lambda lib, x: lib.logsumexp(x, 1), np.zeros((2, 0)))  # -inf


def test_logsumexp_requires_dim():
    with pytest.raises(TypeError):
        ns.logsumexp(ns.zeros(2))


# ---- hypothesis: random shapes and dims --------------------------------------------------------
@st.composite
def shape_and_dims(draw, min_side=0):
    shape = draw(array_shapes(min_dims=1, max_dims=4, min_side=min_side, max_side=4))
    rank = len(shape)
    axes = draw(st.lists(st.integers(-rank, rank - 1), unique_by=lambda d: d % rank, max_size=rank))
    return shape, tuple(axes) or None  # dim=() hits torch bugs; it has its own tests


@settings(max_examples=25, deadline=None)
@given(shape_and_dims(), st.booleans(), st.sampled_from(["sum", "mean", "var", "std"]))
def test_hypothesis_sum_mean_var_std(case, keepdim, name):
    require_torch()
    shape, dim = case
    a = np.random.default_rng(1).standard_normal(shape) + 2.0
    count = int(np.prod([shape[d] for d in dim or range(len(shape))]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # var/std of one element: nan, as torch
        check(
            _call(name, dim=dim, keepdim=keepdim), a, gradcheck=name in ("sum", "mean") or count > 1
        )


@settings(max_examples=25, deadline=None)
@given(shape_and_dims(min_side=1), st.booleans(), st.sampled_from(["amax", "amin", "logsumexp"]))
def test_hypothesis_amax_amin_logsumexp(case, keepdim, name):
    require_torch()
    shape, dim = case
    a = _distinct(np.random.default_rng(2), shape)
    if name == "logsumexp":
        dims = tuple(range(len(shape))) if dim is None else dim  # logsumexp needs a dim
        check(lambda lib, x: lib.logsumexp(x, dims, keepdim), a)
    else:
        check(_call(name, dim=dim, keepdim=keepdim), a)


@settings(max_examples=25, deadline=None)
@given(array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), st.data())
def test_hypothesis_max_min_argmax_with_dim(shape, data):
    require_torch()
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    a = _distinct(np.random.default_rng(3), shape)
    check(lambda lib, x: lib.max(x, dim, keepdim), a)
    check(lambda lib, x: lib.min(x, dim, keepdim), a)
    check(_call("argmax", dim=dim, keepdim=keepdim), a, grad=False)


# ---- 0-d inputs, compared with torch by hand -----------------------------------------------------
ZERO_DIM_CALLS = [
    *[
        (n, d, k)
        for n in ["sum", "mean", "amax", "amin"]
        for d in [None, 0, -1, ()]
        for k in [0, 1]
    ],
    *[("logsumexp", d, k) for d in [0, -1, ()] for k in [0, 1]],
    *[(n, d, k) for n in ["max", "min"] for d in [0, -1] for k in [0, 1]],
]


@pytest.mark.parametrize(("name", "dim", "keepdim"), ZERO_DIM_CALLS)
def test_zero_dim_inputs(name, dim, keepdim):
    torch = require_torch()
    ours, theirs = ns.tensor(1.5, requires_grad=True), torch.tensor(1.5, requires_grad=True)
    results = [
        getattr(lib, name)(x, dim, keepdim=bool(keepdim))
        for lib, x in [(ns, ours), (torch, theirs)]
    ]
    for a, b in zip(*[r if isinstance(r, tuple) else (r,) for r in results], strict=True):
        assert a.shape == tuple(b.shape) and a.item() == b.item()
    (results[0][0] if isinstance(results[0], tuple) else results[0]).backward()
    (results[1][0] if isinstance(results[1], tuple) else results[1]).backward()
    assert ours.grad.shape == () and ours.grad.item() == theirs.grad.item()


@pytest.mark.parametrize("name", ["var", "std"])
def test_zero_dim_var_std(name):
    torch = require_torch()
    for correction, dim in [(0, None), (0, 0), (1, None)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            ours = getattr(ns, name)(ns.tensor(1.5), dim, correction=correction)
            theirs = getattr(torch, name)(torch.tensor(1.5), dim, correction=correction)
        assert ours.shape == () and np.array_equal(ours.item(), theirs.item(), equal_nan=True)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_zero_dim_argmax_argmin(name):
    torch = require_torch()
    for dim in [None, 0, -1]:
        for keepdim in [False, True]:
            ours = getattr(ns, name)(ns.tensor(1.5), dim, keepdim)
            theirs = getattr(torch, name)(torch.tensor(1.5), dim, keepdim)
            assert ours.shape == tuple(theirs.shape) and ours.item() == theirs.item() == 0
