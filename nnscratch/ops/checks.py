"""Argument checks shared by the ops, so each op file reads its maths first.

Every check raises the error DESIGN.md asks for: it names the function (``name``, as the
user called it), what it expected, and what it received. A check that passes returns nothing,
or the argument in the form the op needs (``wrap_dim`` returns the dim as a numpy axis).

>>> from nnscratch.ops.checks import is_int, wrap_dim
>>> is_int(3), is_int(True), is_int(3.0)
(True, False, False)
>>> wrap_dim(-1, 3, "sum")
2
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor


def is_int(value) -> bool:
    """True for a Python or NumPy integer, but not a bool (``True`` is no size or dim)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def wrap_dim(dim: int, ndim: int, name: str) -> int:
    """torch's dim wrapping: ``dim`` in ``[-ndim, ndim)`` (a 0-d tensor accepts 0 and -1)."""
    rank = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):  # is_int, inline: hot
        raise TypeError(f"{name}: dim must be an int, received {dim!r}")
    if not -rank <= dim < rank:
        raise IndexError(
            f"{name}: dimension out of range (expected to be in range of [{-rank}, {rank - 1}], "
            f"but got {dim})"
        )
    return int(dim) % rank


def check_tensor(value, name: str, arg: str = "input") -> None:
    """``value``, the argument ``arg`` of ``name``, is a Tensor."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}: expected {arg} to be a Tensor, received {type(value).__name__}")


def check_tensors(name: str, **named) -> None:
    """Each of ``named`` (argument name -> value) is a Tensor or None (an optional one)."""
    for arg, t in named.items():
        if t is not None:
            check_tensor(t, name, arg)


def check_floating(input: Tensor, name: str) -> None:
    """``input`` holds floating point numbers (a mean or a decomposition of integers is not)."""
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point tensor, received {input.dtype}")


def check_float_dtypes(name: str, **named) -> None:
    """One floating dtype for all the tensors of ``named`` (None skipped), the first's included.

    torch refuses mixed dtypes in its weighted ops (linear, conv, rnn) rather than promote:
    no silent upcast of the weights. The error lists each operand's dtype by name.
    """
    given = {arg: t for arg, t in named.items() if t is not None}
    first = next(iter(given.values()))
    if first.dtype.kind != "f" or any(t.dtype != first.dtype for t in given.values()):
        found = ", ".join(f"{arg}={t.dtype}" for arg, t in given.items())
        raise TypeError(f"{name}: expected one floating dtype for all operands, received {found}")
