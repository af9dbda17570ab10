"""Switching graph recording on and off: ``no_grad`` and ``enable_grad``."""

from __future__ import annotations

import functools

# One flag for the whole process. Function.apply reads it on every op, so it is a plain
# module global rather than a property or a thread-local.
_enabled = True


def is_grad_enabled() -> bool:
    """Whether ops currently record a graph for backward."""
    return _enabled


def set_grad_enabled(mode: bool) -> None:
    """Turn graph recording on or off."""
    global _enabled
    _enabled = bool(mode)


class _GradMode:
    """A context manager that is also a decorator; subclasses pick the mode."""

    mode = True

    def __enter__(self) -> None:
        global _enabled
        self._previous, _enabled = _enabled, self.mode

    def __exit__(self, *exc_info) -> None:
        global _enabled
        _enabled = self._previous

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):  # noqa: N801 (torch's name)
    """Run code without recording a graph (inference, hand-written updates).

    >>> import nnscratch as ns
    >>> w = ns.ones(2, requires_grad=True)
    >>> with ns.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_GradMode):  # noqa: N801
    """Record a graph again inside a ``no_grad`` block."""

    mode = True
