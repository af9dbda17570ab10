"""Saving and loading Keras models and objects without pickle (``keras.saving``).

``model.save("m.keras")`` / ``load_model("m.keras")`` write and read a zip of JSON and
safetensors files; configs name classes that are looked up in a registry, never imported.
"""

from .registry import (
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from .saving_lib import load_model, save_model
from .serialization import (
    deserialize_keras_object,
    deserialize_layer,
    serialize_keras_object,
    serialize_layer,
)

__all__ = [
    "custom_object_scope",
    "deserialize_keras_object",
    "deserialize_layer",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "register_keras_serializable",
    "save_model",
    "serialize_keras_object",
    "serialize_layer",
]
