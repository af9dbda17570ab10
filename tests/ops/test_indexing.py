"""Indexing against torch: ``x[key]`` for basic, advanced and mixed keys, and index_select,
gather and take_along_dim (values, gradients with repeated indices, finite differences)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check

import nnscratch as ns

SETTINGS = settings(max_examples=25, deadline=None)
E = Ellipsis

# (shape, key): keys made only of Python objects, so the same key indexes both libraries.
KEYS = [
    ((3, 4), 1), ((3, 4), -1), ((3, 4), (1, 2)), ((3, 4), (-1, -4)), ((3, 4), slice(1, None)),
    ((3, 4), (slice(1, None), slice(None, None, 2))), ((3, 4), (E, None, 0)), ((3, 4), None),
    ((3, 4), (None, slice(None), None)), ((3, 4), E), ((3, 4), (E, 1)), ((2, 3, 4), (0, E, 1)),
    ((3, 4), slice(5, 10)), ((3, 4), slice(-2, -1)), ((3, 4), slice(3, 1)), ((3, 4), ()),
    ((5,), slice(None, None, 3)), ((), ()), ((), None), ((), E), ((3, 0), 1),
    ((0, 3), slice(1, None)),
    # advanced: lists, repeats, negatives, nested lists, combined with slices / None / ints
    ((3, 4), [0, 0, 2]), ((3, 4), [-1, 0, -1]), ((3, 4), ([0, 2, 2], [1, 1, 3])),
    ((3, 4), (slice(None), [3, 3, 0])), ((3, 4), ([[0, 1], [1, 1]],)),
    ((3, 4), (slice(1, None), [0, 0])), ((3, 4), (None, [1, 1], None)), ((3, 4), (E, [0, -1])),
    ((2, 3, 4), ([0, 1, 1], slice(None), [2, 2, 0])), ((2, 3, 4), (slice(None), [0, 2], [1, 1])),
    ((2, 3, 4), ([1], [0, 2, 2])), ((3, 4), ([],)), ((3, 4), (slice(None), [])),
    # ints with advanced indices: torch selects the ints first (numpy would move dims)
    ((2, 3, 4), (0, slice(None), [0, 1])), ((2, 3, 4), ([0, 1], slice(None), 0)),
    ((2, 3, 4, 5), (slice(None), 0, slice(None), [1, 2])), ((2, 3, 4), ([1, 0], 0, [1, 2])),
    ((2, 3, 4), (None, 1, [1, 1], None, [0, 3])), ((2, 3, 4), (E, [0, 1], 0)),
    # Python bools
    ((3, 4), True), ((3, 4), (False, 1)),
]  # fmt: skip


@pytest.mark.parametrize("shape, key", KEYS)
def test_getitem(shape, key, rng):
    check(lambda lib, x: x[key], rng.standard_normal(shape))


@pytest.mark.parametrize("shape, key", [k for k in KEYS if len(k[0]) >= 2][:20])
def test_getitem_transposed(shape, key, rng):
    check(lambda lib, x: x[key], rng.standard_normal(shape[::-1]).T)


def test_nested_list_is_an_index_array(rng):
    """A bare nested list indexes like an array (numpy; torch 2.13 still reads it as a tuple,
    with a deprecation warning announcing this very change)."""
    nested = [[0, 1], [2, 2]]
    check(
        lambda lib, x: x[nested] if lib is ns else x[lib.tensor(nested)],
        rng.standard_normal((3, 4)),
    )


def test_getitem_float32_and_ints(rng):
    check(lambda lib, x: x[[0, 0], 1:], rng.standard_normal((3, 4)).astype(np.float32))
    check(lambda lib, x: x[[2, 0], ::2], np.arange(12).reshape(3, 4), grad=False)


def test_repeated_indices_accumulate():
    """Hand computation, independent of torch: each repeat adds its gradient."""
    x = ns.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x[[0, 0, 2, 0]] * ns.tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
    assert x.grad.tolist() == [1011.0, 0.0, 100.0]


@pytest.mark.parametrize(
    "shape, key",
    [((3, 4), (np.array([2, 0, 2]),)), ((3, 4), (slice(None), np.array([[1, 1], [0, 3]]))),
     ((3, 4), (np.array(1), np.array([0, 0]))), ((3, 4), np.array(-2)),
     ((3, 4), (np.array([0, 2], np.int32), 1))],
)  # fmt: skip
def test_tensor_indices(shape, key, rng):
    """Integer tensors in the key (passed as non-grad inputs, so both libraries get tensors)."""
    arrays = [k for k in (key if isinstance(key, tuple) else (key,)) if isinstance(k, np.ndarray)]

    def fn(lib, x, *index_tensors):
        tensors = iter(index_tensors)
        items = key if isinstance(key, tuple) else (key,)
        return x[tuple(next(tensors) if isinstance(k, np.ndarray) else k for k in items)]

    check(fn, rng.standard_normal(shape), *arrays)


@pytest.mark.parametrize(
    "shape, mask_shape, before",
    [((3, 4), (3, 4), ()), ((3, 4), (3,), ()), ((2, 3, 4), (3, 4), (0,)),
     ((2, 3, 4), (3,), (slice(None),)), ((3, 4), (4,), (E,)), ((3, 4), (), ())],
)  # fmt: skip
def test_bool_masks(shape, mask_shape, before, rng):
    mask = rng.standard_normal(mask_shape) > 0  # a separate input: gradcheck perturbs x only
    check(lambda lib, x, m: x[(*before, m)], rng.standard_normal(shape), mask)
    check(lambda lib, x, m: x[(*before, m)], rng.standard_normal(shape), np.zeros(mask_shape, bool))


def test_mask_with_advanced_index(rng):
    mask = np.array([True, False, True])
    check(lambda lib, x, m: x[m, [0, 3]], rng.standard_normal((3, 4)), mask)
    check(lambda lib, x, m: x[0, m, 1:], rng.standard_normal((2, 3, 4)), mask)


def test_mask_from_comparison(rng):
    a = rng.standard_normal((3, 4))
    check(lambda lib, x, y: x[y > 0], a, a.copy(), gradcheck=False)
    check(lambda lib, x, y: x[y > 0], a, a.copy() + 1.0)  # no element near the threshold


def test_negative_steps_against_numpy():
    """torch refuses negative steps; numpy defines them, and the gradient scatters back."""
    a = np.arange(12.0).reshape(3, 4)
    x = ns.tensor(a, requires_grad=True)
    y = x[::-1, 3:0:-2]
    np.testing.assert_array_equal(y.detach().numpy(), a[::-1, 3:0:-2])
    y.backward(np.arange(6.0).reshape(3, 2))
    expected = np.zeros((3, 4))
    expected[::-1, 3:0:-2] = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    ns.autograd.gradcheck(lambda t: t[::-2, [0, 0]], (ns.tensor(a, requires_grad=True),))


@SETTINGS
@given(data=st.data())
def test_basic_indices_hypothesis(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    key = data.draw(hnp.basic_indices(shape, allow_newaxis=True))
    items = key if isinstance(key, tuple) else (key,)
    if any(isinstance(k, slice) and (k.step or 1) < 0 for k in items):
        key = tuple(slice(k.start, k.stop) if isinstance(k, slice) else k for k in items)
    check(lambda lib, x: x[key], np.arange(float(np.prod(shape))).reshape(shape))


@SETTINGS
@given(data=st.data())
def test_integer_array_indices_hypothesis(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    key = data.draw(hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(max_dims=2)))
    a = np.arange(float(np.prod(shape))).reshape(shape)
    check(lambda lib, x, *idx: x[idx], a, *key)


@pytest.mark.parametrize(
    "key, match",
    [(5, r"out of bounds.*size 3"), ((0, 4), r"out of bounds.*size 4"), ([0, 3], "out of bounds"),
     (np.array([True, False]), r"boolean.*size of axis is 3.*2"), ((0, 0, 0), "too many indices"),
     (np.array([0.0]), "integer or bool")],
)  # fmt: skip
def test_getitem_errors(key, match):
    x = ns.zeros(3, 4)
    with pytest.raises(IndexError, match=match):
        x[key]
    with pytest.raises(IndexError, match=r"shape \(3, 4\)|integer or bool"):
        x[ns.tensor(key) if isinstance(key, np.ndarray) else key]


def test_uint8_tensor_is_a_mask_like_torch(rng):
    a = rng.standard_normal((3, 2))
    mask = ns.tensor([1, 0, 1], dtype=ns.uint8)
    np.testing.assert_array_equal(ns.tensor(a)[mask].numpy(), a[[0, 2]])


# ---- index_select / gather / take_along_dim ----------------------------------------------------
@pytest.mark.parametrize(
    "shape, dim, index",
    [((3, 4), 0, [2, 0, 2]), ((3, 4), 1, [3]), ((3, 4), -1, []), ((2, 3, 4), 1, [1, 1, 1, 0]),
     ((3, 4), 0, 1), ((5,), 0, [4, 0, 4])],
)  # fmt: skip
def test_index_select(shape, dim, index, rng):
    idx = np.array(index, np.int64)
    check(lambda lib, x, i: lib.index_select(x, dim, i), rng.standard_normal(shape), idx)
    check(
        lambda lib, x, i: lib.index_select(x, dim, i),
        rng.standard_normal(shape[::-1]).T,
        idx.astype(np.int32),
    )


@pytest.mark.parametrize(
    "shape, dim, index_shape",
    [((3, 4), 0, (3, 4)), ((3, 4), 1, (3, 6)), ((3, 4), 0, (2, 3)), ((2, 3, 4), -1, (2, 3, 2)),
     ((2, 3, 4), 1, (1, 5, 2)), ((3,), 0, (7,)), ((3, 4), 1, (0, 4))],
)  # fmt: skip
def test_gather(shape, dim, index_shape, rng):
    idx = rng.integers(0, shape[dim], index_shape)  # with repeats: gradients accumulate
    check(lambda lib, x, i: lib.gather(x, dim, i), rng.standard_normal(shape), idx)
    check(lambda lib, x, i: lib.gather(x, dim, i), rng.standard_normal(shape[::-1]).T, idx)


def test_gather_hand_computed():
    x = ns.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = ns.gather(x, 1, ns.tensor([[0, 0], [1, 0]]))
    assert y.tolist() == [[1.0, 1.0], [4.0, 3.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0], [1.0, 1.0]]


def test_zero_dim_inputs(rng):
    a = rng.standard_normal(())
    check(lambda lib, x, i: lib.index_select(x, 0, i), a, np.array([0]))
    check(lambda lib, x, i: lib.gather(x, 0, i), a, np.array(0))
    check(lambda lib, x, i: lib.take_along_dim(x, i), a, np.array(0))


@pytest.mark.parametrize(
    "shape, index_shape, dim",
    [((3, 4), (3, 2), 1), ((3, 4), (1, 4), 0), ((3, 4), (3, 1), 0), ((2, 1, 4), (1, 3, 2), 2),
     ((3, 4), (5,), None), ((3, 4), (2, 2), None), ((2, 3), (2, 0), 1)],
)  # fmt: skip
def test_take_along_dim(shape, index_shape, dim, rng):
    size = int(np.prod(shape)) if dim is None else shape[dim]
    low = 0 if dim is None else -size  # with a dim, negatives count from the end (torch)
    idx = rng.integers(low, size, index_shape)
    check(lambda lib, x, i: lib.take_along_dim(x, i, dim), rng.standard_normal(shape), idx)


def test_take_along_dim_with_argsort(rng):
    a = rng.standard_normal((3, 5))
    check(lambda lib, x, y: lib.take_along_dim(x, y.argmax(dim=1, keepdim=True), dim=1), a, a + 0.0)


def test_index_function_errors():
    x = ns.zeros(3, 4)
    i64 = ns.tensor([0, 1])
    with pytest.raises(IndexError, match=r"index 5 is out of bounds for dimension 0 with size 3"):
        ns.index_select(x, 0, ns.tensor([5]))
    with pytest.raises(IndexError, match="out of bounds"):
        ns.index_select(x, 0, ns.tensor([-1]))
    with pytest.raises(IndexError, match="0-D or 1-D"):
        ns.index_select(x, 0, ns.tensor([[1]]))
    with pytest.raises(TypeError, match="integer tensor.*float32"):
        ns.index_select(x, 0, ns.tensor([1.0]))
    with pytest.raises(IndexError, match=r"index -1 is out of bounds.*size 3"):
        ns.gather(x, 0, ns.tensor([[-1]]))
    with pytest.raises(RuntimeError, match="same number of dimensions|2 dimensions"):
        ns.gather(x, 0, i64)
    with pytest.raises(RuntimeError, match=r"no larger than the input.*apart from dimension 0"):
        ns.gather(x, 0, ns.zeros(2, 5, dtype=ns.int64))
    with pytest.raises(TypeError, match="int64"):
        ns.take_along_dim(x, i64.int(), 0)
    with pytest.raises(IndexError, match=r"index -1 is out of bounds.*size 12"):
        ns.take_along_dim(x, ns.tensor([-1]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        ns.take_along_dim(x, i64, 1)
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        ns.take_along_dim(x, ns.zeros(2, 1, dtype=ns.int64), 1)
    with pytest.raises(IndexError, match="out of range"):
        ns.gather(x, 2, ns.zeros(1, 1, dtype=ns.int64))
