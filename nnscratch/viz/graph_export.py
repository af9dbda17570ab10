"""``export_graph``: the autograd graph behind a tensor as Graphviz DOT or Mermaid text.

One node per recorded op and one per leaf (a tensor no recorded op made: a parameter, an input,
a constant); an edge from each input to the op that used it, so the text reads in the direction
the data flowed. Labels carry shapes and dtypes, the values of small tensors and any ``.grad``.
No Graphviz is needed to make the text: render it with ``dot -Tsvg`` or paste it into Mermaid.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping

import numpy as np

from ..autograd.tensor import Tensor

__all__ = ["export_graph"]

SMALL = 6  # tensors with at most this many elements show their values
FORMATS = ("dot", "mermaid")
OP_FILL, LEAF_FILL = "#dbe9f6", "#f6f0d8"  # ops blue boxes, leaves sand-coloured ellipses


def export_graph(tensor: Tensor, format: str = "dot", names: Mapping | None = None) -> str:
    """The autograd graph that produced ``tensor``, as DOT (``format="dot"``) or Mermaid text.

    ``names`` optionally maps names to tensors (``dict(model.named_parameters())``) to label
    those leaves. Export before ``backward()``, or backward with ``retain_graph=True``: a
    backward pass frees the graph, and a freed op shows without its inputs.

    >>> import nnscratch as ns
    >>> w = ns.tensor([2.0, 3.0], requires_grad=True)
    >>> print(export_graph((w * w).sum(), format="mermaid"))  # doctest: +NORMALIZE_WHITESPACE
    flowchart TD
      n0["Sum(keepdim=False)<br/>() float32 = 13."]
      n1["Mul<br/>(2,) float32 = [4., 9.]"]
      n2(["leaf<br/>(2,) float32 = [2., 3.]<br/>requires_grad"])
      n1 --> n0
      n2 --> n1
      n2 --> n1
      classDef op fill:#dbe9f6
      classDef leaf fill:#f6f0d8
      class n0,n1 op
      class n2 leaf
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"export_graph expects a Tensor, received {type(tensor).__name__}")
    if format not in FORMATS:
        raise ValueError(f"export_graph: unknown format {format!r}; expected one of {FORMATS}")
    labels = {id(t): str(name) for name, t in (names or {}).items() if isinstance(t, Tensor)}
    nodes, edges = _walk(tensor, labels)
    return _to_dot(nodes, edges) if format == "dot" else _to_mermaid(nodes, edges)


def _walk(root: Tensor, labels: dict) -> tuple[list[tuple[str, bool, list[str]]], list]:
    """Nodes ``(id, is_op, label lines)`` and edges ``(input id, op id)``, once per use."""
    ids = {id(root): "n0"}
    stack, nodes, edges = [root], [], []
    while stack:  # a loop, not recursion: a chain of any depth works
        t = stack.pop()
        ctx = t.grad_fn
        nodes.append((ids[id(t)], ctx is not None, _label(t, labels.get(id(t)))))
        inputs = () if ctx is None or ctx.inputs is None else ctx.inputs
        for x in inputs:
            if not isinstance(x, Tensor):
                continue
            if id(x) not in ids:  # the graph keeps x alive, so id(x) stays unique during the walk
                ids[id(x)] = f"n{len(ids)}"
                stack.append(x)
            edges.append((ids[id(x)], ids[id(t)]))
    nodes.sort(key=lambda node: int(node[0][1:]))
    return nodes, edges


def _label(t: Tensor, name: str | None) -> list[str]:
    ctx = t.grad_fn
    if ctx is None:
        kind = name or ("Parameter" if type(t).__name__ == "Parameter" else "leaf")
        lines = [kind, _describe(t.detach().numpy())]
        lines += ["requires_grad"] if t.requires_grad else []
    else:
        lines = [ctx.function.__name__ + _options(ctx), _describe(t.detach().numpy())]
        lines += ["(graph freed by backward)"] if ctx.inputs is None else []
    if t.grad is not None:
        lines.append("grad " + _describe(t.grad.detach().numpy()))
    return lines


def _options(ctx) -> str:
    """The op's non-tensor arguments (a dim, a flag) by their names in ``forward``."""
    names = _argument_names(ctx.function)
    options = [
        f"{names[i]}={_short(x)}" if i < len(names) else _short(x)
        for i, x in enumerate(ctx.inputs or ())
        if x is not None and not isinstance(x, Tensor)
    ]
    return f"({', '.join(options)})" if options else ""


@functools.cache
def _argument_names(function: type) -> tuple[str, ...]:
    """The names of ``forward``'s arguments after ``ctx`` (none if it takes ``*args``)."""
    parameters = list(inspect.signature(function.forward).parameters.values())[1:]
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return ()
    return tuple(p.name for p in parameters)


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        return _describe(value)
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


def _describe(array: np.ndarray) -> str:
    head = f"{tuple(array.shape)} {array.dtype}"
    if array.size > SMALL:
        return head
    values = np.array2string(array, precision=4, separator=", ", max_line_width=10**6)
    return f"{head} = {values.replace(chr(10), '')}"  # rows of a matrix on one line


# ---- output -------------------------------------------------------------------------------------
def _to_dot(nodes, edges) -> str:
    lines = ["digraph autograd {", '  node [fontname="Helvetica", fontsize=10];']
    for node_id, is_op, label in nodes:
        text = "\\n".join(part.replace("\\", "\\\\").replace('"', '\\"') for part in label)
        style = f'shape=box, fillcolor="{OP_FILL}"' if is_op else f'fillcolor="{LEAF_FILL}"'
        lines.append(f'  {node_id} [label="{text}", {style}, style=filled];')
    lines += [f"  {a} -> {b};" for a, b in edges]
    return "\n".join(lines + ["}"])


def _to_mermaid(nodes, edges) -> str:
    lines = ["flowchart TD"]
    for node_id, is_op, label in nodes:
        text = "<br/>".join(_mermaid_escape(part) for part in label)
        lines.append(f'  {node_id}["{text}"]' if is_op else f'  {node_id}(["{text}"])')
    lines += [f"  {a} --> {b}" for a, b in edges]
    lines += [f"  classDef op fill:{OP_FILL}", f"  classDef leaf fill:{LEAF_FILL}"]
    for cls, want in (("op", True), ("leaf", False)):
        members = [node_id for node_id, is_op, _ in nodes if is_op is want]
        lines += [f"  class {','.join(members)} {cls}"] if members else []
    return "\n".join(lines)


def _mermaid_escape(text: str) -> str:
    for char, entity in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, entity)
    return text
