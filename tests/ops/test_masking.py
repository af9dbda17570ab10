"""Masked gradients: ``keep_where``/``zero_where`` equal ``np.where`` bit for bit, and the ops
that use them (ReLU, clamp, where, maximum, max pooling) keep torch's backward on arrays large
enough for the bitwise path, with inf and NaN in the incoming gradient."""

import numpy as np
import pytest
from parity import require_torch
from tolerance import assert_close

import nnscratch as ns
from nnscratch.ops import masking

LARGE = 4 * masking._SMALL  # above the size where np.where is used directly


def _hostile(rng, shape, dtype, minus_inf=True):
    """Random values with inf, -inf, NaN and -0.0 sprinkled in (-inf optional: where two
    gradients meet, inf + -inf is NaN with a RuntimeWarning, in NumPy as in C)."""
    g = rng.standard_normal(shape).astype(dtype)
    flat = g.reshape(-1)
    flat[::7], flat[5::13], flat[2::17] = np.inf, np.nan, -0.0
    if minus_inf:
        flat[3::11] = -np.inf
    return g


def _same_bits(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype
    assert np.array_equal(a.view(np.uint8), b.view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("size", [10, LARGE])
def test_keep_and_zero_where_equal_np_where_bit_for_bit(dtype, size):
    rng = np.random.default_rng(size)
    grad, mask = _hostile(rng, (size,), dtype), rng.random(size) < 0.5
    _same_bits(masking.keep_where(mask, grad), np.where(mask, grad, 0))
    _same_bits(masking.zero_where(mask, grad), np.where(mask, 0, grad))


def test_keep_where_writes_a_strided_out_and_broadcasts_grad():
    rng = np.random.default_rng(0)
    grad = _hostile(rng, (64, 80), np.float32).T  # transposed: not C-ordered
    mask = rng.random((3, 80, 64)) < 0.5
    out = np.full((3, 80, 2, 64), 7, np.float32)[:, :, 1, :]  # a strided view
    result = masking.keep_where(mask, grad, out=out)
    assert np.shares_memory(result, out)
    _same_bits(np.ascontiguousarray(out), np.where(mask, grad, 0).astype(np.float32))


def test_a_mask_smaller_than_grad_falls_back_to_np_where():
    rng = np.random.default_rng(1)
    grad, mask = _hostile(rng, (8, LARGE), np.float32), rng.random(LARGE) < 0.5
    _same_bits(masking.keep_where(mask, grad), np.where(mask, grad, 0))


# ---- the ops, on large arrays, against torch ------------------------------------------------

OPS = {
    "relu": lambda lib, x: lib.relu(x),
    "clamp": lambda lib, x: lib.clamp(x, -0.5, 0.7),
    "where": lambda lib, x: lib.where(x > 0.2, x, x * 3),
    "maximum": lambda lib, x: lib.maximum(x, x.flip(0) if lib is not ns else x[::-1]),
    "max_pool2d": lambda lib, x: lib.nn.functional.max_pool2d(x.reshape(8, 4, 16, -1), 2),
    "max_pool2d 3x3 stride 2": lambda lib, x: lib.nn.functional.max_pool2d(
        x.reshape(8, 4, 16, -1), 3, 2
    ),
}


@pytest.mark.parametrize("name", OPS)
def test_large_masked_backward_matches_torch_with_non_finite_gradients(name):
    torch = require_torch()
    rng = np.random.default_rng(2)
    x = rng.standard_normal((32, 128)).astype(np.float32)
    x[0, :4] = 0.0  # ReLU's and clamp's edges
    ours = ns.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    y_ours, y_theirs = OPS[name](ns, ours), OPS[name](torch, theirs)
    np.testing.assert_array_equal(y_ours.detach().numpy(), y_theirs.detach().numpy())
    g = _hostile(rng, tuple(y_ours.shape), np.float32, minus_inf=False)
    y_ours.backward(ns.tensor(g))
    y_theirs.backward(torch.tensor(g))
    # (overlapping pooling windows sum their gradients in another order than torch)
    assert_close(ours.grad.numpy(), theirs.grad.numpy())
