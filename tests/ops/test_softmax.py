"""softmax and log_softmax against torch: values, gradients, stability, dtypes and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from parity import check, require_torch

import nnscratch as ns
from nnscratch.ops.softmax import log_softmax, softmax

NAMES = ["softmax", "log_softmax"]
OURS = {"softmax": softmax, "log_softmax": log_softmax}


def _call(name, dim, **kwargs):
    """The op from our module (not yet the package) or from torch."""
    return lambda lib, x: (OURS[name] if lib is ns else getattr(lib, name))(x, dim, **kwargs)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("shape", "dim"), [((3, 4), 1), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1), ((5,), 0)]
)
def test_softmax_log_softmax(name, shape, dim, rng):
    check(_call(name, dim), 2.0 * rng.standard_normal(shape))


@pytest.mark.parametrize("name", NAMES)
def test_transposed_input(name, rng):
    a = rng.standard_normal((4, 3))
    check(_call(name, 1), a.T, gradcheck=False)  # gradcheck's nudges miss transposed inputs
    check(_call(name, -2), rng.standard_normal((2, 3, 4)).transpose(2, 0, 1), gradcheck=False)


@pytest.mark.parametrize("name", NAMES)
def test_float32_is_kept(name, rng):
    a = rng.standard_normal((3, 5)).astype(np.float32)
    check(_call(name, 1), a, atol=1e-6, rtol=1e-5)
    assert OURS[name](ns.tensor(a), 1).dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_dtype_argument_casts_first(name, rng):
    torch = require_torch()
    a = rng.standard_normal((3, 4)).astype(np.float32)
    op = {ns: OURS[name], torch: getattr(torch, name)}
    check(lambda lib, x: op[lib](x, 1, dtype=lib.float64), a, grad=False)
    x = ns.tensor(a, requires_grad=True)
    y = OURS[name](x, 1, dtype=ns.float64)
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32  # the gradient comes back in the input's dtype
    ints = OURS[name](ns.tensor([[1, 2], [3, 4]]), 1, dtype=ns.float32)
    expected = getattr(torch, name)(torch.tensor([[1, 2], [3, 4]]), 1, dtype=torch.float32)
    np.testing.assert_allclose(ints.numpy(), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("scale", [1e4, -1e4, 1e30])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_stable_for_large_inputs(name, scale, dtype, rng):
    a = scale * np.array([[1.0, 0.5, 1.0], [0.0, -1.0, 1.0]]) + rng.uniform(-1, 1, (2, 3))
    a = a.astype(dtype)
    check(_call(name, 1), a, gradcheck=False, atol=1e-6, rtol=1e-6)
    y = OURS[name](ns.tensor(a), 1)
    assert y.dtype == dtype and np.all(np.isfinite(y.numpy()))


@pytest.mark.parametrize("name", NAMES)
def test_infinite_inputs_match_torch(name):
    # torch: an all -inf row is nan; -inf entries get probability 0 (log-probability -inf)
    inf = np.inf
    a = np.array([[-inf, 1.0, 2.0], [-inf, -inf, -inf], [inf, 1.0, 0.0]])
    check(_call(name, 1), a, grad=False)
    torch = require_torch()
    ours, theirs = ns.tensor(a[:1], requires_grad=True), torch.tensor(a[:1], requires_grad=True)
    OURS[name](ours, 1)[0, 1:].sum().backward()
    getattr(torch, name)(theirs, 1)[0, 1:].sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("shape", "dim"), [((2, 0), 1), ((0, 3), 1), ((2, 0), 0)])
def test_zero_size(name, shape, dim):
    check(_call(name, dim), np.zeros(shape), gradcheck=False)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dim", [0, -1])
def test_zero_dim_input(name, dim):
    # parity.check cannot hand a 0-d array to torch, so compare by hand
    torch = require_torch()
    ours, theirs = ns.tensor(0.7, requires_grad=True), torch.tensor(0.7, requires_grad=True)
    y, t = OURS[name](ours, dim), getattr(torch, name)(theirs, dim)
    assert y.shape == () and y.item() == t.item()
    y.backward()
    t.backward()
    assert ours.grad.item() == theirs.grad.item()


def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log(rng):
    x = ns.tensor(3.0 * rng.standard_normal((4, 6)))
    p = softmax(x, 1).numpy()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(log_softmax(x, 1).numpy(), np.log(p), rtol=1e-5, atol=1e-6)


def test_softmax_gradient_by_hand():
    # y = softmax([0, ln 3]) = [1/4, 3/4]; d(y0)/dx = y0 * (e0 - y) = [3/16, -3/16]
    x = ns.tensor([0.0, np.log(3.0)], dtype=ns.float64, requires_grad=True)
    softmax(x, 0)[0].backward()
    np.testing.assert_allclose(x.grad.numpy(), [3 / 16, -3 / 16], rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_errors(name):
    fn = OURS[name]
    x = ns.zeros(2, 3)
    with pytest.raises(TypeError, match=rf"{name}\(\): dim is required, e.g. {name}\(x, dim=-1\)"):
        fn(x, None)
    with pytest.raises(TypeError):
        fn(x)
    with pytest.raises(TypeError, match=rf"{name}\(\): dim must be an int, received \(0,\)"):
        fn(x, (0,))
    with pytest.raises(TypeError, match=rf"{name}\(\): dim must be an int, received 1.0"):
        fn(x, 1.0)
    with pytest.raises(IndexError, match=rf"{name}: dim 2 is out of range .* 2 dimensions"):
        fn(x, 2)
    with pytest.raises(
        TypeError, match=rf"{name}\(\): expected a floating point tensor, received int64"
    ):
        fn(ns.tensor([1, 2]), 0)


@settings(max_examples=25, deadline=None)
@given(array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), st.data())
def test_hypothesis_shapes_and_dims(shape, data):
    require_torch()
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    name = data.draw(st.sampled_from(NAMES))
    check(_call(name, dim), np.random.default_rng(4).standard_normal(shape))
