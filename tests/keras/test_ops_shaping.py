"""Parity of ``keras.ops``' shape functions (reshape, transpose, join, split, pad, flip...)
against real ``keras.ops`` on the torch backend: values, dtypes and input gradients
(``tests/keras_ops_parity.py``), plus their errors."""

import numpy as np
import pytest
from keras_ops_parity import Row, check_row, numbered

from nnscratch.keras import ops
from nnscratch.keras.ops import shaping

rng = np.random.default_rng(2102)


def r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def ints(*shape):
    return rng.integers(-5, 5, shape).astype(np.int32)


ROWS = numbered([
    Row("append", (r(2, 3), r(2, 3))),
    Row("append", (r(2, 3), r(1, 3)), {"axis": 0}),
    Row("append", (ints(3), r(2, dtype=np.float32))),
    Row("array_split", (r(7),), {"indices_or_sections": 3}),
    Row("array_split", (r(2, 7), 3), {"axis": 1}),
    Row("broadcast_to", (r(3), (2, 3))),
    Row("broadcast_to", (r(2, 1), (3, 2, 4))),
    Row("concatenate", (r(2, 3), r(2, 2)), call=lambda o, a, b: o.concatenate([a, b], axis=1)),
    Row("concatenate", (r(2, 3), r(1, 3)), call=lambda o, a, b: o.concatenate([a, b])),
    Row("concatenate", (ints(2, 2), r(2, 2, dtype=np.float32)),
        call=lambda o, a, b: o.concatenate([a, b], axis=-1)),
    Row("copy", (r(2, 3),)),
    Row("dsplit", (r(2, 2, 4), 2)),
    Row("dstack", (r(2, 3), r(2, 3)), call=lambda o, a, b: o.dstack([a, b])),
    Row("dstack", (r(3), r(3)), call=lambda o, a, b: o.dstack([a, b])),
    Row("expand_dims", (r(2, 3), 1)),
    Row("expand_dims", (r(2, 3), (0, -1))),
    Row("flip", (r(2, 3, 2),)),
    Row("flip", (r(2, 3), 1)),
    Row("flip", (r(2, 3, 2), (0, 2))),
    Row("fliplr", (r(2, 3),)),
    Row("flipud", (r(3, 2),)),
    Row("hsplit", (r(2, 6), 3)),
    Row("hsplit", (r(6), [1, 4])),
    Row("hstack", (r(2, 3), r(2, 1)), call=lambda o, a, b: o.hstack([a, b])),
    Row("hstack", (r(3), r(2)), call=lambda o, a, b: o.hstack([a, b])),
    Row("moveaxis", (r(2, 3, 4), 0, -1)),
    Row("moveaxis", (r(2, 3, 4), [0, 1], [2, 0])),
    Row("ndim", (r(2, 3, 4),), grad=False),
    Row("pad", (r(2, 3), ((1, 2), (0, 1)))),
    Row("pad", (r(2, 3), ((1, 1), (2, 0))), {"constant_values": 2.5}),
    Row("pad", (ints(2, 3), ((0, 1), (1, 1))), grad=False),
    Row("pad", (r(2, 4), ((1, 1), (2, 3))), {"mode": "reflect"}),
    Row("pad", (r(2, 3, 4), ((0, 0), (1, 2), (1, 0))), {"mode": "reflect"}),
    Row("pad", (r(3, 4), ((1, 2), (2, 1))), {"mode": "circular"}),
    Row("ravel", (r(2, 3),)),
    Row("repeat", (r(2, 3), 2)),
    Row("repeat", (r(2, 3), 2), {"axis": 1}),
    Row("repeat", (r(2, 3), np.array([1, 3])), {"axis": 0}),
    Row("reshape", (r(2, 3), (3, -1))),
    Row("reshape", (r(2, 3), 6)),
    Row("roll", (r(2, 3), 2)),
    Row("roll", (r(2, 3), -1), {"axis": 1}),
    Row("roll", (r(3, 4), (1, 2)), {"axis": (0, 1)}),
    Row("roll", (r(3, 4), np.array(1))),
    Row("rot90", (r(2, 3),)),
    Row("rot90", (r(2, 3),), {"k": 2}),
    Row("rot90", (r(2, 3, 4),), {"k": 3, "axes": (1, 2)}),
    Row("rot90", (r(2, 3, 4),), {"k": -1, "axes": (2, 0)}),
    Row("size", (r(2, 3),), grad=False),
    Row("split", (r(6, 2), 3)),
    Row("split", (r(2, 7), [2, 5]), {"axis": 1}),
    Row("squeeze", (r(1, 3, 1),)),
    Row("squeeze", (r(1, 3, 1),), {"axis": 0}),
    Row("squeeze", (r(1, 3, 1),), {"axis": (0, -1)}),
    Row("stack", (r(2, 3), r(2, 3)), call=lambda o, a, b: o.stack([a, b])),
    Row("stack", (r(2, 3), r(2, 3)), call=lambda o, a, b: o.stack([a, b], axis=-1)),
    Row("stack", (ints(2), r(2)), call=lambda o, a, b: o.stack([a, b], axis=1)),
    Row("swapaxes", (r(2, 3, 4), 0, 2)),
    Row("tile", (r(2, 3), 2)),
    Row("tile", (r(2, 3), (2, 1, 2))),
    Row("transpose", (r(2, 3, 4),)),
    Row("transpose", (r(2, 3, 4), (1, 0, 2))),
    Row("vsplit", (r(4, 2), 2)),
    Row("vstack", (r(3), r(3)), call=lambda o, a, b: o.vstack([a, b])),
    Row("vstack", (r(2, 3), r(1, 3)), call=lambda o, a, b: o.vstack([a, b])),
    Row("view", (ints(2, 4),), {"dtype": "float32"}, grad=False),
    Row("view", (r(2, 2, dtype=np.float32),), {"dtype": "int16"}, grad=False),
])  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_parity_with_keras(row):
    check_row(row)


@pytest.mark.parametrize("mode", ["symmetric", "reflect", "edge", "wrap"])
def test_pad_modes_are_numpys(mode):
    # Keras documents NumPy's modes; its torch backend swaps "symmetric" for "replicate",
    # which NumPy and Keras's other backends do not. The gradient adds up every copy.
    import nnscratch as ns

    x = ns.tensor(r(3, 4), requires_grad=True)
    out = ops.pad(x, ((2, 1), (3, 2)), mode=mode)
    expected = np.pad(x.detach().numpy(), ((2, 1), (3, 2)), mode=mode)
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    out.sum().backward()
    copies = np.pad(np.arange(12).reshape(3, 4), ((2, 1), (3, 2)), mode=mode)
    np.testing.assert_array_equal(x.grad.numpy().ravel(), np.bincount(copies.ravel(), minlength=12))


def test_array_split_at_indices_is_numpys():
    # Keras's front end takes only a number of sections; NumPy also takes split points.
    x = r(2, 7)
    for ours, expected in zip(ops.array_split(x, [2, 5], axis=1), np.array_split(x, [2, 5], 1)):
        np.testing.assert_array_equal(ours.numpy(), expected)


def test_pad_width_forms_are_numpys():
    x = r(2, 3)
    for width in (1, (1, 2), ((1, 2),), [[1], [2]]):
        np.testing.assert_array_equal(ops.pad(x, width).numpy(), np.pad(x, width))


def test_every_name_is_the_module_function():
    for name in shaping.__all__:
        assert getattr(ops, name) is getattr(shaping, name), name
        assert getattr(ops.numpy, name) is getattr(shaping, name), name


def test_each_name_has_a_parity_row():
    assert set(shaping.__all__) <= {row.name for row in ROWS}


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ops.reshape(np.ones((2, 3)), (4, 2)), "reshape: cannot reshape .*6 elements"),
        (lambda: ops.reshape(np.ones((2, 3)), (-1, -1)), "reshape"),
        (lambda: ops.concatenate([np.ones((2, 3)), np.ones((2, 3))], axis=2), "concatenate"),
        (lambda: ops.swapaxes(np.ones((2, 3)), 0, 5), "swapaxes: axis 5"),
        (lambda: ops.expand_dims(np.ones(2), 3), "expand_dims"),
        (lambda: ops.split(np.ones(7), 3), "split: cannot split .* 7 into 3"),
        (lambda: ops.squeeze(np.ones((2, 3)), axis=1), "squeeze: cannot squeeze axis 1"),
        (lambda: ops.broadcast_to(np.ones(3), (2, 4)), "broadcast_to"),
        (lambda: ops.transpose(np.ones((2, 3)), (0, 0)), "transpose"),
        (lambda: ops.pad(np.ones(3), ((1, 1),) * 2), "pad: pad_width"),
        (lambda: ops.pad(np.ones(3), 1, mode="mirror"), "pad: mode"),
        (lambda: ops.pad(np.ones(3), 1, mode="reflect", constant_values=1), "pad"),
        (lambda: ops.vsplit(np.ones(4), 2), "vsplit"),
        (lambda: ops.rot90(np.ones((2, 2)), axes=(1, 1)), "rot90"),
    ],
)
def test_bad_input_names_the_function(call, match):
    with pytest.raises(ValueError, match=match):
        call()
