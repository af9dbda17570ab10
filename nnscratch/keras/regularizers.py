"""Weight regularizers (``kernel_regularizer=...``): penalties that ``fit`` adds to the loss.

A regularizer is called on a weight ``Tensor`` and returns a scalar ``Tensor``, so the penalty
is differentiated with the rest of the loss.

>>> import nnscratch as ns
>>> from nnscratch import keras
>>> keras.regularizers.L2(0.5)(ns.tensor([1.0, -2.0])).item()
2.5
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real

from .. import ops
from ..autograd.tensor import Tensor

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get", "l1", "l1_l2", "l2"]


def _factor(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or value < 0:
        raise ValueError(
            f"Value for argument `{name}` should be a non-negative number. Received: {name}={value}"
        )
    return float(value)


class Regularizer:
    """Base class: ``__call__(weight) -> scalar Tensor``."""

    def __call__(self, x: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(x)")

    def get_config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``; a zero factor drops its term."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = _factor(l1, "l1"), _factor(l2, "l2")

    def __call__(self, x: Tensor) -> Tensor:
        terms = []
        if self.l1:
            terms.append(self.l1 * ops.sum(ops.abs(x)))
        if self.l2:
            terms.append(self.l2 * ops.sum(x * x))
        if not terms:
            return ops.zeros((), dtype=x.dtype)
        return terms[0] if len(terms) == 1 else terms[0] + terms[1]

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum(|x|)``."""

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(x ** 2)`` (no factor 1/2, as Keras)."""

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict:
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
_BY_NAME: dict[str, type] = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier: str | Regularizer | Callable | None) -> Regularizer | Callable | None:
    """A regularizer from a name (``"l1"``, ``"l2"``, ``"l1_l2"``: Keras's default factors),
    an instance or a callable; ``None`` stays ``None``.

    >>> get("l2")
    L2(l2=0.01)
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]()
        raise ValueError(f"Unknown regularizer: '{identifier}'. Valid names are: l1, l1_l2, l2")
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret regularizer identifier: {identifier!r}")
