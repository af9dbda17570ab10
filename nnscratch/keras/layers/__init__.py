"""Keras layers: ``Input``, ``Dense``, ``Activation``, ``Dropout``, ``Flatten``, ``Reshape``."""

from .activation import Activation
from .dense import Dense
from .dropout import Dropout
from .input_layer import Input, InputLayer, KerasTensor
from .layer import Layer
from .reshaping import Flatten, Reshape

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "Flatten",
    "Input",
    "InputLayer",
    "KerasTensor",
    "Layer",
    "Reshape",
]
