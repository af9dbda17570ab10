"""Atomic file writes: the old file or the complete new one, never half of each.

The bytes go to a fresh temporary file in the destination's folder (so the final rename stays
on one file system), are flushed and ``fsync``-ed, and only then does ``os.replace`` swap the
new file in; the folder is ``fsync``-ed too where the system allows it, so the rename itself
survives a power cut. If anything fails before the swap, the temporary file is removed and the
previous file is untouched.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
>>> with atomic_write(path) as file:
...     _ = file.write(b"complete")
>>> open(path, "rb").read()
b'complete'
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["atomic_write"]


@contextlib.contextmanager
def atomic_write(path) -> Iterator[BinaryIO]:
    """A binary file to write; on a clean exit it replaces ``path`` in one step."""
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never follow or reuse something already there; 0o666 lets the umask decide
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    _fsync_folder(folder)


_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _fsync_folder(folder: str) -> None:
    """Make the rename durable; some systems (Windows) cannot open a folder: skip there."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
