"""Atomic file writes: the old file or the complete new one, never half of each.

The bytes go to a fresh temporary file in the destination's folder (so the final rename stays
on one file system), are flushed and ``fsync``-ed, and only then does ``os.replace`` swap the
new file in; the folder is ``fsync``-ed too where the system allows it, so the rename itself
survives a power cut. If anything fails before the swap, the temporary file is removed and the
previous file is untouched.

A process killed while writing leaves its temporary behind (``.<name>.<12 hex>.tmp``); the next
save of the same target removes such leftovers. A writer holds an advisory lock (``flock``) on
its temporary until the rename, and only unlocked ones are removed, so two processes saving the
same file at once never remove each other's work. Where ``flock`` is missing (Windows) a
leftover is removed once it is a day old.

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
import re
import secrets
import time
from collections.abc import Iterator
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

__all__ = ["atomic_write", "remove_stale_temporaries"]

STALE_AFTER_S = 24 * 3600  # without flock: a temporary this old belongs to no live save


@contextlib.contextmanager
def atomic_write(path) -> Iterator[BinaryIO]:
    """A binary file to write; on a clean exit it replaces ``path`` in one step."""
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    remove_stale_temporaries(path)
    file, temporary = _open_temporary(folder, name)
    try:
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
            if fcntl is not None:  # renamed while still locked: no cleanup can take it first
                os.replace(temporary, path)
        if fcntl is None:  # Windows cannot rename an open file
            os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    _fsync_folder(folder)


def remove_stale_temporaries(path) -> list[str]:
    """Remove the temporaries that killed saves of ``path`` left behind (those no live process
    is writing); returns their paths.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> open(os.path.join(folder, ".w.npz.0123456789ab.tmp"), "wb").close()
    >>> [os.path.basename(p) for p in remove_stale_temporaries(os.path.join(folder, "w.npz"))]
    ['.w.npz.0123456789ab.tmp']
    """
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    pattern = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{12}}\.tmp")
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    candidates = [os.path.join(folder, e) for e in entries if pattern.fullmatch(e)]
    return [temporary for temporary in candidates if _remove_if_stale(temporary)]


def _open_temporary(folder: str, name: str) -> tuple[BinaryIO, str]:
    """A new temporary beside the target, created by us alone and locked."""
    while True:
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        # O_EXCL: never follow or reuse something already there; 0o666 lets the umask decide
        descriptor = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)
        file = os.fdopen(descriptor, "wb")
        if fcntl is None or not _lock(descriptor) or _still_named(descriptor, temporary):
            return file, temporary
        file.close()  # another save's cleanup took it between its creation and our lock


def _lock(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        return True
    except OSError:  # a file system without flock: cleanup goes by age there
        return False


def _remove_if_stale(temporary: str) -> bool:
    try:
        descriptor = os.open(temporary, os.O_RDWR | _NOFOLLOW | _BINARY)
    except OSError:  # gone (renamed into place, or removed by another cleanup), or not ours
        return False
    try:
        if not _is_stale(descriptor, temporary):
            return False
        os.remove(temporary)  # under our lock: its writer is dead, and no new one can take it
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)


def _is_stale(descriptor: int, temporary: str) -> bool:
    if fcntl is None:
        return _is_old(descriptor)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # a live save holds it
        return False
    except OSError:  # no flock on this file system
        return _is_old(descriptor)
    return _still_named(descriptor, temporary)


def _is_old(descriptor: int) -> bool:
    return time.time() - os.fstat(descriptor).st_mtime > STALE_AFTER_S


def _still_named(descriptor: int, temporary: str) -> bool:
    """``temporary`` still names the file open as ``descriptor``."""
    try:
        named, held = os.stat(temporary, follow_symlinks=False), os.fstat(descriptor)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # a planted link is never opened, nor removed


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
