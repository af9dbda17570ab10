"""Who owns the memory of large arrays: glibc's allocator, told to keep what it was given.

A training step makes and frees the same arrays every time: activations, their gradients,
the weights' gradients. NumPy takes their memory from ``malloc``. glibc serves a request of
128 KiB or more with a fresh ``mmap`` and hands it back with ``munmap`` when freed, and it
gives the free top of its heap back to the system (``trim``) once it passes 128 KiB as well.
So a model whose arrays are a few hundred KiB (a 256-wide MLP at batch 128) gets fresh pages
on every step: two system calls and a page fault (a zeroed 4 KiB page) per 4 KiB touched,
which measured about a third of such a step. glibc raises both thresholds by itself when it
sees a large block freed, so whether a given step pays depends on the order of its
allocations: the same script faulted 224 pages a step or none depending on how it was
launched, and a 2048-wide MLP faulted 10 MiB a step. Arrays that a step reuses should come
back from the heap already mapped, every time.

At import, on glibc only, nnscratch therefore sets three of ``mallopt``'s knobs for its
process (through ``ctypes``; nothing is compiled):

- ``M_MMAP_THRESHOLD`` = 32 MiB (glibc's largest): smaller arrays come from the heap and go
  back to it, where the next step finds them mapped. Larger ones still get their own
  ``mmap``, so that a huge temporary is returned to the system as soon as it dies;
- ``M_TRIM_THRESHOLD`` = 128 MiB: up to so much free memory at the heap's top stays with the
  process instead of being returned and faulted in again;
- ``M_TOP_PAD`` = 16 MiB: the heap grows in steps of 16 MiB rather than of each request.

The price is memory the process keeps after it freed it (at most the trim threshold plus the
heap's holes), as a long-running service that once ran a large batch would see. Opt out by
setting the environment variable ``NNSCRATCH_MALLOC`` to ``system`` before the import (glibc's
defaults are then untouched); a user who tunes glibc with ``MALLOC_*_`` variables or
``GLIBC_TUNABLES`` keeps their settings, as nnscratch then leaves the allocator alone too.
On other C libraries (macOS, Windows, musl) this module does nothing. ``applied()`` says what
was set. PyTorch's CPU allocator is plain ``malloc`` as well: the same variables speed it up,
but only in a process that sets them.
"""

from __future__ import annotations

import os

__all__ = ["applied", "OPT_OUT", "SETTINGS"]

# mallopt's parameter numbers, from glibc's <malloc.h>.
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
MiB = 2**20
# (name, mallopt parameter, value): the order matters, as each setting also stops glibc's
# dynamic threshold.
SETTINGS = (
    ("M_MMAP_THRESHOLD", _M_MMAP_THRESHOLD, 32 * MiB),
    ("M_TRIM_THRESHOLD", _M_TRIM_THRESHOLD, 128 * MiB),
    ("M_TOP_PAD", _M_TOP_PAD, 16 * MiB),
)
OPT_OUT = "NNSCRATCH_MALLOC"  # "system": leave glibc's allocator at its defaults
# The user's own settings of the same knobs (environment variables, glibc tunables) win.
_USER_TUNING = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
_USER_TUNABLES = (
    "glibc.malloc.mmap_threshold",
    "glibc.malloc.trim_threshold",
    "glibc.malloc.top_pad",
)

_applied: dict[str, int] = {}


def applied() -> dict[str, int]:
    """The settings made at import, by name (``{"M_MMAP_THRESHOLD": 33554432, ...}``); empty
    where nothing was set (not glibc, opted out, or the user's own settings kept)."""
    return dict(_applied)


def _glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # no confstr (Windows) or no such name
        return False


def _user_tuned() -> bool:
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    return any(name in os.environ for name in _USER_TUNING) or any(
        name in tunables for name in _USER_TUNABLES
    )


def _apply() -> None:
    """Set ``SETTINGS`` through ``mallopt``, unless opted out, tuned by the user or not glibc."""
    choice = os.environ.get(OPT_OUT, "").strip().lower()
    if choice not in ("", "system", "nnscratch"):
        raise ValueError(
            f"nnscratch: expected the environment variable {OPT_OUT} to be 'system' (glibc's "
            f"defaults) or 'nnscratch' (the default), received {choice!r}"
        )
    if choice == "system" or _user_tuned() or not _glibc():
        return
    import ctypes  # only here: the import costs nothing on the paths above

    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    for name, parameter, value in SETTINGS:
        if mallopt(parameter, value) == 1:  # 1 on success, 0 if glibc refused the value
            _applied[name] = value


_apply()
