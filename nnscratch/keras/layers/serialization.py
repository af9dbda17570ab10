"""``keras.layers.serialize`` and ``keras.layers.deserialize``: a layer to and from Keras's
JSON-ready dict ``{"module", "class_name", "config", "registered_name"(, "build_config")}``.

They are the saving format's own functions (``keras.saving.serialize_keras_object`` on a
layer), so a dict made here reads in real Keras; a dict real Keras made reads here once
``from_keras`` has dropped the entries nnscratch does not take at their neutral values
(``kernel_constraint: None``...) and turned Keras's dtype policies into dtype names.
"""

from __future__ import annotations

from ...errors import ConfigError
from ..saving.keras_config import from_keras
from ..saving.serialization import deserialize_layer, serialize_layer
from .layer import Layer

__all__ = ["deserialize", "serialize"]


def serialize(layer) -> dict:
    """The layer as Keras's dict; a built layer's also records its ``build_config``.

    >>> from nnscratch import keras
    >>> config = keras.layers.serialize(keras.layers.Dense(2))
    >>> config["class_name"], config["config"]["units"]
    ('Dense', 2)
    """
    if not isinstance(layer, Layer):
        raise TypeError(
            "keras.layers.serialize expects a keras.layers.Layer instance, received "
            f"{type(layer).__name__}"
        )
    return serialize_layer(layer)


def deserialize(config, custom_objects=None):
    """A new layer from a dict ``serialize`` made (or real Keras's); ``custom_objects`` maps
    names to the user classes and functions it mentions.

    >>> from nnscratch import keras
    >>> layer = keras.layers.deserialize(keras.layers.serialize(keras.layers.Dense(2)))
    >>> type(layer).__name__, layer.units
    ('Dense', 2)
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "keras.layers.deserialize expects a dict with 'class_name' and 'config' (as "
            f"keras.layers.serialize makes), received {config!r}"
        )
    try:
        return deserialize_layer(from_keras(config), custom_objects)
    except ConfigError as error:
        raise ValueError(f"keras.layers.deserialize: {error}") from error
