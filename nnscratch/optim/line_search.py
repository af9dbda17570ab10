"""The strong-Wolfe line search that ``LBFGS(line_search_fn="strong_wolfe")`` uses: bracket a
step that lowers the loss enough (Armijo, ``c1``) with a flat enough slope (curvature, ``c2``),
then zoom into the bracket with safeguarded cubic interpolation (Nocedal & Wright, Algorithms
3.5 and 3.6; the variant of Schmidt's minFunc that torch follows).

``evaluate(t)`` returns ``(loss, flat_grad)`` at the step ``t`` along the fixed direction.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["cubic_minimizer", "strong_wolfe"]


def cubic_minimizer(x1, f1, g1, x2, f2, g2, bounds=None) -> float:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2,
    clipped to ``bounds`` (default: between x1 and x2); their midpoint if it has none.

    >>> round(cubic_minimizer(0.0, 0.0, -1.0, 2.0, 0.0, 1.0), 6)  # (x - 1) ** 2 - 1
    1.0
    """
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, low), high)


class _Point:
    """A step tried: its size, loss, flat gradient and slope along the direction."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t: float, f: float, g: np.ndarray, gtd: float) -> None:
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def strong_wolfe(evaluate: Callable, d: np.ndarray, t: float, f: float, g: np.ndarray,
                 gtd: float, c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9,
                 max_ls: int = 25) -> tuple[float, np.ndarray, float, int]:  # fmt: skip
    """Search along ``d`` from the point with loss ``f``, gradient ``g`` and slope ``gtd``,
    starting at step ``t``; return ``(loss, flat_grad, t, evaluations)`` of the step taken."""
    start = _Point(0.0, f, g, gtd)  # g is never written in place
    new = _Point(t, *_probe(evaluate, t, d))
    bracket, done, tries = _bracket(evaluate, d, start, new, c1, c2, max_ls)
    evaluations = 1 + tries
    if not done:
        bracket, more = _zoom(evaluate, d, start, bracket, c1, c2, tolerance_change,
                              max_ls - tries, float(np.abs(d).max()))  # fmt: skip
        evaluations += more
    best = bracket[0]
    return best.f, best.g, best.t, evaluations


def _probe(evaluate: Callable, t: float, d: np.ndarray) -> tuple:
    f, g = evaluate(t)
    return f, g, float(g.dot(d))


def _bracket(evaluate, d, start: _Point, new: _Point, c1, c2, max_ls):
    """Grow the step until an interval holds an acceptable one. Returns (points, done,
    evaluations); when done the first point is the step, else the lower-loss end is first."""
    prev = start
    for tries in range(max_ls):
        if new.f > start.f + c1 * new.t * start.gtd or (tries > 1 and new.f >= prev.f):
            return _ordered([prev, new]), False, tries
        if abs(new.gtd) <= -c2 * start.gtd:
            return [new], True, tries
        if new.gtd >= 0:
            return _ordered([prev, new]), False, tries
        low, high = new.t + 0.01 * (new.t - prev.t), new.t * 10
        t = cubic_minimizer(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd, (low, high))
        prev, new = new, _Point(t, *_probe(evaluate, t, d))
    return _ordered([start, new]), False, max_ls


def _ordered(points: list) -> list:
    """The bracket with its lower-loss end first (ties: the first stays first)."""
    return points if points[0].f <= points[1].f else [points[1], points[0]]


def _zoom(evaluate, d, start: _Point, bracket: list, c1, c2, tolerance_change, budget, d_norm):
    """Shrink the bracket [low, high] until a step meets both conditions or it is too small.
    Returns ([best], evaluations)."""
    low, high = bracket
    stuck = False
    for evaluations in range(budget):
        if abs(high.t - low.t) * d_norm < tolerance_change:
            return [low], evaluations
        t = cubic_minimizer(low.t, low.f, low.gtd, high.t, high.f, high.gtd)
        t, stuck = _keep_inside(t, min(low.t, high.t), max(low.t, high.t), stuck)
        new = _Point(t, *_probe(evaluate, t, d))
        if new.f > start.f + c1 * t * start.gtd or new.f >= low.f:
            low, high = _ordered([low, new])
            continue
        if abs(new.gtd) <= -c2 * start.gtd:
            return [new], evaluations + 1
        if new.gtd * (high.t - low.t) >= 0:
            high = low
        low = new
    return [low], budget


def _keep_inside(t: float, left: float, right: float, stuck: bool) -> tuple[float, bool]:
    """Move ``t`` a tenth of the interval in from an end it hugs, the second time it does (or
    at once when it left the interval); say whether this time it hugged an end."""
    margin = 0.1 * (right - left)
    if min(right - t, t - left) >= margin:
        return t, False
    if not (stuck or t >= right or t <= left):
        return t, True
    return (right - margin if abs(t - right) < abs(t - left) else left + margin), False
