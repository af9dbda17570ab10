"""``torch.jit`` for code that scripts or traces models: they run eagerly, unchanged.

nnscratch runs every model eagerly on NumPy; it has no TorchScript compiler or file format.
``script`` and ``trace`` return what they are given, unchanged: the model computes exactly
what it would under TorchScript, without TorchScript's speed-up (for speed, see
``nnscratch.compile``). The decorators (``ignore``, ``unused``, ``export``) return their
function. What needs TorchScript itself, ``save``, ``load`` and ``ScriptModule``, raises
``NotImplementedError`` saying what to do instead.

>>> import nnscratch as ns
>>> @ns.jit.script
... def gelu_ish(x):
...     return x * (1.702 * x).sigmoid()
>>> round(gelu_ish(ns.tensor(1.0)).item(), 4)
0.8458
"""

from __future__ import annotations

from .errors import refusal

__all__ = [
    "ScriptFunction", "ScriptModule", "annotate", "export", "ignore", "is_scripting",
    "is_tracing", "load", "save", "script", "script_method", "trace", "unused",
]  # fmt: skip


def _no_format(name: str):
    message = (
        f"torch.jit.{name}: nnscratch has no TorchScript format, since it runs models eagerly "
        "on NumPy. Save the weights with ns.save(model.state_dict(), path) and rebuild the "
        "model in Python (model.load_state_dict(ns.load(path)))"
    )
    return refusal(name, NotImplementedError, message)


def script(obj=None, *args, **kwargs):
    """``obj`` unchanged: nnscratch runs it eagerly, with the same results."""
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    """``func`` unchanged: nnscratch runs it eagerly, with the same results."""
    return func


def ignore(drop=False, **kwargs):
    """A decorator that leaves its function unchanged (``@ignore`` or ``@ignore(...)``)."""
    return drop if callable(drop) else (lambda function: function)


def script_method(function):
    """Raises ``NotImplementedError``: it belongs to ``ScriptModule``, which needs TorchScript."""
    raise NotImplementedError(
        "torch.jit.script_method: nnscratch has no ScriptModule (it runs models eagerly on "
        "NumPy); subclass nn.Module and write forward as a plain method"
    )


def unused(function):
    """A decorator that leaves its function unchanged."""
    return function


def export(function):
    """A decorator that leaves its function unchanged."""
    return function


def annotate(the_type, the_value):
    """``the_value``: type annotations for TorchScript are not needed here."""
    return the_value


def is_scripting() -> bool:
    """False: nothing is ever being scripted."""
    return False


def is_tracing() -> bool:
    """False: nothing is ever being traced."""
    return False


save = _no_format("save")  # there is no TorchScript file to write, nor to read
load = _no_format("load")


class ScriptModule:
    """No TorchScript modules exist here (``isinstance`` checks are False); making one raises
    ``NotImplementedError``."""

    def __init__(self, *args, **kwargs) -> None:
        raise NotImplementedError(
            "torch.jit.ScriptModule: nnscratch runs models eagerly on NumPy; subclass "
            "nn.Module instead (torch.jit.script(module) returns the module itself)"
        )


class ScriptFunction(ScriptModule):
    """No TorchScript functions exist here; see ``ScriptModule``."""
