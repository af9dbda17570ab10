"""How tensors print: torch's layout, and ``set_printoptions`` to change it.

A float tensor prints with 4 digits after the point (``tensor([5.5000, 3.0000])``), or as
whole numbers with a trailing point when every value is one (``tensor([ 3., 12.])``), or in
scientific notation when its values span more than three orders of magnitude, or exceed
1e8, or fall below 1e-4. Columns are right-aligned, long rows wrap at 80 characters, and a
tensor of more than 1,000 numbers shows its first and last 3 along each dimension. NumPy's
own print options are never read or changed.

>>> import nnscratch as ns
>>> ns.tensor([5.5, 3.0]), ns.tensor([3.0, 12.0]), ns.tensor([1e-5, 1.0])
(tensor([5.5000, 3.0000]), tensor([ 3., 12.]), tensor([1.0000e-05, 1.0000e+00]))
>>> ns.set_printoptions(precision=2)
>>> ns.tensor([1.0, 2.5])
tensor([1.00, 2.50])
>>> ns.set_printoptions(profile="default")
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["format_tensor", "set_printoptions"]

_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
_PROFILES = {
    "default": {},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"threshold": math.inf},
}
_options = dict(_DEFAULTS)


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, as ``torch.set_printoptions``: ``precision`` digits after the
    point, ``threshold`` numbers before summarising with ``edgeitems`` at each end,
    ``linewidth`` characters a line, ``sci_mode`` True/False to force or forbid scientific
    notation (None: automatic), ``profile`` "default", "short" or "full" to start from."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: profile should be one of {sorted(_PROFILES)}, "
                f"received {profile!r}"
            )
        _options.clear()
        _options.update(_DEFAULTS, **_PROFILES[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems,
             "linewidth": linewidth}  # fmt: skip
    _options.update({key: value for key, value in given.items() if value is not None})
    if sci_mode is not None or profile is not None:
        _options["sci_mode"] = sci_mode


def format_tensor(data: np.ndarray, indent: int) -> str:
    """The bracketed numbers of ``data`` as torch lays them out, ``indent`` columns in."""
    if data.size == 0:
        return "[]"
    summarize = data.size > _options["threshold"]
    formatter = _formatter(_shown_values(data, summarize))
    if data.ndim == 0:
        return formatter(data.item())
    return _nested(data, indent, summarize, formatter)


# ---- choosing a number format -------------------------------------------------------------------
def _shown_values(data: np.ndarray, summarize: bool) -> np.ndarray:
    """The numbers that will be shown (the edges only, when summarising)."""
    if not summarize or data.ndim == 0:
        return data.ravel()
    edge = _options["edgeitems"]
    for axis, n in enumerate(data.shape):
        if n > 2 * edge:
            keep = np.r_[0:edge, n - edge : n]
            data = np.take(data, keep, axis=axis)
    return data.ravel()


def _formatter(values: np.ndarray):
    """A function from one number to its text, padded to the widest shown number."""
    if values.dtype.kind == "b":
        texts = {True: "True", False: "False"}
        width = max(len(texts[bool(v)]) for v in values)
        return lambda v: texts[bool(v)].rjust(width)
    if values.dtype.kind in "iu":
        width = max(len(str(int(v))) for v in values)
        return lambda v: str(int(v)).rjust(width)
    style = _float_style(values)
    counted = values[np.isfinite(values) & (values != 0)]  # nan and inf may stick out
    width = max((len(style(float(v))) for v in counted), default=1)
    return lambda v: style(float(v)).rjust(width)


def _float_style(values: np.ndarray):
    precision, sci_mode = _options["precision"], _options["sci_mode"]
    finite = values[np.isfinite(values)].astype(np.float64)
    magnitudes = np.abs(finite[finite != 0])
    whole = bool(np.all(finite == np.ceil(finite)))
    if magnitudes.size:
        low, high = magnitudes.min(), magnitudes.max()
        wide = high / low > 1000 or high > 1e8 or (not whole and low < 1e-4)
    else:
        wide = False
    scientific = wide if sci_mode is None else sci_mode
    if scientific:
        return lambda v: _finite_or(v, f"{v:.{precision}e}")
    if whole:
        return lambda v: _finite_or(v, f"{v:.0f}.")
    return lambda v: _finite_or(v, f"{v:.{precision}f}")


def _finite_or(v: float, text: str) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return text


# ---- laying out the numbers ---------------------------------------------------------------------
def _nested(data: np.ndarray, indent: int, summarize: bool, formatter) -> str:
    if data.ndim == 1:
        return _row(data, indent, summarize, formatter)
    edge, n = _options["edgeitems"], data.shape[0]
    if summarize and n > 2 * edge:
        parts = [_nested(data[i], indent + 1, summarize, formatter) for i in range(edge)]
        parts.append("...")
        parts += [_nested(data[i], indent + 1, summarize, formatter) for i in range(n - edge, n)]
    else:
        parts = [_nested(data[i], indent + 1, summarize, formatter) for i in range(n)]
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _row(data: np.ndarray, indent: int, summarize: bool, formatter) -> str:
    edge, n = _options["edgeitems"], data.shape[0]
    if summarize and n > 2 * edge:
        texts = [formatter(v) for v in data[:edge]] + [" ..."]
        texts += [formatter(v) for v in data[n - edge :]]
    else:
        texts = [formatter(v) for v in data]
    per_line = max(1, int((_options["linewidth"] - indent) // (len(texts[0]) + 2)))
    lines = [", ".join(texts[i : i + per_line]) for i in range(0, len(texts), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"
