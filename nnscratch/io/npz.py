"""NumPy ``.npz`` archives, written atomically and read without pickle or surprises.

``write_npz`` is ``np.savez`` through ``atomic_write``: a process killed while saving leaves
the previous file whole. ``read_npz`` is a strict ``np.load(allow_pickle=False)``: every member
must be a ``.npy`` array whose header is checked before anything is allocated (an object
dtype, a shape that needs more bytes than the member holds, a compressed member that claims to
expand beyond what deflate can), and every problem, a torn file included, raises
``FileFormatError`` naming the file, what was expected and what was found.

>>> import os, tempfile
>>> import numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "w.npz")
>>> write_npz(path, [np.ones((2, 3), np.float32), np.arange(3)])
>>> [a.shape for a in read_npz_list(path)]
[(2, 3), (3,)]
"""

from __future__ import annotations

import math
import os
import tokenize
import zipfile

import numpy as np

from ..errors import FileFormatError
from . import sniff
from .atomic import atomic_write

__all__ = ["read_npz", "read_npz_list", "write_npz"]

_MAX_DEFLATE_RATIO = 1032  # deflate cannot expand a byte of input into more than ~1032 bytes
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
# NumPy's header parser on garbled text: tokenize's and literal_eval's own errors get through,
# and a dict with unhashable or unsortable keys ({b'descr': ...}) raises TypeError
_HEADER_ERRORS = (ValueError, SyntaxError, RecursionError, TypeError, tokenize.TokenError)


def write_npz(filepath, arrays) -> None:
    """Write ``arrays`` (a list: ``arr_0``, ``arr_1``, ...; or a dict of names) to ``filepath``
    as an uncompressed ``.npz``, atomically. Object arrays are refused (they would need pickle).
    """
    items = arrays.items() if isinstance(arrays, dict) else enumerate(arrays)
    named = {(k if isinstance(arrays, dict) else f"arr_{k}"): np.asarray(a) for k, a in items}
    for name, array in named.items():
        if array.dtype.hasobject:
            raise TypeError(f"write_npz: {name!r} has dtype {array.dtype}, which needs pickle")
    with atomic_write(filepath) as file, zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as zf:
        for name, array in named.items():  # as np.savez does, without its pickle fallback
            with zf.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def read_npz(filepath) -> dict[str, np.ndarray]:
    """``{name: array}`` from a ``.npz`` file (names without ``.npy``), each header checked."""
    path = os.fspath(filepath)
    try:
        size = os.path.getsize(path)
    except OSError as error:
        raise FileFormatError(f"Could not read {path!r}: {error}") from error
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_names(infos, path)
            return {info.filename[:-4]: _member(archive, info, size, path) for info in infos}
    except FileFormatError:
        raise
    except sniff.ZIP_ERRORS as error:
        raise FileFormatError(
            f"{path!r}: expected a NumPy .npz archive (a zip of .npy arrays), could not read it "
            f"({type(error).__name__}: {error}); the file looks like {sniff.describe_file(path)}"
        ) from error


def read_npz_list(filepath) -> list[np.ndarray]:
    """The arrays of a ``.npz`` written from a list (``np.savez(f, *arrays)``), in order."""
    arrays = read_npz(filepath)
    expected = [f"arr_{i}" for i in range(len(arrays))]
    if sorted(arrays) != sorted(expected):
        raise FileFormatError(
            f"{os.fspath(filepath)!r}: expected arrays named arr_0 ... arr_{len(arrays) - 1} "
            f"(np.savez of a list), received {sorted(arrays)[:8]}"
        )
    return [arrays[name] for name in expected]


def _check_names(infos: list, path: str) -> None:
    names = [info.filename for info in infos]
    odd = [name for name in names if not name.endswith(".npy")]
    if odd:
        raise FileFormatError(f"{path!r}: expected only .npy members, received {odd[:5]}")
    if len(set(names)) != len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise FileFormatError(f"{path!r}: expected each member once, received twice: {twice[:5]}")


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int, path: str) -> np.ndarray:
    where = f"{path!r}, member {info.filename!r}"
    _check_sizes(info, size, where)
    with archive.open(info) as stream:
        shape, fortran, dtype = _header(stream, where)
        needed = math.prod(shape) * dtype.itemsize
        held = info.file_size - stream.tell()
        if needed != held:
            raise FileFormatError(
                f"{where}: its header claims shape {shape} of {dtype} ({needed:,} bytes), but "
                f"the member holds {held:,} bytes of data"
            )
        raw = stream.read(needed)
    if len(raw) != needed:
        raise FileFormatError(f"{where}: expected {needed:,} bytes of data, read {len(raw):,}")
    array = np.frombuffer(raw, dtype) if needed else np.zeros(0, dtype)
    array = array.reshape(shape, order="F" if fortran else "C")
    return array.astype(dtype.newbyteorder("="), copy=True)


def _check_sizes(info: zipfile.ZipInfo, size: int, where: str) -> None:
    """The sizes the zip claims must be possible before any byte is inflated."""
    stored = info.compress_type == zipfile.ZIP_STORED
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise FileFormatError(
            f"{where}: expected a stored or deflated member, received compression method "
            f"{info.compress_type}"
        )
    limit = info.compress_size if stored else info.compress_size * _MAX_DEFLATE_RATIO + 64
    if info.compress_size > size or info.file_size > limit:
        raise FileFormatError(
            f"{where}: claims {info.file_size:,} bytes ({info.compress_size:,} stored) in a "
            f"{size:,}-byte file, which cannot hold them"
        )


def _header(stream, where: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    try:
        version = np.lib.format.read_magic(stream)
        read_header = _HEADER_READERS.get(version)
        header = None if read_header is None else read_header(stream)
    except _HEADER_ERRORS as error:
        raise FileFormatError(f"{where}: expected a .npy header, {error}") from error
    if header is None:
        raise FileFormatError(f"{where}: expected .npy format 1.0 or 2.0, received {version}")
    shape, fortran, dtype = header
    if dtype.hasobject:
        raise FileFormatError(
            f"{where}: expected an array of numbers, received dtype {dtype}, which holds Python "
            "objects (a pickle, which nnscratch never loads)"
        )
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise FileFormatError(f"{where}: expected a shape of sizes >= 0, received {shape}")
    return shape, fortran, dtype
