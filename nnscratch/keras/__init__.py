"""The Keras-style front end: ``from nnscratch import keras`` reads like Keras 3.

>>> from nnscratch import keras
>>> model = keras.models.Sequential([keras.layers.Input(shape=(2,)), keras.layers.Dense(1)])
>>> model.count_params()
3
"""

from nnscratch.keras import (
    activations,
    applications,
    callbacks,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from nnscratch.keras.layers import Input
from nnscratch.keras.models import Model, Sequential
from nnscratch.keras.variables import Variable

__all__ = [
    "Input",
    "Model",
    "Sequential",
    "Variable",
    "activations",
    "applications",
    "callbacks",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "random",
    "regularizers",
    "saving",
    "utils",
]
