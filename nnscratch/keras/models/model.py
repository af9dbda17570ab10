"""``Model``: a Layer that trains (``compile``/``fit``/...), prints a summary and holds layers."""

from __future__ import annotations

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ..layers.keras_tensor import flatten, flatten_shapes, is_shape
from ..layers.layer import Layer
from ..metrics.base import Metric
from .model_metrics import track_metric
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

    A subclass may also be built the functional way, ``CustomModel(inputs, outputs)``, to
    override ``train_step`` on a graph of layers (see ``__init__``):

    >>> class CustomModel(keras.Model):
    ...     def train_step(self, data):
    ...         return super().train_step(data)
    >>> inputs = keras.Input(shape=(2,))
    >>> model = CustomModel(inputs, keras.layers.Dense(1)(inputs))
    >>> type(model).__name__, isinstance(model, CustomModel), model.output_shape
    ('CustomModel', True, (None, 1))
    """

    _model_nodes = None  # a functional model's graph (summary draws its "Connected to")

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional  # functional.py builds on this module

            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs) -> None:
        """A subclass given ``(inputs, outputs)`` becomes a functional model of its own class.

        ``class CustomModel(keras.Model)`` built as ``CustomModel(inputs, outputs)`` needs the
        graph machinery of ``Functional`` (``call`` replays the layers) and keeps its own
        methods (``train_step``, ``metrics``, ...). Keras gets this by rewriting the subclass's
        bases; here the instance moves, once, to a class made for the purpose, ``(CustomModel,
        Functional)``: still a CustomModel by ``isinstance`` and by name, with CustomModel's
        methods first. Its ``__init__`` then continues as ``Functional.__init__``.
        """
        if _functional_arguments(args, kwargs):
            from .functional import Functional, functional_subclass  # (built on this module)

            # (object's setattr: Module's wants the attributes that Functional.__init__ makes)
            object.__setattr__(self, "__class__", functional_subclass(type(self)))
            Functional.__init__(self, *args, **kwargs)
            return
        if args:
            raise TypeError(
                f"{type(self).__name__}: Model.__init__ takes (inputs, outputs) or keyword "
                f"arguments, received {len(args)} positional argument(s)"
            )
        super().__init__(**kwargs)

    def __setattr__(self, name: str, value) -> None:
        """Assigning a ``keras.metrics.Metric`` also tracks it (``metrics`` lists it); private
        names (``_loss_tracker``, made by ``compile``) are the trainer's own, listed by it."""
        tracked = self.__dict__.get("_tracked_metrics", ())
        if (isinstance(value, Metric) and name[0] != "_") or name in tracked:
            track_metric(self, name, value)
        super().__setattr__(name, value)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> Model:
        """A model from ``get_config()``; a functional model's config rebuilds its graph (for
        a subclass, as an instance of it: ``CustomModel(inputs, outputs)``)."""
        if "input_layers" in config and "output_layers" in config:
            from .functional import Functional, functional_subclass

            target = Functional if cls is Model else functional_subclass(cls)
            # Functional's own from_config, made for ``target``: a subclass's from_config that
            # calls super() lands here, and must not be called again
            return Functional.from_config.__func__(target, config, custom_objects)
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


def _functional_arguments(args: tuple, kwargs: dict) -> bool:
    """Whether a Model constructor got the functional API's ``(inputs, outputs)``."""
    return (
        len(args) == 2
        or (len(args) == 1 and "outputs" in kwargs)
        or ("inputs" in kwargs and "outputs" in kwargs)
    )
