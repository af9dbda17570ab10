"""``keras.applications``: Keras's zoo of image models (VGG19, ResNet50, MobileNet...).

Built: ``VGG16`` and ``VGG19`` (with ``vgg16`` / ``vgg19``'s ``preprocess_input``), as
untrained architectures: ``weights=None``. Keras downloads the zoo's pretrained weights on
first use; nnscratch stays offline, so ``weights="imagenet"`` raises, saying how to load a
weights file that Keras wrote. The other models raise ``NotImplementedError`` (a
``NotBuiltError``) naming the model; build the network from ``keras.layers`` instead.

The functional API guide's feature extractor:

>>> from nnscratch import keras
>>> vgg19 = keras.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
>>> features = keras.Model(vgg19.input, [layer.output for layer in vgg19.layers])
>>> len(features.outputs), features.outputs[-1].shape
(22, (None, 1, 1, 512))
>>> keras.applications.ResNet50(weights=None)
Traceback (most recent call last):
...
nnscratch.keras.not_built.NotBuiltError: keras.applications.ResNet50: pretrained model zoos \
are not built (downloading weights is not offline-safe); build the model from keras.layers
"""

from __future__ import annotations

from ..not_built import refuse_every
from . import vgg16, vgg19
from .vgg import VGG16, VGG19

__all__ = ["VGG16", "VGG19", "vgg16", "vgg19"]

# Every other name is refused, naming itself (a model of the zoo, or decode_predictions).
__getattr__ = refuse_every(
    "keras.applications",
    "pretrained model zoos are not built (downloading weights is not offline-safe); build "
    "the model from keras.layers",
)
