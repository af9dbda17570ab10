"""Checking a scheduler's state dict before ``load_state_dict`` takes any of it.

A scheduler's state is its attributes, so a state dict read from a tampered file could set
anything: replace ``step`` or ``optimizer``, or put a string where a step count belongs. Each
saved field must match the kind of the value it replaces (an int count for an int count, one
number per param group for ``base_lrs``, a known name for ``mode``); a field the scheduler does
not have may only be a plain value (torch's older ``verbose``), which nothing reads.

>>> import nnscratch as ns
>>> from nnscratch.optim.lr_scheduler import StepLR
>>> scheduler = StepLR(ns.optim.SGD([ns.zeros(1, requires_grad=True)], lr=0.1), step_size=2)
>>> check_state_dict(scheduler, {"last_epoch": "3"})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
nnscratch.errors.InputError: StepLR.load_state_dict expects 'last_epoch' to be an int, received...
"""

from __future__ import annotations

from collections import Counter
from numbers import Integral, Real

from ...errors import InputError
from ..state_check import is_int, is_number

__all__ = ["check_state_dict"]

# Fields that count epochs or steps: ints, not just numbers.
_COUNTS = {"last_epoch", "_step_count", "total_steps", "cooldown_counter", "num_bad_epochs"}
# Fields that may be None where the scheduler holds a number, or the other way round.
_OPTIONAL = {"default_min_lr"}
_PHASE_NAMES = {"initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"}
_CHOICES = {
    "mode": {"min", "max"},
    "threshold_mode": {"rel", "abs"},
    "_anneal_func_type": {"cos", "linear"},
    **{key: _PHASE_NAMES for key in ("start_lr", "end_lr", "start_momentum", "end_momentum")},
}


def check_state_dict(scheduler, state_dict, skip: tuple[str, ...] = ()) -> None:
    """Raise ``InputError`` if ``state_dict`` cannot be loaded into ``scheduler`` (the keys in
    ``skip`` are the caller's to check)."""
    where = f"{type(scheduler).__name__}.load_state_dict expects"
    if not isinstance(state_dict, dict):
        raise InputError(f"{where} a dict of its fields, received {type(state_dict).__name__}")
    for key, value in state_dict.items():
        if key not in skip:
            check_field(scheduler, key, value, where)


def check_field(owner, key, value, where: str) -> None:
    """One saved attribute of ``owner`` (a scheduler, or a callable object it holds)."""
    if not isinstance(key, str) or key == "optimizer" or _is_behaviour(owner, key):
        raise InputError(f"{where} data fields as keys, received {key!r:.60}")
    if key in vars(owner):
        reference = vars(owner)[key]
    elif hasattr(type(owner), key):
        reference = getattr(type(owner), key)  # a class default such as _is_initial
    elif _is_plain(value):
        return
    else:
        raise InputError(
            f"{where} {key!r} (a field it lacks) to be a plain value, received {_kind(value)}"
        )
    _check_like(value, reference, key, f"{where} {key!r}")


def _is_behaviour(owner, key: str) -> bool:
    """A method, property or other descriptor: setting it on the instance would change what
    the scheduler does, not what it holds."""
    found = getattr(type(owner), key, None)
    return callable(found) or hasattr(found, "__get__") or key.startswith("__")


def _check_like(value, reference, key: str, where: str) -> None:
    if key in _OPTIONAL and (value is None or reference is None):
        if value is not None and not is_number(value):
            raise InputError(f"{where} to be None or a number, received {type(value).__name__}")
    elif isinstance(reference, (list, tuple)):
        _check_sequence(value, reference, key, where)
    elif isinstance(reference, dict):
        _check_mapping(value, reference, key, where)
    elif not _same_kind(value, reference, key):
        raise InputError(f"{where} to be {_expected(reference, key)}, received {_kind(value)}")


def _check_sequence(value, reference, key: str, where: str) -> None:
    if not isinstance(value, (list, tuple)) or len(value) != len(reference):
        raise InputError(
            f"{where} to be a list of {len(reference)} items (one per param group or phase, as "
            f"here), received {_kind(value)}"
        )
    for i, (item, ref) in enumerate(zip(value, reference)):
        _check_like(item, ref, key, f"{where}[{i}]")


def _check_mapping(value, reference: dict, key: str, where: str) -> None:
    if not isinstance(value, dict):
        raise InputError(f"{where} to be a dict, received {_kind(value)}")
    if isinstance(reference, Counter):  # MultiStepLR's milestones: epoch -> repeat count
        if not all(is_int(k) and is_int(n) and n > 0 for k, n in value.items()):
            raise InputError(
                f"{where} to map epochs to repeat counts (positive ints), received {value!r:.80}"
            )
        return
    if set(value) != set(reference):
        raise InputError(f"{where} to hold the keys {sorted(reference)}, received {_kind(value)}")
    for name, item in value.items():
        _check_like(item, reference[name], name, f"{where}[{name!r}]")


def _same_kind(value, reference, key: str) -> bool:
    if isinstance(reference, bool) or reference is None:
        return isinstance(value, type(reference))
    if isinstance(reference, Integral) and key in _COUNTS:
        return is_int(value)
    if isinstance(reference, Real):
        return is_number(value)
    if isinstance(reference, str):
        return isinstance(value, str) and value in _CHOICES.get(key, {value})
    return isinstance(value, type(reference))


def _expected(reference, key: str) -> str:
    if isinstance(reference, Integral) and key in _COUNTS and not isinstance(reference, bool):
        return "an int"
    if isinstance(reference, str) and key in _CHOICES:
        return f"one of {sorted(_CHOICES[key])}"
    if is_number(reference):
        return "a number"
    return "a bool" if isinstance(reference, bool) else f"a {type(reference).__name__}"


def _is_plain(value) -> bool:
    return value is None or isinstance(value, (bool, str)) or is_number(value)


def _kind(value) -> str:
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"str {value!r:.40}" if isinstance(value, str) else type(value).__name__
