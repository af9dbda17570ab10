"""NumPy's spellings that torch also accepts: ``axis=`` for ``dim=``, ``keepdims=`` for
``keepdim=`` (``x.sum(axis=0, keepdims=True)``, ``torch.cat(xs, axis=1)``)."""

from __future__ import annotations

import functools
import inspect

_ALIASES = {"axis": "dim", "keepdims": "keepdim"}


def numpy_names(function):
    """Let ``function`` (which takes ``dim``/``keepdim``) be called with NumPy's names too.

    >>> @numpy_names
    ... def total(values, dim=None, keepdim=False):
    ...     return dim, keepdim
    >>> total([], axis=1, keepdims=True)
    (1, True)
    >>> inspect.signature(total)
    <Signature (values, dim=None, keepdim=False, *, axis=None, keepdims=None)>
    """

    @functools.wraps(function)
    def accepting_numpy_names(*args, **kwargs):
        if "axis" in kwargs or "keepdims" in kwargs:
            kwargs = _renamed(function.__name__, kwargs)
        return function(*args, **kwargs)

    accepting_numpy_names.__signature__ = _with_aliases(inspect.signature(function))
    return accepting_numpy_names


def _with_aliases(signature: inspect.Signature) -> inspect.Signature:
    """``signature`` plus keyword-only ``axis=None`` / ``keepdims=None`` for the torch names
    it has, so that ``inspect.signature`` tells the truth about what the wrapper accepts."""
    params = list(signature.parameters.values())
    extra = [inspect.Parameter(alias, inspect.Parameter.KEYWORD_ONLY, default=None)
             for alias, name in _ALIASES.items() if name in signature.parameters]  # fmt: skip
    variadic = [p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD]
    params = [p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD]
    return signature.replace(parameters=params + extra + variadic)


def _renamed(name: str, kwargs: dict) -> dict:
    renamed = {}
    for key, value in kwargs.items():
        torch_key = _ALIASES.get(key, key)
        if torch_key in renamed or (torch_key != key and torch_key in kwargs):
            raise TypeError(
                f"{name}() received both '{torch_key}' and its NumPy spelling "
                f"'{next(k for k, v in _ALIASES.items() if v == torch_key)}'"
            )
        renamed[torch_key] = value
    return renamed
