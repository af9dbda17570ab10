"""Checking a state dict before ``Optimizer.load_state_dict`` takes any of it.

A state dict may come from a file that was cut short or tampered with, so everything that a
later ``step()`` relies on is checked first: the layout, the group count and sizes (in torch's
words), the options' types, and each parameter's state (its keys, and arrays of the right
shape and kind). A refused dict raises ``InputError`` and leaves the optimizer as it was.

>>> import nnscratch as ns
>>> opt = ns.optim.SGD([ns.zeros(2, requires_grad=True)], lr=0.1)
>>> tampered = {"state": {}, "param_groups": [{"params": [0], "lr": "fast"}]}
>>> check_state_dict(opt, tampered)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
nnscratch.errors.InputError: SGD.load_state_dict expects param_groups[0]['lr'] to be a number ...
"""

from __future__ import annotations

import sys
from numbers import Real

import numpy as np

from ..autograd import Tensor
from ..errors import InputError

__all__ = ["check_state_dict", "is_int", "is_number"]

_STEP_MAX = float(np.finfo(np.float32).max)  # a number 'step' becomes a float32 0-d array


def check_state_dict(optimizer, state_dict) -> None:
    """Raise ``InputError`` if ``state_dict`` cannot be loaded into ``optimizer``."""
    where = f"{type(optimizer).__name__}.load_state_dict"
    if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
        raise InputError(
            f"{where} expects a dict with 'state' and 'param_groups', received {_kind(state_dict)}"
        )
    params = _check_groups(optimizer, state_dict["param_groups"], where)
    _check_states(optimizer, state_dict["state"], params, where)


# ---- parameter groups --------------------------------------------------------------------------
def _check_groups(optimizer, saved_groups, where: str) -> dict:
    """Check every group; return {saved param id: (param, saved group)}."""
    if not isinstance(saved_groups, (list, tuple)) or not all(
        isinstance(group, dict) for group in saved_groups
    ):
        raise InputError(
            f"{where} expects 'param_groups' a list of dicts, received {_kind(saved_groups)}"
        )
    if len(saved_groups) != len(optimizer.param_groups):
        raise InputError(
            "loaded state dict has a different number of parameter groups "
            f"({len(saved_groups)} saved, {len(optimizer.param_groups)} here)"
        )
    params: dict = {}
    for i, (group, saved) in enumerate(zip(optimizer.param_groups, saved_groups)):
        _check_ids(saved.get("params"), f"{where} expects param_groups[{i}]['params']")
        if len(group["params"]) != len(saved["params"]):
            raise InputError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                f"optimizer's group ({len(saved['params'])} saved, {len(group['params'])} here)"
            )
        _check_options(group, saved, f"{where} expects param_groups[{i}]")
        for index, param in zip(saved["params"], group["params"]):
            if index in params:
                raise InputError(f"{where}: parameter id {index} is in more than one group")
            params[index] = (param, {**optimizer.defaults, **saved})
    return params


def _check_ids(ids, where: str) -> None:
    if not isinstance(ids, (list, tuple)) or not all(is_int(i) for i in ids):
        raise InputError(f"{where} to be a list of parameter ids (ints), received {_kind(ids)}")


def _check_options(group: dict, saved: dict, where: str) -> None:
    """Each option the optimizer knows has the type of its value here; others are plain data."""
    for key, value in saved.items():
        if not isinstance(key, str):
            raise InputError(f"{where} to have string keys, received {key!r:.60}")
        if key == "params":
            continue
        if key == "param_names":
            if not _is_list_of(value, str) or len(value) != len(saved["params"]):
                raise InputError(
                    f"{where}['param_names'] to be one name (str) per parameter, "
                    f"{len(saved['params'])} in all, received {_kind(value)}"
                )
        elif key in group:
            if not _like(value, group[key]):
                expected = _expected(group[key])
                raise InputError(f"{where}[{key!r}] to be {expected}, received {_kind(value)}")
        elif not _is_plain(value):
            raise InputError(f"{where}[{key!r}] to be a plain value, received {_kind(value)}")


def _like(value, reference) -> bool:
    """Whether ``value`` may stand where ``reference`` stands (numbers for numbers, ...)."""
    if isinstance(reference, bool):
        return isinstance(value, bool)
    if reference is None:  # torch's 'foreach' and 'fused': None or a bool
        return value is None or isinstance(value, bool)
    if isinstance(reference, Real):
        return is_number(value)
    if isinstance(reference, (list, tuple)):
        same = isinstance(value, (list, tuple)) and len(value) == len(reference)
        return same and all(is_number(v) for v in value)
    return isinstance(value, type(reference))


def _is_plain(value) -> bool:
    """An option the optimizer does not know (torch's 'foreach', a scheduler's 'max_lr'): kept
    as it is, so only plain values are taken."""
    if isinstance(value, (list, tuple)):
        return len(value) <= 16 and all(is_number(v) for v in value)
    return value is None or isinstance(value, (bool, str)) or is_number(value)


def _expected(reference) -> str:
    if isinstance(reference, bool):
        return "a bool"
    if reference is None:
        return "None or a bool"
    if isinstance(reference, Real):
        return f"a number like {reference!r}"
    if isinstance(reference, (list, tuple)):
        return f"{len(reference)} numbers like {tuple(reference)!r:.60}"
    return f"a {type(reference).__name__}"


# ---- per-parameter state -----------------------------------------------------------------------
def _check_states(optimizer, states, params: dict, where: str) -> None:
    if not isinstance(states, dict):
        raise InputError(
            f"{where} expects 'state' a dict by parameter id, received {_kind(states)}"
        )
    for index, state in states.items():
        if not is_int(index) or index not in params:
            raise InputError(
                f"{where} expects 'state' keys among the saved parameter ids "
                f"{sorted(params)!r:.80}, received {index!r:.60}"
            )
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise InputError(f"{where} expects state[{index}] a dict, received {_kind(state)}")
        _check_state(optimizer, state, *params[index], f"{where} expects state[{index}]")


def _check_state(optimizer, state: dict, param: Tensor, group: dict, where: str) -> None:
    """``state`` holds what the optimizer's first step would have made (``_init_state``),
    in the same shapes, and any other array has the parameter's shape (a momentum buffer)."""
    if not state:
        return  # made at the next step
    reference: dict = {}
    optimizer._init_state(np.zeros(param.shape, param.dtype), reference, group)
    missing = sorted(set(reference) - set(state))
    if missing:
        raise InputError(f"{where} to hold {sorted(reference)}, it lacks {missing}")
    for key, value in state.items():
        scalar = key == "step" or np.ndim(reference.get(key, param._data)) == 0
        if value is None and key not in reference:
            continue  # torch's SGD saves a momentum buffer not made yet as None
        if not (_is_scalar(value, key) if scalar else _is_array(value, param.shape)):
            shape = "a number (a 0-d array)" if scalar else f"a float array of shape {param.shape}"
            raise InputError(f"{where}[{key!r}] to be {shape}, received {_kind(value)}")


def _is_scalar(value, key: str) -> bool:
    """A number, or a 0-d array: a float one, as other state is updated in place ('step' is
    only ever rebound, so an integer count from an older torch is fine)."""
    if is_number(value):
        return abs(value) <= _STEP_MAX if key == "step" else True
    array = _as_array(value)
    kinds = "fiu" if key == "step" else "f"
    return array is not None and array.ndim == 0 and array.dtype.kind in kinds


def _is_array(value, shape: tuple) -> bool:
    array = _as_array(value)
    return array is not None and array.shape == tuple(shape) and array.dtype.kind == "f"


def _as_array(value) -> np.ndarray | None:
    """The array behind a Tensor, a NumPy array or an array-like (torch's); else None."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "__array__") and not isinstance(value, (str, bytes)):
        return np.asarray(value)
    return None


# ---- small predicates --------------------------------------------------------------------------
def is_int(value) -> bool:
    """An integer, NumPy's too, but not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value) -> bool:
    """A real number a float can hold (inf is one; an int of 400 digits from JSON is not)."""
    if not isinstance(value, (Real, np.integer, np.floating)) or isinstance(
        value, (bool, np.bool_)
    ):
        return False
    return not isinstance(value, int) or abs(value) <= sys.float_info.max


def _is_list_of(value, kind: type) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, kind) for v in value)


def _kind(value) -> str:
    """A short description of a received value, for messages."""
    array = value if isinstance(value, np.ndarray) else None
    if isinstance(value, Tensor):
        array = value._data
    if array is not None:
        return f"an array of dtype {array.dtype} and shape {array.shape}"
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} of {len(value)} items"
    return type(value).__name__
