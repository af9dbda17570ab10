"""Parity of ``keras.ops``' reductions and statistics against real ``keras.ops`` on the torch
backend: values, dtypes and input gradients, row by row (``tests/keras_ops_parity.py``)."""

import inspect

import numpy as np
import pytest
from keras_ops_parity import Row, check_row, numbered, require_keras

import nnscratch
from nnscratch.keras import ops
from nnscratch.keras.ops import reductions, statistics

rng = np.random.default_rng(2121)

x64 = rng.standard_normal((3, 4, 5))
x32 = rng.standard_normal((4, 5)).astype(np.float32)
m64 = rng.standard_normal((4, 6))
i32 = rng.integers(-5, 6, (4, 5)).astype(np.int32)
i64 = rng.integers(-5, 6, (4, 5)).astype(np.int64)
i8 = rng.integers(-5, 6, (4, 5)).astype(np.int8)
bools = rng.random((4, 5)) > 0.5
ties = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, 1.0, 2.0]])
nans = m64.copy()
nans[0, 1] = nans[2, 3] = nans[2, 0] = np.nan
nans[3, :] = np.nan  # one row of NaNs only

AXES = [
    {}, {"axis": 1}, {"axis": (0, 2)}, {"axis": -1, "keepdims": True},
    {"axis": (0, 1, 2), "keepdims": True},
]  # fmt: skip
INT_INPUTS = [i32, i64, i8, bools]


def _sweep(name, *, grad=True, ints=True, x=x64, axes=AXES):
    rows = [Row(name, (x,), kw, grad=grad) for kw in axes]
    rows.append(Row(name, (x32,), {"axis": 0}, grad=grad))
    if ints:
        rows += [Row(name, (a,), {"axis": 1}, grad=False) for a in INT_INPUTS]
        rows.append(Row(name, (i32,), grad=False))
    return rows


def reduction_rows():
    rows = []
    for name in ("sum", "mean", "prod", "amax", "amin", "max", "min", "ptp", "std", "var"):
        rows += _sweep(name, ints=name not in ("ptp",))
    rows += [
        Row("ptp", (i32,), {"axis": 0}, grad=False),
        Row("argmax", (x64,), {"keepdims": True}, grad=False),
        Row("argmin", (m64,), {"axis": np.int64(1)}, grad=False),
        Row("sum", (x64,), {"axis": [np.int64(0), -1]}),
        Row("amax", (ties,), {"axis": 1}),
        Row("max", (ties,)),
        Row("min", (ties,), {"axis": 0, "keepdims": True}),
        Row("max", (m64,), {"axis": 1, "initial": 0.5}),
        Row("min", (i32,), {"initial": -1}, grad=False),
        Row("sum", (x64,), {"axis": ()}),
        Row("mean", (x64,), {"axis": []}),
        Row("var", (x64,), {"axis": ()}, grad=False),
    ]
    for name in ("argmax", "argmin"):
        rows += [Row(name, (a,), kw, grad=False) for a in (x64, ties, i32, bools)
                 for kw in ({}, {"axis": 0}, {"axis": -1, "keepdims": True})]  # fmt: skip
    for name in ("all", "any"):
        kws = ({}, {"axis": 0}, {"axis": (0, 1), "keepdims": True}, {"axis": ()})
        rows += [Row(name, (a,), kw, grad=False) for a in (bools, i32, np.round(x32)) for kw in kws]
    rows += [
        Row("allclose", (m64, m64 + 1e-9), grad=False),
        Row("allclose", (m64, m64 + 1e-3), grad=False),
        Row("allclose", (m64, m64 + 1e-3), {"atol": 1e-2}, grad=False),
        Row("allclose", (i32, i32), grad=False),
    ]
    rows += [Row("count_nonzero", (a,), kw, grad=False) for a in (i32, bools, np.round(x32))
             for kw in ({}, {"axis": 0}, {"axis": (0, 1)}, {"axis": ()})]  # fmt: skip
    for name in ("cumsum", "cumprod"):
        rows += [Row(name, (m64,), kw) for kw in ({}, {"axis": 0}, {"axis": -1})]
        rows += [
            Row(name, (x32,), {"axis": 1}),
            Row(name, (i32,), {"axis": 1}, grad=False),
            Row(name, (bools,), {"axis": 0}, grad=False),
            Row(name, (m64,), {"axis": 1, "dtype": "float64"}),
            Row(name, (i32,), {"axis": 0, "dtype": "float32"}, grad=False),
        ]
    return rows


def nan_rows():
    rows = []
    for name in ("nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd",
                 "nanmedian"):  # fmt: skip
        # torch's gradient of an all-NaN row's nanmean is NaN (0 / 0), nnscratch's is 0:
        # that row is compared without gradients (test_an_all_nan_row_has_a_zero_gradient).
        grad = name not in ("nanmean", "nanvar", "nanstd")
        rows += [Row(name, (nans,), {"axis": 1}, grad=grad), Row(name, (nans[:3],), {"axis": 1}),
                 Row(name, (nans,), {"axis": 0, "keepdims": True})]  # fmt: skip
        rows.append(Row(name, (m64,), {}))
        rows.append(Row(name, (i32,), {"axis": 1}, grad=False))
    for name in ("nanargmax", "nanargmin"):
        rows += [Row(name, (nans,), {"axis": 1}, grad=False), Row(name, (i32,), grad=False)]
        rows.append(Row(name, (nans[:3],), {"axis": 0, "keepdims": True}, grad=False))
    for name in ("nancumsum", "nancumprod"):
        rows += [Row(name, (nans,), {"axis": 1}), Row(name, (nans[:2],)),
                 Row(name, (i32,), {"axis": 0}, grad=False)]  # fmt: skip
    rows += [
        Row("nanquantile", (nans,), {"q": 0.3, "axis": 1}),
        Row("nanquantile", (nans,), {"q": [0.1, 0.5, 0.9], "axis": 1, "keepdims": True}),
        Row("nanpercentile", (nans,), {"q": 75, "axis": 1}),
        Row("nanpercentile", (nans[:3],), {"q": [20, 60]}),
    ]
    return rows


def statistic_rows():
    rows = []
    for name in ("median", "quantile", "percentile"):
        q = {"median": {}, "quantile": {"q": 0.3}, "percentile": {"q": 30}}[name]
        rows += [Row(name, (a,), {**q, **kw}) for a in (x64, x32[:, :4])
                 for kw in ({}, {"axis": 1}, {"axis": (0, -1), "keepdims": True})]  # fmt: skip
        rows.append(Row(name, (i32,), {**q, "axis": 0}, grad=False))
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        kw = {"q": [0.0, 0.25, 0.5, 0.7, 1.0], "axis": 1, "method": method}
        rows.append(Row("quantile", (m64,), kw))
    rows += [
        Row("quantile", (x64,), {"q": [0.2, 0.8], "axis": 1, "keepdims": True}),
        Row("quantile", (np.array([1.0, np.nan, 3.0]),), {"q": 0.5}),
        Row("percentile", (m64,), {"q": np.array([10.0, 90.0]), "axis": 0}),
        Row("average", (m64,)), Row("average", (m64,), {"axis": 0}),
        Row("average", (m64,), {"axis": 1, "weights": rng.random(6)}),
        Row("average", (i32,), {"axis": 0}, grad=False),
        Row("average", (x32,), {"axis": -1, "weights": rng.random(5).astype(np.float32)}),
        Row("corrcoef", (m64,)), Row("corrcoef", (x32,)),
        Row("corrcoef", (i32,), grad=False), Row("corrcoef", (i64,), grad=False),
        Row("correlate", (rng.standard_normal(7), rng.standard_normal(3))),
        Row("correlate", (rng.standard_normal(5), rng.standard_normal(5)), {"mode": "same"}),
        Row("correlate", (rng.standard_normal(6), rng.standard_normal(3)), {"mode": "full"}),
        Row("correlate", (np.arange(5, dtype=np.int32), np.array([1, 0, -1], np.int32)),
            grad=False),
        Row("trapezoid", (m64,)), Row("trapezoid", (x64,), {"dx": 0.5, "axis": 1}),
        Row("trapezoid", (m64,), {"x": np.sort(rng.random(6))}),
        Row("trapezoid", (x32,), {"axis": 0}),
        Row("trapezoid", (i32,), grad=False),
        Row("histogram", (rng.standard_normal(50).astype(np.float32),), grad=False),
        Row("histogram", (rng.standard_normal(40),), {"bins": 4, "range": (-1.0, 1.0)},
            grad=False),
        Row("bincount", (np.array([0, 1, 1, 3, 5], np.int32),), grad=False),
        Row("bincount", (np.array([0, 1, 1, 3], np.int64),), {"minlength": 7}, grad=False),
        Row("bincount", (np.array([0, 2, 2], np.int32),),
            {"weights": np.array([0.5, 1.0, 2.0], np.float32)}, grad=False),
        Row("bincount", (np.array([[0, 1], [2, 2]], np.int32),), {"minlength": 4}, grad=False),
        Row("digitize", (m64, np.array([-1.0, 0.0, 0.5, 2.0])), grad=False),
        Row("digitize", (i32, np.array([-2, 0, 3])), grad=False),
        Row("digitize", (np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.5, 1.0])), grad=False),
    ]  # fmt: skip
    return rows


# Keras computes these names' float64 input in float32 (its result_type maps float64 to
# float32, or its torch backend casts to float32 before reducing): compared at float32's
# tolerance.
IN_FLOAT32 = {"mean", "prod", "var", "cumsum", "cumprod", "nanmean", "nanvar", "nanstd",
              "nanprod", "nancumsum", "nancumprod", "median", "quantile", "percentile",
              "nanmedian", "nanquantile", "nanpercentile", "average", "correlate"}  # fmt: skip


def _in_float32(row: Row) -> Row:
    if row.name in IN_FLOAT32 and any(getattr(a, "dtype", None) == np.float64 for a in row.args):
        row.rtol, row.why = 1e-6, "Keras computes float64 input in float32"
    return row


ROWS = numbered([_in_float32(r) for r in reduction_rows() + nan_rows() + statistic_rows()])


@pytest.mark.filterwarnings("ignore:.*Tensor.T:UserWarning", "ignore:The use of `x.T`:UserWarning")
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_parity_with_keras(row):
    check_row(row)


def test_signatures_and_defaults_are_keras():
    keras, _ = require_keras()
    for module in (reductions, statistics):
        for name in module.__all__:
            theirs = inspect.signature(getattr(keras.ops, name))
            assert str(inspect.signature(getattr(module, name))) == str(theirs), name


def test_every_name_is_the_module_function():
    for module in (reductions, statistics):
        for name in module.__all__:
            assert getattr(ops, name) is getattr(module, name), name
            assert getattr(ops.numpy, name) is getattr(module, name), name


def test_each_name_has_a_parity_row():
    assert set(reductions.__all__) | set(statistics.__all__) <= {row.name for row in ROWS}


AXIS_CHECKED = ["sum", "mean", "amax", "max", "argmax", "prod", "var", "std", "cumsum",
                "quantile", "nanmean"]  # fmt: skip


@pytest.mark.parametrize("name", AXIS_CHECKED)
def test_an_axis_out_of_range_is_refused_naming_the_function(name):
    # Keras raises torch's IndexError or its own ValueError (quantile): NumPy's AxisError is both
    keras, torch = require_keras()
    extra = {"q": 0.5} if name == "quantile" else {}
    with pytest.raises((IndexError, ValueError)):
        getattr(keras.ops, name)(torch.ones(2, 3), axis=2, **extra)
    for error in (IndexError, ValueError):
        with pytest.raises(error, match=f"{name}: axis 2 is out of range"):
            getattr(ops, name)(np.ones((2, 3)), axis=2, **extra)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda o, t: o.histogram(t.ones(4), bins=-1), "histogram"),
        (lambda o, t: o.histogram(t.ones((2, 2))), "histogram"),
        (lambda o, t: o.histogram(t.ones(4), range=(2.0, 1.0)), "histogram"),
        (lambda o, t: o.bincount(t.ones(3, dtype=t.int32), sparse=True), "bincount"),
        (lambda o, t: o.max(t.ones((0, 2))), "max"),
        (lambda o, t: o.quantile(t.ones(3), 0.5, method="cubic"), "quantile"),
    ],
)
def test_bad_input_is_refused_as_keras_refuses_it(call, match):
    keras, torch = require_keras()
    with pytest.raises((ValueError, RuntimeError)):  # torch's own refusal of the method
        call(keras.ops, torch)
    with pytest.raises(ValueError, match=match):
        call(ops, nnscratch)


@pytest.mark.parametrize("name", ["nanmean", "nanvar", "nanstd"])
def test_an_all_nan_row_has_a_zero_gradient(name):
    # Keras on torch gives NaN gradients there (0 / 0); nnscratch gives 0: the row's value,
    # NaN, does not depend on its entries.
    x = nnscratch.tensor(nans, requires_grad=True)
    out = getattr(ops, name)(x, axis=1)
    assert np.isnan(out.detach().numpy()[3])
    out.nansum().backward() if hasattr(out, "nansum") else ops.nansum(out).backward()
    assert np.all(x.grad.numpy()[3] == 0)
