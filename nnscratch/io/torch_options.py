"""torch.save / torch.load's extra arguments, for ``nnscratch.save`` / ``nnscratch.load``.

torch code passes file objects as well as paths, ``map_location`` to move tensors to a
device, and ``weights_only`` / ``mmap`` / ``pickle_module`` about its pickle-based format.
nnscratch stores tensors and plain containers only, in a safetensors file, on the CPU, so:
``map_location`` is checked to name the CPU (a GPU raises ``DeviceError``), a callable one is
applied to each tensor, and the pickle options are accepted and change nothing.

>>> import io
>>> import nnscratch as ns
>>> buffer = io.BytesIO()
>>> ns.save({"w": ns.ones(2)}, buffer)
>>> _ = buffer.seek(0)
>>> ns.load(buffer, map_location="cpu", weights_only=True)["w"].tolist()
[1.0, 1.0]
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ..autograd import device as _device
from ..autograd.tensor import Tensor
from ..errors import FileFormatError, InputTypeError
from . import safetensors
from .atomic import atomic_write

__all__ = ["check_savable", "map_tensors", "read", "tensor_mapper", "write"]


def write(data: bytes, f) -> None:
    """``data`` to ``f``: a path (written atomically) or a binary file object."""
    if callable(getattr(f, "write", None)):
        f.write(data)
        return
    with atomic_write(f) as file:
        file.write(data)


def read(f) -> tuple[dict, dict[str, str], str]:
    """``(arrays, metadata, name for errors)`` from a path or a binary file object."""
    if not callable(getattr(f, "read", None)):
        return (*safetensors.read_file(f), str(os.fspath(f)))
    data = f.read()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise FileFormatError(
            f"load: expected a binary file object, but read() returned {type(data).__name__}"
        )
    source = str(getattr(f, "name", "the file object"))
    return (*safetensors.load_with_metadata(bytearray(data), repr(source)), source)


def check_savable(obj) -> None:
    """A whole optimizer (or a model that is not an nnscratch ``nn.Module``, which
    ``module_state`` saves) is refused, saying what to save instead."""
    if callable(getattr(obj, "state_dict", None)) and callable(getattr(obj, "parameters", None)):
        what, load = "model", "model.load_state_dict"
    elif callable(getattr(obj, "state_dict", None)):
        what, load = "optimizer", "optimizer.load_state_dict"
    else:
        return
    raise TypeError(
        f"save cannot store a whole {type(obj).__name__} object: torch pickles it, and "
        "nnscratch never pickles (loading a pickle runs code named in the file). Save "
        f"{what}.state_dict() instead, and restore it with {load}(ns.load(path))"
    )


def tensor_mapper(map_location) -> Callable[[Tensor], Tensor] | None:
    """What to apply to each loaded tensor: None for the CPU (nothing to move); raises
    ``DeviceError`` for a device nnscratch cannot compute on."""
    if map_location is None:
        return None
    if isinstance(map_location, dict):
        for target in map_location.values():
            _device.resolve("load(map_location=...)", target)
        return None
    if isinstance(map_location, (str, _device.device)):
        _device.resolve("load(map_location=...)", map_location)
        return None
    if callable(map_location):
        return lambda tensor: _mapped(map_location, tensor)
    raise InputTypeError(
        "load: map_location should be None, a device, a device name, a dict of device names "
        f"or a callable, received {type(map_location).__name__}"
    )


def _mapped(function: Callable, tensor: Tensor) -> Tensor:
    """torch's callable gets (storage, location) and returns a storage; here a tensor."""
    out = function(tensor, "cpu")
    return tensor if out is None else out


def map_tensors(obj, function: Callable[[Tensor], Tensor]):
    """``obj`` with ``function`` applied to every Tensor in its dicts, lists and tuples."""
    if isinstance(obj, Tensor):
        return function(obj)
    if isinstance(obj, dict):
        return {key: map_tensors(value, function) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(map_tensors(value, function) for value in obj)
    return obj
