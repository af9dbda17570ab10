"""What the commands share: their two kinds of error, aligned tables and progress bars.

Results go to stdout; progress bars and notes go to stderr, so ``nnscratch gates > out.txt``
keeps the tables and nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
from tqdm import tqdm

__all__ = [
    "CommandError", "UsageError", "format_matrix", "format_table", "note", "progress",
    "utf8_text",
]  # fmt: skip


class UsageError(Exception):
    """Arguments or inputs the user can fix (a bad option, a missing file, a wrong config):
    the command prints the message on one line and exits with status 2."""


class CommandError(Exception):
    """The command ran and failed: it prints the message on one line and exits with 1."""


def utf8_text(data: bytes, where: str) -> str:
    """``data`` decoded as UTF-8 (a byte-order mark allowed); else UsageError naming ``where``
    and the line of the first bad byte.

    >>> utf8_text(b"a,b\\n1,\\xff\\n", "--data: 't.csv'")
    Traceback (most recent call last):
    ...
    nnscratch.cli.output.UsageError: --data: 't.csv' is not UTF-8 text: line 2 has the byte 0xff
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad = error.object[error.start]
        line = bytes(error.object[: error.start]).count(b"\n") + 1
        raise UsageError(
            f"{where} is not UTF-8 text: line {line} has the byte {bad:#04x}"
        ) from None


def format_table(headers: Sequence[str], rows: Sequence[Sequence], indent: int = 2) -> str:
    """Columns padded to their widest cell, numbers right-aligned, text left-aligned.

    >>> print(format_table(["a", "name"], [[0, "xor"], [10, "and"]]))
       a  name
       0  xor
      10  and
    """
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    right = [_is_number(rows[0][i]) if rows else True for i in range(len(headers))]
    lines = []
    for row in cells:
        padded = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)]
        lines.append(" " * indent + "  ".join(padded).rstrip())
    return "\n".join(lines)


def _is_number(cell) -> bool:
    if isinstance(cell, (int, float, np.number)):
        return True
    try:
        float(str(cell).rstrip("%*"))
    except ValueError:
        return False
    return True


def format_matrix(array: np.ndarray, label: str, precision: int = 6) -> str:
    """``label = [[...]]`` with the rows of a matrix lined up under each other.

    >>> print(format_matrix(np.array([[1.0, -2.0], [0.5, 3.0]]), "  w1 ="))
      w1 = [[ 1.  -2. ]
            [ 0.5  3. ]]
    """
    text = np.array2string(
        np.asarray(array), precision=precision, suppress_small=False, separator=" ",
        prefix=label + " ", max_line_width=100,
    )  # fmt: skip
    return f"{label} {text}"


def note(message: str, quiet: bool = False) -> None:
    """A line for the person watching (stderr), silenced by ``--quiet``."""
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def progress(total: int, description: str, quiet: bool = False) -> tqdm:
    """A transient progress bar on stderr, drawn only on a terminal and without ``--quiet``."""
    disable = quiet or not sys.stderr.isatty()
    return tqdm(
        total=total, desc=description, leave=False, disable=disable, file=sys.stderr,
        dynamic_ncols=True, bar_format="{desc} {bar} {n_fmt}/{total_fmt} {postfix}",
    )  # fmt: skip
