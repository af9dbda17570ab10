"""``get_source_inputs``: the ``keras.Input`` tensors a symbolic tensor is computed from."""

from __future__ import annotations

__all__ = ["get_source_inputs"]


def get_source_inputs(tensor):
    """The ``Input`` tensors that ``tensor`` depends on, in the order a depth-first walk back
    through the layers' calls meets them (each once).

    An ``Input`` tensor gives ``[tensor]``; a symbolic tensor that no layer made also gives
    ``[tensor]``; anything that is not a symbolic tensor comes back unchanged, as in Keras.

    >>> from nnscratch import keras
    >>> a, b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(2,), name="b")
    >>> total = keras.layers.Add()([keras.layers.Dense(2)(b), a, b])
    >>> [t.name for t in get_source_inputs(total)]
    ['b', 'a']
    """
    history = getattr(tensor, "_keras_history", False)
    if history is False:  # not a KerasTensor
        return tensor
    sources, visited, stack = [], set(), [tensor]
    while stack:  # a loop, not recursion: a deep model must not hit Python's recursion limit
        current = stack.pop()
        if id(current) in visited:
            continue  # reached again through another path: its sources are listed already
        visited.add(id(current))
        parents = _parents(current)
        if parents is None:
            sources.append(current)
        else:
            stack.extend(reversed(parents))  # the first parent is walked first
    return sources


def _parents(tensor) -> list | None:
    """The tensors the layer call that made ``tensor`` took, or None when ``tensor`` is a
    source (an ``Input``, or made by no layer)."""
    if tensor._keras_history is None:
        return None
    layer, node_index, _ = tensor._keras_history
    node = layer._inbound_nodes[node_index]
    return list(node.input_tensors) or None  # an Input layer's node takes no tensors
