"""``keras.losses.serialize`` / ``deserialize``: a loss to Keras's JSON-ready dict and back
(through ``keras.saving``, whose registry knows every built-in loss).

>>> from nnscratch import keras
>>> d = serialize(keras.losses.Tversky(alpha=0.3))
>>> d["class_name"], d["config"]["alpha"]
('Tversky', 0.3)
>>> deserialize(d).alpha
0.3
"""

from __future__ import annotations

__all__ = ["serialize", "deserialize"]


def serialize(loss):
    """``{"module", "class_name", "config", "registered_name"}`` for a ``Loss`` instance or a
    loss function (whose config is its name)."""
    from ..saving import serialize_keras_object

    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """The loss that ``serialize`` described; a string names a built-in loss (a class name
    gives a default instance, a function name or alias the function)."""
    from ..saving import deserialize_keras_object
    from . import get

    if isinstance(name, str):
        return get(name)
    return deserialize_keras_object(name, custom_objects=custom_objects)
