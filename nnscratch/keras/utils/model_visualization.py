"""``model_to_dot`` and ``plot_model``: a model's layers and their connections as a graph.

``model_to_dot`` builds a ``pydot.Dot`` (``pip install pydot``; in the ``plot`` extra): one
node per layer, named by ``str(id(layer))`` as Keras names them, labelled with an HTML-like
table (the layer's name and class, and on request its activation, input and output shapes,
output dtype and whether it trains), and one edge per connection: a Sequential model's layers
in a chain, a functional model's edges from the layer that made each input of a call to the
layer called. Any other model (a subclass with its own ``call``) is one node.

``plot_model`` renders that graph to a file through Graphviz's ``dot`` program, in the format
the file's extension names (``.png`` when there is none). Without pydot or without Graphviz it
raises ImportError, as Keras does, also for a ``.dot`` file (pydot asks Graphviz to lay even
that out); ``model_to_dot(model).to_string()`` gives the DOT text with pydot alone.

``expand_nested`` is accepted, but a nested model is drawn as one node.
"""

from __future__ import annotations

import html
import os

__all__ = ["model_to_dot", "plot_model"]

_HEADER = "#dbe9f6"  # the same blue as nnscratch.viz's op boxes


def _pydot():
    """The pydot module, or an ImportError that says how to install it."""
    try:
        import pydot
    except ImportError as error:
        raise ImportError(
            "model_to_dot and plot_model draw through pydot, which is not installed: "
            'pip install pydot (or pip install "nnscratch[plot]")'
        ) from error
    return pydot


def _check_graphviz(pydot) -> None:
    """Lay out an empty graph: the cheapest proof that Graphviz's ``dot`` program runs."""
    try:
        pydot.Dot().create()
    except (OSError, pydot.PydotException) as error:
        raise ImportError(
            "plot_model renders through Graphviz's `dot` program, which was not found: "
            "install graphviz (https://graphviz.gitlab.io/download/, or your system's package "
            "manager). model_to_dot(model).to_string() gives the DOT text without it."
        ) from error


def _check_call(model, kwargs: dict, where: str) -> None:
    if not getattr(model, "built", False):
        name = getattr(model, "name", model)
        raise ValueError(
            f"{where}: model '{name}' has not been built yet. Build it first by calling "
            "`build()` or by calling it on a batch of data."
        )
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError(f"{where}: the `layer_range` argument is no longer supported.")
    if kwargs:
        raise ValueError(f"{where}: unrecognized keyword arguments: {kwargs}")


# ---- which layers, which edges ------------------------------------------------------------------
def _graph_of(model) -> tuple[list, list]:
    """``(layers, edges)``, an edge being ``(source layer, destination layer)``."""
    from ..models.functional import Functional
    from ..models.sequential import Sequential

    if isinstance(model, Sequential):
        layers = list(model.layers)
        return layers, list(zip(layers, layers[1:]))
    if not isinstance(model, Functional):
        return [model], []
    edges = []
    for node in model._graph.nodes:
        for tensor in node.input_tensors:
            edge = (tensor._keras_history[0], node.layer)
            if edge not in edges:  # a layer fed the same tensor twice gets one edge
                edges.append(edge)
    return list(model.layers), edges


def _tensors_of(model, layer) -> tuple:
    """The KerasTensors that went into and came out of ``layer``'s first call in ``model``
    (``(None, None)`` when unknown, as for a subclassed model never called symbolically)."""
    graph = getattr(model, "_graph", None)
    nodes = graph.nodes_of(layer) if graph is not None else []
    if nodes:
        node = nodes[0]
        return node.input_tensors, node.outputs
    try:
        return layer.input, layer.output
    except (AttributeError, ValueError):
        return None, None


def _describe(tensors, field: str) -> str:
    """``(None, 3)`` for one tensor, ``[(None, 2), (None, 2)]`` for several; ``?`` if unknown."""
    if tensors is None:
        return "?"
    if isinstance(tensors, dict):
        return ", ".join(f"{key}: {getattr(t, field)}" for key, t in tensors.items())
    if isinstance(tensors, (list, tuple)):
        parts = [str(getattr(t, field)) for t in tensors]
        return parts[0] if len(parts) == 1 else f"[{', '.join(parts)}]"
    return str(getattr(tensors, field))


# ---- labels -------------------------------------------------------------------------------------
def _activation_name(activation) -> str:
    return str(getattr(activation, "name", getattr(activation, "__name__", activation)))


def _cell(text: str, colspan: int = 1, color: str = "white") -> str:
    return f'<td colspan="{colspan}" bgcolor="{color}">{text}</td>'


def _label(model, layer, flags: dict) -> str:
    """The HTML-like table that labels ``layer``'s node (Graphviz's ``label=<...>``)."""
    kind = type(layer).__name__
    title = f"<b>{kind}</b>"
    if flags["show_layer_names"]:
        title = f"<b>{html.escape(layer.name)}</b> ({kind})"
    inputs, outputs = _tensors_of(model, layer)
    cells = []
    if flags["show_shapes"]:
        if kind != "InputLayer":
            cells.append(_cell(f"Input shape: <b>{html.escape(_describe(inputs, 'shape'))}</b>"))
        cells.append(_cell(f"Output shape: <b>{html.escape(_describe(outputs, 'shape'))}</b>"))
    if flags["show_dtype"]:
        cells.append(_cell(f"Output dtype: <b>{html.escape(_describe(outputs, 'dtype'))}</b>"))
    if flags["show_trainable"] and layer.weights:
        trains = getattr(layer, "trainable", True)
        cells.append(_cell("<b>Trainable</b>" if trains else "<b>Non-trainable</b>", 1,
                           "palegreen" if trains else "lightpink"))  # fmt: skip
    width = max(1, len(cells))
    rows = [_cell(title, width, _HEADER)]
    activation = getattr(layer, "activation", None)
    if flags["show_layer_activations"] and activation is not None:
        rows.append(_cell(f"Activation: <b>{html.escape(_activation_name(activation))}</b>", width))
    rows += ["".join(cells)] if cells else []
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    return f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="6">{body}</table>>'


# ---- the public functions -----------------------------------------------------------------------
def model_to_dot(
    model,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    subgraph: bool = False,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
    **kwargs,
):
    """A ``pydot.Dot`` of ``model``'s layers (a ``pydot.Cluster`` with ``subgraph=True``).

    >>> from nnscratch import keras
    >>> x = keras.Input((3,), name="x")
    >>> y = keras.layers.Add(name="sum")([keras.layers.Dense(2, name="a")(x),
    ...                                   keras.layers.Dense(2, name="b")(x)])
    >>> dot = model_to_dot(keras.Model(x, y))
    >>> names = {str(id(layer)): layer.name for layer in keras.Model(x, y).layers}
    >>> sorted((names[e.get_source()], names[e.get_destination()]) for e in dot.get_edges())
    [('a', 'sum'), ('b', 'sum'), ('x', 'a'), ('x', 'b')]
    """
    _check_call(model, kwargs, "model_to_dot")
    pydot = _pydot()
    if subgraph:
        dot = pydot.Cluster(graph_name=model.name, style="dashed", label=model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot(rankdir=rankdir, concentrate=True, dpi=dpi, splines=splines)
        dot.set_node_defaults(shape="record")
    flags = {"show_shapes": show_shapes, "show_dtype": show_dtype, "show_trainable": show_trainable,
             "show_layer_names": show_layer_names,
             "show_layer_activations": show_layer_activations}  # fmt: skip
    layers, edges = _graph_of(model)
    for layer in layers:
        node = pydot.Node(str(id(layer)), label=_label(model, layer, flags))
        node.set("fontname", "Helvetica")
        node.set("margin", "0")
        dot.add_node(node)
    for source, destination in edges:
        dot.add_edge(pydot.Edge(str(id(source)), str(id(destination)), penwidth="2"))
    return dot


def plot_model(
    model,
    to_file="model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = False,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
    **kwargs,
) -> None:
    """Draw ``model_to_dot(model, ...)`` into ``to_file`` with Graphviz, in the format its
    extension names (``png`` when it has none). ImportError without pydot or Graphviz."""
    _check_call(model, kwargs, "plot_model")
    pydot = _pydot()
    _check_graphviz(pydot)
    dot = model_to_dot(
        model, show_shapes=show_shapes, show_dtype=show_dtype,
        show_layer_names=show_layer_names, rankdir=rankdir, expand_nested=expand_nested,
        dpi=dpi, show_layer_activations=show_layer_activations,
        show_trainable=show_trainable, splines=splines,
    )  # fmt: skip
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
