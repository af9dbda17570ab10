"""``keras.metrics.serialize`` / ``deserialize``: a metric to Keras's JSON-ready dict and
back (through ``keras.saving``, whose registry knows every built-in metric).

>>> from nnscratch import keras
>>> d = serialize(keras.metrics.TruePositives(thresholds=[0.2, 0.8]))
>>> d["class_name"], d["config"]["thresholds"]
('TruePositives', [0.2, 0.8])
>>> deserialize(d).get_config()["thresholds"]
[0.2, 0.8]
"""

from __future__ import annotations

__all__ = ["serialize", "deserialize"]


def serialize(metric):
    """``{"module", "class_name", "config", "registered_name"}`` for a ``Metric`` instance or
    a metric function (whose config is its name)."""
    from ..saving import serialize_keras_object

    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """The metric that ``serialize`` described; a string names a built-in metric (a class
    name gives a default instance, a function name the function)."""
    from ..saving import deserialize_keras_object
    from . import get

    if isinstance(config, str):
        return get(config)
    return deserialize_keras_object(config, custom_objects=custom_objects)
