"""``torch.testing.assert_close``: compare tensors, arrays, numbers and their containers.

Values are close when ``|actual - expected| <= atol + rtol * |expected|`` everywhere; the
default tolerances depend on the dtype, as torch's (float32: ``rtol=1.3e-6, atol=1e-5``;
float64: ``1e-7`` both; integers and bools: exact). A mismatch raises ``AssertionError``
with torch's report: how many elements differ, and the greatest differences and where.

>>> import nnscratch as ns
>>> assert_close(ns.tensor([1.0, 2.0]), ns.tensor([1.0, 2.0 + 1e-7]))
>>> assert_close(ns.tensor([1.0, 2.0]), ns.tensor([1.0, 2.5]))
Traceback (most recent call last):
...
AssertionError: Tensor-likes are not close!
<BLANKLINE>
Mismatched elements: 1 / 2 (50.0%)
Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
Greatest relative difference: 0.2 at index (1,) (up to 1.3e-06 allowed)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .autograd.tensor import Tensor

__all__ = ["assert_close"]

# torch's defaults, by dtype name: (rtol, atol); any other dtype compares exactly.
_TOLERANCES = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
_NUMBERS = (bool, int, float, complex)


def assert_close(
    actual,
    expected,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Raise ``AssertionError`` unless ``actual`` and ``expected`` are close, as torch's
    ``assert_close``: tensors with tensors, NumPy arrays with arrays, numbers with numbers,
    and sequences and mappings of those, item by item. ``rtol`` and ``atol`` go together.
    ``check_device``, ``check_layout`` and ``check_stride`` are accepted (one device, one
    layout). ``msg`` replaces the report, or, if callable, rewrites it.

    >>> import nnscratch as ns
    >>> assert_close({"loss": 0.5, "w": [ns.ones(2)]}, {"loss": 0.5, "w": [ns.ones(2)]})
    """
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(
            f"assert_close: both 'rtol' and 'atol' must be either specified or omitted, but got "
            f"no {missing}."
        )
    options = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "check_dtype": check_dtype}
    try:
        _compare(actual, expected, options, "")
    except AssertionError as error:
        if msg is None:
            raise
        text = msg(str(error)) if callable(msg) else msg
        raise AssertionError(text) from None


def _compare(actual, expected, options: dict, where: str) -> None:
    if _tensor_like(actual) and _tensor_like(expected) and type(actual) is type(expected):
        _compare_arrays(_array(actual), _array(expected), options, where, "Tensor-likes")
    elif isinstance(actual, _NUMBERS) and isinstance(expected, _NUMBERS):
        _compare_arrays(np.array(actual), np.array(expected), options, where, "Scalars")
    elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
        _compare_mappings(actual, expected, options, where)
    elif _sequence(actual) and _sequence(expected):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", where)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, options, f"{where}[{i}]")
    else:
        raise TypeError(
            f"assert_close: no comparison for inputs of type {type(actual).__name__} and "
            f"{type(expected).__name__}: compare tensors with tensors, arrays with arrays, "
            "numbers with numbers (or sequences and mappings of them)"
        )


def _tensor_like(value) -> bool:
    return isinstance(value, (Tensor, np.ndarray))


def _array(value) -> np.ndarray:
    return value.detach().numpy() if isinstance(value, Tensor) else value


def _sequence(value) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _compare_mappings(actual: Mapping, expected: Mapping, options: dict, where: str) -> None:
    if set(actual) != set(expected):
        missing = sorted(map(repr, set(expected) - set(actual)))
        extra = sorted(map(repr, set(actual) - set(expected)))
        _fail(
            "The keys of the mappings do not match:\n"
            f"Missing keys in the actual mapping: [{', '.join(missing)}]\n"
            f"Additional keys in the actual mapping: [{', '.join(extra)}]",
            where,
        )
    for key in expected:
        _compare(actual[key], expected[key], options, f"{where}[{key!r}]")


def _compare_arrays(actual, expected, options: dict, where: str, kind: str) -> None:
    kind = "Scalars" if actual.ndim == 0 else kind  # torch's word for 0-d tensors too
    if actual.shape != expected.shape:
        _fail(f"The values for attribute 'shape' do not match: {actual.shape} != "
              f"{expected.shape}.", where)  # fmt: skip
    if options["check_dtype"] and actual.dtype != expected.dtype:
        _fail(f"The values for attribute 'dtype' do not match: {actual.dtype} != "
              f"{expected.dtype}.", where)  # fmt: skip
    rtol, atol = options["rtol"], options["atol"]
    if rtol is None:
        rtol, atol = map(max, zip(_default(actual.dtype), _default(expected.dtype)))
    close = _close(actual, expected, rtol, atol, options["equal_nan"])
    if not close.all():
        exact = rtol == atol == 0
        _fail(_report(actual, expected, close, kind, (rtol, atol), exact), where)


def _default(dtype: np.dtype) -> tuple[float, float]:
    return _TOLERANCES.get(np.dtype(dtype).name, (0.0, 0.0))


def _close(actual, expected, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    if actual.dtype.kind in "biu" and expected.dtype.kind in "biu":
        return np.asarray(actual == expected)  # exact, and no overflow in a difference
    a, e = np.asarray(actual, np.complex128), np.asarray(expected, np.complex128)
    with np.errstate(invalid="ignore", over="ignore"):
        close = (a == e) | (np.abs(a - e) <= atol + rtol * np.abs(e))
    if equal_nan:
        close |= np.isnan(a) & np.isnan(e)
    return np.asarray(close)


def _report(actual, expected, close, kind: str, tolerances: tuple, exact: bool) -> str:
    a, e = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    if np.iscomplexobj(actual) or np.iscomplexobj(expected):
        a, e = np.asarray(actual, np.complex128), np.asarray(expected, np.complex128)
    with np.errstate(divide="ignore", invalid="ignore"):
        absolute = np.abs(a - e)
        relative = absolute / np.abs(e)
    rtol, atol = tolerances
    allowed = ("", "") if exact else (f" (up to {atol} allowed)", f" (up to {rtol} allowed)")
    title = f"{kind} are not {'equal' if exact else 'close'}!\n\n"
    if kind == "Scalars":
        return (f"{title}Expected {expected.item()} but got {actual.item()}.\n"
                f"Absolute difference: {_number(absolute.item())}{allowed[0]}\n"
                f"Relative difference: {_number(relative.item())}{allowed[1]}")  # fmt: skip
    wrong, total = int(close.size - close.sum()), close.size
    return (f"{title}Mismatched elements: {wrong} / {total} ({100 * wrong / total:.1f}%)\n"
            f"Greatest absolute difference: {_worst(absolute, ~close)}{allowed[0]}\n"
            f"Greatest relative difference: {_worst(relative, ~close)}{allowed[1]}")  # fmt: skip


def _worst(differences: np.ndarray, mismatched: np.ndarray) -> str:
    """The largest difference among mismatched elements (NaN first, as torch) and its index."""
    values = np.where(mismatched, differences, -np.inf)
    flat = int(np.argmax(np.where(np.isnan(values), np.inf, values)))
    index = np.unravel_index(flat, differences.shape) if differences.ndim else ()
    return f"{_number(values.flat[flat])} at index {tuple(int(i) for i in index)}"


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(float(value))


def _fail(text: str, where: str) -> None:
    suffix = f"\n\nThe failure occurred for item {where}" if where else ""
    raise AssertionError(text + suffix)
