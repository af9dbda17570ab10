"""A small Keras-style model described in JSON, for ``nnscratch summary`` and ``train``.

The short form names each layer's ``type`` beside its arguments::

    {"input_shape": [2],
     "layers": [{"type": "Dense", "units": 8, "activation": "relu"},
                {"type": "Dense", "units": 1, "activation": "sigmoid"}],
     "optimizer": "adam", "loss": "binary_crossentropy", "metrics": ["binary_accuracy"],
     "epochs": 100, "batch_size": 32, "seed": 0}

Keras's own form works too: each layer as ``{"class_name": "Dense", "config": {...}}``, or the
whole model as ``{"class_name": "Sequential", "config": {"layers": [...]}}`` (what
``model.get_config()`` gives inside it, an ``InputLayer`` first), with the training fields
beside ``class_name``. ``optimizer`` is a name or ``{"class_name": "Adam", "config":
{"learning_rate": 0.01}}``. Only ``layers`` and the input shape (``input_shape`` or an
``Input``/``InputLayer`` first) are required. Every mistake raises UsageError naming the field
(a layer's own arguments are checked by the layer, whose message names the argument), and so
does a request beyond ``limits.py`` (1 GiB of weights, ...), refused before it is allocated.
"""

from __future__ import annotations

import inspect
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .. import keras
from ..errors import NnscratchError
from ..keras.layers import InputLayer, Layer
from ..keras.layers.weight_budget import weight_budget
from ..keras.saving import deserialize_layer
from . import limits
from .output import UsageError, utf8_text

__all__ = [
    "ModelConfig", "build_model", "compile_model", "load_config", "parse_config", "parse_json",
]  # fmt: skip

FIELDS = {"layers", "input_shape", "optimizer", "loss", "metrics", "epochs", "batch_size", "seed"}
_NOT_IN_A_STACK = {"Layer", "InputLayer", "KerasTensor", "Add", "Average", "Concatenate",
                   "Maximum", "Minimum", "Multiply", "Subtract"}  # fmt: skip


@dataclass
class ModelConfig:
    """A checked config: the input shape, the layers to make, and how to train."""

    input_shape: tuple[int, ...]
    layers: list[Layer]
    optimizer: str | dict = "adam"
    loss: str = "binary_crossentropy"
    metrics: list[str] = field(default_factory=list)
    epochs: int = 100
    batch_size: int | None = 32
    seed: int = 0


def load_config(path: Path) -> dict:
    """The JSON object in ``path``; UsageError when it is missing, too large, not UTF-8, not
    JSON, nested too deeply, holds NaN or infinities, or is not a JSON object."""
    raw = parse_json(_read(path), str(path))
    if not isinstance(raw, dict):
        raise UsageError(f"--config: expected a JSON object, received {type(raw).__name__}")
    return raw


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:  # a bounded read: /dev/zero must not fill the memory
            data = file.read(limits.MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise UsageError(f"--config: cannot read {str(path)!r}: {error.strerror}") from None
    if len(data) > limits.MAX_CONFIG_BYTES:
        raise UsageError(
            f"--config: {str(path)!r} is larger than {limits.MAX_CONFIG_BYTES:,} bytes; a model "
            "config is a few KB"
        )
    return data


def parse_json(data: bytes, name: str) -> object:
    """The JSON value of ``data`` (UTF-8, a BOM allowed), as strict JSON: no NaN or Infinity,
    numbers within float range, at most ``limits.MAX_NESTING`` levels; UsageError names ``name``.

    >>> parse_json(b'{"epochs": 5}', "m.json")
    {'epochs': 5}
    >>> parse_json(b'{"lr": NaN}', "m.json")
    Traceback (most recent call last):
    ...
    nnscratch.cli.output.UsageError: --config: 'm.json' is not valid JSON: NaN is not a number \
JSON allows
    """
    text = utf8_text(data, f"--config: {name!r}")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise UsageError(
            f"--config: {name!r} is nested more than {limits.MAX_NESTING} levels deep"
        ) from None
    except ValueError as error:  # JSONDecodeError, and ints beyond Python's digit limit
        raise UsageError(f"--config: {name!r} is not valid JSON: {error}") from None
    limits.check_nesting(value, f"--config: {name!r}")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is beyond the range of a float")
    return value


def parse_config(raw: dict) -> ModelConfig:
    """Check a config (short or Keras form) and return it as a ModelConfig.

    >>> cfg = parse_config({"input_shape": [2], "layers": [{"type": "Dense", "units": 1}]})
    >>> cfg.input_shape, [type(layer).__name__ for layer in cfg.layers]
    ((2,), ['Dense'])
    >>> parse_config({"input_shape": [2], "layers": [{"type": "Dense", "units": 0}]})
    Traceback (most recent call last):
    ...
    nnscratch.cli.output.UsageError: config: layers[0] (Dense): Received an invalid value for \
`units`, expected a positive integer. Received: units=0
    """
    if not isinstance(raw, dict):
        raise UsageError(f"config: expected a JSON object, received {type(raw).__name__}")
    limits.check_nesting(raw, "config")
    raw = _short_form(raw) if raw.get("class_name") == "Sequential" else dict(raw)
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise UsageError(f"config: unknown field {unknown[0]!r}; expected some of {sorted(FIELDS)}")
    if "layers" not in raw:
        raise UsageError("config: missing field 'layers' (a list of layers)")
    if not isinstance(raw["layers"], list) or not raw["layers"]:
        raise UsageError("config: field 'layers' must be a non-empty list of layers")
    if len(raw["layers"]) > limits.MAX_LAYERS:
        raise UsageError(f"config: field 'layers' lists {len(raw['layers']):,} layers, more "
                         f"than the {limits.MAX_LAYERS:,} a CLI config may ask for")  # fmt: skip
    # An owner's from_config may build the layers it holds: weights are made here already.
    with weight_budget(limits.MAX_WEIGHT_BYTES, limits.WEIGHT_BUDGET_SOURCE):
        layers = [_layer(spec, i) for i, spec in enumerate(raw["layers"])]
    shape = _input_shape(raw.get("input_shape"), layers)
    cfg = ModelConfig(shape, [layer for cls, layer in layers if cls is not InputLayer])
    for name in ("optimizer", "loss", "metrics", "epochs", "batch_size", "seed"):
        if name in raw:
            setattr(cfg, name, _CHECKS[name](raw[name]))
    return cfg


def _short_form(raw: dict) -> dict:
    """Keras's ``{"class_name": "Sequential", "config": {...}}``: its layers, and the training
    fields beside it (or else from its ``compile_config``)."""
    model = raw.get("config")
    if not isinstance(model, dict):
        raise UsageError("config: field 'config' of the Sequential must be an object, "
                         f"received {type(model).__name__}")  # fmt: skip
    compiled = raw.get("compile_config") or {}
    if not isinstance(compiled, dict):
        raise UsageError("config: field 'compile_config' of the Sequential must be an object, "
                         f"received {type(compiled).__name__}")  # fmt: skip
    short = {k: compiled[k] for k in ("optimizer", "loss", "metrics") if compiled.get(k)}
    short.update({k: v for k, v in raw.items() if k in FIELDS})
    return {"layers": model.get("layers"), **short}


def _layer(spec, i: int) -> tuple[type, Layer | dict]:
    """(class, layer) for one entry of ``layers``; an Input gives (InputLayer, its shape)."""
    where = f"config: layers[{i}]"
    name, kwargs = _name_and_arguments(spec, where)
    cls = _layer_class(name, where)
    if cls is InputLayer:
        if i:
            raise UsageError(f"{where}: an {name} can only be the first layer")
        return cls, _input_layer_kwargs(kwargs, where)
    if kwargs.get("dtype") not in _FLOAT_DTYPES and not isinstance(kwargs.get("dtype"), dict):
        raise UsageError(f"{where} ({name}): field 'dtype' must be one of {_FLOAT_DTYPES[1:]}, "
                         f"received {kwargs['dtype']!r:.40}")  # fmt: skip
    try:
        if "class_name" not in spec:
            return cls, cls(**kwargs)
        # Without its build_config: the model builds each layer for the shape it really gets.
        return cls, deserialize_layer(_without(spec, "build_config"))
    except (NnscratchError, TypeError, ValueError, KeyError, NotImplementedError) as error:
        raise UsageError(f"{where} ({name}): {error}") from None


_FLOAT_DTYPES = (None, "float32", "float64")  # weights need gradients: a float type


def _name_and_arguments(spec, where: str) -> tuple[str, dict]:
    """The layer's class name and its arguments, in either form."""
    if not isinstance(spec, dict):
        raise UsageError(f"{where}: expected an object, received {spec!r:.40}")
    key = "class_name" if "class_name" in spec else "type"  # Keras's own form, or the short one
    if key not in spec:
        raise UsageError(f"{where}: missing field 'type' (the layer's class, e.g. \"Dense\")")
    name = spec[key]
    if not isinstance(name, str):
        raise UsageError(f"{where}: field {key!r} must be a layer's name, received {name!r:.40}")
    kwargs = spec.get("config", {}) if key == "class_name" else _without(spec, "type")
    if not isinstance(kwargs, dict):
        raise UsageError(f"{where} ({name}): field 'config' must be an object of the layer's "
                         f"arguments, received {kwargs!r:.40}")  # fmt: skip
    return name, kwargs


def _without(spec: dict, key: str) -> dict:
    return {k: v for k, v in spec.items() if k != key}


def _layer_class(name: str, where: str) -> type:
    if name == "Input":
        return InputLayer
    valid = sorted(n for n in keras.layers.__all__ if n[0].isupper() and n not in _NOT_IN_A_STACK)
    cls = getattr(keras.layers, name, None) if name in keras.layers.__all__ else None
    if name in _NOT_IN_A_STACK - {"InputLayer"} or not (
        isinstance(cls, type) and issubclass(cls, Layer)
    ):
        raise UsageError(f"{where}: unknown layer type {name!r}; expected one of {valid}")
    return cls


def _input_layer_kwargs(kwargs: dict, where: str) -> dict:
    if "shape" in kwargs:
        return {"shape": kwargs["shape"]}
    batch_shape = kwargs.get("batch_shape")
    if isinstance(batch_shape, list) and batch_shape:
        return {"shape": batch_shape[1:]}
    if batch_shape is not None:
        raise UsageError(f"{where}: field 'batch_shape' of the Input must be a list of sizes, "
                         f"received {batch_shape!r:.40}")  # fmt: skip
    raise UsageError(f"{where}: missing field 'shape' of the Input")


def _input_shape(value, layers: list[tuple[type, Layer | dict]]) -> tuple[int, ...]:
    if value is None and layers[0][0] is InputLayer:
        value = layers[0][1]["shape"]
    if value is None:
        raise UsageError(
            "config: missing field 'input_shape' (e.g. [2]; or start the layers with an Input)"
        )
    ok = isinstance(value, list) and value and all(_is_size(v) for v in value)
    if not ok:
        raise UsageError(f"config: field 'input_shape' must be a list of sizes, received "
                         f"{value!r:.60}")  # fmt: skip
    if math.prod(value) > limits.MAX_SAMPLE_VALUES:
        raise UsageError(
            f"config: field 'input_shape' {value!r:.60} asks for more than the "
            f"{limits.MAX_SAMPLE_VALUES:,} values a row that a CLI config may ask for"
        )
    return tuple(value)


def _is_size(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and value > 0


def _int_in(name: str, low: int, high: int, allow_none: bool = False):
    """A check that ``name`` is an integer from ``low`` to ``high`` (or null)."""

    def check(value):
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise UsageError(
                f"config: field {name!r} must be an integer from {low:,} to {high:,}, received "
                f"{value!r:.40}"
            )
        return value

    return check


def _checked(name: str, get, kinds: tuple[type, ...], many: bool = False):
    """A check that ``name`` is one of ``kinds`` (a list of them when ``many``) that ``get``
    accepts; a Keras-form object's config may hold plain values only."""

    def check(value):
        items = value if many and isinstance(value, list) else [value]
        if (many and not isinstance(value, list)) or not all(isinstance(i, kinds) for i in items):
            expected = " or ".join(_KIND_NAMES[kind] for kind in kinds)
            if many:
                expected = f"a list, each {expected}"
            raise UsageError(f"config: field {name!r} must be {expected}, received {value!r:.40}")
        for item in items:
            _check_object(name, get, item)
        return value

    return check


_KIND_NAMES = {str: "a name", dict: "an object"}


def _check_object(name: str, get, item) -> None:
    if isinstance(item, dict) and not all(_is_plain(v) for v in _config_of(item).values()):
        raise UsageError(f"config: field {name!r}: the arguments in 'config' must be numbers, "
                         f"strings, true/false or null, received {item!r:.60}")  # fmt: skip
    if name == "metrics" and item in ("accuracy", "acc"):  # compile picks their kind later
        return
    try:
        made = get(item)
    except (NnscratchError, ValueError, TypeError, KeyError, NotImplementedError) as error:
        raise UsageError(f"config: field {name!r}: {error}") from None
    if isinstance(item, dict):
        _check_kinds(name, type(made), _config_of(item))


def _check_kinds(name: str, cls: type, given: dict) -> None:
    """An argument whose default is a number (or true/false) must be given as one: the class
    may take a string now and fail on it in the middle of ``fit``."""
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):  # no signature to compare with (a built-in callable)
        return
    for key, value in given.items():
        default = params[key].default if key in params else None
        want = bool if isinstance(default, bool) else (int, float) if _is_number(default) else None
        if want and (isinstance(value, bool) is not (want is bool) or not isinstance(value, want)):
            kind = "true or false" if want is bool else "a number"
            raise UsageError(
                f"config: field {name!r}: argument {key!r} of {cls.__name__} must be {kind}, "
                f"received {value!r:.40}"
            )


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _config_of(item: dict) -> dict:
    config = item.get("config")
    return config if isinstance(config, dict) else {}


def _is_plain(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


_CHECKS = {
    "optimizer": _checked("optimizer", keras.optimizers.get, (str, dict)),
    "loss": _checked("loss", keras.losses.get, (str, dict)),
    "metrics": _checked("metrics", keras.metrics.get, (str, dict), many=True),
    "epochs": _int_in("epochs", 1, limits.MAX_EPOCHS),
    "batch_size": _int_in("batch_size", 1, limits.MAX_BATCH_SIZE, allow_none=True),
    "seed": _int_in("seed", 0, limits.MAX_SEED),
}


def build_model(cfg: ModelConfig) -> keras.Sequential:
    """The Sequential model of ``cfg``, built for its input shape (so ``summary()`` works).

    >>> model = build_model(parse_config({"input_shape": [2], "layers": [
    ...     {"type": "Dense", "units": 3, "activation": "relu"}, {"type": "Dense", "units": 1}]}))
    >>> model.count_params()
    13
    """
    model = keras.Sequential([keras.layers.Input(shape=cfg.input_shape)])
    with weight_budget(limits.MAX_WEIGHT_BYTES, limits.WEIGHT_BUDGET_SOURCE):
        for i, layer in enumerate(cfg.layers):
            try:
                model.add(layer)
            except (NnscratchError, TypeError, ValueError, NotImplementedError) as error:
                raise UsageError(f"config: layers[{i}] ({type(layer).__name__}): {error}") from None
    limits.check_activations(model, 1, "config")
    return model


def compile_model(model: keras.Sequential, cfg: ModelConfig) -> None:
    """``model.compile`` with the config's optimizer, loss and metrics."""
    model.compile(optimizer=cfg.optimizer, loss=cfg.loss, metrics=cfg.metrics)
