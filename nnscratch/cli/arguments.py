"""argparse, made to answer a mistake in one line: the parser class and the value checkers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..datasets import GATES, logic_gate

__all__ = ["GATE_NAMES", "Parser", "gate_names", "int_range", "positive_float", "positive_int"]

# The gates `nnscratch gates` trains by default, in the order it prints them.
GATE_NAMES = ("and", "or", "not", "nand", "nor", "xor", "xnor")


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr, then exit status 2."""

    def error(self, message: str):
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(2)


def positive_int(text: str) -> int:
    """An integer >= 1 (``--epochs``, ``--hidden``).

    >>> positive_int("3")
    3
    >>> positive_int("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected an integer >= 1, received '0'
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, received {text!r}")
    return value


def int_range(low: int, high: int) -> Callable[[str], int]:
    """The argparse type of an integer from ``low`` to ``high`` (``--seed``, or a count whose
    huge values would fill the memory or never end).

    >>> int_range(0, 9)("7")
    7
    >>> int_range(1, 10)("11")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected an integer from 1 to 10, received '11'
    """

    def integer(text: str) -> int:
        try:
            value = int(text)
        except ValueError:  # not a number, or more digits than Python converts
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected an integer from {low:,} to {high:,}, received {text!r:.40}"
            )
        return value

    return integer


def positive_float(text: str) -> float:
    """A finite number > 0 (``--lr``).

    >>> positive_float("0.5")
    0.5
    """
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number > 0, received {text!r}")
    return value


def gate_names(text: str) -> list[str]:
    """A comma-separated list of gates, each one ``nnscratch.datasets.logic_gate`` knows.

    >>> gate_names("XOR,and")
    ['xor', 'and']
    """
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected gate names, received {text!r}")
    for name in names:
        try:
            logic_gate(name)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"unknown gate {name!r}; expected one of {', '.join(_known_gates())}"
            ) from None
    return names


def _known_gates() -> list[str]:
    return list(GATE_NAMES) + [name for name in GATES if name not in GATE_NAMES]
