"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``
and ``inference_mode``, each a context manager and a decorator, as in torch."""

from __future__ import annotations

import functools

# One flag for the whole process. Function.apply reads it on every op, so it is a plain
# module global rather than a property or a thread-local.
_enabled = True
_inference = False


def is_grad_enabled() -> bool:
    """Whether ops currently record a graph for backward."""
    return _enabled


def is_inference_mode_enabled() -> bool:
    """Whether code runs inside ``inference_mode()``."""
    return _inference


class _GradMode:
    """A context manager that is also a decorator, with or without parentheses
    (``@no_grad()`` and ``@no_grad``); subclasses pick the mode."""

    mode = True

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]) and cls.takes_no_mode:
            return cls()(args[0])  # used bare as a decorator
        return super().__new__(cls)

    takes_no_mode = True

    def __enter__(self) -> None:
        global _enabled
        self._previous, _enabled = _enabled, self.mode

    def __exit__(self, *exc_info) -> None:
        global _enabled
        _enabled = self._previous

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper

    def clone(self) -> _GradMode:
        return self.__class__()


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


class set_grad_enabled(_GradMode):  # noqa: N801
    """Turn recording on or off: as a call it takes effect at once; as a context manager
    (``with set_grad_enabled(training):``) the previous mode comes back at the end.

    >>> import nnscratch as ns
    >>> with ns.set_grad_enabled(False):
    ...     ns.is_grad_enabled()
    False
    >>> ns.is_grad_enabled()
    True
    """

    takes_no_mode = False

    def __init__(self, mode: bool):
        global _enabled
        self.mode = bool(mode)
        self._previous, _enabled = _enabled, self.mode

    def __enter__(self) -> None:
        pass  # the mode was set when the object was made

    def __call__(self, fn):
        global _enabled
        _enabled = self._previous  # as a decorator it changes nothing until fn runs
        return super().__call__(fn)

    def clone(self) -> set_grad_enabled:
        return self.__class__(self.mode)


class inference_mode(_GradMode):  # noqa: N801
    """``no_grad`` for inference (torch's faster variant; here the same): no graph is
    recorded inside. ``inference_mode(False)`` leaves recording as it is."""

    def __init__(self, mode: bool = True):
        self.enabled = bool(mode)

    def __enter__(self) -> None:
        global _enabled, _inference
        self._previous = (_enabled, _inference)
        if self.enabled:
            _enabled, _inference = False, True

    def __exit__(self, *exc_info) -> None:
        global _enabled, _inference
        _enabled, _inference = self._previous

    def clone(self) -> inference_mode:
        return self.__class__(self.enabled)
