"""``plot_network``: a fully connected network drawn as units and weighted connections."""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from ..nn.linear import Linear
from ..nn.module import Module
from ._matplotlib import finish, new_axes, set_title

__all__ = ["plot_network"]

MAX_UNITS = 20  # a wider layer shows this many of its units, evenly spread
POSITIVE, NEGATIVE = "tab:blue", "tab:red"


def plot_network(model, path=None, ax=None, title: str | None = None):
    """Draw the layers of a fully connected network: a circle per unit, a line per weight,
    blue for positive and red for negative weights, thicker for larger ``|weight|``.

    ``model`` is a Keras model of ``Dense`` layers, an ``nn.Module`` (e.g. ``nn.Sequential``)
    of ``Linear`` layers, or a list of weight matrices in ``(in, out)`` layout (Keras's kernel
    layout). Layers without weights (activations, dropout) are skipped; biases are not drawn.
    Layers wider than 20 units show 20 of them. Returns the Figure; ``path`` saves a PNG.

    >>> import numpy as np
    >>> fig = plot_network([np.ones((2, 3)), -np.ones((3, 1))])
    >>> len(fig.axes[0].collections)  # the lines and the units
    2
    """
    layers = _weight_matrices(model)
    sizes = [layers[0][1].shape[0]] + [w.shape[1] for _, w in layers]
    shown = [_shown_units(n) for n in sizes]
    tallest = max(len(s) for s in shown)
    fig, (axis,) = new_axes(ax, width=max(4.0, 1.8 * len(sizes)), height=max(3.0, 0.35 * tallest))
    heights = [_unit_heights(len(s)) for s in shown]
    _draw_edges(axis, layers, shown, heights)
    _draw_units(axis, sizes, shown, heights, ["input"] + [name for name, _ in layers])
    axis.set_xlim(-0.6, len(sizes) - 0.4)
    axis.set_ylim(-tallest / 2 - 1.2, tallest / 2 + 0.5)
    axis.set_axis_off()
    set_title(fig, [axis], title)
    return finish(fig, path)


# ---- the weights --------------------------------------------------------------------------------
def _weight_matrices(model) -> list[tuple[str, np.ndarray]]:
    """(layer name, weights in (in, out) layout) for each layer, checked to chain."""
    if isinstance(model, Module):
        layers = _module_layers(model)
    elif isinstance(model, (list, tuple)):
        layers = [(f"layer {i + 1}", _matrix(w, i)) for i, w in enumerate(model)]
    else:
        raise TypeError(
            "plot_network expects a Keras model, an nn.Module or a list of weight matrices, "
            f"received {type(model).__name__}"
        )
    if not layers:
        raise ValueError(
            "plot_network found no Dense/Linear layers to draw (is the Keras model built?)"
        )
    for (name, w), (next_name, v) in zip(layers, layers[1:]):
        if w.shape[1] != v.shape[0]:
            raise ValueError(
                f"plot_network: {name} has {w.shape[1]} outputs but {next_name} expects "
                f"{v.shape[0]} inputs; only a chain of fully connected layers can be drawn"
            )
    return layers


def _module_layers(model: Module) -> list[tuple[str, np.ndarray]]:
    layers = []
    for dotted, module in model.named_modules():
        if not any(True for _ in module.parameters(recurse=False)):
            continue  # a container, or a layer without weights
        name = getattr(module, "name", None)  # a Keras layer's name, else the dotted path
        name = name if isinstance(name, str) else f"{dotted or 'model'}: {type(module).__name__}"
        kernel = getattr(module, "kernel", None)  # a Keras Dense: already (in, out)
        if isinstance(module, Linear):
            layers.append((name, module.weight.detach().numpy().T))
        elif isinstance(kernel, Tensor) and kernel.ndim == 2:
            layers.append((name, kernel.detach().numpy()))
        else:
            raise ValueError(
                f"plot_network draws Dense/Linear layers only, but {name!r} "
                f"({type(module).__name__}) has weights of its own"
            )
    return layers


def _matrix(w, i: int) -> np.ndarray:
    w = w.detach().numpy() if isinstance(w, Tensor) else np.asarray(w)
    if w.ndim != 2 or w.size == 0:
        raise ValueError(
            f"plot_network expects 2-D weight matrices (in, out); matrix {i} has shape {w.shape}"
        )
    return w.astype(np.float64)


# ---- the drawing --------------------------------------------------------------------------------
def _shown_units(n: int) -> np.ndarray:
    return np.arange(n) if n <= MAX_UNITS else np.unique(np.linspace(0, n - 1, MAX_UNITS).round())


def _unit_heights(n: int) -> np.ndarray:
    return (n - 1) / 2 - np.arange(n, dtype=np.float64)  # centred on 0, top to bottom


def _draw_edges(axis, layers, shown, heights) -> None:
    from matplotlib.collections import LineCollection

    segments, weights = [], []
    for col, (_, w) in enumerate(layers):
        rows, cols = shown[col].astype(int), shown[col + 1].astype(int)
        for a, i in enumerate(rows):
            for b, j in enumerate(cols):
                segments.append([(col, heights[col][a]), (col + 1, heights[col + 1][b])])
                weights.append(w[i, j])
    weights = np.asarray(weights)
    scale = np.abs(weights).max() or 1.0
    colors = np.where(weights >= 0, POSITIVE, NEGATIVE)
    crowded = len(segments) > 100  # thinner, fainter lines keep a dense layer readable
    widths = 0.2 + (1.2 if crowded else 3.0) * np.abs(weights) / scale
    alpha = 0.5 if crowded else 0.9
    axis.add_collection(LineCollection(segments, colors=colors, linewidths=widths, alpha=alpha))
    _legend(axis)


def _draw_units(axis, sizes, shown, heights, names) -> None:
    xs = np.concatenate([np.full(len(h), col) for col, h in enumerate(heights)])
    ys = np.concatenate(heights)
    area = 300 if max(len(s) for s in shown) <= 8 else 90
    axis.scatter(xs, ys, s=area, c="white", edgecolors="black", zorder=2)  # over the lines
    bottom = min(h.min() for h in heights) - 0.7
    for col, (name, n) in enumerate(zip(names, sizes)):
        more = f"\n({len(shown[col])} shown)" if len(shown[col]) < n else ""
        text = f"{name}\n{n} unit{'s' * (n != 1)}{more}"
        axis.text(col, bottom, text, ha="center", va="top", fontsize=9)


def _legend(axis) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=c, label=t) for c, t in ((POSITIVE, "w > 0"), (NEGATIVE, "w < 0"))
    ]
    axis.legend(handles=handles, loc="upper right", fontsize=8, frameon=False)
