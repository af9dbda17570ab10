"""``ProgbarLogger``: the progress ``fit`` prints, in Keras 3's format.

Each epoch ends with one line that carries every log, validation included (a long one wraps
on a narrow terminal rather than losing a metric)::

    Epoch 1/2
    30/30 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.6442 - mae: 0.4673 - val_loss: 0.6627

On a terminal (verbose=1) a live line is redrawn in place while the epoch runs: tqdm, a
well-kept progress-bar library, draws it (throttled redraws, the bar shrinking so that the line
fits the terminal's width) and clears it before the final line. Written to a file or a pipe,
each epoch is that one final line, with no redraws. verbose=2 prints one line per epoch,
``30/30 - 0s - 2ms/step - loss: 0.6442``. After ``keras.utils.disable_interactive_logging()``
there is no live line, and the other lines go to the logging module (``utils.io_utils``).
"""

from __future__ import annotations

import shutil
import sys
import time

from tqdm import tqdm

from ..utils.io_utils import is_interactive_logging_enabled, print_msg
from .callback import Callback

__all__ = ["ProgbarLogger", "format_logs", "progress_line"]

BAR_WIDTH = 20  # Keras's
_REDRAW_SECONDS = 0.05  # Keras's interval between two redraws of the live line


def format_value(value) -> str:
    """A logged number as Keras prints it: 4 decimals, or 4 significant digits when tiny.

    >>> format_value(0.61), format_value(0.0001234), format_value(-2)
    ('0.6100', '1.2340e-04', '-2.0000')
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.4f}" if abs(number) > 1e-3 else f"{number:.4e}"


def format_logs(logs: dict) -> str:
    """``"loss: 0.1234 - accuracy: 0.5000"``, Keras's rendering of a logs dict (in its order).

    >>> format_logs({"loss": 0.12344, "val_loss": 0.0})
    'loss: 0.1234 - val_loss: 0.0000e+00'
    """
    return " - ".join(f"{name}: {format_value(value)}" for name, value in logs.items())


def format_step_time(seconds: float) -> str:
    """Time per step as Keras prints it.

    >>> format_step_time(2.4), format_step_time(0.057), format_step_time(0.00002)
    ('2s/step', '57ms/step', '20us/step')
    """
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_eta(seconds: float) -> str:
    """Time left, as Keras prints it.

    >>> format_eta(42.7), format_eta(125), format_eta(3725)
    ('42s', '2:05', '1:02:05')
    """
    whole = int(seconds)  # Keras truncates
    if seconds > 3600:
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    if seconds > 60:
        return f"{whole // 60}:{whole % 60:02d}"
    return f"{whole}s"


def _glyphs() -> str:
    """The bar's (empty, full) characters: box drawing where stdout can encode them."""
    try:
        "━─".encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return ".="
    return "─━"


def _count(seen: int, target: int) -> str:
    """``" 7/30"``: the count padded to the target's digits, so that redraws line up."""
    return f"{seen:>{len(str(target))}}/{target}"


def progress_line(seen: int, target: int, seconds: float, per_step: float, logs: dict) -> str:
    """The line that ends an epoch (or an ``evaluate``/``predict`` call) at verbose=1.

    >>> progress_line(563, 563, 32.2, 0.057, {"loss": 0.61})
    '563/563 ━━━━━━━━━━━━━━━━━━━━ 32s 57ms/step - loss: 0.6100'
    """
    empty, full = _glyphs()
    done = BAR_WIDTH * seen // max(target, 1)
    bar = full * done + empty * (BAR_WIDTH - done)
    line = f"{_count(seen, target)} {bar} {seconds:.0f}s {format_step_time(per_step)}"
    return _with_logs(line, logs)


def summary_line(seen: int, target: int, seconds: float, per_step: float, logs: dict) -> str:
    """The line each epoch prints at verbose=2.

    >>> summary_line(563, 563, 32.2, 0.057, {"loss": 0.61})
    '563/563 - 32s - 57ms/step - loss: 0.6100'
    """
    line = f"{_count(seen, target)} - {seconds:.0f}s - {format_step_time(per_step)}"
    return _with_logs(line, logs)


def _with_logs(line: str, logs: dict) -> str:
    return f"{line} - {format_logs(logs)}" if logs else line


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` (when there are several), then Keras 3's progress line: live on a
    terminal at verbose=1, and at the end of each epoch a final line with every log (see the
    module's docstring); verbose=2 prints the final line alone, in its short form.

    ``fit`` adds one; its verbosity comes from ``params["verbose"]`` (0: silent).

    >>> logger = ProgbarLogger()
    >>> logger.set_params({"verbose": 2, "epochs": 2, "steps": 1})
    >>> logger.on_epoch_begin(0)
    Epoch 1/2
    """

    def __init__(self) -> None:
        super().__init__()
        self.verbose, self.epochs, self.steps = 1, None, None
        self._start = self._first_step = self._next_draw = time.perf_counter()
        self._seen = 0
        self._bar: tqdm | None = None

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs, self.steps = params.get("epochs"), params.get("steps")

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = self._first_step = time.perf_counter()
        self._next_draw, self._seen = self._start + _REDRAW_SECONDS, 0
        if self.verbose and (self.epochs or 0) > 1:  # as Keras: no "Epoch 1/1"
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")
        if self.verbose == 1 and self.steps and is_interactive_logging_enabled():
            self._bar = _live_bar(self.steps)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._seen, now = batch + 1, time.perf_counter()
        if self._seen == 1:  # Keras leaves the first step out of the time per step
            self._first_step = now
        if self._bar is not None and now >= self._next_draw and not self._bar.disable:
            self._next_draw = now + _REDRAW_SECONDS  # throttled here: no text made in between
            self._redraw(logs or {})

    def _redraw(self, logs: dict) -> None:
        """Redraw the live line: tqdm draws it, with the text right of the bar made here."""
        per_step = self._step_seconds()
        eta = format_eta(per_step * (self.steps - self._seen))
        text = _with_logs(f"{eta} {format_step_time(per_step)}", logs)
        self._bar.set_description_str(text, refresh=False)
        width = len(_count(self._seen, self.steps)) + 2 + len(text) + BAR_WIDTH
        self._bar.ncols = min(width, shutil.get_terminal_size().columns)  # the bar shrinks
        self._bar.update(self._seen - self._bar.n)

    def _step_seconds(self) -> float:
        """Keras's estimate: the steps after the first, when there are some."""
        now = time.perf_counter()
        if self._seen > 1:
            return (now - self._first_step) / (self._seen - 1)
        return (now - self._start) / max(self._seen, 1)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self._bar is not None:
            self._bar.close()  # clears the live line: the final line replaces it
            self._bar = None
        if not self.verbose:
            return
        line = progress_line if self.verbose == 1 else summary_line
        seen, seconds = self._seen or self.steps or 0, time.perf_counter() - self._start
        print_msg(line(seen, self.steps or seen, seconds, self._step_seconds(), logs or {}))


def _live_bar(steps: int) -> tqdm:
    """A tqdm line ``" 7/30 ━━━━━─────── <text>"``; disabled when stdout is not a terminal."""
    digits = len(str(steps))
    return tqdm(
        total=steps, file=sys.stdout, disable=None, leave=False, ascii=_glyphs(),
        bar_format=f"{{n:>{digits}}}/{{total}} {{bar}} {{desc}}",
        mininterval=0, miniters=1, delay=1e-9,  # any delay: no empty "0/n" line at the start
    )  # fmt: skip
