"""``torch.use_deterministic_algorithms``: a switch that nnscratch can always honour.

nnscratch computes with NumPy on the CPU, where every op gives the same bits from the same
inputs on each run (no atomics, no nondeterministic kernels). The switch is recorded, so
``are_deterministic_algorithms_enabled`` answers as torch's does, and changes nothing.

>>> import nnscratch as ns
>>> ns.use_deterministic_algorithms(True)
>>> ns.are_deterministic_algorithms_enabled()
True
>>> ns.use_deterministic_algorithms(False)
"""

from __future__ import annotations

__all__ = [
    "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
    "use_deterministic_algorithms",
]  # fmt: skip

_state = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record ``mode`` (and ``warn_only``); every nnscratch op is deterministic already."""
    if not isinstance(mode, bool):
        raise TypeError(
            f"use_deterministic_algorithms expects a bool mode, received {type(mode).__name__}"
        )
    _state["mode"], _state["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """What ``use_deterministic_algorithms`` last set (False at first, as torch)."""
    return _state["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """The ``warn_only`` that ``use_deterministic_algorithms`` last set."""
    return _state["warn_only"]
