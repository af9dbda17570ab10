"""Training data from a file: a CSV table with a header, or an NPZ archive with ``x`` and ``y``.

In a CSV, every cell is a finite number (within float32's range); the target columns are named
with ``--target`` (by default the last column) and the others are the inputs. An NPZ holds the
arrays ``x`` (rows first) and ``y`` of numbers, all finite; it is opened with
``allow_pickle=False``, so a file cannot run code.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FileFormatError
from ..io.npz import read_npz
from .output import UsageError, utf8_text

__all__ = ["Data", "load_data"]


@dataclass
class Data:
    """Inputs ``x`` (float32, rows first), targets ``y`` and the columns' names."""

    x: np.ndarray
    y: np.ndarray
    x_names: list[str]
    y_names: list[str]


def load_data(path: Path, targets: list[str] | None = None) -> Data:
    """Read ``path`` (``.csv`` or ``.npz``); UsageError names what is wrong with it.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "and.csv")
    >>> _ = open(path, "w").write("a,b,y\\n0,0,0\\n0,1,0\\n1,0,0\\n1,1,1\\n")
    >>> data = load_data(path)
    >>> data.x.shape, data.y.ravel().tolist(), data.y_names
    ((4, 2), [0.0, 0.0, 0.0, 1.0], ['y'])
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--data: no such file {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, targets)
    if suffix == ".npz":
        if targets:
            raise UsageError("--target names CSV columns; an NPZ file has its arrays x and y")
        return _read_npz(path)
    raise UsageError(f"--data: expected a .csv or .npz file, received {str(path)!r}")


def _read_csv(path: Path, targets: list[str] | None) -> Data:
    text = utf8_text(path.read_bytes(), f"--data: {str(path)!r}")
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as error:
        raise UsageError(f"--data: {str(path)!r} is not a CSV table: {error}") from None
    if len(rows) < 2:
        raise UsageError(f"--data: {str(path)!r} needs a header line and at least one row")
    header = [name.strip() for name in rows[0]]
    targets = targets or header[-1:]
    for name in targets:
        if name not in header:
            raise UsageError(f"--target: no column {name!r} in {str(path)!r}; columns: {header}")
    if len(set(targets)) == len(header):
        raise UsageError(f"--target: every column is a target; {str(path)!r} has no inputs left")
    values = [_numbers(row, header, path, i + 2) for i, row in enumerate(rows[1:])]
    with np.errstate(over="ignore"):  # a value beyond float32 becomes inf: refused just below
        table = np.array(values, dtype=np.float32)
    _check_finite_cells(table, rows, header, path)
    is_target = np.array([name in targets for name in header])
    inputs = [n for n in header if n not in targets]
    return Data(
        table[:, ~is_target], table[:, is_target], inputs, [n for n in header if n in targets]
    )


def _numbers(row: list[str], header: list[str], path: Path, line: int) -> list[float]:
    if len(row) != len(header):
        raise UsageError(
            f"--data: {str(path)!r} line {line} has {len(row)} values, the header {len(header)}"
        )
    try:
        return [float(cell) for cell in row]
    except ValueError:
        bad = next(i for i, cell in enumerate(row) if not _is_float(cell))
        raise UsageError(
            f"--data: {str(path)!r} line {line}, column {header[bad]!r}: {row[bad]!r} is not "
            "a number"
        ) from None


def _check_finite_cells(table: np.ndarray, rows: list[list[str]], header, path: Path) -> None:
    """nan, inf, or a number beyond float32 (1e39) would train to a loss of nan."""
    bad = np.argwhere(~np.isfinite(table))
    if len(bad):
        row, col = (int(i) for i in bad[0])
        cell = rows[row + 1][col]
        why = "is not a finite number" if not np.isfinite(float(cell)) else "is beyond float32"
        raise UsageError(
            f"--data: {str(path)!r} line {row + 2}, column {header[col]!r}: {cell!r} {why}"
        )


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_npz(path: Path) -> Data:
    try:
        arrays = read_npz(path)  # headers checked and sized before anything is allocated
    except FileFormatError as error:
        raise UsageError(f"--data: cannot read {str(path)!r} as NPZ: {error}") from None
    missing = [name for name in ("x", "y") if name not in arrays]
    if missing:
        raise UsageError(
            f"--data: {str(path)!r} has no array {missing[0]!r}; it holds {sorted(arrays)}"
        )
    x, y = arrays["x"], arrays["y"]
    if x.ndim < 2 or y.ndim < 1 or len(x) != len(y):
        raise UsageError(
            f"--data: expected x with rows first (n, features...) and y with n rows, received "
            f"x {x.shape} and y {y.shape}"
        )
    x = _finite_array(x, "x", path)
    y = _finite_array(y, "y", path, np.float32 if y.dtype.kind == "f" else None)
    return Data(x, y, ["x"], ["y"])


def _finite_array(array: np.ndarray, name: str, path: Path, dtype=np.float32) -> np.ndarray:
    """``array`` as ``dtype`` (None: as it is, integer labels), refused unless it holds real
    numbers that are finite in ``dtype``."""
    if array.dtype.kind not in "biuf":
        raise UsageError(
            f"--data: {str(path)!r} array {name!r} holds {array.dtype} values; expected numbers"
        )
    with np.errstate(over="ignore"):  # beyond float32 becomes inf: refused just below
        converted = array.astype(dtype) if dtype is not None else array
    bad = np.argwhere(~np.isfinite(converted)) if converted.dtype.kind == "f" else ()
    if len(bad):
        index = tuple(int(i) for i in bad[0])
        raise UsageError(
            f"--data: {str(path)!r} array {name!r} at index {index}: {array[index]} is not a "
            "finite float32 number"
        )
    return converted
