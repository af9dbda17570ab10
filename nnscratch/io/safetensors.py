"""The safetensors format, read and written with NumPy alone (no pickle, no code).

A file is: 8 bytes, the header's length ``n`` as a little-endian u64; ``n`` bytes of UTF-8
JSON, ``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}``
(padded with spaces); then the data, each tensor's bytes little-endian, C order, at its offsets
from the start of the data. The offsets must tile the data exactly: no overlap, no gap, nothing
left over. The reader checks all of that and raises ``FileFormatError`` otherwise, naming what it
expected and what it found. ``BF16`` tensors (which NumPy lacks) are read as float32, exactly.

>>> import numpy as np
>>> blob = save({"w": np.arange(6, dtype=np.float32).reshape(2, 3)}, metadata={"by": "doc"})
>>> tensors, metadata = load_with_metadata(blob)
>>> tensors["w"].tolist(), metadata
([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], {'by': 'doc'})
"""

from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

from ..errors import FileFormatError
from . import sniff
from .atomic import atomic_write

__all__ = [
    "DTYPES",
    "load",
    "load_file",
    "load_with_metadata",
    "read_file",
    "save",
    "save_file",
]

# safetensors dtype name -> NumPy dtype (little-endian, as the format stores them)
DTYPES: dict[str, np.dtype] = {
    "BOOL": np.dtype("|b1"),
    "U8": np.dtype("|u1"),
    "I8": np.dtype("|i1"),
    "U16": np.dtype("<u2"),
    "I16": np.dtype("<i2"),
    "U32": np.dtype("<u4"),
    "I32": np.dtype("<i4"),
    "U64": np.dtype("<u8"),
    "I64": np.dtype("<i8"),
    "F16": np.dtype("<f2"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
}
_NAME_OF = {(dtype.kind, dtype.itemsize): name for name, dtype in DTYPES.items()}
_BF16 = np.dtype("<u2")  # bfloat16: the top half of a float32
MAX_HEADER_BYTES = 100_000_000  # as the reference implementation: a header is never this big


# ---- writing ------------------------------------------------------------------------------------
def save(tensors: dict, metadata: dict[str, str] | None = None) -> bytes:
    """The safetensors bytes for ``{name: array}`` (Tensors and array-likes accepted).

    >>> save({})[:8] == (8).to_bytes(8, "little")  # an empty header, padded to 8 bytes
    True
    """
    arrays = {_check_name(name): _as_array(name, value) for name, value in tensors.items()}
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = _check_metadata(metadata)
    for name, array in arrays.items():
        end = offset + array.nbytes
        header[name] = {"dtype": _dtype_name(name, array), "shape": list(array.shape),
                        "data_offsets": [offset, end]}  # fmt: skip
        offset = end
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)  # keeps the data 8-byte aligned, as the reference writer
    parts = [struct.pack("<Q", len(text)), text]
    parts += [_little_endian(a).tobytes() for a in arrays.values()]
    return b"".join(parts)


def save_file(tensors: dict, filename, metadata: dict[str, str] | None = None) -> None:
    """Write ``save(tensors, metadata)`` to ``filename`` atomically (all or nothing)."""
    data = save(tensors, metadata)
    with atomic_write(filename) as file:
        file.write(data)


def _check_name(name) -> str:
    if not isinstance(name, str) or name == "__metadata__":
        raise TypeError(f"Tensor names must be strings other than '__metadata__', got {name!r}")
    return name


def _check_metadata(metadata) -> dict[str, str]:
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise TypeError(f"metadata must be a dict of str -> str, received {metadata!r}")
    return dict(metadata)


def _as_array(name: str, value) -> np.ndarray:
    data = getattr(value, "_data", None)  # an nnscratch Tensor, read without a graph
    array = np.asarray(data if isinstance(data, np.ndarray) else value)
    if (array.dtype.kind, array.dtype.itemsize) not in _NAME_OF:
        raise TypeError(
            f"Tensor {name!r} has dtype {array.dtype}; safetensors stores bool, (u)int8-64 "
            f"and float16/32/64: {', '.join(DTYPES)}"
        )
    return array if array.flags.c_contiguous else array.copy(order="C")  # keeps 0-d as 0-d


def _dtype_name(name: str, array: np.ndarray) -> str:
    return _NAME_OF[(array.dtype.kind, array.dtype.itemsize)]


def _little_endian(array: np.ndarray) -> np.ndarray:
    return array.astype(array.dtype.newbyteorder("<"), copy=False)


# ---- reading ------------------------------------------------------------------------------------
def load(data: bytes | bytearray | memoryview) -> dict[str, np.ndarray]:
    """``{name: array}`` from safetensors bytes (writable copies, native byte order)."""
    return load_with_metadata(data)[0]


def load_with_metadata(data, source: str = "safetensors data") -> tuple[dict, dict[str, str]]:
    """``({name: array}, metadata)`` from safetensors bytes; ``source`` names them in errors."""
    view = memoryview(data).cast("B")
    _check_kind(view, source)
    entries, metadata, start = _parse_header(view, source)
    body = np.frombuffer(view, np.uint8, offset=start) if len(view) > start else _EMPTY
    return {name: _read_tensor(name, entry, body, source) for name, entry in entries}, metadata


def load_file(filename) -> dict[str, np.ndarray]:
    """``{name: array}`` from a safetensors file (as ``safetensors.numpy.load_file``)."""
    return read_file(filename)[0]


def read_file(filename) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """``({name: array}, metadata)`` from a safetensors file."""
    try:
        with open(filename, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            buffer = bytearray(size)
            if file.readinto(buffer) != size:
                raise FileFormatError(f"{os.fspath(filename)!r} changed size while being read")
    except OSError as error:
        raise FileFormatError(f"Could not read {os.fspath(filename)!r}: {error}") from error
    return load_with_metadata(buffer, repr(os.fspath(filename)))


_EMPTY = np.zeros(0, np.uint8)


def _check_kind(view: memoryview, source: str) -> None:
    """Another known format is named as such, rather than read as a garbled header length."""
    kind = sniff.identify(view)
    if kind not in ("safetensors", "unknown", "empty"):
        raise FileFormatError(
            f"{source}: expected a safetensors file, received {sniff.DESCRIPTIONS[kind]}"
        )


def _parse_header(view: memoryview, source: str) -> tuple[list, dict[str, str], int]:
    if len(view) < 8:
        raise FileFormatError(
            f"{source}: expected at least 8 bytes (the header length), received {len(view)}"
        )
    (n,) = struct.unpack("<Q", view[:8])
    if n > min(len(view) - 8, MAX_HEADER_BYTES):
        raise FileFormatError(
            f"{source}: the header claims {n} bytes, but only {len(view) - 8} bytes follow the "
            f"length field (and headers are at most {MAX_HEADER_BYTES} bytes)"
        )
    header = _parse_json(bytes(view[8 : 8 + n]), source)
    metadata = _metadata(header.pop("__metadata__", None), source)
    entries = [(name, _entry(name, spec, source)) for name, spec in header.items()]
    _check_tiling(entries, len(view) - 8 - n, source)
    return entries, metadata, 8 + n


def _parse_json(raw: bytes, source: str) -> dict:
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FileFormatError(f"{source}: expected a UTF-8 JSON header, {error}") from error
    if not isinstance(header, dict):
        raise FileFormatError(
            f"{source}: expected the header to be a JSON object, received {type(header).__name__}"
        )
    return header


def _no_duplicates(pairs: list) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        duplicate = next(k for k in keys if keys.count(k) > 1)
        raise ValueError(f"the key {duplicate!r} appears twice")
    return dict(pairs)


def _metadata(value, source: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise FileFormatError(
            f"{source}: expected '__metadata__' to map strings to strings, received {value!r:.200}"
        )
    return value


def _is_size(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _entry(name: str, spec, source: str) -> tuple[np.dtype | str, tuple[int, ...], int, int]:
    """(dtype, shape, begin, end) of one tensor, each field checked."""
    where = f"{source}: tensor {name!r}"
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data_offsets"}:
        raise FileFormatError(
            f"{where}: expected an object with exactly 'dtype', 'shape' and 'data_offsets', "
            f"received {spec!r:.200}"
        )
    dtype, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
    if dtype not in DTYPES and dtype != "BF16":
        raise FileFormatError(
            f"{where}: unsupported dtype {dtype!r:.40}; expected one of {', '.join(DTYPES)}, BF16"
        )
    if not isinstance(shape, list) or not all(_is_size(d) for d in shape):
        raise FileFormatError(
            f"{where}: expected a list of sizes as shape, received {shape!r:.200}"
        )
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_size, offsets))):
        raise FileFormatError(f"{where}: expected data_offsets [begin, end], got {offsets!r:.200}")
    begin, end = offsets
    itemsize = 2 if dtype == "BF16" else DTYPES[dtype].itemsize
    expected = math.prod(shape) * itemsize
    if end < begin or end - begin != expected:
        raise FileFormatError(
            f"{where}: dtype {dtype} and shape {tuple(shape)} need {expected} bytes, but "
            f"data_offsets [{begin}, {end}] hold {end - begin}"
        )
    return dtype, tuple(shape), begin, end


def _check_tiling(entries: list, data_size: int, source: str) -> None:
    """The tensors' byte ranges must cover the data exactly, in some order."""
    position = 0
    for name, (_, _, begin, end) in sorted(entries, key=lambda e: (e[1][2], e[1][3])):
        if begin != position:
            problem = "overlaps the previous tensor" if begin < position else "leaves a gap"
            raise FileFormatError(
                f"{source}: tensor {name!r} starts at byte {begin} of the data, expected "
                f"{position}: it {problem}"
            )
        position = end
    if position != data_size:
        raise FileFormatError(
            f"{source}: the tensors hold {position} bytes of data, but the file has {data_size} "
            "bytes after the header (truncated, or extra bytes)"
        )


def _read_tensor(name: str, entry, body: np.ndarray, source: str) -> np.ndarray:
    dtype, shape, begin, end = entry
    raw = body[begin:end]
    if dtype == "BF16":  # widen: the bfloat16 bits are the top 16 of a float32
        return (raw.view(_BF16).astype(np.uint32) << 16).view(np.float32).reshape(shape)
    array = raw.view(DTYPES[dtype]).reshape(shape)
    if dtype == "BOOL" and (raw > 1).any():
        raise FileFormatError(
            f"{source}: tensor {name!r} is BOOL but holds bytes other than 0 and 1"
        )
    return array.astype(array.dtype.newbyteorder("="), copy=True)
