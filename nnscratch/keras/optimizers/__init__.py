"""Keras-style optimizers (``keras.optimizers``) with Keras's update formulas and defaults.

>>> from nnscratch.keras import optimizers
>>> opt = optimizers.get("adam")
>>> type(opt).__name__, round(float(opt.learning_rate), 6)
('Adam', 0.001)
"""

from __future__ import annotations

from typing import Any

from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .lion import Lion
from .nadam import Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

ALL_OBJECTS = (Adadelta, Adagrad, Adam, Adamax, AdamW, Lion, Nadam, RMSprop, SGD)
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Keras's layout: ``{'module', 'class_name', 'config', 'registered_name'}``."""
    return {
        "module": "keras.optimizers",
        "class_name": type(optimizer).__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict[str, Any]) -> Optimizer:
    """An optimizer from ``serialize()``'s dict (ours or real Keras's); names ignore case."""
    cls = _lookup(config.get("class_name"))
    return cls.from_config(dict(config.get("config") or {}))


def _lookup(name) -> type[Optimizer]:
    key = name.lower() if isinstance(name, str) else name
    if key not in ALL_OBJECTS_DICT:
        raise ValueError(
            f"Unknown optimizer {name!r}; expected one of {sorted(ALL_OBJECTS_DICT)} "
            "(any case), an Optimizer instance, or a config dict"
        )
    return ALL_OBJECTS_DICT[key]


def get(identifier) -> Optimizer | None:
    """An optimizer from a name ('adam', 'SGD', ...), a config dict, or an instance.

    A name gives the optimizer with its default arguments; an instance is returned unchanged.

    >>> get("RMSprop").rho
    0.9
    >>> get("adamm")
    Traceback (most recent call last):
    ...
    ValueError: Unknown optimizer 'adamm'; expected one of ['adadelta', 'adagrad', 'adam', \
'adamax', 'adamw', 'lion', 'nadam', 'rmsprop', 'sgd'] (any case), an Optimizer instance, \
or a config dict
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _lookup(identifier)()
    if isinstance(identifier, Optimizer):
        return identifier
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r} (expected a name, a config "
        "dict or an Optimizer instance)"
    )


__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam",
    "Lion", "schedules", "get", "serialize", "deserialize",
]  # fmt: skip
