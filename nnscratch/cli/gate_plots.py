"""The pictures of ``nnscratch gates``: a few PNGs, drawn with ``nnscratch.viz`` and here.

- ``gates.png``: every gate (rows) and style (columns), what the trained model predicts over
  the input plane (``viz.plot_decision_boundary``), P(y=1) shaded with a colour bar as its
  key, the truth table's points on top, marked by their class so they show on either colour
  (the NOT gate, with one input, as a curve);
- ``losses.png``: a panel per gate with each style's loss against the training step;
- ``network.png``: the trained networks of one gate (XOR when it was trained), weights drawn
  as lines, blue positive and red negative;
- ``and.png``, ``xor.png``: the article's two gates on their own, larger: the styles'
  predictions above, their losses below (the first gate instead, when neither was trained).

Figures are made with ``matplotlib.figure.Figure`` (no pyplot, no window, nothing global),
so drawing works the same on a machine without a display.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..viz import plot_decision_boundary, plot_history, plot_network
from ..viz.decision_boundary import BINARY_MARKS, PROBABILITY_LEVELS, draw_targets
from .styles import Run

__all__ = ["draw_figures", "picture_names", "write_plots"]

GRID_RESOLUTION = 80  # grid points a side: enough for four points and a smooth boundary
ARTICLE_GATES = ("and", "xor")  # the gates the article trains: they get a picture each
PROBABILITY = "P(y=1)"  # what the shading and the one-input curves show
LEGEND_LABELS = {marks["label"] for marks in BINARY_MARKS.values()}
COLOUR_KEY_INCHES = 1.0  # the right margin that holds the colour bar and its label


def picture_names(gates: list[str]) -> list[str]:
    """The files ``write_plots`` writes for ``gates`` (in the order trained), known before
    anything is trained.

    >>> picture_names(["or", "xor"])
    ['gates.png', 'losses.png', 'network.png', 'xor.png']
    """
    featured = [gate for gate in gates if gate in ARTICLE_GATES] or gates[:1]
    return ["gates.png", "losses.png", "network.png", *(f"{gate}.png" for gate in featured)]


def write_plots(runs: list[Run], out: Path) -> list[Path]:
    """Draw the pictures of ``runs`` into the folder ``out`` (made if need be); return the
    paths written.

    Raises ImportError (naming the ``plot`` extra) when matplotlib is not installed.
    """
    figures = draw_figures(runs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [_save(fig, out / name) for name, fig in figures.items()]


def draw_figures(runs: list[Run]) -> dict:
    """The pictures of ``runs`` as ``matplotlib.figure.Figure`` objects, by file name (those of
    ``picture_names``), not saved. ImportError when matplotlib is not installed."""
    try:
        from matplotlib.figure import Figure  # the optional extra: imported only to draw
    except ImportError as error:
        raise ImportError(
            "matplotlib is not installed: pip install 'nnscratch[plot]' to draw"
        ) from error

    gates = list(dict.fromkeys(run.gate for run in runs))
    styles = list(dict.fromkeys(run.style for run in runs))
    by_key = {(run.gate, run.style): run for run in runs}
    table = [[by_key[gate, style] for style in styles] for gate in gates]
    figures = {
        "gates.png": _prediction_grid(Figure, table),
        "losses.png": _loss_grid(Figure, table),
        "network.png": _networks(Figure, table[gates.index("xor") if "xor" in gates else 0]),
    }
    featured = [row for row in table if row[0].gate in ARTICLE_GATES] or table[:1]
    figures.update({f"{row[0].gate}.png": _one_gate(Figure, row) for row in featured})
    return figures


def _save(fig, path: Path) -> Path:
    # No constrained layout and no tight bounding box: each costs a layout pass over every
    # tick label, and together they tripled the drawing time of the grids.
    fig.savefig(path, format="png", dpi=80)
    return path


def _prediction_grid(Figure, table: list[list[Run]]):
    rows, cols = len(table), len(table[0])
    fig = Figure(figsize=(4.4 * cols + COLOUR_KEY_INCHES, 3.3 * rows + 0.6))
    axes = fig.subplots(rows, cols, squeeze=False)
    shaded = [
        _draw_prediction(run, ax)
        for row, ax_row in zip(table, axes)
        for run, ax in zip(row, ax_row)
    ]
    for ax in axes.ravel():
        _few_ticks(ax)
    fig.suptitle(f"What each trained model predicts, {PROBABILITY}, with the truth table")
    _spread(fig, right=COLOUR_KEY_INCHES)
    _keys(fig, shaded, list(axes.ravel()))
    return fig


def _loss_grid(Figure, table: list[list[Run]]):
    cols = min(len(table), 4)
    rows = -(-len(table) // cols)
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows + 0.6))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for row, ax in zip(table, axes):
        _draw_losses(row, ax, title=row[0].gate.upper())
    for ax in axes[len(table) :]:
        ax.set_axis_off()
    fig.suptitle("Binary cross-entropy against the training step (full batch)")
    _spread(fig)
    return fig


def _networks(Figure, row: list[Run]):
    fig = Figure(figsize=(4.8 * len(row), 4.2))
    for run, ax in zip(row, fig.subplots(1, len(row), squeeze=False)[0]):
        plot_network(run.network, ax=ax, title=f"{run.style}: {run.gate.upper()}, trained")
    _spread(fig)
    return fig


def _one_gate(Figure, row: list[Run]):
    fig = Figure(figsize=(4.8 * len(row) + COLOUR_KEY_INCHES, 8.0))
    axes = fig.subplots(2, len(row), squeeze=False)
    shaded = [_draw_prediction(run, ax, 2 * GRID_RESOLUTION) for run, ax in zip(row, axes[0])]
    for run, bottom in zip(row, axes[1]):
        _draw_losses([run], bottom, title=f"{run.style}: loss")
    ways = f"{len(row)} way{'s' * (len(row) != 1)}"
    fig.suptitle(f"The {row[0].gate.upper()} gate, learned {ways}")
    _spread(fig, right=COLOUR_KEY_INCHES)
    _keys(fig, shaded, list(axes[0]))
    return fig


def _spread(fig, right: float = 0.0) -> None:
    """Room between the panels for their titles and labels, above them for the title, and
    ``right`` inches more on the right (for a colour bar)."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=0.65 / width, right=1 - (0.2 + right) / width, bottom=0.55 / height,
                        top=1 - 1.2 / height, hspace=0.45, wspace=0.3)  # fmt: skip


def _keys(fig, shaded: list, axes: list) -> None:
    """The colour bar of P(y=1) in the right margin, beside ``axes`` (the panels it keys), and
    the legend of the targets' marks above it. ``shaded`` holds each panel's shading or None."""
    bands = next((s for s in shaded if s is not None), None)
    if bands is None:  # only the one-input NOT gate: curves, nothing shaded
        return
    boxes = [ax.get_position() for ax in axes]
    top, bottom = max(b.y1 for b in boxes), min(b.y0 for b in boxes)
    inch = 1 / fig.get_size_inches()[0]
    cax = fig.add_axes((max(b.x1 for b in boxes) + 0.2 * inch, bottom, 0.18 * inch, top - bottom))
    fig.colorbar(bands, cax=cax, label=PROBABILITY, ticks=PROBABILITY_LEVELS[::2])
    marks = {}  # label -> a scatter of that class, from whichever panels have one
    for ax in axes:
        marks.update(zip(*reversed(ax.get_legend_handles_labels())))
    labels = sorted(label for label in marks if label in LEGEND_LABELS)
    fig.legend([marks[label] for label in labels], labels, loc="upper right", title="target")


def _few_ticks(ax) -> None:
    """Inputs are 0 or 1: few ticks an axis (each tick label costs drawing time, too)."""
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 0.5, 1] if ax.get_ylabel() == PROBABILITY else [0, 1])


def _draw_prediction(run: Run, ax, resolution: int = GRID_RESOLUTION):
    """The model of ``run`` over its inputs, titled with its score; returns the shading (the
    colour bar's source), or None for a one-input gate, drawn as a curve."""
    title = f"{run.gate.upper()}, {run.style}: {run.correct}/{len(run.x)} right"
    if run.x.shape[1] != 2:
        ax.set_title(title)
        _draw_curve(run, ax)
        return None
    plot_decision_boundary(run.predict, run.x, run.y, ax=ax, title=title, resolution=resolution)
    return next(c for c in ax.collections if getattr(c, "filled", False))  # the P(y=1) bands


def _draw_curve(run: Run, ax) -> None:
    """A one-input gate: P(y=1) along the input, with the truth table's points."""
    xs = np.linspace(-0.25, 1.25, 121, dtype=np.float32)
    ax.plot(xs, np.asarray(run.predict(xs[:, None])).ravel(), color="tab:blue")
    draw_targets(ax, run.x[:, 0], run.y[:, 0], run.y[:, 0])
    ax.axhline(0.5, color="black", linewidth=0.8, linestyle=":")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel(PROBABILITY)


def _draw_losses(runs: list[Run], ax, title: str) -> None:
    plot_history({run.style: run.losses for run in runs}, ax=ax, title=title)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_yscale("log")  # the last digits of a falling loss are where the learning shows
