"""``save(obj, path)`` / ``load(path)``: torch's idiom, as one safetensors file, no pickle.

``obj`` may nest dicts, lists and tuples of Tensors, NumPy arrays and scalars, and plain JSON
values (None, bools, numbers, strings). The arrays become the file's tensors, named by their
path in ``obj`` (``{"model": {"w": t}}`` stores ``model.w``), so any safetensors tool reads
them; the nesting is JSON in the file's metadata. A state dict saves under its own keys, so
``torch``'s ``safetensors.torch.load_file`` reads ``ns.save(module.state_dict(), path)``, and
``load`` of a plain safetensors file (no structure) gives ``{name: Tensor}``.

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
from . import safetensors

__all__ = ["load", "save"]

FORMAT = "nnscratch.state"
FORMAT_VERSION = "1"
_MAX_DEPTH = 100
_SCALARS = (type(None), bool, int, float, str)


# ---- save ---------------------------------------------------------------------------------------
def save(obj, path) -> None:
    """Write ``obj`` (nested containers of Tensors, arrays and JSON values) to ``path``."""
    tensors: dict[str, np.ndarray] = {}
    structure = _encode(obj, "", tensors, 0)
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "structure": json.dumps(structure, separators=(",", ":")),
    }
    safetensors.save_file(tensors, path, metadata=metadata)


def _encode(obj, path: str, tensors: dict, depth: int):
    if depth > _MAX_DEPTH:
        raise ValueError(f"save: {path or 'the object'} is nested deeper than {_MAX_DEPTH}")
    if isinstance(obj, _SCALARS) and not isinstance(obj, np.generic):  # np.float64 is a float
        return obj
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
        "NumPy arrays, dicts, lists, tuples, None, bools, numbers or strings (never pickle)"
    )


def _encode_item(key, value, path: str, tensors: dict, depth: int) -> list:
    if not isinstance(key, _SCALARS):
        raise TypeError(f"save: dict keys must be strings, numbers, bools or None, got {key!r}")
    return [key, _encode(value, _join(path, key), tensors, depth + 1)]


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _store(path: str, array: np.ndarray, tensors: dict) -> str:
    name, n = path or "tensor", 1
    while name in tensors or name == "__metadata__":  # keys like "a.b" next to {"a": {"b": ..}}
        name, n = f"{path}#{n}", n + 1
    tensors[name] = array
    return name


# ---- load ---------------------------------------------------------------------------------------
def load(path):
    """What ``save`` wrote to ``path``; a plain safetensors file gives ``{name: Tensor}``.

    Any problem with the file raises ``FileFormatError`` saying what was expected and found.
    """
    arrays, metadata = safetensors.read_file(path)
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
    return _Decoder(arrays, str(path)).decode(structure, 0)


class _Decoder:
    """Rebuilds the nesting, checking every node (the metadata may have been tampered with)."""

    def __init__(self, arrays: dict, source: str) -> None:
        self.arrays, self.source = arrays, source

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
