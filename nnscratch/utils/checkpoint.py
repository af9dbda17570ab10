"""Training checkpoints for PyTorch-style loops: everything a resumed run needs, in one file.

``save_checkpoint`` writes the model's, optimizer's and LR scheduler's ``state_dict()``, the
epoch, any extra values and the state of nnscratch's global random generator to one
safetensors file through ``nnscratch.save``, atomically: a run killed while saving leaves the
previous checkpoint whole. ``load_checkpoint`` puts them back, the random state last, so a
run resumed from a checkpoint shuffles, drops out and updates exactly as the uninterrupted
run would have, bit for bit. It checks the whole file against the objects before it changes
any of them: a file cut short, tampered with or written for other objects raises
``FileFormatError`` and leaves model, optimizer, scheduler and random state as they were.
(A ``DataLoader`` given its own ``generator`` draws from that generator, not the global one:
save its ``bit_generator.state`` as an extra value.)

>>> import os, tempfile
>>> import nnscratch as ns
>>> from nnscratch import nn, optim
>>> model = nn.Linear(2, 1)
>>> opt = optim.SGD(model.parameters(), lr=0.1)
>>> path = os.path.join(tempfile.mkdtemp(), "last.safetensors")
>>> save_checkpoint(path, model=model, optimizer=opt, epoch=3, best_loss=0.25)
>>> state = load_checkpoint(path, model=model, optimizer=opt)
>>> state["epoch"], state["best_loss"]
(3, 0.25)
"""

from __future__ import annotations

import os

import numpy as np

from .. import random
from ..autograd import Tensor
from ..errors import FileFormatError, InputError, StateMismatchError
from ..io import state as io_state
from ..nn.module import Module

__all__ = ["StateMismatchError", "load_checkpoint", "save_checkpoint"]

FORMAT = "nnscratch.checkpoint"
FORMAT_VERSION = 1
_OBJECTS = ("model", "optimizer", "scheduler")
_RESERVED = {"format", "format_version", "rng_state", *_OBJECTS, "epoch"}


def save_checkpoint(
    path, *, model=None, optimizer=None, scheduler=None, epoch: int | None = None, **extra
) -> None:
    """Write the ``state_dict()`` of ``model``, ``optimizer`` and ``scheduler`` (those
    given), ``epoch``, the ``extra`` values (Tensors, arrays, numbers, strings, lists and
    dicts of them) and the global random state to ``path``, atomically."""
    clash = sorted(_RESERVED & set(extra))
    if clash:
        raise InputError(f"save_checkpoint: {clash} are reserved names, pass other extra names")
    objects = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    checkpoint = {"format": FORMAT, "format_version": FORMAT_VERSION, "epoch": epoch}
    for name, obj in objects.items():
        if obj is not None:
            checkpoint[name] = _state_dict(name, obj)
    checkpoint["rng_state"] = random.get_rng_state()
    io_state.save({**checkpoint, **extra}, path)


def load_checkpoint(
    path, *, model=None, optimizer=None, scheduler=None, restore_rng: bool = True
) -> dict:
    """Load a ``save_checkpoint`` file into the objects given, restore the global random
    state (unless ``restore_rng=False``) and return everything the file holds as a dict
    (``"epoch"``, the extra values, and the raw state dicts).

    Everything is checked before anything is loaded, and a load that fails all the same is
    undone: on any error the objects and the random state are as they were.
    """
    path = os.fspath(path)
    checkpoint = _read(path)
    given = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    objects = {name: obj for name, obj in given.items() if obj is not None}
    entries = {name: _entry(checkpoint, name, path) for name in objects}
    for name, obj in objects.items():
        _check(name, obj, entries[name], path)
    rng_state = _check_rng_state(checkpoint, path) if restore_rng else None
    _load_all(objects, entries, rng_state, path)
    return {k: v for k, v in checkpoint.items() if k not in ("format", "format_version")}


def _state_dict(name: str, obj) -> dict:
    if not callable(getattr(obj, "state_dict", None)):
        raise InputError(
            f"save_checkpoint: {name}= expects an object with state_dict(), received "
            f"{type(obj).__name__}"
        )
    return obj.state_dict()


def _read(path: str) -> dict:
    checkpoint = io_state.load(path)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        found = checkpoint.get("format") if isinstance(checkpoint, dict) else None
        raise FileFormatError(
            f"{path!r}: expected a checkpoint written by save_checkpoint (format {FORMAT!r}), "
            f"received {type(checkpoint).__name__} with format {found!r:.60}"
        )
    if checkpoint.get("format_version") != FORMAT_VERSION:
        raise FileFormatError(
            f"{path!r}: expected checkpoint format_version {FORMAT_VERSION}, received "
            f"{checkpoint.get('format_version')!r:.40}"
        )
    return checkpoint


def _check(name: str, obj, entry, path: str) -> None:
    """Refuse an entry that ``obj.load_state_dict`` would refuse or choke on."""
    if isinstance(obj, Module):
        _check_module_state(obj, entry, path)
    elif callable(getattr(obj, "check_state_dict", None)):
        try:
            obj.check_state_dict(entry)
        except ValueError as error:  # InputError, or torch's ValueErrors for group sizes
            raise FileFormatError(
                f"{path!r}: the checkpoint's {name!r} does not fit the {name} "
                f"({type(obj).__name__}): {error}"
            ) from error


def _check_module_state(model: Module, entry, path: str) -> None:
    """Module.load_state_dict's checks (strict keys, shapes), in torch's words, and more: the
    values must be numeric arrays that cast to the parameter's dtype without losing kind."""
    if not isinstance(entry, dict):
        raise StateMismatchError(
            f"{path!r}: expected the checkpoint's 'model' to be a state dict, received "
            f"{type(entry).__name__}"
        )
    own = model.state_dict(keep_vars=True)
    missing = [key for key in own if key not in entry]
    unexpected = [key for key in entry if key not in own]
    errors = [_keys_line("Missing", missing)] if missing else []
    errors += [_keys_line("Unexpected", unexpected)] if unexpected else []
    errors += [e for key in own if key in entry for e in _value_errors(key, own[key], entry[key])]
    if errors:
        raise StateMismatchError(
            f"{path!r}: Error(s) in loading state_dict for {type(model).__name__}:\n\t"
            + "\n\t".join(errors)
        )


def _keys_line(kind: str, keys: list) -> str:
    """torch's wording; a tampered file may hold thousands of long keys: 20 are named."""
    names = ", ".join(f'"{str(key):.80}"' for key in keys[:20])
    return f"{kind} key(s) in state_dict: {names}{', ...' if len(keys) > 20 else ''}. "


def _value_errors(key: str, target: Tensor, value) -> list[str]:
    array = value._data if isinstance(value, Tensor) else value
    if not isinstance(array, np.ndarray):
        return [f"{key}: expected a Tensor or an array, received {type(value).__name__}"]
    if array.shape != target.shape:
        return [
            f"size mismatch for {key}: copying a param with shape {array.shape} from "
            f"checkpoint, the shape in current model is {target.shape}."
        ]
    if array.dtype.kind not in "biuf" or not np.can_cast(array.dtype, target.dtype, "same_kind"):
        return [f"dtype mismatch for {key}: {array.dtype} cannot become {target.dtype}"]
    return []


def _check_rng_state(checkpoint: dict, path: str):
    state = _entry(checkpoint, "rng_state", path)
    try:
        random.check_rng_state(state)
    except InputError as error:
        raise FileFormatError(f"{path!r}: the saved random state is unusable: {error}") from error
    return state


def _load_all(objects: dict, entries: dict, rng_state, path: str) -> None:
    """Load every entry, then the random state; if anything fails, undo it all."""
    saved = {name: _snapshot(obj) for name, obj in objects.items()}
    rng_before = random.get_rng_state()
    try:
        for name, obj in objects.items():
            obj.load_state_dict(entries[name])
        if rng_state is not None:
            random.set_rng_state(rng_state)
    except BaseException as error:  # (an interrupt too: never leave a half-loaded run)
        for name, obj in objects.items():
            _restore(obj, saved[name])
        random.set_rng_state(rng_before)
        if isinstance(error, (LookupError, TypeError, ValueError, AttributeError, RuntimeError)):
            if not isinstance(error, FileFormatError):
                message = f"{path!r}: loading the checkpoint failed: {error}"
                raise StateMismatchError(message) from error
        raise


def _snapshot(obj):
    """What ``_restore`` needs: a module's values (loaded in place), else the attributes
    (an optimizer's or scheduler's load_state_dict rebinds them)."""
    if isinstance(obj, Module):
        return {k: v.detach().numpy().copy() for k, v in obj.state_dict().items()}
    return dict(vars(obj)) if hasattr(obj, "__dict__") else None


def _restore(obj, snapshot) -> None:
    if isinstance(obj, Module):
        obj.load_state_dict(snapshot)
    elif snapshot is not None:
        vars(obj).clear()
        vars(obj).update(snapshot)


def _entry(checkpoint: dict, name: str, path: str):
    if name not in checkpoint:
        held = sorted(str(k) for k in checkpoint if k not in ("format", "format_version"))
        raise FileFormatError(
            f"{path!r}: expected the checkpoint to hold {name!r}, it holds {held}"
        )
    return checkpoint[name]
