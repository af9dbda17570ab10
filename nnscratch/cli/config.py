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
(a layer's own arguments are checked by the layer, whose message names the argument).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import keras
from ..keras.layers import InputLayer, Layer
from ..keras.saving import deserialize_layer
from .output import UsageError

__all__ = ["ModelConfig", "build_model", "compile_model", "load_config", "parse_config"]

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
    """The JSON object in ``path``; UsageError when it is missing or not a JSON object."""
    try:
        raw = json.loads(Path(path).read_text())
    except OSError as error:
        raise UsageError(f"--config: cannot read {str(path)!r}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"--config: {str(path)!r} is not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise UsageError(f"--config: expected a JSON object, received {type(raw).__name__}")
    return raw


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
    raw = _short_form(raw) if raw.get("class_name") == "Sequential" else dict(raw)
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise UsageError(f"config: unknown field {unknown[0]!r}; expected some of {sorted(FIELDS)}")
    if "layers" not in raw:
        raise UsageError("config: missing field 'layers' (a list of layers)")
    if not isinstance(raw["layers"], list) or not raw["layers"]:
        raise UsageError("config: field 'layers' must be a non-empty list of layers")
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
        raise UsageError("config: field 'config' of the Sequential must be an object")
    compiled = raw.get("compile_config") or {}
    short = {k: compiled[k] for k in ("optimizer", "loss", "metrics") if compiled.get(k)}
    short.update({k: v for k, v in raw.items() if k in FIELDS})
    return {"layers": model.get("layers"), **short}


def _layer(spec, i: int) -> tuple[type, Layer | dict]:
    """(class, layer) for one entry of ``layers``; an Input gives (InputLayer, its shape)."""
    where = f"config: layers[{i}]"
    if not isinstance(spec, dict):
        raise UsageError(f"{where}: expected an object, received {spec!r:.40}")
    keras_form = "class_name" in spec  # Keras's own form, nested objects and all
    if not keras_form and "type" not in spec:
        raise UsageError(f"{where}: missing field 'type' (the layer's class, e.g. \"Dense\")")
    name = spec["class_name"] if keras_form else spec["type"]
    kwargs = dict(spec.get("config") or {}) if keras_form else _without(spec, "type")
    cls = _layer_class(name, where)
    if cls is InputLayer:
        if i:
            raise UsageError(f"{where}: an {name} can only be the first layer")
        return cls, _input_layer_kwargs(kwargs, where)
    try:
        return cls, deserialize_layer(spec) if keras_form else cls(**kwargs)
    except (TypeError, ValueError, KeyError) as error:
        raise UsageError(f"{where} ({name}): {error}") from None


def _without(spec: dict, key: str) -> dict:
    return {k: v for k, v in spec.items() if k != key}


def _layer_class(name, where: str) -> type:
    if name == "Input":
        return InputLayer
    valid = sorted(n for n in keras.layers.__all__ if n[0].isupper() and n not in _NOT_IN_A_STACK)
    cls = getattr(keras.layers, name, None) if isinstance(name, str) else None
    if name in _NOT_IN_A_STACK - {"InputLayer"} or not (
        isinstance(cls, type) and issubclass(cls, Layer)
    ):
        raise UsageError(f"{where}: unknown layer type {name!r}; expected one of {valid}")
    return cls


def _input_layer_kwargs(kwargs: dict, where: str) -> dict:
    if "shape" in kwargs:
        return {"shape": kwargs["shape"]}
    if kwargs.get("batch_shape"):
        return {"shape": list(kwargs["batch_shape"])[1:]}
    raise UsageError(f"{where}: missing field 'shape' of the Input")


def _input_shape(value, layers: list[tuple[type, Layer | dict]]) -> tuple[int, ...]:
    if value is None and layers[0][0] is InputLayer:
        value = layers[0][1]["shape"]
    if value is None:
        raise UsageError(
            "config: missing field 'input_shape' (e.g. [2]; or start the layers with an Input)"
        )
    ok = isinstance(value, list) and value and all(isinstance(v, int) and v > 0 for v in value)
    if not ok:
        raise UsageError(f"config: field 'input_shape' must be a list of sizes, received {value}")
    return tuple(value)


def _positive_int(name: str, allow_none: bool = False):
    def check(value):
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(f"config: field {name!r} must be an integer >= 1, received {value!r}")
        return value

    return check


def _checked(name: str, get):
    def check(value):
        try:
            for item in value if isinstance(value, list) else [value]:
                if item not in ("accuracy", "acc"):  # compile picks their kind from shapes
                    get(item)
        except (ValueError, TypeError) as error:
            raise UsageError(f"config: field {name!r}: {error}") from None
        return value

    return check


def _seed(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"config: field 'seed' must be an integer, received {value!r}")
    return value


_CHECKS = {
    "optimizer": _checked("optimizer", keras.optimizers.get),
    "loss": _checked("loss", keras.losses.get),
    "metrics": _checked("metrics", keras.metrics.get),
    "epochs": _positive_int("epochs"),
    "batch_size": _positive_int("batch_size", allow_none=True),
    "seed": _seed,
}


def build_model(cfg: ModelConfig) -> keras.Sequential:
    """The Sequential model of ``cfg``, built for its input shape (so ``summary()`` works).

    >>> model = build_model(parse_config({"input_shape": [2], "layers": [
    ...     {"type": "Dense", "units": 3, "activation": "relu"}, {"type": "Dense", "units": 1}]}))
    >>> model.count_params()
    13
    """
    model = keras.Sequential([keras.layers.Input(shape=cfg.input_shape)])
    for i, layer in enumerate(cfg.layers):
        try:
            model.add(layer)
        except (TypeError, ValueError) as error:
            raise UsageError(f"config: layers[{i}] ({type(layer).__name__}): {error}") from None
    return model


def compile_model(model: keras.Sequential, cfg: ModelConfig) -> None:
    """``model.compile`` with the config's optimizer, loss and metrics."""
    model.compile(optimizer=cfg.optimizer, loss=cfg.loss, metrics=cfg.metrics)
