"""``plot_history``: training curves, one panel per metric with its validation twin."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real

from ._matplotlib import finish, new_axes, set_title

__all__ = ["plot_history"]


def plot_history(history, path=None, ax=None, title: str | None = None):
    """Plot per-epoch values: one panel per family (``loss`` with ``val_loss``, each metric
    with its ``val_`` twin), epochs from 1 on the x axis.

    ``history`` is a Keras ``History`` (anything with a ``.history`` dict), a dict of name to
    list of values, or a plain list of losses. With ``ax``, every curve goes on that one axes.
    With ``path``, the figure is saved there as a PNG (folders made as needed) and closed.
    Returns the ``matplotlib.figure.Figure``.

    >>> fig = plot_history({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7], "accuracy": [0.5, 0.8]})
    >>> [a.get_title() for a in fig.axes]
    ['loss', 'accuracy']
    """
    logs = _as_logs(history)
    families = _families(logs)
    fig, axes = new_axes(ax, ncols=len(families))
    panels = axes * len(families) if ax is not None else axes  # one shared axes, or one each
    for axis, names in zip(panels, families):
        _draw_family(axis, logs, names, titled=ax is None)
    set_title(fig, axes, title)
    return finish(fig, path)


def _draw_family(axis, logs: dict, names: list[str], titled: bool) -> None:
    for name in names:
        epochs = range(1, len(logs[name]) + 1)
        axis.plot(epochs, logs[name], marker="." if len(epochs) < 30 else None, label=name)
    axis.set_xlabel("epoch")
    if titled:
        axis.set_title(names[0].removeprefix("val_"))
    axis.legend()
    axis.grid(alpha=0.3)


def _as_logs(history) -> dict[str, list[float]]:
    """``{name: values}`` from a History, a mapping or a list of losses, checked."""
    raw = getattr(history, "history", history)
    if not isinstance(raw, Mapping):
        raw = {"loss": raw}
    logs = {}
    for name, values in raw.items():
        values = [float(v) for v in values] if _numbers(values) else None
        if not values:
            raise ValueError(
                f"plot_history expects a non-empty list of numbers for each name, received "
                f"{name!r}: {raw[name]!r:.60}"
            )
        logs[str(name)] = values
    if not logs:
        raise ValueError("plot_history: the history is empty, there is nothing to plot")
    return logs


def _numbers(values) -> bool:
    try:
        return all(isinstance(v, Real) or hasattr(v, "__float__") for v in values)
    except TypeError:  # not iterable
        return False


def _families(logs: dict) -> list[list[str]]:
    """Group each name with its ``val_`` twin, in first-seen order."""
    families: dict[str, list[str]] = {}
    for name in logs:
        families.setdefault(name.removeprefix("val_"), []).append(name)
    groups = [sorted(names, key=lambda n: n.startswith("val_")) for names in families.values()]
    return sorted(groups, key=lambda names: names[0] != "loss")  # the loss first
