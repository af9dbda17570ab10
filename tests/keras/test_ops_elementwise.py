"""Parity of ``keras.ops``' elementwise, bitwise, logical and comparison ops against real
``keras.ops`` on the torch backend: values, dtypes and input gradients, row by row
(``tests/keras_ops_parity.py``)."""

import inspect
import math

import numpy as np
import pytest
from keras_ops_parity import Row, check_row, numbered, require_keras

import nnscratch as ns
from nnscratch.keras import ops
from nnscratch.keras.ops import bitwise, elementwise

rng = np.random.default_rng(21)


def uniform(lo, hi, shape=(3, 4), dtype=np.float64):
    return rng.uniform(lo, hi, shape).astype(dtype)


def ints(lo, hi, shape=(3, 4), dtype=np.int32):
    return rng.integers(lo, hi, shape).astype(dtype)


BOOLS = np.array([[True, False, True], [False, False, True]])

# Unary float maths, with the input range where each is defined and smooth.
DOMAINS = {
    "sin": (-3, 3), "cos": (-3, 3), "tan": (-1.2, 1.2), "arcsin": (-0.9, 0.9),
    "arccos": (-0.9, 0.9), "arctan": (-3, 3), "sinh": (-2, 2), "cosh": (-2, 2),
    "tanh": (-2, 2), "arcsinh": (-3, 3), "arccosh": (1.1, 4), "arctanh": (-0.9, 0.9),
    "exp": (-2, 2), "exp2": (-2, 2), "expm1": (-2, 2), "log": (0.1, 3), "log2": (0.1, 3),
    "log10": (0.1, 3), "log1p": (-0.5, 3), "sqrt": (0.1, 3), "reciprocal": (0.5, 3),
    "cbrt": (-3, 3), "deg2rad": (-200, 200), "rad2deg": (-3, 3), "sinc": (-2, 2),
    "i0": (-3, 3), "fabs": (-2, 2), "abs": (-2, 2), "absolute": (-2, 2), "negative": (-2, 2),
    "square": (-2, 2), "sign": (-2, 2), "floor": (-3, 3), "ceil": (-3, 3), "round": (-3, 3),
    "trunc": (-3, 3), "real": (-2, 2), "conj": (-2, 2), "conjugate": (-2, 2), "angle": (-2, 2),
}  # fmt: skip
# Ops whose int input Keras turns into a float (or keeps), checked on int32, int64 and bool.
INT_INPUT = ["sin", "exp", "log", "sqrt", "cbrt", "deg2rad", "rad2deg", "i0", "fabs", "abs",
             "square", "sign", "floor", "ceil", "round", "trunc", "negative", "reciprocal",
             "angle", "real"]  # fmt: skip
BOOL_INPUT = ["exp", "sqrt", "cbrt", "fabs", "abs", "square", "floor", "ceil", "trunc", "sign"]


def unary_rows():
    rows = []
    for name, (lo, hi) in DOMAINS.items():
        rows.append(Row(name, (uniform(lo, hi),)))
        rows.append(Row(name, (uniform(lo, hi, (5,), np.float32),)))
    for name in INT_INPUT:
        lo, hi = DOMAINS[name]
        lo, hi = max(int(math.ceil(lo)), 1 if name in ("log", "reciprocal") else -3), int(hi) + 1
        rows.append(Row(name, (ints(lo, hi),), grad=False))
        rows.append(Row(name, (ints(lo, hi, dtype=np.int64),), grad=False))
    rows += [Row(name, (BOOLS,), grad=False) for name in BOOL_INPUT]
    # Edges: sinc at 0, angle of negatives and NaN, cbrt/i0 farther out, round with decimals.
    rows += [
        Row("sinc", (np.array([0.0, 0.5, -1.5, 2.25]),)),
        Row("angle", (np.array([-1.0, 0.0, 2.0, np.nan, -np.inf]),)),
        Row("i0", (np.array([-12.0, -5.0, 0.0, 0.3, 8.0, 15.0]),)),
        Row("round", (uniform(-30, 30),), {"decimals": 1},
            rtol=1e-14, atol=1e-14, why="torch rounds x * 10 and divides back, like us"),
        Row("round", (ints(-200, 200),), {"decimals": -1}, grad=False),
        Row("arctanh", (np.array([-0.999, -1e-8, 0.0, 1e-9, 0.5, 0.999]),)),
        Row("arcsinh", (np.array([-1e5, -3.0, -1e-9, 0.0, 1e-9, 7.0, 1e6]),)),
        Row("arccosh", (np.array([1.0 + 1e-6, 1.5, 10.0, 1e6]),), rtol=1e-9,
            why="near 1, torch's gradient 1 / sqrt(x * x - 1) loses digits to cancellation"),
        Row("exp2", (np.array([-60.0, -1.5, 0.0, 10.0, 50.0]),)),
    ]  # fmt: skip
    return rows


NAN_INF = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.0])
PREDICATES = ["isnan", "isinf", "isfinite", "isneginf", "isposinf", "isreal", "signbit",
              "logical_not"]  # fmt: skip


def predicate_rows():
    rows = [Row(name, (NAN_INF,), grad=False) for name in PREDICATES]
    rows += [Row(name, (ints(-3, 3),), grad=False) for name in PREDICATES]
    rows += [
        Row("nan_to_num", (NAN_INF,)),
        Row("nan_to_num", (NAN_INF,), {"nan": 1.0, "posinf": 9.0, "neginf": -9.0}),
        Row("nan_to_num", (NAN_INF.astype(np.float32),), {"nan": -1.0}),
        Row("nan_to_num", (ints(-3, 3),), grad=False),
    ]
    return rows


a64, b64 = uniform(-2, 2), uniform(0.5, 2.5)
a32, b32 = uniform(-2, 2, dtype=np.float32), uniform(0.5, 2.5, dtype=np.float32)
row4 = uniform(0.5, 2.5, (4,))
i32, j32 = ints(-5, 6), ints(1, 6)
i64 = ints(-5, 6, dtype=np.int64)

# Binary float maths: float64 pairs with broadcasting, float32, mixed and int operands.
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum",
          "fmax", "fmin", "arctan2", "hypot", "logaddexp", "logaddexp2", "divide_no_nan",
          "power", "mod", "fmod", "floor_divide"]  # fmt: skip
NO_GRAD = {"floor_divide"}


# Keras resolves these ops' dtype with its result_type, which maps float64 to float32: a
# float64 row is computed in float32 there, so it is compared at float32's tolerance.
IN_FLOAT32 = {"arctan2", "hypot", "logaddexp", "logaddexp2", "divide_no_nan"}
WHY_FLOAT32 = "Keras computes float64 input in float32 (its result_type maps 64 to 32 bits)"


def _in_float32(row: Row) -> Row:
    if row.name in IN_FLOAT32 and any(getattr(a, "dtype", None) == np.float64 for a in row.args):
        row.rtol, row.why = 1e-6, WHY_FLOAT32
    return row


def binary_rows():
    rows = []
    for name in BINARY:
        grad = name not in NO_GRAD
        positive = name == "power"  # a negative base to a fractional power is NaN
        left = np.abs(a64) + 0.5 if positive else a64
        rows += [
            Row(name, (left, b64), grad=grad),
            Row(name, (left, row4), grad=grad),
            Row(name, (np.abs(a32) + 0.5, b32), grad=grad),
            Row(name, (np.abs(a32) + 0.5 if positive else a32, b64), grad=grad),
            Row(name, (i32, j32), grad=False),
            Row(name, (i64, j32), grad=False),
            Row(name, (np.abs(i32) if positive else i32, b32), grad=grad),
            Row(name, (np.abs(a64) + 0.5, 2.0), grad=grad),
            Row(name, (np.abs(a32) + 0.5, 2), grad=grad),
            Row(name, (i32, 2.0), grad=False),
            Row(name, (i64, 3), grad=False),
        ]
    rows += [
        Row("add", (BOOLS, BOOLS), grad=False),
        Row("multiply", (BOOLS, 3), grad=False),
        Row("subtract", (BOOLS, ints(-2, 3, (2, 3))), grad=False),
        Row("maximum", (BOOLS, BOOLS), grad=False),
        Row("mod", (BOOLS, np.ones((2, 3), bool)), grad=False),
        Row("fmod", (BOOLS, np.ones((2, 3), bool)), grad=False),
        Row("fmax", (np.array([np.nan, 1.0, np.nan]), np.array([2.0, np.nan, np.nan]))),
        Row("fmin", (np.array([np.nan, 1.0, np.nan]), np.array([2.0, np.nan, np.nan]))),
        Row("divide_no_nan", (a64, np.array([0.0, 1.5, 0.0, -2.0]))),
        Row("logaddexp", (np.array([-1000.0, 0.0, 800.0]), np.array([-1000.0, 1.0, 790.0]))),
        Row("maximum", (np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0]))),
        Row("floor_divide", (np.array([7.0, -7.0, 7.5, -0.5]), np.array([2.0, 2.0, -2.0, 3.0])),
            grad=False),
        Row("heaviside", (np.array([-1.0, 0.0, 2.0, 0.0]), np.array([0.5, 0.5, 0.5, 3.0])),
            grad=False),
        Row("heaviside", (ints(-2, 3), ints(0, 2)), grad=False),
        Row("heaviside", (a32, 0.5), grad=False),
        Row("heaviside", (BOOLS, BOOLS), grad=False),
        Row("nextafter", (a64, b64), grad=False),
        Row("nextafter", (a32, np.float32(0.0) * a32), grad=False),
        # torch's ldexp gradient is 2 ** x2 in integers: 0 for x2 < 0 (nnscratch's is 2.0 ** x2),
        # so gradients are compared for x2 >= 0 only.
        Row("ldexp", (a64, ints(0, 4, dtype=np.int32))),
        Row("ldexp", (a32, ints(0, 4, dtype=np.int64))),
        Row("ldexp", (a64, ints(-3, 4, dtype=np.int32)), grad=False),
        Row("ldexp", (i32, 2), grad=False),
        Row("clip", (a64, -0.5, 1.0)),
        Row("clip", (a32, -1, 1)),
        Row("clip", (i32, -2, 3), grad=False),
        Row("clip", (i32, -2.5, 3.0), grad=False),
        Row("clip", (BOOLS, 0, 1), grad=False),
    ]  # fmt: skip
    return [_in_float32(row) for row in rows]


COMPARISONS = ["equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
               "logical_and", "logical_or", "logical_xor", "isclose"]  # fmt: skip
BITWISE = ["bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm", "bitwise_left_shift",
           "left_shift", "bitwise_right_shift", "right_shift"]  # fmt: skip


def logic_rows():
    rounded = np.round(a64)
    rows = []
    for name in COMPARISONS:
        rows += [
            Row(name, (rounded, np.round(b64)), grad=False),
            Row(name, (ints(-2, 3), ints(-2, 3, (4,), np.int64)), grad=False),
            Row(name, (rounded, 1.0), grad=False),
            Row(name, (ints(-2, 3), 1.5), grad=False),
            Row(name, (BOOLS, np.array([True, False, False])), grad=False),
        ]
    rows += [
        Row("isclose", (a64, a64 + 1e-9), grad=False),
        Row("isclose", (a64, a64 + 1e-3), {"rtol": 1e-2, "atol": 0.0}, grad=False),
        Row(
            "isclose",
            (np.array([np.nan, 1.0]), np.array([np.nan, 1.0])),
            {"equal_nan": True},
            grad=False,
        ),  # fmt: skip
        Row("isclose", (a32, a64.astype(np.float32) + np.float32(1e-7)), grad=False),
    ]
    small, shift = ints(0, 200, dtype=np.int64), ints(0, 5)
    for name in BITWISE:
        rows += [
            Row(name, (ints(-50, 50), ints(1, 30)), grad=False),
            Row(name, (small, shift), grad=False),
            Row(name, (ints(0, 64, dtype=np.uint8), 2), grad=False),
        ]
    rows += [Row(name, (BOOLS, BOOLS), grad=False) for name in BITWISE[:3]]
    for name in ("bitwise_invert", "bitwise_not"):
        rows += [Row(name, (ints(-50, 50),), grad=False), Row(name, (BOOLS,), grad=False)]
    return rows


def scalar_rows():
    """Python numbers alone give 0-d results, and an int beside a uint8 tensor keeps uint8."""
    return [
        Row("add", (1, 2.5), grad=False),
        Row("maximum", (3, 2), grad=False),
        Row("bitwise_and", (ints(0, 64, dtype=np.uint8), 6), grad=False),
    ]


ROWS = numbered(unary_rows() + predicate_rows() + binary_rows() + logic_rows() + scalar_rows())


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_parity_with_keras(row):
    check_row(row)


def test_imag_of_a_real_tensor_is_zero():
    # Keras's torch backend refuses imag of a real tensor; its other backends (and NumPy)
    # give zeros, which is what nnscratch, whose tensors are real, returns.
    x = uniform(-2, 2)
    out = ops.imag(x)
    assert out.dtype == np.float64 and not np.any(out.numpy())
    np.testing.assert_array_equal(out.numpy(), np.imag(x))


def test_ldexp_gradient_is_two_to_the_exponent():
    x = ns.tensor(np.array([1.5, -2.0, 3.0]), requires_grad=True)
    ops.ldexp(x, np.array([-2, 0, 3], np.int32)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.25, 1.0, 8.0])


def test_signatures_and_defaults_are_keras():
    keras, _ = require_keras()
    for module in (elementwise, bitwise):
        for name in module.__all__:
            theirs = inspect.signature(getattr(keras.ops, name))
            assert str(inspect.signature(getattr(module, name))) == str(theirs), name


def test_every_name_is_the_module_function():
    for module in (elementwise, bitwise):
        for name in module.__all__:
            assert getattr(ops, name) is getattr(module, name), name
            assert getattr(ops.numpy, name) is getattr(module, name), name


def test_each_name_has_a_parity_row():
    named = {row.name for row in ROWS} | {"imag"}
    assert set(elementwise.__all__) | set(bitwise.__all__) <= named


@pytest.mark.parametrize(
    "call, match, error",
    [
        (lambda o: o.ldexp(np.ones(3), np.ones(3)), "ldexp", TypeError),
        (lambda o: o.bitwise_and(np.ones(3), np.ones(3)), "bitwise_and", TypeError),
        (lambda o: o.gcd(np.ones(3), np.ones(3)), "gcd", TypeError),
        (lambda o: o.left_shift(np.ones(3), 1), "left_shift", TypeError),
    ],
)
def test_bad_input_is_refused_as_keras_refuses_it(call, match, error):
    keras, torch = require_keras()
    with pytest.raises((TypeError, NotImplementedError)):  # torch has no float bitwise kernels
        call(keras.ops)
    with pytest.raises(error, match=match):
        call(ops)
