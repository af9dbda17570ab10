"""Keras models: ``Sequential`` and the ``Model`` base class (training in ``trainer.py``)."""

from .history import History
from .model import Model
from .sequential import Sequential

__all__ = ["History", "Model", "Sequential"]
