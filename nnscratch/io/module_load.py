"""Loading the whole modules that ``module_state.py`` wrote: each class found among the
``nn.Module`` subclasses this process defines (never imported), allowed by ``weights_only``,
made with ``cls.__new__(cls)`` and filled in directly, every name and value checked first.

A file naming anything else (``os.system``, ``builtins.eval``, a class that is not a
Module), an attribute that would hide a method or an internal (``forward``, ``__class__``,
``_parameters``), a reference to nothing, or nesting past ``state._MAX_DEPTH`` raises
``FileFormatError``; nothing from the file runs.

>>> import io
>>> import nnscratch as ns
>>> buffer = io.BytesIO()
>>> ns.save(ns.nn.Linear(2, 1), buffer)
>>> with ns.serialization.safe_globals([ns.nn.Linear]):
...     ns.load(io.BytesIO(buffer.getvalue()))
Linear(in_features=2, out_features=1, bias=True)
"""

from __future__ import annotations

import inspect
from collections import OrderedDict

import numpy as np

from ..autograd.device import device
from ..autograd.tensor import Tensor
from ..errors import FileFormatError, NnscratchError
from ..ops.creation import from_numpy
from .module_state import _DTYPES, _KEYS, _NN, _RESERVED, WeightsOnlyError, _functions
from .safe_globals import is_safe

__all__ = ["decode"]


def decode(decoder, node: dict, depth: int):
    """The object of a node tagged with one of ``TAGS``. ``decoder`` is ``state._Decoder``:
    it knows the arrays, ``weights_only``, the shared objects met so far and how to decode
    plain values, and makes the ``FileFormatError``s."""
    tag, value = next(iter(node.items()))
    if tag == "parameter":
        return _Builder(decoder).slot(node, Tensor)
    if len(node) != 1:
        raise decoder.error(f"a {tag} node with one key", repr(node)[:120])
    if tag == "module":
        return _Builder(decoder).module(value, depth)
    if tag == "ref":
        return _Builder(decoder).reference(value, object)
    if tag == "device":
        return _device(decoder, value)
    if tag in ("dtype", "scalar_type"):
        if value not in _DTYPES:
            raise decoder.error(f"a dtype name in {sorted(_DTYPES)}", repr(value)[:80])
        return np.dtype(value) if tag == "dtype" else np.dtype(value).type
    return _function(decoder, value)


def _device(decoder, name):
    if not isinstance(name, str) or len(name) > 20:
        raise decoder.error("a device name such as 'cpu'", repr(name)[:80])
    try:
        return device(name)
    except NnscratchError as error:
        raise decoder.error("a device name such as 'cpu'", f"{name!r} ({error})") from None


def _function(decoder, spec):
    key = _class_spec(decoder, spec, "function")
    function = _functions().get(key)
    if function is None:
        raise decoder.error("one of nnscratch's functions (nnscratch.ops)", ".".join(key))
    if decoder.weights_only and not is_safe(function):
        raise _not_allowed(decoder, "function", key)
    return function


def _class_spec(decoder, spec, what: str) -> tuple[str, str]:
    if not (isinstance(spec, list) and len(spec) == 2):
        raise decoder.error(f"a {what} as [module, qualified name]", repr(spec)[:120])
    if not all(isinstance(s, str) and 0 < len(s) <= 300 for s in spec):
        raise decoder.error(f"a {what} as two short names", repr(spec)[:120])
    return spec[0], spec[1]


def _not_allowed(decoder, what: str, key: tuple[str, str]) -> WeightsOnlyError:
    name = ".".join(key)
    return WeightsOnlyError(
        f"{decoder.source}: weights only load failed: the file holds a whole model, and the "
        f"{what} {name} is not an allowed global. Do this only if you trust the file: load "
        "it with weights_only=False, or allow it with "
        f"nnscratch.serialization.safe_globals([{name}]) (a context manager) or "
        f"nnscratch.serialization.add_safe_globals([{name}]). (Either way nothing in the "
        "file is imported or run: it can only build Module subclasses this program defines.)"
    )


class _Builder:
    """Rebuilds one module node: finds its class, makes the object with ``__new__`` and
    fills its ``__dict__``, checking every name and value first."""

    def __init__(self, decoder) -> None:
        self.decoder = decoder

    def module(self, body, depth: int):
        if not isinstance(body, dict) or set(body) != _KEYS:
            raise self.decoder.error(f"a module node with the keys {sorted(_KEYS)}", _keys(body))
        cls = self.find_class(body["class"])
        module = cls.__new__(cls)
        if not issubclass(type(module), _NN["Module"]):
            raise self.decoder.error(f"{cls.__qualname__}.__new__ to make a Module", "another")
        self.decoder.shared.append(module)  # before the children: they may refer to it
        state = self.state(cls, body, depth)
        for name, value in state.items():
            object.__setattr__(module, name, value)
        return module

    def state(self, cls: type, body: dict, depth: int) -> dict:
        if not isinstance(body["training"], bool):
            raise self.decoder.error("training as true or false", repr(body["training"])[:40])
        names = _Names(self.decoder, cls)
        parameter, tensor = _NN["Parameter"], Tensor
        parameters = OrderedDict(
            self.slot_pair(p, names, parameter) for p in self.pairs(body, "parameters")
        )
        buffers = OrderedDict(self.slot_pair(p, names, tensor) for p in self.pairs(body, "buffers"))
        modules = OrderedDict(
            self.child(pair, names, depth) for pair in self.pairs(body, "modules")
        )
        non_persistent = body["non_persistent"]
        if not (
            isinstance(non_persistent, list)
            and all(isinstance(n, str) and n in buffers for n in non_persistent)
        ):
            raise self.decoder.error("non_persistent as names of buffers", repr(non_persistent))
        state = {
            "training": body["training"],
            "_parameters": parameters,
            "_buffers": buffers,
            "_non_persistent_buffers_set": set(non_persistent),
            "_modules": modules,
        }  # Module.__init__'s order
        for name, node in self.pairs(body, "attributes"):
            state[names.check(name)] = self.attribute(node, depth)
        return state

    def pairs(self, body: dict, key: str) -> list:
        pairs = body[key]
        if not (isinstance(pairs, list) and all(_is_pair(p) for p in pairs)):
            raise self.decoder.error(f"{key} as a list of [name, value] pairs", repr(pairs)[:120])
        return pairs

    def slot_pair(self, pair: list, names: _Names, wanted: type) -> tuple:
        return names.check(pair[0]), self.slot(pair[1], wanted)

    def child(self, pair: list, names: _Names, depth: int) -> tuple:
        name, node = names.check(pair[0]), pair[1]
        if node is None:
            return name, None
        if not (isinstance(node, dict) and next(iter(node), None) in ("module", "ref")):
            raise self.decoder.error(f"submodule {name!r} as a module node", repr(node)[:120])
        module = self.decoder.decode(node, depth + 1)  # which checks the depth
        if not issubclass(type(module), _NN["Module"]):
            raise self.decoder.error(f"submodule {name!r} to be a Module", type(module).__name__)
        return name, module

    def attribute(self, node, depth: int):
        if isinstance(node, dict) and next(iter(node), None) in ("tensor", "parameter"):
            return self.slot(node, Tensor)
        return self.decoder.decode(node, depth + 1)

    def slot(self, node, wanted: type):
        """A parameter, buffer or Tensor attribute (a ``wanted``), None, or a reference."""
        if node is None:
            return None
        tag = next(iter(node), None) if isinstance(node, dict) else None
        if tag == "ref" and len(node) == 1:
            return self.reference(node["ref"], wanted)
        if tag == "parameter":
            value = self.parameter(node)
        elif tag == "tensor" and wanted is Tensor:
            value = self.decoder.tensor(node)
        else:
            raise self.decoder.error(f"a {wanted.__name__} node or a reference", repr(node)[:120])
        self.decoder.shared.append(value)
        return value

    def reference(self, index, wanted: type):
        shared = self.decoder.shared
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(shared):
            raise self.decoder.error(f"a reference in [0, {len(shared)})", repr(index)[:40])
        if not isinstance(shared[index], wanted):
            raise self.decoder.error(f"a reference to a {wanted.__name__}", "another object")
        return shared[index]

    def parameter(self, node: dict):
        if set(node) != {"parameter", "requires_grad"}:
            raise self.decoder.error("a parameter node {parameter, requires_grad}", _keys(node))
        array = self.decoder.array(node["parameter"])
        if not isinstance(node["requires_grad"], bool):
            raise self.decoder.error("requires_grad as true or false", repr(node)[:120])
        if node["requires_grad"] and array.dtype.kind != "f":
            raise self.decoder.error("requires_grad only on a float tensor", f"dtype {array.dtype}")
        return _NN["Parameter"](from_numpy(array), node["requires_grad"])

    def find_class(self, spec) -> type:
        key = _class_spec(self.decoder, spec, "class")
        if "Module" not in _NN:  # nnscratch.nn was never imported: no Module class exists
            raise _undefined(self.decoder, "class", key)
        found = [c for c in _subclasses(_NN["Module"]) if (c.__module__, c.__qualname__) == key]
        allowed = [c for c in found if is_safe(c)] if self.decoder.weights_only else found
        if not allowed:
            raise (_not_allowed if found else _undefined)(self.decoder, "class", key)
        return allowed[-1]


def _undefined(decoder, what: str, key: tuple[str, str]) -> FileFormatError:
    return FileFormatError(
        f"{decoder.source}: the file holds a module of {what} {'.'.join(key)}, but no "
        "subclass of nnscratch.nn.Module of that module and name is defined in this process. "
        "Loading never imports anything a file names: import or define the class first (as "
        "torch needs it importable), then load"
    )


def _subclasses(base: type) -> list[type]:
    """``base`` and every class below it, parents before children, in definition order."""
    order, stack, seen = [], [base], set()
    while stack:
        cls = stack.pop()
        if cls not in seen:
            seen.add(cls)
            order.append(cls)
            stack.extend(reversed(type.__subclasses__(cls)))
    return order


class _Names:
    """Checks the names in one module node: strings, each once, none that is internal or
    would hide a method or property of the class (``forward``, ``__class__``, ``__dict__``)."""

    def __init__(self, decoder, cls: type) -> None:
        self.decoder, self.cls, self.seen = decoder, cls, set()

    def check(self, name) -> str:
        if not isinstance(name, str) or not 0 < len(name) <= 200 or name in self.seen:
            raise self.decoder.error("a new, short name", repr(name)[:80])
        reserved = name in _RESERVED or (name.startswith("__") and name.endswith("__"))
        static = inspect.getattr_static(self.cls, name, None)
        if reserved or hasattr(type(static), "__get__"):
            raise self.decoder.error(
                f"a name that hides nothing of {self.cls.__qualname__}", repr(name)[:80]
            )
        self.seen.add(name)
        return name


def _is_pair(pair) -> bool:
    return isinstance(pair, list) and len(pair) == 2


def _keys(node) -> str:
    return repr(sorted(node))[:120] if isinstance(node, dict) else type(node).__name__
