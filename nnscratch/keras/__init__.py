"""The Keras-style front end: ``from nnscratch import keras`` reads like Keras 3.

>>> from nnscratch import keras
>>> model = keras.models.Sequential([keras.layers.Input(shape=(2,)), keras.layers.Dense(1)])
>>> model.count_params()
3
"""

import importlib
from types import ModuleType

from nnscratch.keras import (
    activations,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from nnscratch.keras.layers import Input
from nnscratch.keras.models import Model, Sequential

_LAZY = ("callbacks",)  # written separately; imported on first use until it exists


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY:
        return importlib.import_module(f"nnscratch.keras.{name}")
    raise AttributeError(f"module 'nnscratch.keras' has no attribute {name!r}")


__all__ = [
    "Input",
    "Model",
    "Sequential",
    "activations",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "utils",
]
