"""``keras.applications``: Keras's zoo of pretrained models (VGG19, ResNet50, MobileNet...).

Not built. Those models are large convolutional stacks whose value is their pretrained
weights, which Keras downloads on first use: nnscratch stays offline, and a CPU NumPy
framework is not where ImageNet-sized models train. Every model name raises
``NotImplementedError`` (a ``NotBuiltError``) naming the model; build the network from
``keras.layers`` instead (the functional API's feature extraction works on any model:
``keras.Model(model.inputs, [layer.output for layer in model.layers])``).

>>> from nnscratch import keras
>>> keras.applications.VGG19(weights=None)
Traceback (most recent call last):
...
nnscratch.keras.not_built.NotBuiltError: keras.applications.VGG19: pretrained model zoos are \
not built (downloading weights is not offline-safe); build the model from keras.layers
"""

from __future__ import annotations

from .not_built import NotBuiltError

__all__: list[str] = []


def __getattr__(name: str):
    """Python calls this for every name the module lacks: each one is a model of the zoo (or
    one of its sub-modules, ``keras.applications.resnet``)."""
    if name.startswith("__"):  # (tools probing for module attributes: the usual answer)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    raise NotBuiltError(
        f"keras.applications.{name}: pretrained model zoos are not built (downloading "
        "weights is not offline-safe); build the model from keras.layers"
    )
