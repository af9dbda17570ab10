"""The graph of a functional model: which nodes run, in which order, and Keras's layer order.

Walking back from the outputs lists every node the outputs depend on. Each node gets a depth
(its longest distance to an output); running the nodes from the deepest to depth 0 runs every
node after its inputs. ``model.layers`` lists the layers by decreasing depth and, within one
depth, in the order the walk first met them: the order Keras gives, so ``get_weights`` lines up
with Keras's.

A config records each layer's calls (``inbound_nodes``) by naming the tensors that went in as
``[layer name, node index, tensor index]``; ``replay_config`` calls fresh layers the same way.
"""

from __future__ import annotations

from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor, Node, flatten, node_of

__all__ = ["Graph", "map_graph", "replay_config"]


class Graph:
    """``nodes``: the model's nodes in run order; ``layers``: Keras's order (inputs included);
    ``node_depth``: each node's depth (0 for the nodes that make the outputs)."""

    def __init__(self, nodes: list[Node], layers: list, node_depth: dict) -> None:
        self.nodes, self.layers, self.node_depth = nodes, layers, node_depth
        self.node_set = set(nodes)

    def nodes_of(self, layer) -> list[Node]:
        """The calls of ``layer`` that belong to this graph, in call order."""
        return [node for node in layer._inbound_nodes if node in self.node_set]


def map_graph(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> Graph:
    """The graph from ``inputs`` to ``outputs``; raises when an output needs another Input.

    >>> from nnscratch import keras
    >>> a = keras.Input(shape=(2,), name="a")
    >>> long = keras.layers.Dense(2, name="p2")(keras.layers.Dense(2, name="p1")(a))
    >>> out = keras.layers.Add(name="join")([keras.layers.Dense(2, name="short")(a), long])
    >>> [layer.name for layer in map_graph([a], [out]).layers]
    ['a', 'p1', 'short', 'p2', 'join']
    """
    finished, first_seen = _walk_back(inputs, outputs)
    node_depth, layer_depth = _depths(finished)
    for tensor in inputs:  # an input that no output uses still belongs to the model
        layer = tensor._keras_history[0]
        if layer not in layer_depth:
            layer_depth[layer], first_seen[layer] = 0, -1
            node_depth[node_of(tensor)] = 0
    nodes = sorted(node_depth, key=lambda node: -node_depth[node])
    layers = sorted(layer_depth, key=lambda layer: (-layer_depth[layer], first_seen[layer]))
    return Graph(nodes, layers, node_depth)


def _walk_back(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> tuple[list, dict]:
    """Depth-first from each output: nodes listed inputs-first, and the index at which each
    layer was first met (an explicit stack, so deep models meet no recursion limit)."""
    input_set = set(inputs)
    finished: list[Node] = []
    done: set[Node] = set()
    first_seen: dict = {}
    for position, output in enumerate(outputs):
        stack = [(node_of(output), False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                done.add(node)
                finished.append(node)
            elif node not in done:
                _check_connected(node, input_set, output, position)
                first_seen.setdefault(node.layer, len(first_seen))
                stack.append((node, True))
                stack.extend((node_of(t), False) for t in reversed(node.input_tensors))
    return finished, first_seen


def _check_connected(node: Node, input_set: set, output: KerasTensor, position: int) -> None:
    if not isinstance(node.layer, InputLayer) or node.outputs[0] in input_set:
        return
    made_by = output._keras_history[0].name
    raise ValueError(
        f"Output {position} of the model (made by layer '{made_by}') is not connected to the "
        f"model inputs: it depends on Input '{node.layer.name}', which is not in `inputs`. "
        "Pass every Input the outputs need to keras.Model(inputs, outputs)."
    )


def _depths(finished: list[Node]) -> tuple[dict, dict]:
    """Depth of each node and layer: outputs at 0, a node one deeper than any node it feeds;
    a layer called several times takes its deepest call's depth (and passes it on)."""
    node_depth: dict = {}
    layer_depth: dict = {}
    for node in reversed(finished):
        depth = max(node_depth.get(node, 0), layer_depth.get(node.layer, 0))
        node_depth[node] = layer_depth[node.layer] = depth
        for parent in node.parent_nodes:
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    return node_depth, layer_depth


# ---- rebuilding from a config -----------------------------------------------------------------
def replay_config(config: dict, layers: dict) -> tuple:
    """Call ``layers`` (name -> fresh layer) on symbolic tensors as the functional ``config``
    recorded; returns its ``(inputs, outputs)``, structured as the config has them."""
    made = {(name, 0): [la.output] for name, la in layers.items() if isinstance(la, InputLayer)}
    pending = [
        (entry["name"], i, node)
        for entry in config["layers"]
        for i, node in enumerate(entry.get("inbound_nodes", []))
    ]
    while pending:  # a layer may wait for one listed after it (a shared layer's second call)
        waiting = [call for call in pending if not _replay(call, layers, made)]
        if len(waiting) == len(pending):
            names = sorted({name for name, _, _ in waiting})
            raise ValueError(
                f"Cannot rebuild model '{config.get('name')}' from its config: the inputs of "
                f"layers {names} are never produced"
            )
        pending = waiting
    return (
        _tensors_from_config(config["input_layers"], made),
        _tensors_from_config(config["output_layers"], made),
    )


def _resolve(value, made: dict):
    """A config value with each recorded tensor replaced by the rebuilt KerasTensor (KeyError
    while the node that makes it has not been replayed yet)."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        name, node_index, tensor_index = value["config"]["keras_history"]
        return made[(name, node_index)][tensor_index]
    if isinstance(value, dict):
        return {key: _resolve(item, made) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_resolve(item, made) for item in value]
    return value


def _replay(call: tuple, layers: dict, made: dict) -> bool:
    """Call a layer as one recorded node did, once its inputs exist; False until then."""
    name, index, node = call
    if index > 0 and (name, index - 1) not in made:
        return False  # a shared layer's calls are replayed in their order
    try:
        args = _resolve(node["args"], made)
        kwargs = _resolve(node.get("kwargs", {}), made)
    except KeyError:
        return False
    kwargs = {k: v for k, v in kwargs.items() if not (k == "mask" and v is None)}
    made[(name, index)] = flatten(layers[name](*args, **kwargs))
    return True


def _is_history(spec) -> bool:
    return (
        isinstance(spec, (list, tuple))
        and len(spec) == 3
        and isinstance(spec[0], str)
        and all(isinstance(i, int) for i in spec[1:])
    )


def _tensors_from_config(spec, made: dict):
    if _is_history(spec):
        name, node_index, tensor_index = spec
        return made[(name, node_index)][tensor_index]
    if isinstance(spec, dict):
        return {key: _tensors_from_config(value, made) for key, value in spec.items()}
    return [_tensors_from_config(value, made) for value in spec]
