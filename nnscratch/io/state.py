"""``save(obj, path)`` / ``load(path)``: torch's idiom, as one safetensors file, no pickle.

``obj`` may nest dicts, lists and tuples of Tensors, NumPy arrays and scalars, and plain JSON
values (None, bools, numbers, strings). The arrays become the file's tensors, named by their
path in ``obj`` (``{"model": {"w": t}}`` stores ``model.w``), so any safetensors tool reads
them; the nesting is JSON in the file's metadata. A state dict saves under its own keys, so
``torch``'s ``safetensors.torch.load_file`` reads ``ns.save(module.state_dict(), path)``, and
``load`` of a plain safetensors file (no structure) gives ``{name: Tensor}``. A whole
``nn.Module`` saves too, as a description of its tree with no code in it; loading it
follows torch's ``weights_only`` rules (``module_state.py``).

>>> import os, tempfile
>>> import nnscratch as ns
>>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.safetensors")
>>> ns.save({"step": 3, "weights": [ns.ones(2), ns.zeros(1, 2)]}, path)
>>> state = ns.load(path)
>>> state["step"], [w.shape for w in state["weights"]]
(3, [(2,), (1, 2)])
"""

from __future__ import annotations

import json

import numpy as np

from ..autograd.tensor import Tensor
from ..errors import FileFormatError
from ..ops.creation import from_numpy
from . import module_load, module_state, safetensors, torch_options
from .module_state import _join

__all__ = ["load", "save"]

FORMAT = "nnscratch.state"
FORMAT_VERSION = "1"
_MAX_DEPTH = 100
_SCALARS = (type(None), bool, int, float, str)


# ---- save ---------------------------------------------------------------------------------------
def save(obj, path, pickle_module=None, pickle_protocol: int = 2, **_options) -> None:
    """Write ``obj`` (nested containers of Tensors, arrays and JSON values) to ``path``, a
    file name or a binary file object (``io.BytesIO``), as ``torch.save(obj, f)``.

    A whole ``nn.Module`` (also inside containers) is written as a description of its tree
    (``module_state.py``): its classes by name, its tensors, its plain-data attributes; one
    holding code (a lambda, a hook) raises ``TypeError``. An optimizer is refused: save its
    ``state_dict()``. torch's pickle options
    (``pickle_module``, ``pickle_protocol``, ``_use_new_zipfile_serialization``) are accepted
    and change nothing.
    """
    tensors = module_state.Arrays()  # a dict of arrays that also remembers shared modules
    structure = _encode(obj, "", tensors, 0)
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "structure": json.dumps(structure, separators=(",", ":")),
    }
    torch_options.write(safetensors.save(tensors, metadata), path)


def _encode(obj, path: str, tensors: dict, depth: int):
    if depth > _MAX_DEPTH:
        raise ValueError(f"save: {path or 'the object'} is nested deeper than {_MAX_DEPTH}")
    if isinstance(obj, _SCALARS) and not isinstance(obj, np.generic):  # np.float64 is a float
        return obj
    node = module_state.encode_object(obj, path, tensors, depth, _encode)
    if node is not None:  # a module, device, dtype or nnscratch function
        return node
    torch_options.check_savable(obj)
    if isinstance(obj, Tensor):
        name = _store(path, obj.detach().numpy(), tensors)
        return {"tensor": name, "requires_grad": obj.requires_grad}
    if isinstance(obj, (np.ndarray, np.generic)):
        tag = "array" if isinstance(obj, np.ndarray) else "scalar"
        return {tag: _store(path, np.asarray(obj), tensors)}
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, _join(path, i), tensors, depth + 1) for i, v in enumerate(obj)]
        return {"tuple" if isinstance(obj, tuple) else "list": items}
    if isinstance(obj, dict):
        return {"dict": [_encode_item(k, v, path, tensors, depth) for k, v in obj.items()]}
    raise TypeError(
        f"save cannot store {type(obj).__name__} at {path or 'the top level'}: expected Tensors, "
        "NumPy arrays, dicts, lists, tuples, None, bools, numbers, strings, nn.Modules, "
        "devices, dtypes or nnscratch functions (never pickle)"
    )


def _encode_item(key, value, path: str, tensors: dict, depth: int) -> list:
    if not isinstance(key, _SCALARS):
        raise TypeError(f"save: dict keys must be strings, numbers, bools or None, got {key!r}")
    return [key, _encode(value, _join(path, key), tensors, depth + 1)]


def _store(path: str, array: np.ndarray, tensors: dict) -> str:
    name, n = path or "tensor", 1
    while name in tensors or name == "__metadata__":  # keys like "a.b" next to {"a": {"b": ..}}
        name, n = f"{path}#{n}", n + 1
    tensors[name] = array
    return name


# ---- load ---------------------------------------------------------------------------------------
def load(path, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **_):
    """What ``save`` wrote to ``path`` (a file name or a binary file object); a plain
    safetensors file gives ``{name: Tensor}``. Any problem with the file raises
    ``FileFormatError`` saying what was expected and found.

    torch's arguments: ``map_location`` may name the CPU (``"cpu"``, ``ns.device("cpu")``, a
    dict mapping locations to ``"cpu"``) or be a callable ``(tensor, "cpu") -> tensor``
    applied to each tensor (not inside a loaded module); one naming a GPU raises
    ``DeviceError``. Nothing named in the file is ever imported or run. Tensors, arrays,
    plain containers, devices and dtypes always load; a whole module's classes, with
    ``weights_only`` True or None (torch 2.6+'s default), must be on the allow-list
    (``serialization.safe_globals``), else ``module_state.WeightsOnlyError``; with
    ``weights_only=False``, any ``nn.Module`` subclass this program defines may be built.
    ``mmap`` and the pickle options are accepted; the file is read into memory.
    """
    mapper = torch_options.tensor_mapper(map_location)
    obj = _load(path, weights_only is None or bool(weights_only))
    return obj if mapper is None else torch_options.map_tensors(obj, mapper)


def _load(path, weights_only: bool = True):
    arrays, metadata, path = torch_options.read(path)
    if metadata.get("format") != FORMAT:
        return {name: from_numpy(array) for name, array in arrays.items()}
    if metadata.get("format_version") != FORMAT_VERSION:
        raise FileFormatError(
            f"{str(path)!r}: expected {FORMAT} version {FORMAT_VERSION}, received version "
            f"{metadata.get('format_version')!r:.40}"
        )
    try:
        structure = json.loads(metadata.get("structure", "null"))
    except (ValueError, RecursionError) as error:
        raise FileFormatError(f"{str(path)!r}: the structure is not valid JSON: {error}") from error
    return _Decoder(arrays, str(path), weights_only).decode(structure, 0)


class _Decoder:
    """Rebuilds the nesting, checking every node (the metadata may have been tampered with)."""

    def __init__(self, arrays: dict, source: str, weights_only: bool = True) -> None:
        self.arrays, self.source, self.weights_only = arrays, source, weights_only
        self.shared: list = []  # modules and tensors in file order, for {"ref": n}

    def decode(self, node, depth: int):
        if depth > _MAX_DEPTH:
            raise self.error(f"a structure nested at most {_MAX_DEPTH} deep", "deeper nesting")
        if isinstance(node, _SCALARS):
            return node
        if not isinstance(node, dict) or len(node) not in (1, 2):
            raise self.error("a value or a tagged object", repr(node)[:120])
        if "tensor" in node:
            return self.tensor(node)
        tag, value = next(iter(node.items()))
        if tag in module_state.TAGS:
            return module_load.decode(self, node, depth)
        if tag in ("array", "scalar") and len(node) == 1:
            array = self.array(value)
            return array[()] if tag == "scalar" else array
        if tag in ("list", "tuple") and isinstance(value, list) and len(node) == 1:
            items = [self.decode(v, depth + 1) for v in value]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict" and isinstance(value, list) and len(node) == 1:
            return dict(self.item(pair, depth) for pair in value)
        raise self.error("a list, tuple, dict, tensor, array or scalar node", repr(node)[:120])

    def item(self, pair, depth: int) -> tuple:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], _SCALARS)):
            raise self.error("a [key, value] pair with a plain key", repr(pair)[:120])
        return pair[0], self.decode(pair[1], depth + 1)

    def tensor(self, node: dict) -> Tensor:
        requires_grad = node.get("requires_grad", False)
        if set(node) - {"tensor", "requires_grad"} or not isinstance(requires_grad, bool):
            raise self.error("a tensor node {tensor, requires_grad: bool}", repr(node)[:120])
        array = self.array(node["tensor"])
        if requires_grad and array.dtype.kind != "f":
            raise self.error("requires_grad only on a float tensor", f"dtype {array.dtype}")
        return from_numpy(array).requires_grad_(requires_grad)

    def array(self, name) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            raise self.error("the name of a tensor in the file", repr(name)[:120])
        return self.arrays[name]

    def error(self, expected: str, received: str) -> FileFormatError:
        return FileFormatError(
            f"{self.source}: in the saved structure, expected {expected}, received {received}"
        )
