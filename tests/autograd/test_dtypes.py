"""dtypes: float32 by default, torch's promotion rules, no silent upcasts."""

import itertools

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns


def test_defaults():
    assert ns.tensor(1.0).dtype == ns.float32
    assert ns.tensor([1.0, 2]).dtype == ns.float32
    assert ns.tensor([1, 2]).dtype == ns.int64
    assert ns.tensor([True]).dtype == ns.bool_
    assert ns.tensor(1.0, dtype=ns.float64).dtype == ns.float64
    assert ns.tensor(np.zeros(2)).dtype == ns.float64  # numpy arrays keep their dtype
    assert ns.zeros(2).dtype == ns.ones(1).dtype == ns.rand(1).dtype == ns.randn(1).dtype
    assert ns.zeros(2).dtype == ns.float32


def test_python_scalars_never_upcast_float32():
    x = ns.ones(3)
    for y in (x * 2.5, 2.5 * x, x + 1, x / 3, x**2, 1 - x, x * np.float64(2.0), x > 0.5):
        assert y.dtype in (ns.float32, ns.bool_)


def test_bad_data_is_a_clear_error():
    with pytest.raises(TypeError, match="cannot make a tensor from list"):
        ns.tensor(["a", "b"])
    with pytest.raises(TypeError, match="unsupported operand of type str"):
        ns.ones(2) * "x"


_DTYPES = ["bool", "int32", "int64", "float32", "float64"]


@pytest.mark.parametrize("left,right", list(itertools.product(_DTYPES, _DTYPES)))
@pytest.mark.parametrize("left_dims,right_dims", [(1, 1), (0, 1), (1, 0)])
def test_promotion_matches_torch(left, right, left_dims, right_dims):
    torch = require_torch()

    def make(lib, dtype, dims):
        value = np.ones((2,) * dims, dtype=dtype)
        return lib.tensor(value) if lib is ns else lib.from_numpy(value)

    ours = make(ns, left, left_dims) + make(ns, right, right_dims)
    theirs = make(torch, left, left_dims) + make(torch, right, right_dims)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


@pytest.mark.parametrize("dtype", _DTYPES)
@pytest.mark.parametrize("scalar", [True, 2, 2.5])
def test_scalar_promotion_matches_torch(dtype, scalar):
    torch = require_torch()
    ours = ns.tensor(np.ones(2, dtype=dtype)) * scalar
    theirs = torch.from_numpy(np.ones(2, dtype=dtype)) * scalar
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


def test_integer_division_is_true_division_in_float32():
    assert (ns.tensor([7]) / ns.tensor([2])).tolist() == [3.5]
    assert (ns.tensor([7]) / 2).dtype == ns.float32


def test_mixed_precision_gradients_come_back_in_each_inputs_dtype():
    a = ns.tensor([1.0, 2.0], dtype=ns.float32, requires_grad=True)
    b = ns.tensor([3.0, 4.0], dtype=ns.float64, requires_grad=True)
    y = (a * b).sum()
    assert y.dtype == ns.float64
    y.backward()
    assert a.grad.dtype == ns.float32 and b.grad.dtype == ns.float64
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]


def test_to_and_casts():
    x = ns.tensor([1.5, -2.5], requires_grad=True)
    d = x.double()
    assert d.dtype == ns.float64 and d.requires_grad
    (d * 2).sum().backward()
    assert x.grad.dtype == ns.float32 and x.grad.tolist() == [2.0, 2.0]
    assert x.long().dtype == ns.int64 and not x.long().requires_grad
    assert x.to(ns.float32) is x
    with pytest.raises(RuntimeError, match="unknown device type 'not-a-dtype'"):
        x.to("not-a-dtype")  # a string names a device, as in torch
    with pytest.raises(TypeError, match="expected a dtype"):
        x.to(object())
