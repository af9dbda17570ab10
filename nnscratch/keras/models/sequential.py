"""``Sequential``: a stack of layers, each feeding the next."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ...autograd.tensor import Tensor
from ..layers.input_layer import InputLayer, KerasTensor
from ..layers.keras_tensor import flatten
from ..layers.layer import Layer, Shape, format_shape
from .model import Model

__all__ = ["Sequential"]


class Sequential(Model):
    """A linear stack of layers. Start it with ``Input(shape=...)`` and it builds at once, so
    ``summary()`` works before any data; without one it builds on the first batch.

    >>> from nnscratch import keras
    >>> from nnscratch.keras.layers import Input, Dense
    >>> keras.utils.clear_session()
    >>> model = keras.models.Sequential([Input(shape=(2,)), Dense(10, activation="relu"),
    ...                                  Dense(1, activation="sigmoid")])
    >>> [(layer.name, layer.count_params()) for layer in model.layers]
    [('dense', 30), ('dense_1', 11)]
    >>> model.output_shape
    (None, 1)
    """

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None) -> None:
        super().__init__(trainable=trainable, name=name)
        object.__setattr__(self, "_stack", [])  # every layer, the InputLayer first if any
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._build_known()

    # ---- the stack ----------------------------------------------------------------------------
    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (or the ``Input(...)`` that starts the model)."""
        layer = _as_layer(layer)
        if isinstance(layer, InputLayer) and self._stack:
            raise ValueError(
                f"Sequential model '{self.name}' already has layers: an Input can only be the "
                f"first layer, received {layer.name!r} after {self._stack[-1].name!r}"
            )
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the "
                "`name` argument to pass a unique name."
            )
        if not self._stack and layer._batch_input_shape is not None:
            self._stack.append(InputLayer(batch_shape=layer._batch_input_shape))
        self._stack.append(layer)
        self._sync_modules()
        if rebuild:
            self._build_known()

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self._sync_modules()
        object.__setattr__(self, "_graph_ends", None)
        if self.layers and self.input_shape is not None:
            self.build(self.input_shape)  # (as Keras: the graph now ends one layer earlier)
        return layer

    def _sync_modules(self) -> None:
        """Register the layers as sub-modules ``"0"``, ``"1"``, ... (state_dict names)."""
        layers = [la for la in self._stack if not isinstance(la, InputLayer)]
        self.__dict__["_modules"] = OrderedDict((str(i), la) for i, la in enumerate(layers))

    @property
    def layers(self) -> list[Layer]:
        """The layers, without the InputLayer (as Keras)."""
        return [la for la in self._stack if not isinstance(la, InputLayer)]

    # ---- shapes and building ------------------------------------------------------------------
    @property
    def input_shape(self) -> Shape | None:
        """``(None, *shape)`` from the Input, or from the data of the first build."""
        if self._stack and isinstance(self._stack[0], InputLayer):
            return self._stack[0].batch_shape
        return self._build_shape

    @property
    def output_shape(self) -> Shape:
        if self.input_shape is None:
            raise AttributeError(
                f"Sequential model '{self.name}' has no defined input shape "
                "yet: add an Input or call it on data first."
            )
        return self.compute_output_shape(self.input_shape)

    def _build_known(self) -> None:
        if self.input_shape is not None:
            self.build(self.input_shape)

    def build(self, input_shape: Shape | None = None) -> None:
        """Build every layer in turn for ``input_shape`` (batch dimension first)."""
        shape = tuple(input_shape if input_shape is not None else self.input_shape or ())
        if not shape:
            raise ValueError(
                f"Sequential model '{self.name}' cannot be built without an input "
                "shape: add an Input(shape=...) or call it on data."
            )
        object.__setattr__(self, "_graph_ends", None)
        try:
            self._build_graph(shape)
        except NotImplementedError:  # a layer that cannot take symbolic tensors: shapes only
            for layer in self.layers:
                layer._maybe_build(shape)
                shape = layer.compute_output_shape(shape)
                object.__setattr__(layer, "_summary_output_shape", shape)
        self._build_shape, self.built = tuple(input_shape or self.input_shape), True

    def _build_graph(self, shape: Shape) -> None:
        """Call each layer on the symbolic output of the one before, from an Input of
        ``shape`` (the model's own Input when it has one): Keras 3 builds a Sequential as a
        functional graph, so each layer records a node (``layer.output``) and the model has
        ``inputs`` and ``outputs``, from which a feature extractor can be made."""
        first = self._stack[0] if self._stack else None
        if not (isinstance(first, InputLayer) and first.batch_shape == shape):
            dtype = self.layers[0].dtype if self.layers else None
            first = InputLayer(batch_shape=shape, dtype=dtype)
        x = first.output
        for layer in self.layers:
            x = layer(x)
            shapes = x.shape if isinstance(x, KerasTensor) else [t.shape for t in flatten(x)]
            object.__setattr__(layer, "_summary_output_shape", shapes)
        if self.layers:
            object.__setattr__(self, "_graph_ends", ([first.output], flatten(x)))

    _graph_ends = None  # ([Input tensor], [output tensors]) of the graph built by ``build``

    @property
    def inputs(self) -> list:
        """The model's Input tensor, in a list, once it is built (as Keras 3's)."""
        return list(self._built_graph_ends("inputs")[0])

    @property
    def outputs(self) -> list:
        """The last layer's symbolic output(s), in a list, once the model is built."""
        return list(self._built_graph_ends("outputs")[1])

    def _built_graph_ends(self, what: str) -> tuple:
        if self._graph_ends is None:
            raise AttributeError(
                f"Sequential model '{self.name}' has no defined {what} yet: start it with "
                "keras.Input(shape=...) or call it on data first"
            )
        return self._graph_ends

    def _maybe_build(self, input_shape: Shape) -> None:
        if not self.built:
            self.build((None, *tuple(input_shape)[1:]))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    # ---- calling ------------------------------------------------------------------------------
    call_takes_training = True  # call(inputs, training, mask): layers get both
    call_mask_arguments = ("mask",)

    def call(self, inputs: Tensor, training: bool = False, mask=None) -> Tensor:
        return self._run(inputs, training, mask)[0]

    def _run(self, inputs: Tensor, training: bool, mask) -> tuple:
        """The output and its mask: each layer gets the mask the one before it made (from
        ``Embedding(mask_zero=True)``, say), as in Keras."""
        self._check_input_shape(inputs.shape)
        x = inputs
        for layer in self.layers:
            x, mask = layer._call_with_mask(x, mask, training=training)
        return x, mask

    def _call_with_mask(self, inputs, mask=None, training=None, **kwargs) -> tuple:
        """Inside another model: run the stack, handing back the last layer's mask."""
        x = self._convert_input(inputs)
        self._maybe_build(x.shape)
        return self._run(x, bool(training), kwargs.get("mask", mask))

    def _check_input_array(self, x: np.ndarray) -> None:
        if self.input_shape is not None:
            self._check_input_shape(x.shape)

    def _check_input_shape(self, shape: Shape) -> None:
        expected = self.input_shape
        if expected is None:
            return
        fits = len(shape) == len(expected) and not [
            e for e, s in zip(expected, shape) if e is not None and e != s
        ]
        if not fits:
            first = self.layers[0].name if self.layers else self.name
            raise ValueError(
                f"Sequential model '{self.name}' expects inputs of shape {format_shape(expected)}"
                f" (its first layer is '{first}'), received shape {tuple(shape)}"
            )

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": [
                {"class_name": type(la).__name__, "config": la.get_config()} for la in self._stack
            ],
        }


def _as_layer(layer) -> Layer:
    if isinstance(layer, KerasTensor):
        return layer._input_layer
    if not isinstance(layer, Layer):
        raise ValueError(
            "Only instances of `keras.Layer` can be added to a Sequential model. Received: "
            f"{layer!r} (of type {type(layer).__name__})"
        )
    return layer
