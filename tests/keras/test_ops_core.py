"""``keras.ops`` core part against real Keras 3 (torch backend): conversions, slices and
scatters, and the eagerly run control flow, with gradients through every loop step."""

from __future__ import annotations

import numpy as np
import pytest
from keras_ops_parity import Row, check_row, numbered, require_keras

from nnscratch.autograd.tensor import Tensor
from nnscratch.keras import ops
from nnscratch.keras.ops import core as ops_core

rng = np.random.default_rng(3)


def f64(*shape):
    return rng.standard_normal(shape)


# Keras's torch backend combines "max", "min" and "mul" in place: torch cannot backpropagate it.
IN_PLACE = "Keras's own gradient fails (an in-place update)"


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _log1pexp(x):
    e = x.exp()
    return (e + 1.0).log(), lambda *inputs, upstream: upstream * (1.0 - 1.0 / (e + 1.0))


def _made_up(x, y):
    """A product whose gradient is declared, not derived: (2, 3) times the upstream."""
    return x * y, lambda x, y, upstream: (upstream * 2.0, upstream * 3.0)


def _scaled_by_a_constant(x, scale):
    """``x * scale`` whose ``grad_fn`` gives ``scale`` no gradient (None), as Keras allows."""
    return x * scale, lambda x, scale, upstream: (upstream * scale, None)


def _while(o, x):
    return o.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * v + 0.5), (0, x))[1]


def _scan(o, x):
    return o.scan(lambda c, row: (c * row + 1.0, c - row), x[0], x[1:])


ROWS = numbered(
    [
        Row("cast", (f64(2, 3), "float32")),
        Row("cast", (f64(2, 3) * 3, "int32"), grad=False),
        Row("cast", (np.array([0, 2, -1]), "bool"), grad=False),
        Row("convert_to_tensor", ([1.0, 2.5],), grad=False),
        Row("convert_to_tensor", ([[1, 2], [3, 4]],), grad=False),
        Row("convert_to_tensor", (f64(2, 2),), {"dtype": "float32"}),
        Row("convert_to_numpy", (f64(2, 3),), grad=False),
        Row("stop_gradient", (f64(3),), call=lambda o, x: o.stop_gradient(x) * x),
        Row("saturate_cast", (np.array([-300.0, -2.7, 0.5, 130.0, 1e10]), "int8"), grad=False),
        Row("saturate_cast", (np.array([-3.0, 7.9, 300.0]), "uint8"), grad=False),
        Row("saturate_cast", (np.array([-1e6, 3.5, 7e4]), "float16"), grad=False),
        Row("slice", (f64(4, 5), [1, 2], [2, 3])),
        Row("slice", (f64(3, 4, 2), (0, 1, 1), (3, 2, 1))),
        Row("slice_update", (f64(4, 5), [1, 2], f64(2, 3))),
        Row("slice_update", (f64(3, 4), (0, 0), f64(3, 1))),
        Row("scatter", (np.array([[0, 1], [2, 0], [0, 1]]), f64(3), (3, 2))),
        Row("scatter", (np.array([[1], [3]]), f64(2, 3), (4, 3))),
        Row("scatter_update", (f64(4, 3), np.array([[0, 1], [3, 2]]), f64(2))),
        Row("scatter_update", (f64(4, 3), np.array([[1], [2]]), f64(2, 3))),
        Row(
            "scatter_update",
            (f64(4, 3), np.array([[0, 1], [3, 2], [0, 1]]), f64(3)),
            {"reduction": "add"},
        ),  # fmt: skip
        Row(
            "scatter_update",
            (f64(4, 3), np.array([[0, 1], [3, 2]]), f64(2)),
            {"reduction": "max"},
            grad=False,
            why=IN_PLACE,
        ),  # fmt: skip
        Row(
            "scatter_update",
            (f64(4, 3), np.array([[0, 1], [3, 2]]), f64(2)),
            {"reduction": "min"},
            grad=False,
            why=IN_PLACE,
        ),  # fmt: skip
        Row(
            "scatter_update",
            (f64(4, 3), np.array([[0, 1], [3, 2]]), f64(2)),
            {"reduction": "mul"},
            grad=False,
            why=IN_PLACE,
        ),  # fmt: skip
        Row("unstack", (f64(3, 2),)),
        Row("unstack", (f64(2, 3, 2),), {"axis": 1, "num": 3}),
        Row("cond", (f64(3),), call=lambda o, x: o.cond(True, lambda: x * 2.0, lambda: x - 1.0)),
        Row("cond", (f64(3),), call=lambda o, x: o.cond(False, lambda: x * 2.0, lambda: x * x)),
        Row("switch", (f64(3),), call=lambda o, x: o.switch(1, [lambda v: v, lambda v: v * v], x)),
        Row(
            "switch", (f64(3),), call=lambda o, x: o.switch(5, [lambda v: v, lambda v: v * 3.0], x)
        ),
        Row("fori_loop", (f64(3),), call=lambda o, x: o.fori_loop(0, 3, lambda i, v: v * x + i, x)),
        Row("while_loop", (f64(3),), call=_while),
        Row(
            "while_loop",
            (f64(2),),
            call=lambda o, x: o.while_loop(
                lambda v: True, lambda v: v * 1.5, x, maximum_iterations=4
            ),
        ),  # fmt: skip
        Row("scan", (f64(5, 2),), call=_scan),
        Row(
            "scan",
            (f64(4, 3),),
            call=lambda o, x: o.scan(lambda c, r: (c + r, None), x[0], x, reverse=True),
        ),
        Row("scan", (f64(3),), call=lambda o, x: o.scan(lambda c, _: (c * 2.0, c), x, length=3)),
        # Keras's torch backend interleaves into float32 zeros: float32 inputs keep dtypes equal.
        Row(
            "associative_scan",
            (f32(6, 2),),
            call=lambda o, x: o.associative_scan(lambda a, b: a + b, x),
        ),
        Row(
            "associative_scan",
            (f32(2, 5),),
            call=lambda o, x: o.associative_scan(lambda a, b: a * b, x, reverse=True, axis=1),
        ),  # fmt: skip
        Row("map", (f64(4, 3),), call=lambda o, x: o.map(lambda r: r * r + 1.0, x)),
        Row("map", (f64(4, 3), f64(4)), call=lambda o, x, y: o.map(lambda p: p[0] * p[1], (x, y))),
        Row("custom_gradient", (f64(5),), call=lambda o, x: o.custom_gradient(_log1pexp)(x)),
        Row(
            "custom_gradient",
            (f64(3), f64(3)),
            call=lambda o, x, y: o.custom_gradient(_made_up)(x, y),
        ),
        Row(
            "custom_gradient",
            (f64(3), f64(3)),
            call=lambda o, x, y: o.custom_gradient(_scaled_by_a_constant)(x, y),
        ),
        Row(
            "vectorized_map",
            (f64(4, 3),),
            call=lambda o, x: o.vectorized_map(lambda r: r * 2.0 - r * r, x),
        ),
    ]
)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_parity_with_keras(row):
    check_row(row)


def test_dtype_shape_and_is_tensor_agree_with_keras():
    keras, torch = require_keras()
    # Python scalars left out: conversion.as_tensor gives them shape (1,) (np.ascontiguousarray).
    for value in ([1.0, 2.0], [1, 2], [True], np.zeros((2, 3)), np.zeros(2, np.int64)):
        ours, theirs = ops.convert_to_tensor(value), keras.ops.convert_to_tensor(value)
        assert ops.dtype(ours) == keras.ops.dtype(theirs), value
        assert ops.shape(ours) == tuple(keras.ops.shape(theirs)), value
    assert ops.is_tensor(ops.convert_to_tensor([1.0])) and not ops.is_tensor(np.ones(2))
    assert keras.ops.is_tensor(keras.ops.convert_to_tensor([1.0]))
    assert isinstance(ops.convert_to_numpy(ops.convert_to_tensor([1.0])), np.ndarray)


def test_stop_gradient_takes_a_variable_value():
    class Holder:
        value = Tensor(np.ones(2), requires_grad=True)

    assert not ops.stop_gradient(Holder()).requires_grad


NAMES = [
    "cast", "convert_to_tensor", "convert_to_numpy", "dtype", "is_tensor", "shape",
    "stop_gradient", "saturate_cast", "slice", "slice_update", "scatter", "scatter_update",
    "unstack", "cond", "switch", "fori_loop", "while_loop", "scan", "associative_scan", "map",
    "vectorized_map", "custom_gradient",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_the_core_modules(name):
    assert getattr(ops, name) is getattr(ops_core, name)
    assert name in ops_core.__all__


def test_every_exported_name_is_tested():
    assert set(ops_core.__all__) == set(NAMES)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: ops.cast(object(), "float32"),
            TypeError,
            "keras.ops.cast: expected x to be a tensor",
        ),
        (
            lambda: ops.convert_to_tensor([1.0], sparse=True),
            ValueError,
            "keras.ops.convert_to_tensor: no sparse",
        ),
        (
            lambda: ops.slice(np.ones((2, 3)), [0], [1]),
            ValueError,
            "keras.ops.slice: expected 2 start indices",
        ),
        (
            lambda: ops.slice_update(np.ones((2, 3)), [0, 0], np.ones(2)),
            ValueError,
            "keras.ops.slice_update: expected updates and start_indices of rank 2",
        ),
        (
            lambda: ops.scatter_update(np.ones(3), np.array([[0]]), np.ones(1), reduction="div"),
            ValueError,
            "keras.ops.scatter_update: reduction must be",
        ),
        (lambda: ops.unstack(np.ones((2, 3)), num=3), ValueError, "keras.ops.unstack: num=3"),
        (lambda: ops.scan(lambda c, x: (c, x), 0.0), ValueError, "keras.ops.scan: give xs"),
        (lambda: ops.map(3, np.ones(2)), TypeError, "keras.ops.map: f must be callable"),
        (lambda: ops.fori_loop(0, 2, None, 0), TypeError, "keras.ops.fori_loop: body_fun must be"),
    ],
)
def test_bad_input_names_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()
