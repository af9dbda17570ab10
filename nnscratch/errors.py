"""The library's own exception types.

Every error raised while reading something from outside (a file, bytes, a config) is an
``NnscratchError``, so a caller can catch one type around a load. The subclasses also derive
from the built-in type a Python user would expect (``ValueError``), so ``except ValueError``
keeps working.

>>> from nnscratch.errors import FileFormatError, NnscratchError
>>> issubclass(FileFormatError, NnscratchError), issubclass(FileFormatError, ValueError)
(True, True)
>>> issubclass(LabelError, InputError), issubclass(LabelError, IndexError)
(True, True)
"""

from __future__ import annotations

__all__ = [
    "ConfigError", "DeviceError", "FileFormatError", "InputError", "InputTypeError", "LabelError",
    "NnscratchError", "StateMismatchError", "TrainingError",
]  # fmt: skip


class NnscratchError(Exception):
    """Base class of the errors nnscratch raises on purpose."""


class FileFormatError(NnscratchError, ValueError):
    """Bytes that are not what the format promises: truncated, corrupted, lying or hostile.

    The message names what was expected and what was received.
    """


class StateMismatchError(FileFormatError, RuntimeError):
    """A saved model state that does not fit the model (keys, shapes, dtypes): a
    ``FileFormatError``, and the ``RuntimeError`` that torch's ``Module.load_state_dict``
    raises for it, in its words ("size mismatch for ...")."""


class DeviceError(NnscratchError, RuntimeError):
    """A device nnscratch cannot compute on (``"cuda"``, ``"mps"``, ``.cuda()``), or a device
    name that is not one. nnscratch computes on the CPU with NumPy."""


class ConfigError(NnscratchError, ValueError):
    """A configuration that cannot be turned back into objects: an unknown class name, or
    values that the named class refuses."""


class InputError(NnscratchError, ValueError):
    """Data that cannot be used as given: NaN or infinite values, strings or objects, ragged
    lists, no samples at all, a batch size that is not a positive integer, targets of the
    wrong shape for the loss. The message names the argument, what was expected and what was
    received."""


class LabelError(InputError, IndexError):
    """A class label outside ``[0, num_classes)``. An ``IndexError`` too, as torch raises for
    an out-of-range target, and a ``ValueError`` through ``InputError``."""


class InputTypeError(NnscratchError, TypeError):
    """Data of a kind that cannot become numbers (strings, objects): a ``TypeError`` too."""


class TrainingError(NnscratchError, RuntimeError):
    """Training that cannot go on, such as a NaN or infinite loss under
    ``TerminateOnNaN(raise_error=True)``."""


def refusal(name: str, error: type[Exception], message: str):
    """A stand-in for a torch function that nnscratch cannot honestly provide: calling it,
    with any arguments, raises ``error(message)``. ``message`` names the feature and a way
    around it.

    >>> synchronize = refusal("synchronize", RuntimeError, "no accelerator here")
    >>> synchronize()
    Traceback (most recent call last):
    ...
    RuntimeError: no accelerator here
    """

    def refuse(*args, **kwargs):
        raise error(message)

    refuse.__name__ = refuse.__qualname__ = name
    return refuse
