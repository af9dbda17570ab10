"""Layers and Keras objects to JSON-ready dicts and back, in Keras 3's layout.

A serialized object is ``{"module", "class_name", "config", "registered_name"}`` (layers add
``"build_config"``): ``config`` is the object's ``get_config()`` with every nested object
(initializer, regularizer, loss, layer, ...) serialized the same way, tuples as lists and NumPy
scalars as Python numbers. Deserializing looks ``class_name`` up in the registry
(``registry.py``) only, and calls the class's ``from_config`` (or its constructor).

>>> from nnscratch import keras
>>> d = serialize_layer(keras.layers.Dense(3, activation="relu", name="hidden"))
>>> d["class_name"], d["config"]["units"], d["config"]["kernel_initializer"]["class_name"]
('Dense', 3, 'GlorotUniform')
>>> layer = deserialize_layer(d)
>>> type(layer).__name__, layer.name, layer.units
('Dense', 'hidden', 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import ConfigError, NnscratchError
from . import registry

__all__ = [
    "deserialize_keras_object",
    "deserialize_layer",
    "serialize_keras_object",
    "serialize_layer",
]

_MAX_DEPTH = 64  # nesting deeper than this is not a model config: refuse it, don't recurse


# ---- serialize ----------------------------------------------------------------------------------
def serialize_layer(layer) -> dict[str, Any]:
    """``{"module", "class_name", "config", "registered_name", "build_config"}`` for a layer
    or model; ``deserialize_layer`` turns it back into an equal, unbuilt-or-built layer."""
    return serialize_keras_object(layer)


def serialize_keras_object(obj) -> Any:
    """A JSON-ready form of ``obj``: plain values as they are, objects as Keras's dicts.

    >>> from nnscratch import keras
    >>> serialize_keras_object(keras.initializers.Constant(0.5))["config"]
    {'value': 0.5}
    """
    return _serialize(obj, "object")


def _serialize(obj, where: str) -> Any:
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (list, tuple)):
        return [_serialize(v, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        return {_key(k, where): _serialize(v, f"{where}[{k!r}]") for k, v in obj.items()}
    if not isinstance(obj, type) and hasattr(obj, "get_config"):
        return _serialize_instance(obj, where)
    if callable(obj) and not isinstance(obj, type):
        return _serialize_function(obj, where)
    raise TypeError(
        f"Cannot serialize {obj!r} (of type {type(obj).__name__}) at {where}: expected JSON "
        "values, NumPy values, or objects with `get_config()` (layers, initializers, ...)"
    )


def _key(key, where: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"Cannot serialize the dict key {key!r} at {where}: keys must be strings")
    return key


def _serialize_instance(obj, where: str) -> dict[str, Any]:
    cls = type(obj)
    module = registry.builtin_module(cls)
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(
            f"{cls.__name__}.get_config() must return a dict, received {type(config).__name__}"
        )
    config = _full_layer_entries(obj, config)
    out = {
        "module": module,
        "class_name": cls.__name__,
        "config": _serialize(config, f"{where}.config"),
        "registered_name": None if module else registry.get_registered_name(cls),
    }
    build_shape = getattr(obj, "_build_shape", None)
    if getattr(obj, "built", False) and build_shape is not None:
        out["build_config"] = {"input_shape": _serialize(build_shape, where)}
    return out


def _full_layer_entries(model, config: dict) -> dict:
    """Sequential.get_config lists its layers as bare ``{class_name, config}``; write each in
    full (module, registered_name, build_config), as Keras does, so registered layers load."""
    from ..models.sequential import Sequential

    entries, stack = config.get("layers"), getattr(model, "_stack", None)
    if not (isinstance(model, Sequential) and isinstance(entries, list) and stack is not None):
        return config
    bare = len(entries) == len(stack) and all(
        isinstance(e, dict) and "module" not in e and e.get("class_name") == type(la).__name__
        for e, la in zip(entries, stack)
    )
    if not bare:
        return config
    return {**config, "layers": [_serialize_instance(la, "layers") for la in stack]}


def _serialize_function(fn, where: str) -> dict[str, Any]:
    name = getattr(fn, "__name__", None)
    module = registry.builtin_module(fn)
    if module is None and (name is None or name == "<lambda>"):
        raise TypeError(
            f"Cannot serialize the anonymous function {fn!r} at {where}: use a named function "
            "decorated with @keras.saving.register_keras_serializable()"
        )
    registered = None if module else registry.get_registered_name(fn)
    return {
        "module": module,
        "class_name": "function",
        "config": name,
        "registered_name": registered,
    }


# ---- deserialize --------------------------------------------------------------------------------
def deserialize_layer(config: dict, custom_objects: dict | None = None):
    """The layer (or model) that ``serialize_layer`` described, built when it was built.

    ``class_name`` must name a built-in Keras layer or model, a class registered with
    ``register_keras_serializable``, or a key of ``custom_objects``; otherwise ConfigError.
    Nested layers are deserialized by their owner's ``from_config`` (which may call this
    function: ``custom_objects`` stays visible to it).
    """
    from ..layers.layer import Layer

    with registry.custom_object_scope(custom_objects):
        cls = _resolve_class(config, "layer", default_module="keras.layers")
        if not issubclass(cls, Layer):
            raise ConfigError(
                f"Expected a layer or model class, but {config['class_name']!r} names "
                f"{cls.__name__}, which is not a keras Layer"
            )
        layer = _from_config(cls, _deserialize_values(config["config"], 0))
        _build_from_config(layer, config.get("build_config"))
    return layer


def deserialize_keras_object(config, custom_objects: dict | None = None):
    """The object ``serialize_keras_object`` described (plain values come back as they are).

    >>> from nnscratch import keras
    >>> deserialize_keras_object({"module": "keras.regularizers", "class_name": "L2",
    ...                           "config": {"l2": 0.5}})
    L2(l2=0.5)
    """
    with registry.custom_object_scope(custom_objects):
        if _is_layer_dict(config):
            return deserialize_layer(config)
        return _deserialize_values(config, 0)


def _deserialize_values(value, depth: int):
    """Nested non-layer objects become objects; layer dicts stay dicts for their owner."""
    if depth > _MAX_DEPTH:
        raise ConfigError(f"Expected a config nested at most {_MAX_DEPTH} levels deep")
    if isinstance(value, list):
        return [_deserialize_values(v, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    if _is_object_dict(value) and not _is_layer_dict(value):
        return _deserialize_object(value, depth)
    return {k: _deserialize_values(v, depth + 1) for k, v in value.items()}


def _is_object_dict(value) -> bool:
    return isinstance(value, dict) and "class_name" in value and "config" in value


def _is_layer_dict(value) -> bool:
    """A serialized layer: named by a layer module, or a user class that is a Layer."""
    if not _is_object_dict(value):
        return False
    if value.get("module") in registry.LAYER_MODULES:
        return True
    from ..layers.layer import Layer

    for name in (value.get("registered_name"), value.get("class_name")):
        found = registry.get_registered_object(name)
        if found is not None:
            return isinstance(found, type) and issubclass(found, Layer)
    return False


def _deserialize_object(value: dict, depth: int):
    if value.get("module") is None and value.get("registered_name") is None:
        if registry.get_registered_object(value["class_name"]) is None:
            return {k: _deserialize_values(v, depth + 1) for k, v in value.items()}  # plain data
    if value["class_name"] == "function":
        module, registered = value.get("module"), value.get("registered_name")
        return registry.lookup("function", module, registered, value["config"], kind="function")
    cls = _resolve_class(value, "class", default_module=None)
    return _from_config(cls, _deserialize_values(value["config"], depth + 1))


def _resolve_class(config, kind: str, default_module):
    if not _is_object_dict(config) or not isinstance(config["config"], dict):
        raise ConfigError(
            f"Expected a serialized {kind}: a dict with 'class_name' (a string) and 'config' (a "
            f"dict), received {_describe(config)}"
        )
    module = config.get("module") or default_module
    found = registry.lookup(config["class_name"], module, config.get("registered_name"), kind=kind)
    if not isinstance(found, type):
        raise ConfigError(f"Expected {config['class_name']!r} to name a class, found {found!r}")
    return found


def _describe(value) -> str:
    if isinstance(value, dict):
        return f"a dict with keys {sorted(map(str, value))[:8]}"
    return f"{type(value).__name__} {str(value)[:80]!r}"


def _from_config(cls: type, config: dict):
    """``cls.from_config(config)`` (or ``cls(**config)``); any failure becomes ConfigError."""
    try:
        if _needs_sequential_fallback(cls):
            return _sequential_from_config(cls, config)
        if hasattr(cls, "from_config"):
            return cls.from_config(config)
        return cls(**config)
    except NnscratchError:
        raise
    except Exception as error:  # the class's own checks (or a bug): named, chained
        raise ConfigError(
            f"{cls.__name__} could not be rebuilt from its saved config: "
            f"{type(error).__name__}: {error}"
        ) from error


def _needs_sequential_fallback(cls: type) -> bool:
    """A Sequential whose ``from_config`` is inherited from above Sequential (one that would
    pass the layer dicts on as they are) gets its layers deserialized here."""
    from ..models.sequential import Sequential

    if not issubclass(cls, Sequential):
        return False
    owner = next(k for k in cls.__mro__ if "from_config" in vars(k))
    return not issubclass(owner, Sequential)


def _sequential_from_config(cls: type, config: dict):
    layers = config.get("layers", [])
    if not isinstance(layers, list):
        raise ConfigError(f"Expected {cls.__name__}'s 'layers' to be a list, received {layers!r}")
    return cls(**{**config, "layers": [deserialize_layer(layer) for layer in layers]})


def _build_from_config(layer, build_config) -> None:
    if build_config is None or layer.built:
        return
    raw = build_config.get("input_shape") if isinstance(build_config, dict) else None
    shape = _shape_from_config(raw, 0)
    if shape is None:
        raise ConfigError(
            f"Expected the build_config of layer '{layer.name}' to hold an 'input_shape': a "
            f"list of sizes (int or None), or lists/dicts of them; received {build_config!r:.200}"
        )
    try:
        layer.build(shape)
    except NnscratchError:
        raise
    except Exception as error:
        raise ConfigError(
            f"Layer '{layer.name}' could not be built for input shape {shape}: "
            f"{type(error).__name__}: {error}"
        ) from error


def _shape_from_config(value, depth: int):
    """A shape (list of sizes -> tuple), or a list/dict of shapes for multi-input layers;
    None when ``value`` is neither."""
    if depth > 8:
        return None
    if isinstance(value, list) and all(d is None or _is_size(d) for d in value):
        return tuple(value)
    if isinstance(value, list) and value:
        items = [_shape_from_config(v, depth + 1) for v in value]
        return None if any(i is None for i in items) else items
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        items = {k: _shape_from_config(v, depth + 1) for k, v in value.items()}
        return None if any(i is None for i in items.values()) else items
    return None


def _is_size(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
