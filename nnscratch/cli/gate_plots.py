"""The pictures of ``nnscratch gates``: a few PNGs drawn with ``nnscratch.viz``.

- ``gates.png``: every gate (rows) and style (columns), what the trained model predicts over
  the input plane, the truth table's points on top (the NOT gate, with one input, as a curve);
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
from .styles import Run

__all__ = ["write_plots"]

GRID_RESOLUTION = 80  # grid points a side: enough for four points and a smooth boundary
ARTICLE_GATES = ("and", "xor")  # the gates the article trains: they get a picture each


def write_plots(runs: list[Run], out: Path) -> list[Path]:
    """Draw the pictures of ``runs`` into the folder ``out``; return the paths written.

    Raises ImportError (naming the ``plot`` extra) when matplotlib is not installed.
    """
    try:
        from matplotlib.figure import Figure  # the optional extra: imported only to draw
    except ImportError as error:
        raise ImportError(
            "matplotlib is not installed: pip install 'nnscratch[plot]' to draw"
        ) from error

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    gates = list(dict.fromkeys(run.gate for run in runs))
    styles = list(dict.fromkeys(run.style for run in runs))
    by_key = {(run.gate, run.style): run for run in runs}
    table = [[by_key[gate, style] for style in styles] for gate in gates]
    paths = [
        _save(_prediction_grid(Figure, table), out / "gates.png"),
        _save(_loss_grid(Figure, table), out / "losses.png"),
        _save(_networks(Figure, table[gates.index("xor") if "xor" in gates else 0]),
              out / "network.png"),
    ]  # fmt: skip
    featured = [row for row in table if row[0].gate in ARTICLE_GATES] or table[:1]
    paths += [_save(_one_gate(Figure, row), out / f"{row[0].gate}.png") for row in featured]
    return paths


def _save(fig, path: Path) -> Path:
    # No constrained layout and no tight bounding box: each costs a layout pass over every
    # tick label, and together they tripled the drawing time of the grids.
    fig.savefig(path, format="png", dpi=80)
    return path


def _prediction_grid(Figure, table: list[list[Run]]):
    rows, cols = len(table), len(table[0])
    fig = Figure(figsize=(4.4 * cols, 3.3 * rows + 0.6))
    axes = fig.subplots(rows, cols, squeeze=False)
    for row, axes_row in zip(table, axes):
        for run, ax in zip(row, axes_row):
            _draw_prediction(run, ax)
            _few_ticks(ax)
    fig.suptitle("What each trained model predicts (P of output 1), with the truth table")
    _spread(fig)
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
    fig = Figure(figsize=(4.8 * len(row), 8.0))
    axes = fig.subplots(2, len(row), squeeze=False)
    for run, top, bottom in zip(row, axes[0], axes[1]):
        _draw_prediction(run, top, resolution=2 * GRID_RESOLUTION)
        _draw_losses([run], bottom, title=f"{run.style}: loss")
    fig.suptitle(f"The {row[0].gate.upper()} gate, learned {len(row)} ways")
    _spread(fig)
    return fig


def _spread(fig) -> None:
    """Room between the panels for their titles and labels, and above them for the title."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=0.55 / width, right=1 - 0.2 / width, bottom=0.55 / height,
                        top=1 - 1.2 / height, hspace=0.45, wspace=0.3)  # fmt: skip


def _few_ticks(ax) -> None:
    """Inputs are 0 or 1: few ticks an axis (each tick label costs drawing time, too)."""
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 0.5, 1] if ax.get_ylabel() == "P(output 1)" else [0, 1])


def _draw_prediction(run: Run, ax, resolution: int = GRID_RESOLUTION) -> None:
    title = f"{run.gate.upper()}, {run.style}: {run.correct}/{len(run.x)} right"
    if run.x.shape[1] == 2:
        plot_decision_boundary(run.predict, run.x, run.y, ax=ax, title=title, resolution=resolution)
    else:
        _draw_curve(run, ax, title)


def _draw_curve(run: Run, ax, title: str) -> None:
    """A one-input gate: P(output 1) along the input, with the truth table's points."""
    xs = np.linspace(-0.25, 1.25, 121, dtype=np.float32)
    ax.plot(xs, np.asarray(run.predict(xs[:, None])).ravel(), color="tab:blue")
    ax.scatter(run.x[:, 0], run.y[:, 0], c=run.y[:, 0], cmap="RdBu", vmin=0, vmax=1,
               edgecolors="black", zorder=3)  # fmt: skip
    ax.axhline(0.5, color="black", linewidth=0.8, linestyle=":")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("P(output 1)")
    ax.set_title(title)


def _draw_losses(runs: list[Run], ax, title: str) -> None:
    plot_history({run.style: run.losses for run in runs}, ax=ax, title=title)
    ax.set_xlabel("step")
    ax.set_yscale("log")  # the last digits of a falling loss are where the learning shows
