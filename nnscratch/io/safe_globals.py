"""The allow-list of ``weights_only`` loading: torch's ``torch.serialization.add_safe_globals``,
``safe_globals``, ``get_safe_globals`` and ``clear_safe_globals``.

A file that holds a whole ``nn.Module`` names its classes (and the nnscratch functions its
attributes hold, as ``TransformerEncoderLayer.activation``). ``load(weights_only=True)``, the
default as in torch 2.6+, builds only those on this list; torch asks the same of its own
``torch.nn`` classes. Entries are the objects themselves, or torch's ``(object, "name")``
pairs; nothing is ever looked up by name. The list is process-wide, as torch's.

What a file may name at all is narrower still: subclasses of ``nn.Module``, whose base
``nn/module.py`` registers here (``register_nn``: io sits below nn and never imports it).

>>> import nnscratch as ns
>>> with safe_globals([ns.nn.Linear]):
...     is_safe(ns.nn.Linear)
True
>>> is_safe(ns.nn.Linear), get_safe_globals()
(False, [])
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = [
    "add_safe_globals", "clear_safe_globals", "get_safe_globals", "is_safe", "register_nn",
    "safe_globals",
]  # fmt: skip

_SAFE: list = []
NN_CLASSES: dict[str, type] = {}  # "Module" and "Parameter", once nnscratch.nn is imported


def register_nn(module: type, parameter: type) -> None:
    """Called by ``nn/module.py``: the base of the classes a file may name, and Parameter."""
    NN_CLASSES.update(Module=module, Parameter=parameter)


def add_safe_globals(safe_globals: list) -> None:
    """Allow the classes (and functions) in ``safe_globals`` in ``weights_only`` loading."""
    if not isinstance(safe_globals, (list, tuple)):
        raise TypeError(
            f"add_safe_globals expects a list of classes or functions, received "
            f"{type(safe_globals).__name__}"
        )
    _SAFE.extend(safe_globals)


def get_safe_globals() -> list:
    """What ``add_safe_globals`` (and the ``safe_globals`` context now open) allowed."""
    return list(_SAFE)


def clear_safe_globals() -> None:
    """Empty the list."""
    _SAFE.clear()


@contextlib.contextmanager
def safe_globals(safe_globals: list) -> Iterator[None]:
    """Allow ``safe_globals`` inside the ``with`` block only."""
    before = list(_SAFE)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _SAFE[:] = before


def is_safe(obj) -> bool:
    """Whether ``obj`` itself (not an object of the same name) is on the list."""
    return any(
        obj is (entry[0] if isinstance(entry, tuple) and entry else entry) for entry in _SAFE
    )
