"""Interactive logging: whether Keras's console messages go to stdout or to Python's logging.

``fit``'s progress bar, ``Epoch i/n`` and the callbacks' messages (early stopping, a reduced
learning rate, a saved checkpoint) go through ``print_msg``. On a terminal or in a notebook
they belong on stdout (the default); in a batch job, ``disable_interactive_logging()`` sends
them to the ``logging`` module instead, at INFO level on the ``"nnscratch.keras"`` logger, as
Keras sends them to absl's logging. That logger shows nothing until it is configured
(``logging.basicConfig(level=logging.INFO)``), so disabling also silences the console.

>>> disable_interactive_logging()
>>> is_interactive_logging_enabled()
False
>>> print_msg("not on stdout")
>>> enable_interactive_logging()
>>> print_msg("on stdout")
on stdout
"""

from __future__ import annotations

import logging
import sys

__all__ = [
    "disable_interactive_logging",
    "enable_interactive_logging",
    "is_interactive_logging_enabled",
    "print_msg",
]

logger = logging.getLogger("nnscratch.keras")
_interactive = {"enabled": True}  # one switch for the whole process, as in Keras


def enable_interactive_logging() -> None:
    """Write Keras's messages (progress bars included) to stdout: the default."""
    _interactive["enabled"] = True


def disable_interactive_logging() -> None:
    """Send Keras's messages to the ``"nnscratch.keras"`` logger instead of stdout."""
    _interactive["enabled"] = False


def is_interactive_logging_enabled() -> bool:
    """Whether Keras's messages go to stdout (True) or to the logging module (False)."""
    return _interactive["enabled"]


def print_msg(message, line_break: bool = True) -> None:
    """Write ``message`` to stdout (flushed) when interactive logging is on, else log it."""
    message = str(message)
    if not _interactive["enabled"]:
        logger.info(message)
        return
    sys.stdout.write(f"{message}\n" if line_break else message)
    sys.stdout.flush()
