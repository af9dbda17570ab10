"""``Model``: a Layer that trains (``compile``/``fit``/...), prints a summary and holds layers."""

from __future__ import annotations

from ..layers.layer import Layer
from .summary import print_summary
from .trainer import Trainer

__all__ = ["Model"]


class Model(Trainer, Layer):
    """Base class of Keras models; subclass it, create layers in ``__init__`` and write ``call``.

    Layers assigned as attributes are tracked (their weights are the model's). The functional
    form ``Model(inputs, outputs)`` is not supported yet: use ``Sequential``.

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

    def __init__(self, *args, **kwargs) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise NotImplementedError(
                "The functional API, Model(inputs, outputs), is not supported yet; use "
                "Sequential or subclass Model"
            )
        super().__init__(**kwargs)

    def _maybe_build(self, input_shape) -> None:
        self.built = True  # sublayers build themselves on their first call

    @property
    def layers(self) -> list[Layer]:
        """The layers tracked by this model, in the order they were assigned."""
        return self._sublayers()

    def summary(self, line_length: int | None = None, positions=None, print_fn=None) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        print_summary(self, line_length, positions, print_fn)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
