"""``keras.applications.vgg19``: the VGG19 model and the preprocessing its input expects.

``decode_predictions`` is not built: it reads ImageNet's class index, which Keras downloads
(nnscratch works offline).

>>> import numpy as np
>>> from nnscratch import keras
>>> keras.applications.vgg19.preprocess_input(np.zeros((1, 1, 3), "uint8"))
array([[[-103.939, -116.779, -123.68 ]]], dtype=float32)
"""

from __future__ import annotations

from ..not_built import refuse_every
from .vgg import VGG19, preprocess_input

__all__ = ["VGG19", "preprocess_input"]

# Every other name is refused, naming itself (a model of the zoo, or decode_predictions).
__getattr__ = refuse_every(
    "keras.applications.vgg19",
    "not built; ImageNet's class index is a download and nnscratch works offline",
)
