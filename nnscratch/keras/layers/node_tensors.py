"""``layer.input`` and ``layer.output``: the tensors of a layer's first symbolic call.

Each call of a layer on ``KerasTensor``s records a ``Node``. As in Keras 3, ``layer.output``
is the output of the *first* such call (``_inbound_nodes[0]``) and ``layer.input`` what went
into it: one tensor, or a list when the call took several. A layer never called symbolically
has neither (``AttributeError``, so ``hasattr`` answers False). This is how a feature
extractor is built from a model's layers:
``keras.Model(model.inputs, [layer.output for layer in model.layers])``.

>>> from nnscratch import keras
>>> x = keras.Input(shape=(3,), name="x")
>>> dense = keras.layers.Dense(2)
>>> y = dense(x)
>>> dense.input is x, dense.output is y
(True, True)
"""

from __future__ import annotations

__all__ = ["NodeTensors"]


class NodeTensors:
    """The descriptor behind ``Layer.input`` (``"input"``) and ``Layer.output``
    (``"output"``). It only reads (a non-data descriptor): a layer that owns its tensor
    outright, as ``InputLayer`` sets ``self.output``, keeps what it set."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __get__(self, layer, owner=None):
        if layer is None:
            return self
        nodes = layer._inbound_nodes
        if not nodes:
            raise AttributeError(
                f"The layer {layer.name} has never been called on symbolic tensors (from "
                f"keras.Input) and thus has no defined {self.what}."
            )
        tensors = nodes[0].outputs if self.what == "output" else nodes[0].input_tensors
        return tensors[0] if len(tensors) == 1 else list(tensors)
