"""``torch.serialization`` for code that loads checkpoints: ``save``, ``load`` and the
allow-lists of ``weights_only`` loading.

torch's ``weights_only=True`` unpickler builds only the classes on an allow-list, which
``add_safe_globals`` and ``safe_globals`` extend. nnscratch's files hold tensors, plain
containers and, for a whole saved ``nn.Module``, the names of its classes: ``load`` builds
those (never importing anything) only when they are on this allow-list, or with
``weights_only=False`` (``io/module_state.py``, ``io/safe_globals.py``). As in torch, its own
``nn`` classes need allowing too.

>>> import nnscratch as ns
>>> ns.serialization.add_safe_globals([ns.nn.Linear])
>>> with ns.serialization.safe_globals([ns.nn.ReLU]):
...     len(ns.serialization.get_safe_globals())
2
>>> ns.serialization.get_safe_globals() == [ns.nn.Linear]
True
>>> ns.serialization.clear_safe_globals()
"""

from __future__ import annotations

from .io import load, save
from .io.safe_globals import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals

__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "load", "safe_globals",
           "save"]  # fmt: skip
