"""Logic gates as truth tables: every input combination and the gate's output, ready to train on.

>>> from nnscratch.datasets import logic_gate
>>> x, y = logic_gate("xor")
>>> x.tolist(), y.ravel().tolist()
([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
>>> logic_gate("majority", n_inputs=3)[1].ravel().tolist()
[0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["GATES", "logic_gate"]

MAX_INPUTS = 20  # 2**20 rows: beyond that a truth table is no longer a toy


def _ones(bits: np.ndarray) -> np.ndarray:
    return bits.sum(axis=1)


# Each gate maps a (rows, n) matrix of 0/1 input bits to one 0/1 output per row.
GATES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "and": lambda bits: bits.min(axis=1),
    "or": lambda bits: bits.max(axis=1),
    "not": lambda bits: 1 - bits[:, 0],
    "nand": lambda bits: 1 - bits.min(axis=1),
    "nor": lambda bits: 1 - bits.max(axis=1),
    "xor": lambda bits: _ones(bits) % 2,
    "xnor": lambda bits: 1 - _ones(bits) % 2,
    "parity": lambda bits: _ones(bits) % 2,
    "majority": lambda bits: 2 * _ones(bits) > bits.shape[1],
}


def logic_gate(name: str, n_inputs: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a gate: inputs ``(2**n, n)`` and targets ``(2**n, 1)``, both float32.

    Rows count in binary with the first input as the most significant bit (00, 01, 10, 11 for
    two inputs). ``name`` (any case) is one of: and, or, nand, nor, xor, xnor (n inputs: xor is
    1 for an odd number of ones and is the same table as ``parity``), not (one input), parity
    and majority (1 when more than half the inputs are 1, so a tie gives 0). ``n_inputs``
    defaults to 2, or 1 for not; ``"not"`` takes exactly one input.

    >>> x, y = logic_gate("nand")
    >>> y.ravel().tolist()
    [1.0, 1.0, 1.0, 0.0]
    >>> x, y = logic_gate("not")
    >>> x.ravel().tolist(), y.ravel().tolist()
    ([0.0, 1.0], [1.0, 0.0])
    """
    gate = GATES.get(name.lower()) if isinstance(name, str) else None
    if gate is None:
        raise ValueError(f"logic_gate: unknown gate {name!r}; expected one of {sorted(GATES)}")
    n = _check_inputs(name.lower(), n_inputs)
    rows = np.arange(2**n)
    bits = (rows[:, None] >> np.arange(n - 1, -1, -1)) & 1
    return bits.astype(np.float32), gate(bits).astype(np.float32).reshape(-1, 1)


def _check_inputs(name: str, n_inputs: int | None) -> int:
    if n_inputs is None:
        return 1 if name == "not" else 2
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, (int, np.integer)):
        raise TypeError(f"logic_gate: n_inputs must be an int, received {n_inputs!r}")
    if name == "not" and n_inputs != 1:
        raise ValueError(f"logic_gate: 'not' takes exactly 1 input, received n_inputs={n_inputs}")
    if not 1 <= n_inputs <= MAX_INPUTS:
        raise ValueError(
            f"logic_gate: n_inputs must be between 1 and {MAX_INPUTS}, received {n_inputs}"
        )
    return int(n_inputs)
