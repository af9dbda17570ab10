"""``model.summary()``: Keras's table of layers, output shapes and parameter counts.

It needs no data: output shapes come from ``compute_output_shape`` once the model knows its
input shape (an ``Input`` first layer, or a functional model), and unbuilt layers print ``?`` and
``0 (unbuilt)``. A functional model that is not a plain chain (branches, merges, several inputs
or outputs, shared layers) gets a fourth column, "Connected to", naming each layer's inputs as
``layer[node][tensor]``, as Keras prints them. Cells too long for their column wrap at spaces,
and a word longer than the column ends in ``…`` (as rich, which Keras prints with, does).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

import numpy as np

from ..layers.keras_tensor import format_shapes

__all__ = ["print_summary", "readable_memory_size"]

_PLAIN = ["Layer (type)", "Output Shape", "Param #"], [0.45, 0.80, 1.0], 88
_CONNECTED = (
    ["Layer (type)", "Output Shape", "Param #", "Connected to"],
    [0.3, 0.56, 0.74, 1.0],
    108,
)


def readable_memory_size(num_bytes: float) -> str:
    """``604.0`` -> ``"604.00 B"``; ``44120`` -> ``"43.09 KB"``."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes / 1024 < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} PB"


def _count(weights) -> tuple[int, int]:
    """(number of scalars, bytes) of distinct weights."""
    unique = {id(w): w for w in weights}.values()
    count = sum(int(np.prod(w.shape)) for w in unique)
    return count, sum(int(np.prod(w.shape)) * w.dtype.itemsize for w in unique)


# ---- layout -----------------------------------------------------------------------------------
def _border_shares(columns: int) -> list[int]:
    """How much of each column's width the borders take. Keras gives rich each column's width;
    rich adds a space of padding either side, then takes the excess (the padding and the
    ``columns + 1`` bars) back evenly, rounding half to even: 3 columns give (1, 2, 1)."""
    excess, shares = 3 * columns + 1, []
    for left in range(columns, 0, -1):
        cut = round(excess / left)
        shares.append(cut - 2)
        excess -= cut
    return shares


def _column_widths(line_length: int, positions) -> list[int]:
    ends = [int(p * line_length) if p <= 1 else int(p) for p in positions]
    widths = [end - start for start, end in zip([0, *ends[:-1]], ends)]
    if min(widths) < 4:
        raise ValueError("Insufficient console width to print summary.")
    return [w - s for w, s in zip(widths, _border_shares(len(widths)))]


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap at spaces; a word longer than ``width`` is cut and ends in ``…``."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return [line if len(line) <= width else line[: width - 1] + "…" for line in lines]


def _rule(widths: list[int], left: str, fill: str, mid: str, right: str) -> str:
    return left + mid.join(fill * w for w in widths) + right


def _row(cells: list[str], widths: list[int], bar: str) -> list[str]:
    """The printed lines of one table row; the parameter count (3rd column) is right-aligned."""
    wrapped = [_wrap(cell, w - 2) for cell, w in zip(cells, widths)]
    height = max(len(lines) for lines in wrapped)
    out = []
    for i in range(height):
        texts = []
        for column, (lines, w) in enumerate(zip(wrapped, widths)):
            text = lines[i] if i < len(lines) else ""
            texts.append(f" {text:>{w - 2}} " if column == 2 else f" {text:<{w - 2}} ")
        out.append(bar + bar.join(texts) + bar)
    return out


# ---- cells ------------------------------------------------------------------------------------
def _output_shape(layer) -> str:
    """The outputs of the layer's latest call on symbolic tensors, else its shape in a
    Sequential model, else ``?``."""
    if layer._inbound_nodes:
        shapes = [t.shape for t in layer._inbound_nodes[-1].outputs]
        return format_shapes(shapes[0] if len(shapes) == 1 else shapes)
    shape = getattr(layer, "_summary_output_shape", None)
    return "?" if shape is None else format_shapes(shape)


def _connections(layer, model_nodes) -> str:
    links = [
        f"{t._keras_history[0].name}[{t._keras_history[1]}][{t._keras_history[2]}]"
        for node in layer._inbound_nodes
        if node in model_nodes
        for t in node.input_tensors
    ]
    return ", ".join(links) or "-"


def _layer_cells(layer, model_nodes) -> list[str]:
    params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
    cells = [f"{layer.name} ({type(layer).__name__})", _output_shape(layer), params]
    if model_nodes is not None:
        cells.append(_connections(layer, model_nodes))
    return cells


def _is_chain(model) -> bool:
    """True when a functional model is a plain chain: one node per depth, each with one
    input, and no layer called twice (Keras then prints no "Connected to" column)."""
    nodes = model._model_nodes
    if nodes is None:
        return True
    depths = [model._graph.node_depth[node] for node in nodes]
    if len(set(depths)) != len(depths) or any(len(n.input_tensors) > 1 for n in nodes):
        return False
    return all(len(model._graph.nodes_of(layer)) <= 1 for layer in model.layers)


def print_summary(
    model,
    line_length: int | None = None,
    positions=None,
    print_fn: Callable[[str], None] | None = None,
) -> None:
    """Print (or pass to ``print_fn``) the summary table of ``model``."""
    chain = _is_chain(model)
    header, default_positions, default_length = _PLAIN if chain else _CONNECTED
    line_length = line_length or min(default_length, shutil.get_terminal_size().columns - 4)
    widths = _column_widths(line_length, positions or default_positions)
    lines = [
        f'Model: "{model.name}"',
        _rule(widths, "┏", "━", "┳", "┓"),
        *_row(header, widths, "┃"),
        _rule(widths, "┡", "━", "╇", "┩"),
    ]
    model_nodes = None if chain else model._model_nodes
    separator = [_rule(widths, "├", "─", "┼", "┤")]
    rows = [_row(_layer_cells(layer, model_nodes), widths, "│") for layer in model.layers]
    lines += [line for row in rows for line in (*row, *separator)][:-1]
    lines.append(_rule(widths, "└", "─", "┴", "┘"))
    lines += _totals(model)
    text = "\n".join(lines)
    if print_fn is None:
        print(text)
    else:
        print_fn(text + "\n")  # as Keras hands over its captured console


def _totals(model) -> list[str]:
    trainable, trainable_bytes = _count(model.trainable_weights)
    frozen, frozen_bytes = _count(model.non_trainable_weights)
    total_bytes = trainable_bytes + frozen_bytes
    return [
        f" Total params: {trainable + frozen:,} ({readable_memory_size(total_bytes)})",
        f" Trainable params: {trainable:,} ({readable_memory_size(trainable_bytes)})",
        f" Non-trainable params: {frozen:,} ({readable_memory_size(frozen_bytes)})",
    ]
