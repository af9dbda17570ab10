"""``keras.applications.vgg19``: the VGG19 model and the preprocessing its input expects.

``decode_predictions`` is not built: it reads ImageNet's class index, which Keras downloads
(nnscratch works offline).

>>> import numpy as np
>>> from nnscratch import keras
>>> keras.applications.vgg19.preprocess_input(np.zeros((1, 1, 3), "uint8"))
array([[[-103.939, -116.779, -123.68 ]]], dtype=float32)
"""

from __future__ import annotations

from ..not_built import NotBuiltError
from .vgg import VGG19, preprocess_input

__all__ = ["VGG19", "preprocess_input"]


def __getattr__(name: str):
    """Python calls this for a name the module lacks: Keras's ``decode_predictions``."""
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    raise NotBuiltError(
        f"keras.applications.vgg19.{name}: not built; ImageNet's class index is a download "
        "and nnscratch works offline"
    )
