"""The library's own exception types.

Every error raised while reading something from outside (a file, bytes, a config) is an
``NnscratchError``, so a caller can catch one type around a load. The subclasses also derive
from the built-in type a Python user would expect (``ValueError``), so ``except ValueError``
keeps working.

>>> from nnscratch.errors import FileFormatError, NnscratchError
>>> issubclass(FileFormatError, NnscratchError), issubclass(FileFormatError, ValueError)
(True, True)
"""

from __future__ import annotations

__all__ = ["ConfigError", "FileFormatError", "NnscratchError"]


class NnscratchError(Exception):
    """Base class of the errors nnscratch raises on purpose."""


class FileFormatError(NnscratchError, ValueError):
    """Bytes that are not what the format promises: truncated, corrupted, lying or hostile.

    The message names what was expected and what was received.
    """


class ConfigError(NnscratchError, ValueError):
    """A configuration that cannot be turned back into objects: an unknown class name, or
    values that the named class refuses."""
