"""What ``compile`` was given, and the optimizer's state, as saved in a ``.keras`` archive.

``compile_config`` holds ``compile``'s arguments in Keras's layout (the optimizer as its
serialized config, the loss and metrics by name or as serialized objects). The optimizer's
state (its step count, learning rate and slot variables such as Adam's moments) goes to a
safetensors file in Keras's own order: ``"0"`` is ``iterations``, then the optimizer's
``variables`` as ``save_own_variables`` lists them.
"""

from __future__ import annotations

from ...errors import ConfigError, FileFormatError, NnscratchError
from ...io import safetensors
from .serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["compile_from_config", "get_compile_config", "load_optimizer_state", "optimizer_bytes"]

FORMAT = "nnscratch.keras.optimizer"
_COMPILE_KEYS = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics")


def get_compile_config(model) -> dict | None:
    """``compile``'s arguments for ``model`` as JSON-ready values; None when not compiled."""
    if not getattr(model, "compiled", False):
        return None
    compiled_metrics = model._compiled_metrics
    return {
        "optimizer": serialize_keras_object(model.optimizer),
        "loss": serialize_keras_object(model.loss),
        "metrics": serialize_keras_object(compiled_metrics.identifiers or None),
        "weighted_metrics": serialize_keras_object(compiled_metrics.weighted_identifiers or None),
        "loss_weights": getattr(model, "loss_weights", None),
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def compile_from_config(model, compile_config) -> None:
    """``model.compile(...)`` again from ``get_compile_config``'s dict (checked first)."""
    if not isinstance(compile_config, dict):
        raise ConfigError(
            f"Expected compile_config to be a dict, received {type(compile_config).__name__}"
        )
    kwargs = {k: deserialize_keras_object(compile_config.get(k)) for k in _COMPILE_KEYS}
    try:
        model.compile(**kwargs)
    except NnscratchError:
        raise
    except Exception as error:  # compile's own checks, with the saved values: named, chained
        raise ConfigError(
            f"Model '{model.name}' could not be compiled from its saved compile_config: "
            f"{type(error).__name__}: {error}"
        ) from error


def optimizer_bytes(optimizer) -> bytes:
    """The optimizer's state as safetensors bytes (``"0"``: iterations, then the slots)."""
    store: dict = {}
    optimizer.save_own_variables(store)
    metadata = {"format": FORMAT, "built": "1" if optimizer.built else "0"}
    return safetensors.save(store, metadata=metadata)


def load_optimizer_state(model, data: bytes, source: str) -> None:
    """Build ``model.optimizer`` on the model's trainable weights (as the first ``fit`` step
    would) and restore its state, after checking every variable's shape and dtype."""
    store, metadata = safetensors.load_with_metadata(data, source)
    optimizer = model.optimizer
    if metadata.get("built") == "1" and not optimizer.built:
        optimizer.build(model.trainable_weights)
    own = optimizer.variables
    if set(store) != {str(i) for i in range(len(own))}:
        raise FileFormatError(
            f"{source}: optimizer '{optimizer.name}' ({type(optimizer).__name__}) has "
            f"{len(own)} state variables named '0'..'{len(own) - 1}', the file holds "
            f"{len(store)}: {sorted(store)[:8]}"
        )
    for i, variable in enumerate(own):
        saved = store[str(i)]
        if saved.shape != variable.shape or saved.dtype != variable.dtype:
            raise FileFormatError(
                f"{source}: optimizer variable {i} expects shape {variable.shape} and dtype "
                f"{variable.dtype}, received shape {saved.shape} and dtype {saved.dtype}"
            )
    optimizer.load_own_variables(store)
