"""``Progbar``: the console progress bar of a loop of your own, in the format ``fit`` prints.

A value passed to ``update`` is averaged over the steps it covers (a value given at step 10
after step 5 counts five times), except names in ``stateful_metrics``, shown as given; the
final update shows the values it was given, as Keras's does (``fit`` passes epoch averages).
Its lines go through ``io_utils.print_msg``: ``disable_interactive_logging()`` sends them to the
logging module.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from ..callbacks.progbar_logger import progress_line, summary_line
from .io_utils import is_interactive_logging_enabled, print_msg

__all__ = ["Progbar"]


class Progbar:
    """A progress bar for ``target`` steps (``None``: unknown), redrawn at most every
    ``interval`` seconds; ``verbose=1`` a live bar, ``verbose=2`` one line at the end. The bar
    is 20 characters wide, as ``fit``'s (``width`` is accepted for Keras's signature).

    >>> bar = Progbar(2, verbose=2)
    >>> bar.update(1, values=[("loss", 1.0)])
    >>> bar.add(1, values=[("loss", 3.0)])  # doctest: +ELLIPSIS
    2/2 - ...s - ...s/step - loss: 3.0000
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):  # fmt: skip
        if target is not None and (isinstance(target, bool) or int(target) != target):
            raise ValueError(f"Progbar expects `target` to be an int or None, received {target!r}")
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._values: dict[str, list] = {}  # name -> [weighted sum, steps]
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._live = hasattr(sys.stdout, "isatty") and sys.stdout.isatty()

    def update(self, current, values=None, finalize=None) -> None:
        """Record step ``current`` (with ``(name, value)`` pairs for its last step) and redraw."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            self._record(name, float(np.mean(value)), current, finalize)
        self._seen_so_far = current
        now = time.time()
        if self.verbose == 1 and (finalize or now - self._last_update >= self.interval):
            self._draw(current, now, finalize)
        elif self.verbose == 2 and finalize:
            print_msg(summary_line(current, self.target or current, now - self._start,
                               self._per_step(current, now), self._averages()))  # fmt: skip
        self._last_update = now

    def add(self, n, values=None) -> None:
        """Advance by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    def _record(self, name: str, value: float, current, finalize: bool) -> None:
        if name in self.stateful_metrics or finalize:
            self._values[name] = [value, 1]
            return
        steps = max(current - self._seen_so_far, 1)
        total, count = self._values.get(name, [0.0, 0])
        self._values[name] = [total + value * steps, count + steps]

    def _averages(self) -> dict:
        return {name: total / max(count, 1) for name, (total, count) in self._values.items()}

    def _per_step(self, current, now: float) -> float:
        return (now - self._start) / current if current else 0.0

    def _draw(self, current, now: float, finalize: bool) -> None:
        target = self.target if self.target else max(current, 1)
        line = progress_line(current, target, now - self._start, self._per_step(current, now),
                             self._averages())  # fmt: skip
        if self._live and is_interactive_logging_enabled():  # redrawn in place on a terminal
            print_msg("\r" + line + ("\n" if finalize else ""), line_break=False)
        elif finalize:  # a file, a pipe or the logger gets the final line only, as fit's
            print_msg(line)
