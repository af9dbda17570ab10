"""What is this file? A guess from its first bytes, for errors that say what a file is when it
is not what a reader expected ("expected a safetensors file, received an HDF5 file").

Only signatures are looked at (magic bytes, a zip's list of member names); nothing is parsed
or decoded beyond that, so sniffing a hostile file is as safe as reading its first bytes.

>>> identify(bytes(512) + HDF5_SIGNATURE + bytes(100))  # after a 512-byte user block
'hdf5'
>>> identify(bytes([0x80, 4, 0x95])), describe(b"")
('pickle', 'an empty file')
"""

from __future__ import annotations

import functools
import io
import os
import struct
import zipfile

__all__ = ["DESCRIPTIONS", "HDF5_SIGNATURE", "ZIP_ERRORS", "describe", "describe_file",
           "identify", "identify_file"]  # fmt: skip

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_HEAD_BYTES = 64
_MAX_USER_BLOCK = 2**40  # HDF5 puts its signature at 0, 512, 1024, 2048, ... (a "user block")
_MAX_SAFETENSORS_HEADER = 100_000_000
_NO_MAGIC = ("unknown", "json")  # kinds told by their start only: HDF5 may follow a user block
# What zipfile raises on a torn, lying or odd archive (readers turn these into FileFormatError)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
              struct.error, NotImplementedError, RuntimeError)  # fmt: skip

DESCRIPTIONS = {
    "empty": "an empty file",
    "hdf5": "an HDF5 file (the format of Keras 2 `.h5` models and Keras `.weights.h5` weights)",
    "keras3": "a Keras 3 `.keras` archive, whose weights (model.weights.h5) are HDF5",
    "nnscratch_keras": "a `.keras` archive written by nnscratch",
    "npz": "a NumPy `.npz` archive",
    "torch_zip": "a PyTorch `torch.save` file (a zip around a pickle, which nnscratch never loads)",
    "zip": "a zip archive",
    "npy": "a NumPy `.npy` array",
    "pickle": "a pickle (torch.save's legacy format, pickle.dump), which nnscratch never loads: "
    "unpickling can run code",
    "gzip": "a gzip-compressed file",
    "safetensors": "a safetensors file",
    "json": "a JSON text",
    "unknown": "a file of unknown kind",
}


def identify(data) -> str:
    """The kind of the bytes ``data`` (a whole file or its start): a key of ``DESCRIPTIONS``."""
    view = memoryview(data).cast("B")

    def read(offset: int, size: int = 8) -> bytes:
        return bytes(view[offset : offset + size])

    return _identify(read, len(view), lambda: io.BytesIO(view))  # (copied only for a zip)


def identify_file(path) -> str:
    """The kind of the file at ``path``, as ``identify``; "unknown" when it cannot be read."""
    try:
        with open(path, "rb") as file:
            read = functools.partial(_read_at, file)
            return _identify(read, os.fstat(file.fileno()).st_size, lambda: file)
    except OSError:
        return "unknown"


def _identify(read, size: int, as_file) -> str:
    """The kind of ``size`` bytes that ``read(offset, count)`` reads; ``as_file()`` gives them
    as a seekable file, for a zip's list of members."""
    kind = _kind_of_head(read(0, _HEAD_BYTES))
    if kind in _NO_MAGIC and _has_hdf5_signature(read, size):
        return "hdf5"
    return _zip_kind(as_file()) if kind == "zip" else kind


def describe(data) -> str:
    """What the bytes ``data`` are, in words for an error message."""
    return DESCRIPTIONS[identify(data)]


def describe_file(path) -> str:
    """What the file at ``path`` is, in words for an error message."""
    return DESCRIPTIONS[identify_file(path)]


def _read_at(file, offset: int, size: int = 8) -> bytes:
    file.seek(offset)
    return file.read(size)


def _has_hdf5_signature(read, size: int) -> bool:
    """The HDF5 signature at 0, 512, 1024, 2048, ... (after a "user block")."""
    offset = 0
    while offset + 8 <= min(size, _MAX_USER_BLOCK):
        if read(offset) == HDF5_SIGNATURE:
            return True
        offset = 512 if offset == 0 else offset * 2
    return False


def _kind_of_head(head: bytes) -> str:
    if not head:
        return "empty"
    if _looks_like_safetensors(head):
        return "safetensors"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:6] == b"\x93NUMPY":
        return "npy"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "pickle"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head.lstrip()[:1] in (b"{", b"["):
        return "json"
    return "unknown"


def _looks_like_safetensors(head: bytes) -> bool:
    """An 8-byte little-endian header length (not absurd), then the JSON header's ``{``."""
    if len(head) < 9:
        return False
    (length,) = struct.unpack("<Q", head[:8])
    return 2 <= length <= _MAX_SAFETENSORS_HEADER and head[8:9] == b"{"


def _zip_kind(file) -> str:
    """Which kind of zip: the member names tell (read from the central directory only)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except ZIP_ERRORS:
        return "zip"  # a torn or odd zip is still a zip
    if "model.weights.h5" in names:
        return "keras3"
    if "model.weights.safetensors" in names:
        return "nnscratch_keras"
    if any(name == "data.pkl" or name.endswith("/data.pkl") for name in names):
        return "torch_zip"
    if names and all(name.endswith(".npy") for name in names):
        return "npz"
    return "zip"
