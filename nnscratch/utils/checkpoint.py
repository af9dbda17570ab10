"""Training checkpoints for PyTorch-style loops: everything a resumed run needs, in one file.

``save_checkpoint`` writes the model's, optimizer's and LR scheduler's ``state_dict()``, the
epoch, any extra values and the state of nnscratch's global random generator to one
safetensors file through ``nnscratch.save``, atomically: a run killed while saving leaves the
previous checkpoint whole. ``load_checkpoint`` puts them back, the random state last, so a
run resumed from a checkpoint shuffles, drops out and updates exactly as the uninterrupted
run would have, bit for bit. (A ``DataLoader`` given its own ``generator`` draws from that
generator, not the global one: save its ``bit_generator.state`` as an extra value.)

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

from .. import random
from ..errors import FileFormatError, InputError
from ..io import state as io_state

__all__ = ["load_checkpoint", "save_checkpoint"]

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
    (``"epoch"``, the extra values, and the raw state dicts)."""
    path = os.fspath(path)
    checkpoint = _read(path)
    for name, obj in {"model": model, "optimizer": optimizer, "scheduler": scheduler}.items():
        if obj is not None:
            obj.load_state_dict(_entry(checkpoint, name, path))
    if restore_rng:
        try:
            random.set_rng_state(_entry(checkpoint, "rng_state", path))
        except InputError as error:
            raise FileFormatError(
                f"{path!r}: the saved random state is unusable: {error}"
            ) from error
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


def _entry(checkpoint: dict, name: str, path: str):
    if name not in checkpoint:
        held = sorted(str(k) for k in checkpoint if k not in ("format", "format_version"))
        raise FileFormatError(
            f"{path!r}: expected the checkpoint to hold {name!r}, it holds {held}"
        )
    return checkpoint[name]
