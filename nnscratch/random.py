"""The global random generator behind ``rand``, ``randn``, ``randint`` and initialisers.

nnscratch draws every random number (initialisers, dropout masks, shuffling) from this one
NumPy ``Generator``; it never reads or changes NumPy's global ``np.random`` state.
``get_rng_state`` / ``set_rng_state`` save and restore it, so a resumed run draws exactly the
numbers an uninterrupted one would.
"""

from __future__ import annotations

import copy

import numpy as np

from .errors import InputError

# The bit generators a saved state may name: looked up here, never imported by name.
_BIT_GENERATORS = {
    "PCG64": np.random.PCG64,
    "PCG64DXSM": np.random.PCG64DXSM,
    "MT19937": np.random.MT19937,
    "Philox": np.random.Philox,
    "SFC64": np.random.SFC64,
}

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed nnscratch's global generator, for repeatable runs.

    >>> import nnscratch as ns
    >>> _ = ns.manual_seed(0); a = ns.rand(2)
    >>> _ = ns.manual_seed(0); b = ns.rand(2)
    >>> bool((a == b).all()) if hasattr(a, "all") else a.tolist() == b.tolist()
    True
    """
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, received {type(seed).__name__}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The current global generator."""
    return _generator


def get_rng_state() -> dict:
    """The global generator's state, as ``torch.get_rng_state``: a plain dict (NumPy's
    ``bit_generator.state``; JSON-able for the default PCG64) to give to ``set_rng_state``.

    >>> state = get_rng_state(); a = generator().random(3)
    >>> set_rng_state(state); b = generator().random(3)
    >>> bool((a == b).all())
    True
    """
    return copy.deepcopy(_generator.bit_generator.state)


def set_rng_state(state: dict) -> None:
    """Make the global generator continue from ``state`` (from ``get_rng_state``).

    A state that is not one raises ``InputError`` saying what was expected.
    """
    global _generator
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if not isinstance(name, str) or name not in _BIT_GENERATORS:
        raise InputError(
            "set_rng_state expects a dict from get_rng_state() naming one of "
            f"{sorted(_BIT_GENERATORS)} as 'bit_generator', received {_describe(state)}"
        )
    bit_generator = _BIT_GENERATORS[name]()
    try:
        bit_generator.state = copy.deepcopy(state)
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise InputError(f"set_rng_state: not a valid {name} state: {error}") from error
    if isinstance(_generator.bit_generator, type(bit_generator)):
        _generator.bit_generator.state = bit_generator.state  # in place: references stay live
    else:
        _generator = np.random.Generator(bit_generator)


def _describe(value) -> str:
    if isinstance(value, dict):
        return f"a dict with bit_generator={value.get('bit_generator')!r:.40}"
    return f"{type(value).__name__}"
