"""The names a saved config may use, and the only objects they can turn into.

A config names a class by a string. Loading looks that string up in dictionaries built here, in
this order: the ``custom_objects`` given to the loader (and any enclosing
``custom_object_scope``), the classes and functions registered with
``register_keras_serializable``, then nnscratch's built-in Keras objects, one dictionary per
Keras module (``keras.layers``, ``keras.initializers``, ...). Nothing else is reachable: a name
is never imported, and no attribute is fetched from a module by a string read from a file.

>>> from nnscratch import keras
>>> @keras.saving.register_keras_serializable(package="Demo")
... def double(x):
...     return 2 * x
>>> keras.saving.get_registered_name(double)
'Demo>double'
>>> keras.saving.get_registered_object("Demo>double") is double
True
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from ...errors import ConfigError

__all__ = [
    "LAYER_MODULES",
    "builtin_module",
    "custom_object_scope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "lookup",
    "register_keras_serializable",
]

# Module names a config may give for a layer or a model (Keras writes "keras" for models).
LAYER_MODULES = ("keras.layers", "keras.models", "keras")

_BY_NAME: dict[str, object] = {}  # registered name ("Package>Name") -> class or function
_NAME_OF: dict[object, str] = {}  # the reverse
_scopes = threading.local()  # a stack of custom_objects dicts, innermost last
_builtins: dict[str, dict[str, object]] = {}  # Keras module name -> {name: object}


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator: make a class (with ``get_config``) or a function loadable by name.

    The object is saved as ``"package>name"`` (``name`` defaults to its ``__name__``), and a
    file naming it is loaded back through this registration only.

    >>> from nnscratch import keras
    >>> @keras.saving.register_keras_serializable(package="Demo")
    ... class DemoScale(keras.layers.Layer):
    ...     pass
    >>> keras.saving.get_registered_name(DemoScale)
    'Demo>DemoScale'
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"`package` must be a string without '>', received {package!r}")

    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise TypeError(
                f"Cannot register {obj.__name__} as {registered!r}: a registered class must "
                "implement `get_config()` (and accept its dict in `from_config` or `__init__`)"
            )
        _BY_NAME[registered] = obj
        _NAME_OF[obj] = registered
        return obj

    return decorator


def get_registered_name(obj) -> str:
    """The name ``obj`` is saved under: its registered name, else its ``__name__``."""
    return _NAME_OF.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_custom_objects() -> dict[str, object]:
    """The global registry (registered name -> object); editing it registers objects."""
    return _BY_NAME


@contextlib.contextmanager
def custom_object_scope(custom_objects: dict | None) -> Iterator[None]:
    """Make ``custom_objects`` (name -> class or function) visible to loaders inside the block.

    >>> from nnscratch import keras
    >>> with keras.saving.custom_object_scope({"twice": abs}):
    ...     keras.saving.get_registered_object("twice") is abs
    True
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(
            "custom_objects must be a dict of name -> class or function, received "
            f"{type(custom_objects).__name__}"
        )
    stack = _stack()
    stack.append(custom_objects or {})
    try:
        yield
    finally:
        stack.pop()


def _stack() -> list[dict]:
    if not hasattr(_scopes, "stack"):
        _scopes.stack = []
    return _scopes.stack


def get_registered_object(name: str, custom_objects: dict | None = None):
    """The user object saved as ``name``: from ``custom_objects``, the enclosing scopes, then
    the registry; ``None`` when nobody registered it (built-ins are not searched here)."""
    for source in (custom_objects or {}, *reversed(_stack()), _BY_NAME):
        if isinstance(name, str) and name in source:
            return source[name]
    return None


def builtin_module(obj) -> str | None:
    """The Keras module whose built-ins include ``obj`` (by identity), or None."""
    name = getattr(obj, "__name__", None)
    for module, objects in _builtin_namespaces().items():
        if isinstance(name, str) and objects.get(name) is obj:
            return module
    return None


def lookup(class_name, module=None, registered_name=None, function_name=None, kind="object"):
    """The object a serialized dict names, or ConfigError saying how to make it known.

    ``class_name == "function"`` names a function by ``function_name``. User objects (by
    ``registered_name``, then by bare name) come first; built-ins are searched in ``module``.
    """
    name = function_name if class_name == "function" else class_name
    if not isinstance(name, str):
        raise ConfigError(f"Expected a class or function name (a string), received {name!r}")
    for candidate in (registered_name, name):
        found = get_registered_object(candidate)
        if found is not None:
            return found
    found = _builtin_namespaces().get(_module_key(module), {}).get(name)
    if found is not None and (class_name == "function") != isinstance(found, type):
        return found
    found = _registered_by_bare_name(name) if registered_name is None else None
    if found is not None:
        return found
    raise ConfigError(_unknown_message(kind, name, registered_name, module))


def _registered_by_bare_name(name: str):
    """A registered object saved by its bare ``__name__`` (a config written without the
    registered name, e.g. by ``Sequential.get_config``), when exactly one has that name."""
    matches = [obj for obj in _BY_NAME.values() if getattr(obj, "__name__", None) == name]
    return matches[0] if len(set(map(id, matches))) == 1 else None


def _module_key(module) -> str | None:
    if not isinstance(module, str):
        return None
    return "keras.layers" if module in LAYER_MODULES else module


def _unknown_message(kind: str, name: str, registered_name, module) -> str:
    where = f" (module {module!r})" if module and registered_name is None else ""
    saved = registered_name if isinstance(registered_name, str) else name
    return (
        f"Unknown {kind} {saved!r}{where}: nnscratch only builds the Keras objects it ships and "
        "those you make known. Register a custom class or function with "
        "@nnscratch.keras.saving.register_keras_serializable(package='Custom') before loading, "
        f"or pass custom_objects={{{name!r}: {name}}} to load_model / deserialize_layer."
    )


def _builtin_namespaces() -> dict[str, dict[str, object]]:
    """Built once, on first use (the Keras modules import this package's callers)."""
    if not _builtins:
        _builtins.update(_collect_builtins())
    return _builtins


def _collect_builtins() -> dict[str, dict[str, object]]:
    from .. import activations, initializers, layers, losses, metrics, models, optimizers
    from .. import regularizers as regs
    from ..layers.layer import Layer
    from ..optimizers import schedules

    def classes(module, base) -> dict[str, type]:
        # schedules has no __all__: its public classes are those it defines
        names = getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")])
        found = (getattr(module, name) for name in names)
        return {o.__name__: o for o in found if isinstance(o, type) and issubclass(o, base)}

    def functions(objects, skip=()) -> dict[str, Callable]:
        kept = (o for o in objects if callable(o) and not isinstance(o, type))
        return {o.__name__: o for o in kept if o.__name__ not in skip}

    metric_functions = [getattr(metrics, name) for name in metrics.__all__]
    return {
        "keras.layers": {**classes(layers, Layer), **classes(models, Layer)},
        "keras.initializers": classes(initializers, initializers.Initializer),
        "keras.regularizers": classes(regs, regs.Regularizer),
        "keras.optimizers": {cls.__name__: cls for cls in optimizers.ALL_OBJECTS},
        "keras.optimizers.schedules": classes(schedules, schedules.LearningRateSchedule),
        "keras.losses": {**classes(losses, losses.Loss), **functions(losses.ALL_OBJECTS.values())},
        "keras.metrics": {
            **classes(metrics, metrics.Metric),
            **functions(metric_functions, skip=("get", "get_for_output")),
        },
        "keras.activations": functions(
            [getattr(activations, name) for name in activations.__all__], ("get", "serialize")
        ),
    }
