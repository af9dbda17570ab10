"""``Model``: a Layer that trains (``compile``/``fit``/...), prints a summary and holds layers."""

from __future__ import annotations

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ..layers.keras_tensor import flatten, flatten_shapes, is_shape
from ..layers.layer import Layer
from .summary import print_summary
from .trainer import Trainer

__all__ = ["Model"]


class Model(Trainer, Layer):
    """A model: ``Model(inputs, outputs)`` for the functional API, or a base class to subclass.

    ``keras.Model(inputs, outputs, name=None)`` wires the layers called on ``keras.Input``
    tensors into a functional model (it returns a ``Functional``, as in Keras). To subclass,
    create layers in ``__init__`` and write ``call``: layers assigned as attributes are tracked
    (their weights are the model's).

    >>> from nnscratch import keras
    >>> inputs = keras.Input(shape=(2,))
    >>> outputs = keras.layers.Dense(1)(keras.layers.Dense(4, activation="relu")(inputs))
    >>> model = keras.Model(inputs, outputs)
    >>> type(model).__name__, model.output_shape, model.count_params()
    ('Functional', (None, 1), 17)

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> class TwoLayer(keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = keras.layers.Dense(4, activation="relu")
    ...         self.out = keras.layers.Dense(1)
    ...     def call(self, x):
    ...         return self.out(self.hidden(x))
    >>> model = TwoLayer()
    >>> model(ns.ones(3, 2)).shape, len(model.weights)
    ((3, 1), 4)
    """

    _model_nodes = None  # a functional model's graph (summary draws its "Connected to")

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional  # functional.py builds on this module

            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise NotImplementedError(
                f"{type(self).__name__} subclasses Model and was given inputs/outputs: a "
                "subclassed model with the functional constructor is not supported; call "
                "keras.Model(inputs, outputs) directly, or write `call` in the subclass"
            )
        super().__init__(**kwargs)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> Model:
        """A model from ``get_config()``; a functional model's config rebuilds its graph."""
        if "input_layers" in config and "output_layers" in config:
            from .functional import Functional

            return Functional.from_config(config, custom_objects)
        return cls(**config)

    def _maybe_build(self, input_shape) -> None:
        self.built = True  # sublayers build themselves on their first call

    @property
    def layers(self) -> list[Layer]:
        """The layers tracked by this model, in the order they were assigned."""
        return self._sublayers()

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or at position ``index`` of ``layers``."""
        if index is not None:
            if not 0 <= index < len(self.layers):
                raise ValueError(
                    f"Model '{self.name}' has {len(self.layers)} layers, received index={index}"
                )
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        names = [layer.name for layer in self.layers]
        raise ValueError(f"No such layer: {name!r} in model '{self.name}'. Layers: {names}")

    def compute_output_shape(self, input_shape):
        """A subclassed model's output shape(s), from one run on a batch of zeros: Keras traces
        ``call`` symbolically, and we have no symbolic engine for arbitrary code."""
        single = is_shape(input_shape)
        shapes = [input_shape] if single else flatten_shapes(input_shape)
        zeros = [Tensor(np.zeros([1 if d is None else d for d in s], np.float32)) for s in shapes]
        with no_grad():
            out = self(zeros[0] if single else zeros, training=False)
        if isinstance(out, Tensor):
            return (None, *out.shape[1:])
        return [(None, *t.shape[1:]) for t in flatten(out)]

    def summary(self, line_length: int | None = None, positions=None, print_fn=None) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        print_summary(self, line_length, positions, print_fn)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
