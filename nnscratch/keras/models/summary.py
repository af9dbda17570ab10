"""``model.summary()``: Keras's table of layers, output shapes and parameter counts.

It needs no data: output shapes come from ``compute_output_shape`` once the model knows its
input shape (an ``Input`` first layer), and unbuilt layers print ``?`` and ``0 (unbuilt)``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

import numpy as np

from ..layers.layer import format_shape

__all__ = ["print_summary", "readable_memory_size"]

# Keras hands its column widths to rich, which takes back the 4 border characters as 1, 2, 1.
_BORDER_SHARE = (1, 2, 1)


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


def _column_widths(line_length: int, positions) -> list[int]:
    ends = [int(p * line_length) if p <= 1 else int(p) for p in positions]
    widths = [end - start for start, end in zip([0, *ends[:-1]], ends)]
    if min(widths) < 4:
        raise ValueError("Insufficient console width to print summary.")
    return [w - s for w, s in zip(widths, _BORDER_SHARE)]


def _rule(widths: list[int], left: str, fill: str, mid: str, right: str) -> str:
    return left + mid.join(fill * w for w in widths) + right


def _row(cells: list[str], widths: list[int], bar: str) -> str:
    texts = [
        f" {cells[0]:<{widths[0] - 2}} ",
        f" {cells[1]:<{widths[1] - 2}} ",
        f" {cells[2]:>{widths[2] - 2}} ",
    ]
    return bar + bar.join(texts) + bar


def _layer_cells(layer) -> list[str]:
    shape = getattr(layer, "_summary_output_shape", None)
    if not layer.built:
        params = "0 (unbuilt)"
    else:
        params = f"{layer.count_params():,}"
    return [
        f"{layer.name} ({type(layer).__name__})",
        "?" if shape is None else format_shape(shape),
        params,
    ]


def print_summary(
    model,
    line_length: int | None = None,
    positions=None,
    print_fn: Callable[[str], None] | None = None,
) -> None:
    """Print (or pass to ``print_fn``) the summary table of ``model``."""
    line_length = line_length or min(88, shutil.get_terminal_size().columns - 4)
    widths = _column_widths(line_length, positions or [0.45, 0.80, 1.0])
    lines = [
        f'Model: "{model.name}"',
        _rule(widths, "┏", "━", "┳", "┓"),
        _row(["Layer (type)", "Output Shape", "Param #"], widths, "┃"),
        _rule(widths, "┡", "━", "╇", "┩"),
    ]
    separator = _rule(widths, "├", "─", "┼", "┤")
    rows = [_row(_layer_cells(layer), widths, "│") for layer in model.layers]
    lines += [r for row in rows for r in (row, separator)][:-1]
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
