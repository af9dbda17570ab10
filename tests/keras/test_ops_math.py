"""``keras.ops`` math and linalg parts against real Keras 3 (torch backend): values, dtypes and
input gradients, row by row (``tests/keras_ops_parity.py``), plus the error messages."""

from __future__ import annotations

import numpy as np
import pytest
from keras_ops_parity import Row, check_row, numbered

from nnscratch.keras import ops
from nnscratch.keras.ops import linalg as ops_linalg
from nnscratch.keras.ops import math as ops_math

rng = np.random.default_rng(7)


def f64(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def spd(*shape):
    m = rng.standard_normal(shape)
    return m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])


def lower(n):
    return np.tril(rng.standard_normal((n, n)), -1) + np.diag(rng.uniform(1, 2, n))


# Keras's segment reductions run in float32 (``data.float()``) and cast back.
IN_FLOAT32 = {"rtol": 2e-6, "why": "Keras computes in float32"}
IDS = np.array([0, 2, 0, 1, 2, 2])

MATH_ROWS = [
    Row("erf", (f64(3, 4),)),
    Row("erf", (f32(3, 4),)),
    Row("erfc", (np.array([-2.5, -0.3, 0.0, 0.4, 0.6, 1.5, 3.0, 5.0, 9.0]),)),
    Row("erfc", (f32(2, 3),)),
    Row("erfc", (2.0,), grad=False, why="a Python number (0-d) has no gradient"),
    Row("erfinv", (rng.uniform(-0.95, 0.95, (3, 4)),)),
    Row(
        "erfinv",
        (np.array([-0.9999, -0.5, 0.0, 0.3, 0.999]),),
        rtol=1e-11,
        why="near +-1 erfinv's slope magnifies erf's last-bit error",
    ),  # fmt: skip
    Row("erfinv", (rng.uniform(-0.9, 0.9, 5).astype(np.float32),)),
    Row("rsqrt", (rng.uniform(0.2, 3, (3, 4)),)),
    Row("logsumexp", (f64(3, 4),)),
    Row("logsumexp", (f64(3, 4, 2),), {"axis": 1, "keepdims": True}),
    Row("logsumexp", (f32(3, 4),), {"axis": (0, 1)}),
    Row("top_k", (f64(3, 6), 3)),
    Row("top_k", (f64(2, 5), 2), {"sorted": True}),
    Row("in_top_k", (np.array([0, 3, 1]), f64(3, 5), 2), grad=False),
    Row("segment_sum", (f32(6, 3), IDS)),
    Row("segment_sum", (f64(6, 3), IDS), {"num_segments": 4}, **IN_FLOAT32),
    Row("segment_sum", (f32(6), np.array([0, -1, 1, 5, 1, 0])), {"num_segments": 3}),
    Row("segment_max", (f32(6, 3), IDS)),
    Row(
        "segment_max",
        (f32(6, 2), IDS),
        {"num_segments": 4},
        grad=False,
        why="segment 3 is empty (-inf), where torch's gradient is NaN",
    ),  # fmt: skip
    Row("segment_min", (f32(6, 3), IDS)),
    Row("segment_prod", (f32(6, 2), IDS)),
    Row("extract_sequences", (f64(2, 10), 4, 2)),
    Row("extract_sequences", (f64(3, 9), 3, 3)),
    Row("logdet", (spd(2, 3, 3),)),
    Row("cdist", (f64(4, 3), f64(5, 3))),
    Row("cdist", (f64(2, 4, 3), f64(2, 2, 3))),
    Row("fft", (f64(3, 8), f64(3, 8)), call=lambda o, re, im: o.fft((re, im))),
    Row("fft", (f32(5), f32(5)), call=lambda o, re, im: o.fft((re, im))),
    Row("fft2", (f64(2, 4, 6), f64(2, 4, 6)), call=lambda o, re, im: o.fft2((re, im))),
    Row("ifft2", (f64(3, 5), f64(3, 5)), call=lambda o, re, im: o.ifft2((re, im))),
    Row("rfft", (f64(3, 8),)),
    Row("rfft", (f64(2, 7),), {"fft_length": 10}),
    Row("rfft", (f32(2, 9),), {"fft_length": 6}),
    Row("irfft", (f64(3, 5), f64(3, 5)), call=lambda o, re, im: o.irfft((re, im))),
    Row("irfft", (f64(2, 4), f64(2, 4)), call=lambda o, re, im: o.irfft((re, im), 7)),
    Row("irfft", (f64(2, 6), f64(2, 6)), call=lambda o, re, im: o.irfft((re, im), fft_length=8)),
    Row("stft", (f64(2, 20), 8, 4, 8)),
    Row("stft", (f64(20), 6, 3, 8), {"window": "hamming", "center": False}),
    Row("stft", (f32(2, 3, 16), 8, 2, 16), {"window": None}),
    Row("istft", (f64(2, 6, 5), f64(2, 6, 5)), call=lambda o, re, im: o.istft((re, im), 8, 4, 8)),
    Row(
        "istft",
        (f64(7, 5), f64(7, 5)),
        call=lambda o, re, im: o.istft((re, im), 6, 3, 8, length=18, window="hamming"),
    ),  # fmt: skip
    Row(
        "istft",
        (f64(2, 5, 5), f64(2, 5, 5)),
        call=lambda o, re, im: o.istft((re, im), 8, 4, 8, center=False, window=None),
    ),  # fmt: skip
]

LINALG_ROWS = [
    Row("cholesky", (spd(4, 4),)),
    Row("cholesky", (spd(2, 3, 3),), {"upper": True}),
    Row("cholesky_inverse", (lower(4),)),
    Row("cholesky_inverse", (lower(3).T,), {"upper": True}),
    Row(
        "cholesky_inverse",
        (f64(3, 3) + 3 * np.eye(3),),
        grad=False,
        why="only the lower triangle is read; torch's gradient on the rest is its own formula's",
    ),
    Row("det", (f64(2, 3, 3),)),
    Row("inv", (spd(3, 3) + f64(3, 3),)),
    Row("solve", (spd(3, 3) + f64(3, 3), f64(3, 2))),
    Row("solve", (spd(2, 4, 4), f64(2, 4, 1))),
    Row("solve_triangular", (spd(3, 3), f64(3, 2)), {"lower": True}),
    Row("solve_triangular", (spd(3, 3), f64(3))),
    Row(
        "eigh",
        (spd(4, 4),),
        grad=False,
        call=lambda o, x: [t.abs() for t in o.eigh(x)],
        why="eigenvector signs are LAPACK's choice; no gradient through them",
    ),
    Row(
        "svd",
        (f64(4, 3),),
        grad=False,
        call=lambda o, x: [t.abs() for t in o.svd(x)],
        why="signs of singular vectors are LAPACK's choice; no gradient through them",
    ),
    Row(
        "svd",
        (f64(3, 5),),
        grad=False,
        call=lambda o, x: [t.abs() for t in o.svd(x, full_matrices=False)],
        why="as above",
    ),
    Row("svd", (f64(2, 4, 3),), {"compute_uv": False}),
    Row("lstsq", (f64(5, 3), f64(5, 2))),
    Row("lstsq", (f64(5, 3), f64(5))),
    Row("pinv", (f64(5, 3),)),
    Row("pinv", (f64(2, 4),)),
    Row("lu_factor", (f64(4, 4),)),
    Row("lu_factor", (f64(2, 3, 3),)),
    Row("matrix_rank", (np.outer(f64(4), f64(3)) + np.outer(f64(4), f64(3)),), grad=False),
    Row("matrix_rank", (f64(3, 3), 0.5), grad=False),
    Row("norm", (f64(3, 4),), rtol=2e-6, why="Keras returns float32 for float64"),
    Row("norm", (f32(3, 4),), {"ord": 1, "axis": 1}),
    Row("norm", (f32(3, 4),), {"ord": "fro", "axis": (0, 1), "keepdims": True}),
    Row("norm", (f32(2, 3, 4),), {"ord": np.inf, "axis": -1}),
    Row("qr", (f64(5, 3),)),
    Row("qr", (f64(2, 4, 4),)),
    Row("qr", (f64(3, 5),)),
    Row(
        "qr",
        (f64(5, 3),),
        {"mode": "complete"},
        grad=False,
        why="torch has no QR gradient for mode='complete' with more rows than columns",
    ),  # fmt: skip
]

ROWS = numbered(MATH_ROWS + LINALG_ROWS)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_parity_with_keras(row):
    check_row(row)


@pytest.mark.parametrize("name", sorted({row.name for row in MATH_ROWS}))
def test_every_math_name_is_the_math_modules(name):
    assert getattr(ops, name) is getattr(ops_math, name)
    assert name in ops_math.__all__


@pytest.mark.parametrize("name", sorted({row.name for row in LINALG_ROWS}))
def test_every_linalg_name_is_the_linalg_modules(name):
    assert getattr(ops, name) is getattr(ops_linalg, name)
    assert getattr(ops.linalg, name) is getattr(ops_linalg, name)
    assert name in ops_linalg.__all__


UNSUPPORTED = {"view_as_complex": "complex", "view_as_real": "complex", "eig": "complex",
               "jvp": "forward-mode", "polar": "complex"}  # fmt: skip


def test_every_exported_name_has_a_row():
    names = {row.name for row in ROWS} | set(UNSUPPORTED)
    assert set(ops_math.__all__) <= names
    assert set(ops_linalg.__all__) <= names


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_what_nnscratch_cannot_express_says_so(name):
    with pytest.raises(NotImplementedError, match=f"keras.ops.{name}: .*{UNSUPPORTED[name]}"):
        getattr(ops, name)(*([None] * (3 if name == "jvp" else 2 if name == "polar" else 1)))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: ops.erf("x"), TypeError, "keras.ops.erf: expected x to be a tensor"),
        (lambda: ops.top_k(np.ones((2, 3)), 4), ValueError, "keras.ops.top_k: k=4 is out of range"),
        (
            lambda: ops.segment_sum(np.ones((3, 2)), [0, 1]),
            ValueError,
            "keras.ops.segment_sum: segment_ids must be 1-D with data's first size",
        ),
        (
            lambda: ops.extract_sequences(np.ones(4), 5, 1),
            ValueError,
            "keras.ops.extract_sequences: need 1 <= sequence_length <= 4",
        ),
        (
            lambda: ops.cdist(np.ones((2, 3)), np.ones((2, 4))),
            ValueError,
            "keras.ops.cdist: expected inputs of rank >= 2 with the same last size",
        ),
        (
            lambda: ops.fft(np.ones(3)),
            ValueError,
            r"keras.ops.fft: expected x to be a \(real, imag\)",
        ),
        (
            lambda: ops.fft((np.ones(3), np.ones(4))),
            ValueError,
            "keras.ops.fft: real and imag must have the same shape",
        ),
        (
            lambda: ops.fft2((np.ones(3), np.ones(3))),
            ValueError,
            "keras.ops.fft2: expected rank >= 2",
        ),
        (
            lambda: ops.stft(np.ones(10), 8, 2, 4),
            ValueError,
            r"keras.ops.stft: fft_length \(4\) must be at least sequence_length \(8\)",
        ),
        (
            lambda: ops.stft(np.ones(10), 4, 2, 4, window="kaiser"),
            ValueError,
            "keras.ops.stft: window must be 'hann' or 'hamming'",
        ),
        (lambda: ops.det(np.ones((2, 3))), ValueError, r"keras.ops.det: expected square matrices"),
        (
            lambda: ops.cholesky(-np.eye(2)),
            ValueError,
            "keras.ops.cholesky: the input is not symmetric positive-definite",
        ),
        (lambda: ops.qr(np.ones((2, 2)), mode="r"), ValueError, "keras.ops.qr: mode must be"),
        (
            lambda: ops.pinv(np.ones((3, 2))),
            NotImplementedError,
            "keras.ops.pinv: nnscratch computes it for full-rank matrices only",
        ),
        (lambda: ops.svd(np.ones(3)), ValueError, r"keras.ops.svd: expected matrices"),
    ],
)
def test_bad_input_names_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()
