"""matplotlib, imported only when a plot is drawn: it is the optional extra ``nnscratch[plot]``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..io.atomic import atomic_write

INSTALL_HINT = "pip install 'nnscratch[plot]'"


def pyplot():
    """``matplotlib.pyplot``, on the Agg backend when there is no display to draw on.

    Raises ImportError naming the ``plot`` extra when matplotlib is not installed.
    """
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(
            f"nnscratch.viz draws with matplotlib, which is not installed: {INSTALL_HINT}"
        ) from error
    if "matplotlib.pyplot" not in sys.modules and _headless():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _headless() -> bool:
    """True on Linux without X11 or Wayland, unless the user chose a backend themselves."""
    if os.environ.get("MPLBACKEND"):
        return False
    return sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def new_axes(ax, ncols: int = 1, width: float = 5.0, height: float = 4.0):
    """The figure and axes to draw on: the caller's ``ax`` (as a list), or a new row of them.

    The caller's axes may belong to a ``matplotlib.figure.Figure`` made without pyplot; pyplot
    (and its choice of backend) is only touched to make a new figure.
    """
    if ax is not None:
        return ax.figure, [ax]
    fig, grid = pyplot().subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, list(grid[0])


def set_title(fig, axes: list, title: str | None) -> None:
    """One axes gets the title itself; several share it as the figure's title."""
    if title and len(axes) == 1:
        axes[0].set_title(title)
    elif title:
        fig.suptitle(title)


def finish(fig, path):
    """Save ``fig`` as a PNG at ``path`` (making its folders) and close it; return ``fig``."""
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as file:  # a killed process leaves the old picture whole
            fig.savefig(file, format="png", dpi=100, bbox_inches="tight")
        if getattr(fig.canvas, "manager", None) is not None:  # a pyplot figure: release it
            pyplot().close(fig)
    return fig
