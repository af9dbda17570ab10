"""Configs between real Keras 3 and nnscratch: ``from_keras`` and ``to_keras``.

Keras 3 writes some arguments that nnscratch's layers, initializers and optimizers do not
have: constraints, quantization, renormalization, EMA, a model-level dtype policy... Most are
saved at their neutral value (``kernel_constraint: null``, ``renorm: false``); such an entry
changes nothing, so ``from_keras`` drops it. An entry holding anything else is kept, so the
class refuses it by name (a model that needs a constraint is not silently rebuilt without
one). Keras's ``DTypePolicy`` objects become their dtype name. The result is plain data for
``deserialize_layer``; nothing here looks a class up or builds anything.

``to_keras`` goes the other way for the one entry Keras reads differently: a model nested in
a model names its module ``"keras"`` (Keras looks models up there, layers in
``"keras.layers"``).

>>> from_keras({"class_name": "Dense", "config": {"units": 2, "kernel_constraint": None,
...     "dtype": {"class_name": "DTypePolicy", "config": {"name": "float32"}}}})
{'class_name': 'Dense', 'config': {'units': 2, 'dtype': 'float32'}}
"""

from __future__ import annotations

__all__ = ["from_keras", "to_keras"]

# Keys dropped when they hold exactly this value (Keras's default, meaning "not used").
_NEUTRAL = {
    "activity_regularizer": None,
    "quantization_config": None,
    "input_axes": None,  # initializers' fan axes (Keras 3.12+)
    "output_axes": None,
    "synchronized": False,  # BatchNormalization
    "renorm": False,
    "renorm_clipping": None,
    "use_ema": False,  # optimizers
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}
# Keys that mean nothing once their switch is off: dropped with it.
_GOVERNED = {"renorm": "renorm_momentum", "use_ema": "ema_momentum"}
_MODELS = ("Sequential", "Functional", "Model")
# Model-level entries nnscratch's models do not take: the dtype policy (each layer has its
# own). Sequential's build_input_shape goes too when its layers start with an InputLayer.
_MODEL_ONLY = ("dtype",)


def from_keras(config):
    """A copy of ``config`` (JSON data) with Keras-only entries at neutral values removed."""
    stack: list = []
    root = _copy(config, stack, ())
    while stack:  # iterative: a deep config cannot exhaust Python's stack
        source, target, skipped = stack.pop()
        if isinstance(source, list):
            target.extend(_copy(value, stack, ()) for value in source)
            continue
        is_model = source.get("class_name") in _MODELS
        skipped = (*skipped, "build_input_shape") if _starts_with_input(source) else skipped
        for key, value in source.items():
            if key not in skipped and not _is_neutral(key, value, source):
                inner = _MODEL_ONLY if is_model and key == "config" else ()
                target[key] = _copy(value, stack, inner)
    return root


def _copy(value, stack: list, skipped: tuple):
    """``value`` itself, or an empty container that the loop fills from it later."""
    if isinstance(value, dict):
        if value.get("class_name") == "DTypePolicy" and isinstance(value.get("config"), dict):
            return value["config"].get("name", "float32")
        stack.append((value, {}, skipped))
        return stack[-1][1]
    if isinstance(value, list):
        stack.append((value, [], skipped))
        return stack[-1][1]
    return value


def _starts_with_input(config: dict) -> bool:
    """A Sequential's config whose layers begin with an InputLayer: its build_input_shape
    says nothing more (nnscratch's Sequential takes no such argument)."""
    layers = config.get("layers")
    first = layers[0] if isinstance(layers, list) and layers else None
    return (
        "build_input_shape" in config
        and isinstance(first, dict)
        and (first.get("class_name") == "InputLayer")
    )


def _is_neutral(key: str, value, owner: dict) -> bool:
    if key.endswith("_constraint"):
        return value is None
    if key in _NEUTRAL:
        neutral = _NEUTRAL[key]
        return value is neutral or (type(value) is type(neutral) and value == neutral)
    switch = next((s for s, governed in _GOVERNED.items() if governed == key), None)
    return switch is not None and owner.get(switch, False) is False


def to_keras(config):
    """``config`` (from ``serialize_layer``) with models' module set to ``"keras"``, in place."""
    stack = [config]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if value.get("class_name") in _MODELS and value.get("module") == "keras.layers":
                value["module"] = "keras"
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return config
