"""Symbolic tensors for the functional API: ``KerasTensor`` and the ``Node`` that made it.

Calling a layer on ``KerasTensor`` objects computes nothing: the layer builds from the symbolic
shapes, ``compute_output_shape`` gives the output shapes, and a ``Node`` records the call (the
layer, its input tensors, its outputs) on ``layer._inbound_nodes``. Each output remembers its
origin in ``_keras_history = (layer, node_index, tensor_index)``, so a model can walk the graph
back from its outputs to its ``Input`` tensors.

Inputs and outputs may be single tensors, lists/tuples or dicts of them ("structures"); the
helpers below flatten and rebuild them.
"""

from __future__ import annotations

import operator

from ..utils import auto_name

__all__ = [
    "KerasTensor",
    "Node",
    "flatten",
    "flatten_shapes",
    "format_shapes",
    "is_shape",
    "is_symbolic",
    "map_structure",
    "node_of",
    "pack_like",
    "symbolic_call",
]


class KerasTensor:
    """A symbolic tensor: a shape (batch first, ``None`` when unknown), a dtype and a history.

    >>> from nnscratch import keras
    >>> keras.utils.clear_session()
    >>> x = keras.Input(shape=(3,), name="features")
    >>> y = keras.layers.Dense(2)(x)
    >>> x, y.shape, y._keras_history[0].name
    (<KerasTensor shape=(None, 3), dtype=float32, name=features>, (None, 2), 'dense')
    """

    def __init__(self, shape, dtype: str = "float32", name: str | None = None) -> None:
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.ndim = len(self.shape)
        self.name = name if name is not None else auto_name("KerasTensor")
        self._keras_history: tuple | None = None  # (layer, node_index, tensor_index)

    @property
    def _input_layer(self):
        """The layer that produced this tensor (an ``InputLayer`` for ``Input(...)``)."""
        return self._keras_history[0]

    def __repr__(self) -> str:
        return (
            f"<KerasTensor shape={format_shapes(self.shape)}, dtype={self.dtype}, name={self.name}>"
        )

    # Arithmetic, comparison and indexing record an op node (``keras.ops.symbolic``), as
    # ``x * 2`` does in Keras's functional API. ``==`` and ``!=`` keep identity semantics:
    # models key their graphs by tensor.
    def __add__(self, other):
        return _op(operator.add, "add", self, other)

    def __radd__(self, other):
        return _op(operator.add, "add", other, self)

    def __sub__(self, other):
        return _op(operator.sub, "subtract", self, other)

    def __rsub__(self, other):
        return _op(operator.sub, "subtract", other, self)

    def __mul__(self, other):
        return _op(operator.mul, "multiply", self, other)

    def __rmul__(self, other):
        return _op(operator.mul, "multiply", other, self)

    def __truediv__(self, other):
        return _op(operator.truediv, "divide", self, other)

    def __rtruediv__(self, other):
        return _op(operator.truediv, "divide", other, self)

    def __pow__(self, other):
        return _op(operator.pow, "power", self, other)

    def __rpow__(self, other):
        return _op(operator.pow, "power", other, self)

    def __matmul__(self, other):
        return _op(operator.matmul, "matmul", self, other)

    def __rmatmul__(self, other):
        return _op(operator.matmul, "matmul", other, self)

    def __neg__(self):
        return _op(operator.neg, "negative", self)

    def __abs__(self):
        return _op(operator.abs, "absolute", self)

    def __lt__(self, other):
        return _op(operator.lt, "less", self, other)

    def __le__(self, other):
        return _op(operator.le, "less_equal", self, other)

    def __gt__(self, other):
        return _op(operator.gt, "greater", self, other)

    def __ge__(self, other):
        return _op(operator.ge, "greater_equal", self, other)

    def __getitem__(self, key):
        return _op(operator.getitem, "get_item", self, key)

    def __iter__(self):
        # Without this, Python would iterate by calling __getitem__(0), (1)... forever.
        raise TypeError(f"{self!r} is not iterable: index it (x[:, 0]) or use keras.ops.unstack")

    __hash__ = object.__hash__


def _op(fn, name: str, *args):
    """``fn(*args)`` on the real tensors at run time, recorded now as a node."""
    from ..ops.symbolic import symbolic_apply  # (here: keras.ops imports the layers)

    return symbolic_apply(fn, name, args, {})


class Node:
    """One call of ``layer`` on symbolic tensors: ``args`` (the first argument: a tensor, or a
    list/dict of them), ``extra_args`` (any further positional arguments, as in
    ``endpoint(targets, logits)``), ``kwargs``, and the flat list of ``outputs``.
    ``input_tensors`` lists the KerasTensors among all the arguments, ``args``' first. Appends
    itself to ``layer._inbound_nodes``.

    >>> from nnscratch import keras
    >>> x = keras.Input(shape=(2,), name="x")
    >>> add = keras.layers.Add(name="twice")
    >>> _ = add([x, x])
    >>> add._inbound_nodes
    [<Node twice: ['x', 'x']>]
    """

    def __init__(self, layer, args, kwargs: dict, outputs: list[KerasTensor],
                 extra_args: tuple = ()) -> None:  # fmt: skip
        self.layer, self.args, self.kwargs, self.outputs = layer, args, kwargs, outputs
        self.extra_args = tuple(extra_args)
        self.input_tensors = [] if args is None else flatten(args)
        self.input_tensors += [t for t in flatten(self.extra_args) if isinstance(t, KerasTensor)]
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for tensor_index, tensor in enumerate(outputs):
            tensor._keras_history = (layer, node_index, tensor_index)

    @property
    def parent_nodes(self) -> list[Node]:
        """The nodes that produced this node's inputs."""
        return [node_of(t) for t in self.input_tensors]

    def call_arguments(self, values: list) -> tuple:
        """``(first argument, extra positional arguments)`` with ``values`` (one per
        ``input_tensors``, in order) in place of the KerasTensors: how a model replays the
        call on real tensors (or on shapes).

        >>> from nnscratch import keras
        >>> x = keras.Input(shape=(2,), name="x")
        >>> node = Node(keras.layers.Layer(), x, {}, [], extra_args=(x, 5))
        >>> node.call_arguments(["a", "b"])
        ('a', ('b', 5))
        """
        count = len(flatten(self.args))
        first = pack_like(self.args, values[:count])
        rest = iter(values[count:])
        leaves = [next(rest) if isinstance(t, KerasTensor) else t for t in flatten(self.extra_args)]
        return first, pack_like(self.extra_args, leaves)

    def __repr__(self) -> str:
        return f"<Node {self.layer.name}: {[t.name for t in self.input_tensors]}>"


def node_of(tensor: KerasTensor) -> Node:
    """The node that produced ``tensor``.

    >>> from nnscratch import keras
    >>> x = keras.Input(shape=(2,), name="x")
    >>> node_of(x).layer.name, node_of(x).input_tensors
    ('x', [])
    """
    layer, node_index, _ = tensor._keras_history
    return layer._inbound_nodes[node_index]


# ---- structures -------------------------------------------------------------------------------
def flatten(structure) -> list:
    """The leaves of a tensor, a list/tuple or a dict of them (dicts in insertion order).

    >>> flatten({"a": 1, "b": [2, (3, 4)]})
    [1, 2, 3, 4]
    """
    if isinstance(structure, dict):
        return [leaf for value in structure.values() for leaf in flatten(value)]
    if isinstance(structure, (list, tuple)):
        return [leaf for value in structure for leaf in flatten(value)]
    return [structure]


def pack_like(structure, leaves: list):
    """``leaves`` arranged as ``structure`` (the inverse of ``flatten``).

    >>> pack_like({"a": 0, "b": [0, 0]}, [1, 2, 3])
    {'a': 1, 'b': [2, 3]}
    """
    leaves = iter(leaves)

    def rebuild(node):
        if isinstance(node, dict):
            return {key: rebuild(value) for key, value in node.items()}
        if isinstance(node, (list, tuple)):
            return type(node)(rebuild(value) for value in node)
        return next(leaves)

    return rebuild(structure)


def map_structure(fn, structure):
    """``fn`` applied to every leaf, keeping the structure.

    >>> map_structure(lambda v: v * 10, [1, {"x": 2}])
    [10, {'x': 20}]
    """
    return pack_like(structure, [fn(leaf) for leaf in flatten(structure)])


def is_symbolic(inputs) -> bool:
    """True when ``inputs`` is a KerasTensor or a list/tuple/dict holding one.

    >>> from nnscratch import keras
    >>> is_symbolic([keras.Input(shape=(2,))]), is_symbolic([1.0, 2.0])
    (True, False)
    """
    if isinstance(inputs, KerasTensor):
        return True
    if isinstance(inputs, (list, tuple, dict)):
        return any(isinstance(leaf, KerasTensor) for leaf in flatten(inputs))
    return False


def is_shape(value) -> bool:
    """``(None, 3)`` is a shape; ``[(None, 3), (None, 2)]`` is a list of shapes.

    >>> is_shape((None, 3)), is_shape([(None, 3), (None, 2)])
    (True, False)
    """
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, int) for d in value)


def format_shapes(shapes) -> str:
    """``(None, 10)`` as Keras prints it; a list of shapes as ``[(None, 1), (None, 2)]``.

    >>> format_shapes((None, 10)), format_shapes([(None, 1), (5,)])
    ('(None, 10)', '[(None, 1), (5,)]')
    """
    if is_shape(shapes):
        return "(" + ", ".join(str(d) for d in shapes) + ("," if len(shapes) == 1 else "") + ")"
    if isinstance(shapes, dict):
        return "{" + ", ".join(f"{k}: {format_shapes(v)}" for k, v in shapes.items()) + "}"
    return "[" + ", ".join(format_shapes(s) for s in shapes) + "]"


# ---- calling a layer on symbolic tensors ------------------------------------------------------
def symbolic_call(layer, inputs, args: tuple, kwargs: dict):
    """Build ``layer`` for the shapes of ``inputs``, record a Node, return the output tensor(s).

    ``Layer.__call__`` comes here when its inputs are symbolic. Further positional arguments
    (``args``) may hold KerasTensors too, as in ``endpoint(targets, logits)``. The outputs'
    shapes come from ``compute_output_shape``, or from running ``call`` for a user's layer
    that does not write one (``output_spec``).

    >>> from nnscratch import keras
    >>> dense = keras.layers.Dense(2)
    >>> symbolic_call(dense, keras.Input(shape=(3,)), (), {}).shape, dense.kernel.shape
    ((None, 2), (3, 2))
    """
    from .output_spec import compute_output_spec  # (output_spec builds on this module)

    leaves = flatten(inputs)
    if not all(isinstance(leaf, KerasTensor) for leaf in leaves):
        kinds = sorted({type(leaf).__name__ for leaf in leaves})
        raise ValueError(
            f"Layer '{layer.name}' received a mix of symbolic tensors (from keras.Input) and "
            f"other values ({', '.join(kinds)}): in a functional model every input of a layer "
            "must come from keras.Input or from another layer"
        )
    layer._maybe_build(map_structure(lambda t: t.shape, inputs))
    outputs = compute_output_spec(layer, (inputs, *args), kwargs)
    Node(layer, inputs, kwargs, flatten(outputs), extra_args=args)
    return outputs


def flatten_shapes(shapes) -> list:
    """The shapes in a structure of shapes (a shape itself is a leaf, not a list).

    >>> flatten_shapes([(None, 1), {"b": (None, 2)}])
    [(None, 1), (None, 2)]
    """
    if is_shape(shapes):
        return [tuple(shapes)]
    values = shapes.values() if isinstance(shapes, dict) else shapes
    return [shape for value in values for shape in flatten_shapes(value)]
