"""``plot_decision_boundary``: what a 2-D classifier predicts over the plane, with its data."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..nn.module import Module
from ._matplotlib import finish, new_axes, set_title

__all__ = ["BINARY_MARKS", "PROBABILITY_LEVELS", "draw_targets", "plot_decision_boundary"]

PREDICT_BATCH = 8192  # grid points per predict() batch (Keras's default of 32 is slow here)
PROBABILITY_LEVELS = np.linspace(0, 1, 11)  # P(class 1) changes shade every 0.1
# Two-class targets in black and white, marked by class: they stand out on any shade of the
# red-blue regions, where points coloured by class would vanish into their own region.
BINARY_MARKS = {
    0: dict(marker="o", facecolors="white", edgecolors="black", label="y=0"),
    1: dict(marker="s", facecolors="black", edgecolors="white", label="y=1"),
}
FEW_POINTS = 16  # up to this many targets (a truth table), drawn large


def plot_decision_boundary(
    model, x, y, path=None, ax=None, title: str | None = None, resolution: int = 200
):
    """Shade the model's prediction over a ``resolution x resolution`` grid around ``x`` and
    draw the points ``x`` coloured by their labels ``y``.

    ``model`` is a Keras model (its ``predict`` is used), an ``nnscratch.nn.Module`` (called on
    a tensor under ``no_grad``, in eval mode) or a callable from a float32 ``(n, 2)`` array to
    scores. Scores of shape ``(n,)`` or ``(n, 1)`` are probabilities of class 1 (values outside
    [0, 1] are taken as logits and squashed with the sigmoid), shaded from 0 to 1 with the 0.5
    contour drawn; ``(n, k)`` scores with ``k > 1`` pick the class by argmax. ``y`` holds
    integer labels ``(n,)`` (or one-hot rows); with two classes, the points are marked by class
    in black and white (``BINARY_MARKS``, labelled for a legend). On a new figure a colour bar
    is added; drawn on a given ``ax``, it is not. Returns the Figure; ``path`` saves a PNG.

    >>> import numpy as np
    >>> x = np.array([[0, 0], [1, 1], [0, 1], [1, 0]], dtype=np.float32)
    >>> fig = plot_decision_boundary(lambda p: p[:, 0], x, [0, 1, 0, 1], resolution=20)
    >>> len(fig.axes[0].collections) > 0
    True
    """
    x, labels = _check_data(x, y)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(
            f"plot_decision_boundary expects resolution to be an int >= 2, received {resolution!r}"
        )
    xx, yy = _grid(x, resolution)
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)
    classes, prob = _classify(_predictor(model)(grid), len(grid))
    fig, (axis,) = new_axes(ax, width=5.5, height=4.5)
    if prob is not None:
        _shade_binary(axis, xx, yy, prob.reshape(xx.shape), colorbar=ax is None)
    else:
        _shade_classes(axis, xx, yy, classes.reshape(xx.shape))
    _draw_points(axis, x, labels, binary=prob is not None)
    set_title(fig, [axis], title)
    return finish(fig, path)


# ---- the model ----------------------------------------------------------------------------------
def _predictor(model) -> Callable[[np.ndarray], np.ndarray]:
    """A function from a float32 (n, 2) array to the model's scores as a NumPy array."""
    if callable(getattr(model, "predict", None)):
        options = inspect.signature(model.predict).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in options.values())
        kwargs = {"batch_size": PREDICT_BATCH, "verbose": 0}
        kwargs = {k: v for k, v in kwargs.items() if takes_any or k in options}
        return lambda grid: _as_numpy(model.predict(grid, **kwargs))
    if isinstance(model, Module):
        return lambda grid: _call_module(model, grid)
    if callable(model):
        return lambda grid: _as_numpy(model(grid))
    raise TypeError(
        "plot_decision_boundary expects a Keras model, an nn.Module or a callable, received "
        f"{type(model).__name__}"
    )


def _call_module(module: Module, grid: np.ndarray) -> np.ndarray:
    was_training = module.training
    module.eval()  # dropout off, batch-norm on its running statistics
    try:
        with no_grad():
            return _as_numpy(module(Tensor(grid)))
    finally:
        module.train(was_training)


def _as_numpy(out) -> np.ndarray:
    if isinstance(out, Tensor):
        out = out.detach().numpy()
    elif hasattr(out, "detach") and hasattr(out, "numpy"):  # a torch tensor, say
        out = out.detach().numpy()
    return np.asarray(out, dtype=np.float64)


def _classify(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray | None]:
    """(class per point, probability of class 1 or None when there are k > 1 columns)."""
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.ndim not in (1, 2) or len(scores) != n:
        raise ValueError(
            f"plot_decision_boundary expects the model to return scores of shape ({n},), "
            f"({n}, 1) or ({n}, k) for {n} grid points, received shape {scores.shape}"
        )
    if scores.ndim == 2:
        return scores.argmax(axis=1), None
    if scores.min() < 0 or scores.max() > 1:  # logits
        scores = 1 / (1 + np.exp(-np.clip(scores, -50, 50)))
    return (scores > 0.5).astype(np.int64), scores


# ---- the data and the drawing -------------------------------------------------------------------
def _check_data(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = _as_numpy(x)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise ValueError(
            f"plot_decision_boundary expects x of shape (n, 2) with n >= 1, received {x.shape}"
        )
    labels = _as_numpy(y)
    if labels.ndim == 2:
        labels = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0]
    if labels.shape != (len(x),):
        raise ValueError(
            f"plot_decision_boundary expects y with one label per point ({len(x)},), received "
            f"shape {_as_numpy(y).shape}"
        )
    return x, np.rint(labels).astype(np.int64)


def _grid(x: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = np.where(hi > lo, 0.1 * (hi - lo), 0.5)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    return np.meshgrid(xs, ys)


def _shade_binary(axis, xx, yy, prob, colorbar: bool) -> None:
    filled = axis.contourf(xx, yy, prob, levels=PROBABILITY_LEVELS, cmap="RdBu", alpha=0.6)
    if colorbar:  # only on a figure of our own: a caller's layout is theirs
        axis.figure.colorbar(filled, ax=axis, label="P(class 1)")
    if prob.min() < 0.5 < prob.max():
        axis.contour(xx, yy, prob, levels=[0.5], colors="black", linewidths=1.2)


def _shade_classes(axis, xx, yy, classes) -> None:
    levels = np.arange(-0.5, max(int(classes.max()) + 1, 1) + 0.5)
    axis.contourf(xx, yy, classes, levels=levels, cmap="tab10", vmin=-0.5, vmax=9.5, alpha=0.35)


def _draw_points(axis, x: np.ndarray, labels: np.ndarray, binary: bool) -> None:
    if binary:
        draw_targets(axis, x[:, 0], x[:, 1], labels)
    else:  # tab10 as the shading: a point's colour matches its class's region
        axis.scatter(x[:, 0], x[:, 1], c=labels, edgecolors="black", linewidths=0.5, s=18,
                     cmap="tab10", vmin=-0.5, vmax=9.5)  # fmt: skip
    axis.set_xlabel("$x_1$")
    axis.set_ylabel("$x_2$")


def draw_targets(axis, xs: np.ndarray, ys: np.ndarray, labels: np.ndarray) -> None:
    """Two-class targets at ``(xs, ys)``, each marked as its class ``labels`` (0 or 1) by
    ``BINARY_MARKS``; a few points (a truth table) are drawn large."""
    few = len(xs) <= FEW_POINTS
    for label, marks in BINARY_MARKS.items():
        mine = np.rint(labels) == label
        axis.scatter(xs[mine], ys[mine], s=60 if few else 18, linewidths=1.2 if few else 0.6,
                     zorder=3, **marks)  # fmt: skip
