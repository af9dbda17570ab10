"""``Functional``: the model ``keras.Model(inputs, outputs)`` builds from a graph of layers.

Layers called on ``keras.Input`` tensors record their calls (``keras_tensor.Node``); the model
walks back from its outputs to its inputs (``graph.map_graph``), and ``call`` replays the same
calls on real tensors. Training, evaluation and prediction are the ``Trainer``'s; a model with
several inputs hands the trainer a dict of arrays keyed by input name, each already of its
Input's dtype (int64 ids stay integers), and the trainer batches them alike.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...errors import InputError
from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor, flatten, flatten_shapes, is_shape, pack_like
from ..layers.layer import format_shape
from ..layers.output_spec import node_output_shapes
from . import data as data_utils
from .functional_checks import check_inputs, check_outputs, check_unique_names
from .graph import map_graph, replay_config
from .model import Model

__all__ = ["Functional", "functional_subclass"]


class Functional(Model):
    """A model made by calling layers on ``keras.Input`` tensors; ``keras.Model(inputs,
    outputs)`` returns one. ``inputs`` and ``outputs`` may be single tensors, lists or dicts.

    >>> from nnscratch import keras
    >>> from nnscratch.keras import layers
    >>> keras.utils.clear_session()
    >>> inputs = keras.Input(shape=(4,))
    >>> hidden = layers.Dense(4, activation="relu")(inputs)
    >>> outputs = layers.Dense(1)(layers.Add()([inputs, hidden]))  # a residual connection
    >>> model = keras.Model(inputs, outputs)
    >>> [layer.name for layer in model.layers]
    ['input_layer', 'dense', 'add', 'dense_1']
    >>> model.predict(np.ones((3, 4)), verbose=0).shape
    (3, 1)
    """

    _autocast = False  # each input takes its Input's dtype in ``call``

    def __init__(self, inputs, outputs, name: str | None = None, trainable: bool = True) -> None:
        super().__init__(name=name, trainable=trainable)
        set_ = object.__setattr__
        set_(self, "_inputs_struct", inputs)
        set_(self, "_outputs_struct", outputs)
        set_(self, "inputs", check_inputs(flatten(inputs)))
        set_(self, "outputs", check_outputs(flatten(outputs)))
        graph = map_graph(self.inputs, self.outputs)
        check_unique_names(self, graph.layers)
        set_(self, "_graph", graph)
        set_(self, "_model_nodes", graph.node_set)
        inner = [layer for layer in graph.layers if not isinstance(layer, InputLayer)]
        self.__dict__["_modules"] = OrderedDict((str(i), la) for i, la in enumerate(inner))
        self.built = True
        self._build_shape = self.input_shape

    # ---- the graph ----------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """Every layer, the InputLayers included, in Keras's order (inputs first)."""
        return list(self._graph.layers)

    @property
    def input(self):
        """The input tensor(s), structured as given to the constructor."""
        return self._inputs_struct

    @property
    def output(self):
        """The output tensor(s), structured as given to the constructor."""
        return self._outputs_struct

    @property
    def input_shape(self):
        """The input's shape, or a list of shapes for several inputs."""
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        """The output's shape, or a list of shapes for several outputs."""
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def _returned(self, leaves: list):
        """The outputs as Keras returns them: ``outputs=[y]`` gives ``y`` itself."""
        struct = self._outputs_struct
        if isinstance(struct, (list, tuple)) and len(struct) == 1:
            return leaves[0]
        return pack_like(struct, leaves)

    # ---- running it ---------------------------------------------------------------------------
    call_takes_training = True  # call(inputs, training, mask): nodes get both
    call_mask_arguments = ("mask",)

    def call(self, inputs, training: bool = False, mask=None):
        return self._run(inputs, training, mask)[0]

    def _run(self, inputs, training: bool, mask) -> tuple:
        """The outputs and their masks. Each node's layer gets the masks of its inputs and
        gives its outputs theirs (``Layer._call_with_mask``), so a mask made by
        ``Embedding(mask_zero=True)`` reaches the layers downstream, as in Keras."""
        values = dict(zip(self.inputs, self._input_tensors(inputs)))
        masks = dict(zip(self.inputs, self._input_masks(mask)))
        for node in self._graph.nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args, extra = node.call_arguments([values[t] for t in node.input_tensors])
            kwargs = {"training": training, **node.kwargs}
            if extra:  # ``endpoint(targets, logits)``: several positional tensors, no masks
                outputs, out_mask = node.layer(args, *extra, **kwargs), None
            else:
                arg_masks = pack_like(node.args, [masks[t] for t in node.input_tensors])
                outputs, out_mask = node.layer._call_with_mask(args, arg_masks, **kwargs)
            outputs = flatten(outputs)
            values.update(zip(node.outputs, outputs))
            masks.update(zip(node.outputs, _mask_per_output(out_mask, len(outputs))))
        return (
            self._returned([values[t] for t in self.outputs]),
            self._returned([masks[t] for t in self.outputs]),
        )

    def _input_masks(self, mask) -> list:
        """One mask (or None) per input, from ``call(..., mask=...)``."""
        if mask is None:
            return [None] * len(self.inputs)
        return self._items(mask if len(self.inputs) > 1 else [mask], "masks")

    def _call_with_mask(self, inputs, mask=None, training=None, **kwargs) -> tuple:
        """Inside another model: run the graph, handing back the outputs' masks."""
        return self._run(inputs, bool(training), kwargs.get("mask", mask))

    def compute_output_shape(self, input_shape):
        """The output shape(s) for ``input_shape`` (one shape per input), computing nothing."""
        shapes = [tuple(input_shape)] if is_shape(input_shape) else flatten_shapes(input_shape)
        if len(shapes) != len(self.inputs):
            raise ValueError(
                f"Model '{self.name}' expects {len(self.inputs)} input shapes, received "
                f"{input_shape}"
            )
        known = dict(zip(self.inputs, shapes))
        for node in self._graph.nodes:
            if not isinstance(node.layer, InputLayer):
                out = node_output_shapes(node, [known[t] for t in node.input_tensors])
                known.update(zip(node.outputs, [out] if is_shape(out) else flatten_shapes(out)))
        outputs = [known[t] for t in self.outputs]
        return outputs[0] if len(outputs) == 1 else outputs

    def _input_tensors(self, inputs) -> list[Tensor]:
        """One tensor per input, checked against its Input's shape and cast to its dtype."""
        items = self._items(inputs, "tensors")
        return [self._conform(i, t, x) for i, (t, x) in enumerate(zip(self.inputs, items))]

    def _items(self, inputs, what: str) -> list:
        """The inputs as a list in ``self.inputs`` order, from one value, a list or a dict."""
        if isinstance(inputs, dict):
            keys = self._input_names()
            missing = [key for key in keys if key not in inputs]
            if missing:
                raise InputError(
                    f"Model '{self.name}' expects inputs named {keys}, received a dict with "
                    f"keys {list(inputs)} (missing {missing})"
                )
            return [inputs[key] for key in keys]
        items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(items) != len(self.inputs):
            names = ", ".join(f"'{t.name}'" for t in self.inputs)
            raise InputError(
                f"Model '{self.name}' expects {len(self.inputs)} input {what} ({names}), "
                f"received {len(items)}"
            )
        return items

    def _input_names(self) -> list[str]:
        """The keys of a dict of inputs: the model's own, else the Inputs' names."""
        if isinstance(self._inputs_struct, dict):
            return list(self._inputs_struct)
        return [t.name for t in self.inputs]

    def _conform(self, index: int, expected: KerasTensor, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(np.asarray(x))
        self._check_shape(index, expected, tuple(x.shape), "shape")
        if x.dtype != np.dtype(expected.dtype) and x.dtype.kind in "biuf":
            x = x.to(expected.dtype)
        return x

    def _check_shape(self, index: int, expected: KerasTensor, shape: tuple, what: str) -> None:
        fits = len(shape) == len(expected.shape) and all(
            e is None or e == s for e, s in zip(expected.shape, shape)
        )
        if not fits:
            raise ValueError(
                f"Input {index} ('{expected.name}') of model '{self.name}' expects shape "
                f"{format_shape(expected.shape)}, received {what} {shape}"
            )

    # ---- data for the trainer -----------------------------------------------------------------
    def _input_data(self, x):
        """The input data as the trainer batches it: one array for one input, else a dict of
        arrays by input name (from a list, a tuple or a dict keyed by input names), each
        checked against its Input's shape and cast to its dtype once, not on every call."""
        single_wrapped = (
            isinstance(x, (list, tuple)) and len(x) == 1 and isinstance(x[0], (np.ndarray, Tensor))
        )
        if len(self.inputs) == 1 and isinstance(x, (list, tuple)) and not single_wrapped:
            x = [x]  # a nested list of numbers is the data of the one input
        if len(self.inputs) > 1 and not isinstance(x, (list, tuple, dict)):
            names = ", ".join(f"'{t.name}'" for t in self.inputs)
            raise InputError(
                f"Model '{self.name}' expects {len(self.inputs)} inputs ({names}) as a list or "
                f"dict, received one {type(x).__name__} of shape {np.shape(x)}"
            )
        items = self._items(x, "arrays")
        arrays = [self._input_array(i, t, a) for i, (t, a) in enumerate(zip(self.inputs, items))]
        return arrays[0] if len(arrays) == 1 else dict(zip(self._input_names(), arrays))

    def _input_array(self, index: int, expected: KerasTensor, data) -> np.ndarray:
        array = data_utils.as_array(data, f"x['{expected.name}']")
        self._check_shape(index, expected, array.shape, "data of shape")
        if array.dtype != np.dtype(expected.dtype) and array.dtype.kind in "biuf":
            array = array.astype(expected.dtype)  # the cast ``call`` makes, made once
        return array

    def predict_step(self, x):
        """The outputs for one batch as NumPy arrays, structured as the model's outputs."""
        with no_grad():
            outputs = flatten(self(x, training=False))
        return self._returned([output.numpy() for output in outputs])

    @property
    def metrics(self) -> list:
        """``Model.metrics``, with a multi-output model's per-output loss trackers
        (``<output>_loss``) after the compiled metrics, in Keras 3's order."""
        found = super().metrics
        trackers = self._compiled_loss.metrics if self.compiled and self._compiled_loss else ()
        if not trackers:
            return found
        container = self._compiled_metrics
        at = found.index(container) + 1 if container in found else 1
        return found[:at] + list(trackers) + found[at:]

    @property
    def output_names(self) -> list[str]:
        """The names of the layers that make the outputs, in output order (Keras's)."""
        return [t._keras_history[0].name for t in self.outputs]

    def compile(self, *args, **kwargs) -> None:
        """``Trainer.compile``; with several outputs, ``loss``, ``loss_weights`` and the metrics
        may be given per output (lists, or dicts keyed by output name: ``multi_output.py``)."""
        struct = self._outputs_struct
        values = struct.values() if isinstance(struct, dict) else struct
        if len(self.outputs) > 1 and any(isinstance(v, (list, tuple, dict)) for v in values):
            raise NotImplementedError(
                f"Model '{self.name}' has nested outputs ({_map_tensors(lambda t: 'X', struct)}"
                "): training takes a flat list or dict of outputs; predict(), summary() and "
                "get_config() work"
            )
        super().compile(*args, **kwargs)

    # ---- configuration ------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The layers (each with the calls that feed it), and the input and output tensors as
        ``[layer name, node index, tensor index]``, in Keras's structure."""
        from ..saving.serialization import serialize_layer  # saving builds on the models

        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": [self._layer_config(layer, serialize_layer) for layer in self.layers],
            "input_layers": _map_tensors(self._history, self._inputs_struct),
            "output_layers": _map_tensors(self._history, self._outputs_struct),
        }

    def _layer_config(self, layer, serialize_layer) -> dict:
        nodes = [] if isinstance(layer, InputLayer) else self._graph.nodes_of(layer)
        return {
            **serialize_layer(layer),
            "name": layer.name,
            "inbound_nodes": [
                {
                    "args": _map_tensors(self._tensor_config, [node.args, *node.extra_args]),
                    "kwargs": node.kwargs,
                }
                for node in nodes
            ],
        }

    def _history(self, tensor: KerasTensor) -> list:
        """``[layer name, node index, tensor index]``, the node counted among this model's."""
        layer, node_index, tensor_index = tensor._keras_history
        local = self._graph.nodes_of(layer).index(layer._inbound_nodes[node_index])
        return [layer.name, local, tensor_index]

    def _tensor_config(self, tensor: KerasTensor) -> dict:
        return {
            "class_name": "__keras_tensor__",
            "config": {
                "shape": tensor.shape,
                "dtype": tensor.dtype,
                "keras_history": self._history(tensor),
            },
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> Functional:
        """Rebuild the model from ``get_config()``: new layers, called as recorded."""
        from ..saving.serialization import deserialize_layer

        layers = {
            entry["name"]: deserialize_layer(
                {k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")},
                custom_objects,
            )
            for entry in config["layers"]
        }
        inputs, outputs = replay_config(config, layers)
        model = cls(inputs, outputs, name=config.get("name"))
        if not config.get("trainable", True):
            model.trainable = False
        return model


def functional_subclass(cls: type) -> type:
    """The class of ``cls(inputs, outputs)`` for a subclass ``cls`` of ``keras.Model``: ``cls``
    first (its ``train_step``, ``metrics``, ...), then ``Functional``'s graph machinery.
    Named as ``cls`` and made once per class (kept on it); ``Model.__init__`` explains why.

    >>> from nnscratch import keras
    >>> class CustomModel(keras.Model):
    ...     pass
    >>> made = functional_subclass(CustomModel)
    >>> [c.__name__ for c in made.__mro__[:4]], functional_subclass(CustomModel) is made
    (['CustomModel', 'CustomModel', 'Functional', 'Model'], True)
    """
    if issubclass(cls, Functional):
        return cls
    made = cls.__dict__.get("_functional_class")
    if made is None:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        made = type(cls.__name__, (cls, Functional), {**namespace, "__doc__": cls.__doc__})
        cls._functional_class = made
    return made


# ---- helpers ----------------------------------------------------------------------------------
def _mask_per_output(mask, count: int) -> list:
    """A layer's output mask(s) as one entry per output: ``compute_mask`` returns one mask
    (or None) for one output, and a list for several (None: no output has a mask)."""
    if count == 1:
        return [mask]
    if mask is None:
        return [None] * count
    if not isinstance(mask, (list, tuple)):
        return [mask] + [None] * (count - 1)  # Keras gives the first output the one mask
    masks = list(mask)
    return (masks + [None] * count)[:count]


def _map_tensors(fn, structure):
    """``fn`` on each KerasTensor of a structure, keeping lists, tuples and dicts (and any
    other value, such as a constant passed beside the tensors)."""
    leaves = [fn(t) if isinstance(t, KerasTensor) else t for t in flatten(structure)]
    return pack_like(structure, leaves)
