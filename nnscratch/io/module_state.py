"""Whole ``nn.Module`` objects in ``save`` / ``load`` files: torch's ``torch.save(model, f)``
and ``torch.load(f, weights_only=False)``, without pickle.

A module is written as a description of its tree, inside the structure JSON of ``state.py``:
``{"module": {"class": [__module__, __qualname__], "training", "parameters", "buffers",
"non_persistent", "modules", "attributes"}}``. Parameters and buffers are arrays in the
safetensors payload, named by their ``state_dict`` keys; submodules follow in order; the other
instance attributes must be plain data (None, bools, numbers, strings, tuples, lists and dicts
of those, NumPy arrays, Tensors, ``ns.device``, NumPy dtypes) or an nnscratch function such as
``F.relu``. Anything else (a lambda, an open file, an arbitrary object) makes ``save`` raise a
``TypeError`` naming the attribute. A module or tensor met a second time (tied weights, a
shared layer) is written as ``{"ref": n}``, n counting first meetings, so it comes back shared.

Registered forward/backward hooks make ``save`` refuse: torch pickles hooks that are
module-level functions, but nnscratch stores no code, and silently dropping them would change
what the loaded model computes. Hooks on single tensors are not saved (only their values).

Loading (``module_load.py``) imports nothing and runs no code from the file. A class must be
a subclass of ``nn.Module`` already defined in this process (found by walking
``Module.__subclasses__()``, matching ``__module__`` and ``__qualname__`` exactly; of several,
the newest, or under ``weights_only`` the newest allowed). Each module is made with
``cls.__new__(cls)``, no ``__init__``, and its state set directly. Under
``weights_only=True`` (the default, as torch 2.6+) every class, and every function an
attribute holds, must also be on the allow-list of ``safe_globals.py``; torch asks that of
its own ``torch.nn`` classes too. ``weights_only=False`` allows any defined Module subclass.

>>> import io
>>> import nnscratch as ns
>>> model = ns.nn.Sequential(ns.nn.Linear(2, 3), ns.nn.ReLU()).eval()
>>> buffer = io.BytesIO()
>>> ns.save(model, buffer)
>>> _ = buffer.seek(0)
>>> loaded = ns.load(buffer, weights_only=False)
>>> type(loaded).__name__, list(loaded.state_dict()), loaded.training
('Sequential', ['0.weight', '0.bias'], False)
"""

from __future__ import annotations

import types
from collections.abc import Callable

import numpy as np

from .. import ops
from ..autograd.device import device
from ..autograd.tensor import Tensor
from ..errors import FileFormatError
from .safe_globals import NN_CLASSES as _NN  # one dict, however often pytest imports this file
from .safe_globals import register_nn

__all__ = ["Arrays", "TAGS", "WeightsOnlyError", "encode_object", "register_nn"]

TAGS = frozenset({"module", "ref", "parameter", "device", "dtype", "scalar_type", "function"})
_KEYS = frozenset(
    {"class", "training", "parameters", "buffers", "non_persistent", "modules", "attributes"}
)
_RESERVED = frozenset(
    {"training", "_parameters", "_buffers", "_non_persistent_buffers_set", "_modules", "_hooks"}
)
_HOOK_KINDS = ("forward_pre", "forward", "backward_pre", "backward")
_DTYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64", "complex64", "complex128"}
)  # fmt: skip


class WeightsOnlyError(FileFormatError):
    """``load(weights_only=True)`` met a class or function that is not on the allow-list
    (torch raises ``UnpicklingError`` there)."""


def _is_module(obj) -> bool:
    return "Module" in _NN and isinstance(obj, _NN["Module"])


# ---- save ---------------------------------------------------------------------------------------
class Arrays(dict):
    """The arrays a save writes (name -> array), and the modules and tensors it has written:
    a second meeting is written as ``{"ref": n}``."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[int, int] = {}
        self.kept: list = []  # keeps every numbered object alive, so ids stay unique
        self.label = ""  # "model" when the saved object itself is a module, for messages

    def first(self, obj) -> dict | None:
        """``{"ref": n}`` if ``obj`` was written before; otherwise None, and numbers it."""
        if id(obj) in self.seen:
            return {"ref": self.seen[id(obj)]}
        self.seen[id(obj)] = len(self.kept)
        self.kept.append(obj)
        return None

    def where(self, path: str) -> str:
        return ".".join(p for p in (self.label, path) if p) or "the object"


Encoder = Callable[[object, str, Arrays, int], object]


def encode_object(obj, path: str, arrays: Arrays, depth: int, encode: Encoder):
    """The node of a module, device, dtype or nnscratch function; None for anything else.
    ``encode`` is ``state._encode``, for parameters, buffers and attribute values."""
    if _is_module(obj):
        arrays.label = arrays.label or ("model" if path == "" else "")
        return arrays.first(obj) or {"module": _module_node(obj, path, arrays, depth, encode)}
    if isinstance(obj, device):
        return {"device": str(obj)}
    if isinstance(obj, np.dtype) and obj.name in _DTYPES:
        return {"dtype": obj.name}
    if isinstance(obj, type) and issubclass(obj, np.generic) and np.dtype(obj).name in _DTYPES:
        return {"scalar_type": np.dtype(obj).name}
    if isinstance(obj, types.FunctionType) and _functions().get(_name_of(obj)) is obj:
        return {"function": list(_name_of(obj))}
    return None


def _module_node(module, path: str, arrays: Arrays, depth: int, encode: Encoder) -> dict:
    _check_hooks(module, arrays.where(path))
    d = vars(module)

    def slot(name, value):
        return [name, _slot(value, _join(path, name), arrays, depth, encode)]

    def child(name, value):
        node = None if value is None else encode(value, _join(path, name), arrays, depth + 1)
        return [name, node]

    buffers = d["_buffers"]
    return {
        "class": [type(module).__module__, type(module).__qualname__],
        "training": bool(module.training),
        "parameters": [slot(name, value) for name, value in d["_parameters"].items()],
        "buffers": [slot(name, value) for name, value in buffers.items()],
        "non_persistent": sorted(n for n in d["_non_persistent_buffers_set"] if n in buffers),
        "modules": [child(name, value) for name, value in d["_modules"].items()],
        "attributes": [
            [name, _attribute(value, _join(path, name), arrays, depth, encode)]
            for name, value in d.items()
            if name not in _RESERVED
        ],
    }


def _check_hooks(module, where: str) -> None:
    hooks = vars(module).get("_hooks")
    if hooks is not None and any(getattr(hooks, kind, None) for kind in _HOOK_KINDS):
        raise TypeError(
            f"save cannot store {where}: it has registered forward/backward hooks, which are "
            "code, and nnscratch stores no code (torch pickles hooks that are module-level "
            "functions). Remove them (handle.remove()) before saving and register them again "
            "after loading, or save model.state_dict() instead"
        )


def _slot(value, path: str, arrays: Arrays, depth: int, encode: Encoder):
    """A parameter, buffer or Tensor attribute: written once, then as a reference."""
    if value is None:
        return None
    if type(value) not in (Tensor, _NN["Parameter"]):
        raise TypeError(
            f"save cannot store {arrays.where(path)}: expected a Tensor or a Parameter, "
            f"received {type(value).__name__}" + _lazy_hint(value)
        )
    ref = arrays.first(value)
    if ref is not None:
        return ref
    node = encode(value, path, arrays, depth + 1)  # {"tensor": name, "requires_grad": bool}
    if isinstance(value, _NN["Parameter"]):
        return {"parameter": node["tensor"], "requires_grad": node["requires_grad"]}
    return node


def _lazy_hint(value) -> str:
    if "Uninitialized" in type(value).__name__:
        return " (a lazy module learns its shapes on its first call: call it once first)"
    return ""


def _attribute(value, path: str, arrays: Arrays, depth: int, encode: Encoder):
    if isinstance(value, Tensor):
        return _slot(value, path, arrays, depth, encode)
    try:
        return encode(value, path, arrays, depth + 1)
    except TypeError as error:
        if isinstance(error, _UnsavableAttribute) or "cannot store" not in str(error):
            raise
        found = str(error).split(":")[0].replace("save cannot store ", "")  # "lambda at a.0"
        raise _UnsavableAttribute(
            f"save cannot store the attribute {arrays.where(path)} of type "
            f"{type(value).__name__} (found {found}): a module's attributes besides its "
            "parameters, buffers and submodules must be plain data (None, bools, numbers, "
            "strings, tuples, lists and dicts of those, arrays, Tensors, devices, dtypes) or "
            "nnscratch functions. Save model.state_dict() instead and rebuild the model in code"
        ) from None


class _UnsavableAttribute(TypeError):
    """Raised once, at the innermost module; the outer ones let it through."""


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _name_of(function) -> tuple[str, str]:
    return function.__module__, function.__qualname__


_FUNCTIONS: dict[tuple[str, str], types.FunctionType] = {}


def _functions() -> dict[tuple[str, str], types.FunctionType]:
    """The functions a file may name: nnscratch's ops (what ``nn.functional`` exports)."""
    if not _FUNCTIONS:
        for value in vars(ops).values():
            if isinstance(value, types.FunctionType) and value.__module__.startswith(ops.__name__):
                _FUNCTIONS[_name_of(value)] = value
    return _FUNCTIONS
