"""The global random generator behind ``rand``, ``randn``, ``randint`` and initialisers.

nnscratch draws every random number (initialisers, dropout masks, shuffling) from this one
NumPy ``Generator``; it never reads or changes NumPy's global ``np.random`` state.
``get_rng_state`` / ``set_rng_state`` save and restore it, so a resumed run draws exactly the
numbers an uninterrupted one would.
"""

from __future__ import annotations

import copy

import numpy as np

from .errors import InputError, InputTypeError

# The bit generators a saved state may name: looked up here, never imported by name.
_BIT_GENERATORS = {
    "PCG64": np.random.PCG64,
    "PCG64DXSM": np.random.PCG64DXSM,
    "MT19937": np.random.MT19937,
    "Philox": np.random.Philox,
    "SFC64": np.random.SFC64,
}

# What each state holds: ("int", bits) an int in [0, 2**bits); ("uints", n, bits) n of them
# (an array or a list); ("range", high) an int in [0, high]. NumPy checks few of these (MT19937
# takes any 'pos', and reads past its key with it), so every field is checked here first.
_FLAGS = {"has_uint32": ("range", 1), "uinteger": ("int", 32)}
_PCG = {"state": {"state": ("int", 128), "inc": ("int", 128)}, **_FLAGS}
_LAYOUTS = {
    "PCG64": _PCG,
    "PCG64DXSM": _PCG,
    "MT19937": {"state": {"key": ("uints", 624, 32), "pos": ("range", 624)}},
    "Philox": {
        "state": {"counter": ("uints", 4, 64), "key": ("uints", 2, 64)},
        "buffer": ("uints", 4, 64),
        "buffer_pos": ("range", 4),
        **_FLAGS,
    },
    "SFC64": {"state": {"state": ("uints", 4, 64)}, **_FLAGS},
}

# torch.manual_seed's range: a uint64, or an int64 taken as its two's complement.
_SEED_LOW, _SEED_HIGH = -0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF

_initial_seed = int(np.random.SeedSequence().entropy % 2**63)  # torch: a random start
_generator = np.random.default_rng(_initial_seed)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed nnscratch's global generator, for repeatable runs.

    >>> import nnscratch as ns
    >>> _ = ns.manual_seed(0); a = ns.rand(2)
    >>> _ = ns.manual_seed(0); b = ns.rand(2)
    >>> bool((a == b).all()) if hasattr(a, "all") else a.tolist() == b.tolist()
    True
    """
    global _generator, _initial_seed
    _generator = manual_seed_rng(seed, "manual_seed")
    _initial_seed = int(seed) % 2**64
    return _generator


def seed() -> int:
    """Seed the global generator from fresh entropy and return that seed, as ``torch.seed``.

    >>> import nnscratch as ns
    >>> s = ns.seed(); s == ns.initial_seed()
    True
    """
    new_seed = int(np.random.SeedSequence().entropy % 2**63)
    manual_seed(new_seed)
    return new_seed


def initial_seed() -> int:
    """The seed the global generator last started from (``manual_seed``'s, ``seed``'s, or the
    random one chosen at import), as ``torch.initial_seed``.

    >>> import nnscratch as ns
    >>> _ = ns.manual_seed(7); ns.initial_seed()
    7
    """
    return _initial_seed


def manual_seed_rng(seed: int, where: str) -> np.random.Generator:
    """A NumPy generator seeded with ``seed``, checked against torch's range."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)):
        raise InputTypeError(f"{where} expects an int, received {type(seed).__name__}")
    if not _SEED_LOW <= int(seed) <= _SEED_HIGH:
        raise InputError(
            f"{where} expects an int in [{_SEED_LOW:#x}, {_SEED_HIGH:#x}] (torch's range), "
            f"received {_short(int(seed))}"
        )
    return np.random.default_rng(int(seed) % 2**64)  # -1 seeds as 2**64 - 1, as torch


def generator(source=None) -> np.random.Generator:
    """The NumPy generator to draw from: the global one, or ``source``'s when a
    ``Generator`` (or a NumPy Generator) is passed, as torch's ``generator=`` arguments."""
    if source is None:
        return _generator
    if isinstance(source, Generator):
        return source._rng
    if isinstance(source, np.random.Generator):
        return source
    raise InputTypeError(
        "generator= expects an nnscratch.Generator, a numpy.random.Generator or None, "
        f"received {type(source).__name__}"
    )


class Generator:
    """A random generator of one's own, as ``torch.Generator``: pass it as ``generator=`` to
    ``rand``, ``randn``, ``randint``, ``randperm``, ``DataLoader`` or ``random_split`` to draw
    from it instead of the global generator.

    >>> import nnscratch as ns
    >>> g = ns.Generator().manual_seed(3)
    >>> a = ns.rand(2, generator=g)
    >>> b = ns.rand(2, generator=ns.Generator().manual_seed(3))
    >>> a.tolist() == b.tolist()
    True
    """

    def __init__(self, device="cpu"):
        from .autograd.device import resolve  # (device imports errors only; no cycle)

        self.device = resolve("Generator", device)
        self._initial_seed = int(np.random.SeedSequence().entropy % 2**63)
        self._rng = np.random.default_rng(self._initial_seed)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed this generator; returns it, so ``Generator().manual_seed(0)`` chains."""
        self._rng = manual_seed_rng(seed, "Generator.manual_seed")
        self._initial_seed = int(seed) % 2**64
        return self

    def seed(self) -> int:
        """Reseed from fresh entropy; returns the new seed."""
        seed = int(np.random.SeedSequence().entropy % 2**63)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._initial_seed

    def get_state(self) -> dict:
        """This generator's state (a plain dict, as ``get_rng_state``)."""
        return copy.deepcopy(self._rng.bit_generator.state)

    def set_state(self, state: dict) -> Generator:
        """Restore a state from ``get_state``; the state is checked first, as in
        ``set_rng_state``."""
        self._rng = np.random.Generator(check_rng_state(state))
        return self


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

    A state that is not one raises ``InputError`` saying what was expected; the generator is
    then unchanged.

    >>> bad = {"bit_generator": "MT19937", "state": {"key": [0] * 624, "pos": 625}}
    >>> set_rng_state(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: set_rng_state expects 'state.pos' to be an int in [0, 624]...
    """
    global _generator
    bit_generator = check_rng_state(state)
    if isinstance(_generator.bit_generator, type(bit_generator)):
        _generator.bit_generator.state = bit_generator.state  # in place: references stay live
    else:
        _generator = np.random.Generator(bit_generator)


def check_rng_state(state) -> np.random.BitGenerator:
    """A new bit generator holding ``state``, after checking every field of it; raises
    ``InputError`` (naming the field, what was expected and what was received) if ``state`` is
    not one that ``get_rng_state`` could have returned. Nothing global changes."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if not isinstance(name, str) or name not in _BIT_GENERATORS:
        raise InputError(
            "set_rng_state expects a dict from get_rng_state() naming one of "
            f"{sorted(_BIT_GENERATORS)} as 'bit_generator', received {_describe(state)}"
        )
    _check_fields(state, {"bit_generator": None, **_LAYOUTS[name]}, "")
    bit_generator = _BIT_GENERATORS[name]()
    try:
        bit_generator.state = copy.deepcopy(state)
    except (TypeError, ValueError, LookupError, OverflowError) as error:  # checked: not expected
        raise InputError(f"set_rng_state: NumPy refused the {name} state ({error})") from error
    return bit_generator


def _check_fields(state: dict, layout: dict, where: str) -> None:
    if set(state) != set(layout):
        raise InputError(
            f"set_rng_state expects {where or 'the state'} to hold the keys {sorted(layout)}, "
            f"received {sorted(map(str, state))!r:.200}"
        )
    for key, spec in layout.items():
        if isinstance(spec, dict):
            if not isinstance(state[key], dict):
                raise InputError(
                    f"set_rng_state expects {where + key!r} to be a dict, received "
                    f"{type(state[key]).__name__}"
                )
            _check_fields(state[key], spec, f"{where}{key}.")
        elif spec is not None:
            _check_value(state[key], spec, where + key)


def _check_value(value, spec: tuple, where: str) -> None:
    if spec[0] == "uints":
        _check_uints(value, spec[1], spec[2], where)
    elif not _is_int(value) or not 0 <= value < _high(spec):
        bounds = f"[0, {spec[1]}]" if spec[0] == "range" else f"[0, 2**{spec[1]})"
        raise InputError(
            f"set_rng_state expects {where!r} to be an int in {bounds}, received {_short(value)}"
        )


def _high(spec: tuple) -> int:
    return spec[1] + 1 if spec[0] == "range" else 2 ** spec[1]


def _check_uints(value, count: int, bits: int, where: str) -> None:
    """``count`` ints in [0, 2**bits): a 1-d integer array or a list (JSON)."""
    if isinstance(value, np.ndarray):
        fits = value.shape == (count,) and value.dtype.kind in "iu" and value.dtype.itemsize <= 8
        fits = fits and (count == 0 or (int(value.min()) >= 0 and int(value.max()) < 2**bits))
    else:
        fits = isinstance(value, list) and len(value) == count
        fits = fits and all(_is_int(v) and 0 <= v < 2**bits for v in value)
    if not fits:
        raise InputError(
            f"set_rng_state expects {where!r} to be {count} ints in [0, 2**{bits}) (an integer "
            f"array or a list), received {_short(value)}"
        )


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if _is_int(value) and abs(int(value)) > 2**200:  # repr() refuses ints past 4300 digits
        return f"an int of {int(value).bit_length()} bits"
    return f"{value!r:.60}"


def _describe(value) -> str:
    if isinstance(value, dict):
        return f"a dict with bit_generator={value.get('bit_generator')!r:.40}"
    return f"{type(value).__name__}"
