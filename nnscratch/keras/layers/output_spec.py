"""The output shapes and dtypes of a layer called on symbolic tensors (``KerasTensor``).

A layer that writes ``compute_output_shape`` says what it returns. A user's layer that does
not (``TokenAndPositionEmbedding``, an endpoint layer returning ``softmax(logits)``) gets its
outputs found by running its ``call``, as Keras does: Keras's torch backend runs ``call`` on
stand-in tensors whose unknown sizes are filled in, twice with different fills, and marks
unknown every output size that differs between the two runs.

Why a run on zeros rather than ``call`` on the KerasTensors themselves: a user's ``call`` is
arbitrary Python. Run on KerasTensors, every sublayer it calls would record a node of its own
(changing their ``.output``), ``add_loss`` would receive a symbolic value, and loss functions,
NumPy conversions or Python branches on values would fail. Run on zeros, any ``call`` that
works on data works here, and the run leaves no trace: it computes under ``no_grad``, the
layer's weights and the global random state are put back, and its ``add_loss`` terms are
dropped (the terms of the latest real forward pass are kept).

Unknown sizes are filled with small numbers, the batch axis (axis 0) with 2 then 3, the
others with 16 then 23 (large enough for a few stride-2 convolutions and poolings), so that
tracing a convolutional layer stays cheap.

>>> from nnscratch import keras
>>> from nnscratch.keras import ops
>>> class Doubled(keras.layers.Layer):
...     __module__ = "my_project.layers"  # (as a user's class: not one of nnscratch's)
...     def call(self, x):
...         return ops.concatenate([x, x], axis=-1)
>>> Doubled()(keras.Input(shape=(None, 3))).shape
(None, None, 6)
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ... import random as ns_random
from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from . import added_losses
from .keras_tensor import KerasTensor, flatten, is_shape, pack_like

__all__ = [
    "compute_output_spec",
    "filled_sizes",
    "infers_from_call",
    "node_output_shapes",
    "shapes_of_two_runs",
]

_FILLS = ((2, 16), (3, 23))  # (batch axis, other unknown axes) for the two runs


def infers_from_call(layer) -> bool:
    """Whether ``layer``'s outputs are found by running ``call``: its class keeps the base
    ``compute_output_shape`` (the input shape) and its ``call`` is a user's, written outside
    the nnscratch package. nnscratch's own layers that keep the base one (``Dropout``,
    ``Activation``...) do return their input's shape, and are not traced."""
    from .layer import Layer  # (layer.py imports this module's callers)

    cls = type(layer)
    if cls.compute_output_shape is not Layer.compute_output_shape:
        return False
    writer = next(c for c in cls.__mro__ if "call" in c.__dict__)  # the class whose call runs
    return not writer.__module__.startswith("nnscratch.")


def compute_output_spec(layer, args: tuple, kwargs: dict):
    """The output(s) of ``layer(*args, **kwargs)`` as new ``KerasTensor``s, structured as
    ``call`` returns them (a tensor, or a list/tuple/dict of them)."""
    if infers_from_call(layer):
        return _traced_spec(layer, args, kwargs)
    shapes = [_shapes_of(arg) for arg in args]
    output_shapes = layer.compute_output_shape(*shapes)
    if is_shape(output_shapes):
        return KerasTensor(output_shapes, layer.dtype)
    return _map_shapes(lambda shape: KerasTensor(shape, layer.dtype), output_shapes)


def node_output_shapes(node, input_shapes: list):
    """The output shape(s) of a recorded call (``Node``) for new input shapes, one per
    ``node.input_tensors``: how a functional model computes its output shapes."""
    args, extra = node.call_arguments(input_shapes)
    if not extra and not infers_from_call(node.layer):
        return node.layer.compute_output_shape(args)
    dtypes = [t.dtype for t in node.input_tensors]
    tensors = [KerasTensor(shape, dtype) for shape, dtype in zip(input_shapes, dtypes)]
    args, extra = node.call_arguments(tensors)
    outputs = flatten(compute_output_spec(node.layer, (args, *extra), node.kwargs))
    return outputs[0].shape if len(outputs) == 1 else [t.shape for t in outputs]


def _shapes_of(structure):
    """A structure of KerasTensors as the same structure of their shapes."""
    return pack_like(structure, [_shape_or_value(leaf) for leaf in flatten(structure)])


def _shape_or_value(leaf):
    return leaf.shape if isinstance(leaf, KerasTensor) else leaf


def _map_shapes(fn, shapes):
    """``fn`` on each shape of a list/tuple/dict of shapes (a shape itself is a leaf)."""
    if is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {key: _map_shapes(fn, value) for key, value in shapes.items()}
    return [_map_shapes(fn, value) for value in shapes]  # (a tuple of shapes too: a list)


def _traced_spec(layer, args: tuple, kwargs: dict):
    """Run ``call`` on zeros (twice when a size is unknown) and read the outputs."""
    unknown = any(
        None in leaf.shape for leaf in flatten((args, kwargs)) if isinstance(leaf, KerasTensor)
    )
    with _leaving_no_trace(layer):
        first, shapes = shapes_of_two_runs(
            lambda fills: _run_on_zeros(layer, args, kwargs, fills), run_twice=unknown
        )
    leaves = [KerasTensor(shape, str(a.dtype)) for a, shape in zip(flatten(first), shapes)]
    return pack_like(first, leaves)


def shapes_of_two_runs(run, fills=_FILLS, run_twice: bool = True, same_rank: bool = False):
    """How a shape is found by running code on stand-ins: ``run(fills[0])``, then (when
    ``run_twice``) ``run(fills[1])``, each ``fills`` a pair (size for the batch axis, size
    for the other unknown axes; see ``filled_sizes``). Returns the first run's outputs and,
    for each of their leaves, the shape the two runs agree on: a size that differs between
    them depends on the unknown sizes, and is unknown (``None``). A leaf that was not
    computed (``None``, or a ``KerasTensor`` handed back as it came) gets ``None``.

    ``same_rank``: a ValueError when an output's rank changes with the fills (otherwise
    the shape keeps the axes the two runs share)."""
    first = run(fills[0])
    second = run(fills[1]) if run_twice else first
    shapes = []
    for a, b in zip(flatten(first), flatten(second)):
        if a is None or isinstance(a, KerasTensor):
            shapes.append(None)
            continue
        if same_rank and len(a.shape) != len(b.shape):
            raise ValueError(
                f"the output rank changes with the input sizes: {tuple(a.shape)}, {tuple(b.shape)}"
            )
        shapes.append(_merged_shape(a, b))
    return first, shapes


def filled_sizes(shape, fills: tuple) -> list:
    """``shape`` with its unknown sizes filled: ``fills[0]`` on the batch axis (axis 0),
    ``fills[1]`` on the others."""
    return [fills[i > 0] if d is None else d for i, d in enumerate(shape)]


def _run_on_zeros(layer, args: tuple, kwargs: dict, fills: tuple):
    """``layer(*args, **kwargs)`` with each KerasTensor replaced by zeros of its dtype."""

    def zeros(leaf):
        if not isinstance(leaf, KerasTensor):
            return leaf
        return Tensor(np.zeros(filled_sizes(leaf.shape, fills), dtype=leaf.dtype))

    args, kwargs = pack_like((args, kwargs), [zeros(leaf) for leaf in flatten((args, kwargs))])
    with np.errstate(all="ignore"):  # (a log of 0 says nothing about shapes)
        outputs = layer(*args, **kwargs)
    for leaf in flatten(outputs):
        if not isinstance(leaf, Tensor):
            raise TypeError(
                f"Layer '{layer.name}' ({type(layer).__name__}): finding its output shape by "
                f"running `call` returned a {type(leaf).__name__}, expected tensors; write "
                "`compute_output_shape` for this layer"
            )
    return outputs


def _merged_shape(a, b) -> tuple:
    """The sizes the two runs agree on; the others are unknown (``None``)."""
    return tuple(x if x == y else None for x, y in zip(a.shape, b.shape))


@contextmanager
def _leaving_no_trace(layer):
    """Run a trace without gradients, then restore the weights that existed before, the
    global random state and the ``add_loss`` terms of the latest real forward pass.

    A sublayer first called in the trace creates its weights there, and they stay: then the
    random state stays advanced too, or the next layer built would draw the same values."""
    saved_weights = [(w, w.detach().numpy().copy()) for w in layer.weights]
    saved_losses = [(holder, list(holder._added_losses)) for holder in added_losses.HOLDERS]
    rng_state = ns_random.get_rng_state()
    try:
        with no_grad():
            yield
    finally:
        added_losses.clear()
        for holder, terms in saved_losses:
            holder._added_losses.extend(terms)
            added_losses.HOLDERS.append(holder)
        if len(layer.weights) == len(saved_weights):  # (no weights created by the trace)
            ns_random.set_rng_state(rng_state)
        with no_grad():
            for weight, value in saved_weights:
                weight.copy_(value)
