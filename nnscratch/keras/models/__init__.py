"""Keras models: ``Sequential`` and the ``Model`` base class (training in ``trainer.py``)."""

from .functional import Functional
from .history import History
from .model import Model
from .sequential import Sequential
from ..saving import load_model

__all__ = ["Functional", "History", "Model", "Sequential", "load_model"]
