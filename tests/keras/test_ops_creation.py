"""Parity of ``keras.ops``' creation functions (filled shapes, ranges, grids, windows) against
real ``keras.ops`` on the torch backend: values, dtypes and, where the result depends on a
tensor, input gradients (``tests/keras_ops_parity.py``)."""

import numpy as np
import pytest
from keras_ops_parity import Row, check_row, numbered, require_keras

from nnscratch.keras import ops
from nnscratch.keras.ops import creation

rng = np.random.default_rng(2101)


def uniform(lo, hi, shape, dtype=np.float64):
    return rng.uniform(lo, hi, shape).astype(dtype)


WHY_VANDER = "torch.vander's backward fails (an in-place op); test_vander_gradient checks ours"
WHY_F32 = "Keras computes a float64 range in float32 (its dtype rules narrow 64-bit results)"

ROWS = numbered([
    Row("arange", (5,), grad=False),
    Row("arange", (1, 7, 2), grad=False),
    Row("arange", (0.5, 3.0, 0.5), grad=False),
    Row("arange", (2, 6), {"dtype": "float64"}, grad=False),
    Row("array", ([1, 2, 3],), grad=False),
    Row("array", ([[1.5, 2.0]],), grad=False),
    Row("array", (uniform(-1, 1, (2, 3)),)),
    Row("array", (uniform(-1, 1, (2, 3)),), {"dtype": "float32"}),
    Row("eye", (3,), grad=False),
    Row("eye", (3, 4, 1), grad=False),
    Row("eye", (4, 3, -1), {"dtype": "int32"}, grad=False),
    Row("identity", (3,), grad=False),
    Row("identity", (2,), {"dtype": "int32"}, grad=False),
    Row("tri", (3,), grad=False),
    Row("tri", (3, 4, 1), grad=False),
    Row("tri", (4,), {"k": -1, "dtype": "int32"}, grad=False),
    Row("zeros", ((2, 3),), grad=False),
    Row("zeros", (4,), {"dtype": "int32"}, grad=False),
    Row("ones", ((2, 3),), grad=False),
    Row("ones", (3,), {"dtype": "bool"}, grad=False),
    Row("zeros_like", (uniform(-1, 1, (2, 3)),), grad=False),
    Row("zeros_like", (uniform(-1, 1, (2, 3)),), {"dtype": "int32"}, grad=False),
    Row("ones_like", (np.arange(6, dtype=np.int32).reshape(2, 3),), grad=False),
    Row("ones_like", (uniform(-1, 1, (3,), np.float32),), {"dtype": "float64"}, grad=False),
    Row("full", ((2, 3), 2.5), grad=False),
    Row("full", ((2, 3), 7), grad=False),
    Row("full", ((2, 3), 7), {"dtype": "int32"}, grad=False),
    Row("full", ((2, 3), uniform(-1, 1, (3,)))),
    Row("full_like", (uniform(-1, 1, (2, 3)), 3), grad=False),
    Row("full_like", (np.zeros((2, 2), np.int32), 4), grad=False),
    Row("full_like", (uniform(-1, 1, (2, 3)), 0.5), {"dtype": "float32"}, grad=False),
    Row("linspace", (0.0, 1.0), {"num": 5}, grad=False),
    Row("linspace", (0, 10), {"num": 5, "endpoint": False}, grad=False),
    Row("linspace", (2.0, 3.0), {"num": 4, "dtype": "float64"}, grad=False),
    Row("linspace", (uniform(-1, 1, (3,)), uniform(1, 2, (3,))), {"num": 4}, why=WHY_F32),
    Row("linspace", (uniform(-1, 1, (2,), np.float32), uniform(1, 2, (2,), np.float32)),
        {"num": 5, "endpoint": False}),
    Row("linspace", (0.0, 1.0), {"num": 5, "retstep": True}, grad=False, check_dtype=False,
        why="Keras's step for Python endpoints is a Python float, ours a 0-d tensor"),
    Row("logspace", (0.0, 2.0), {"num": 3}, grad=False),
    Row("logspace", (0.0, 3.0), {"num": 4, "base": 2, "endpoint": False}, grad=False),
    Row("logspace", (uniform(0, 1, (2,), np.float32), uniform(1, 2, (2,), np.float32)),
        {"num": 3}),
    Row("geomspace", (1.0, 1000.0), {"num": 4}, grad=False),
    Row("geomspace", (1, 100), {"num": 3}, grad=False),
    Row("geomspace", (-2.0, -0.5), {"num": 5}, grad=False),
    Row("geomspace", (uniform(1, 2, (2,), np.float32), uniform(3, 4, (2,), np.float32)),
        {"num": 3}),
    Row("geomspace", (2.0, 32.0), {"num": 4, "endpoint": False, "dtype": "float64"},
        grad=False),
    Row("meshgrid", (uniform(-1, 1, (3,)), uniform(-1, 1, (2,)))),
    Row("meshgrid", (uniform(-1, 1, (3,)), uniform(-1, 1, (4,))), {"indexing": "ij"}),
    Row("bartlett", (5,), grad=False),
    Row("blackman", (6,), grad=False),
    Row("hamming", (5,), grad=False),
    Row("hanning", (7,), grad=False),
    Row("kaiser", (6, 3.5), grad=False),
    Row("vander", (uniform(-2, 2, (3,), np.float32),), grad=False, why=WHY_VANDER),
    Row("vander", (np.array([0.0, 1.5, -2.0]),), {"N": 4, "increasing": True}, grad=False,
        rtol=1e-6, why="Keras casts vander's float64 result to float32; " + WHY_VANDER),
    Row("vander", (np.array([1, 2, 3], np.int32),), grad=False),
])  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_parity_with_keras(row):
    check_row(row)


@pytest.mark.parametrize(
    "call",
    [
        lambda o: o.empty((2, 3)),
        lambda o: o.empty((4,), dtype="int32"),
        lambda o: o.empty_like(np.zeros((2, 5), np.float64)),
        lambda o: o.empty_like(np.zeros(3, np.int32), dtype="float32"),
    ],
)
def test_empty_has_keras_shape_and_dtype(call):
    # empty's values are whatever memory held (torch) or zeros (here): only shape and dtype
    # are part of its contract.
    keras, _ = require_keras()
    ours, theirs = call(ops), call(keras.ops)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


def test_vander_gradient_is_the_power_rule():
    # d/dx_i of sum_k w_ik x_i**k is sum_k k w_ik x_i**(k-1), also at x = 0 (where a pow's
    # gradient, k * x**(k-1) * log-free, must not turn into nan).
    import nnscratch as ns

    x = ns.tensor([0.0, 1.5, -2.0], dtype=ns.float64, requires_grad=True)
    w = rng.standard_normal((3, 4))
    (ops.vander(x, N=4, increasing=True) * ns.tensor(w)).sum().backward()
    k = np.arange(4)
    expected = (w[:, 1:] * k[1:] * x.detach().numpy()[:, None] ** (k[1:] - 1)).sum(axis=1)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


def test_geomspace_and_logspace_of_powers_of_ten_are_exact():
    # Exact powers are representable, and Keras (torch) gives them exactly; geomspace's
    # range is worked in float64 and rounded once, not built from float32 logs and powers.
    keras, _ = require_keras()
    expected = np.array([1.0, 10.0, 100.0, 1000.0], np.float32)
    for fn, args in (("geomspace", (1, 1000)), ("logspace", (0.0, 3.0))):
        theirs = getattr(keras.ops, fn)(*args, num=4).numpy()
        np.testing.assert_array_equal(theirs, expected)
        np.testing.assert_array_equal(getattr(ops, fn)(*args, num=4).numpy(), expected)


def test_linspace_along_another_axis_is_numpys():
    # Keras's torch backend refuses axis != 0; NumPy (and Keras's other backends) put the
    # range along ``axis``.
    start, stop = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    out = ops.linspace(start, stop, num=3, axis=1, dtype="float64")
    np.testing.assert_allclose(out.numpy(), np.linspace(start, stop, num=3, axis=1), rtol=1e-12)


def test_every_name_is_the_module_function():
    for name in creation.__all__:
        assert getattr(ops, name) is getattr(creation, name), name
        assert getattr(ops.numpy, name) is getattr(creation, name), name


def test_each_name_has_a_parity_row():
    assert set(creation.__all__) <= {row.name for row in ROWS} | {"empty", "empty_like"}


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ops.vander(np.ones((2, 2))), "vander"),
        (lambda: ops.meshgrid(np.ones(2), indexing="yx"), "meshgrid"),
    ],
)
def test_bad_input_names_the_function(call, match):
    with pytest.raises(ValueError, match=match):
        call()
