"""Mutations of the file formats nnscratch reads, for tests/io/test_fuzz_readers.py.

Each function returns cases, ``(label, bytes)`` pairs, made deterministically from a valid
file (and a seeded ``numpy.random.Generator`` where it draws): random bytes, cuts at each kind
of boundary a format has, byte flips, edits of the fields a reader trusts (a safetensors JSON
header, a zip's local and central directory records, the header of a ``.npy`` inside an
``.npz``), JSON nested 100,000 levels deep, a wrong type in every JSON field, and sizes of
10**9 to 10**12. A label names the mutation, so a failing case can be made again by hand.
"""

from __future__ import annotations

import copy
import io
import json
import struct
import zipfile

import numpy as np

DEEP = 100_000  # JSON nesting depth of the deep cases (issue 18)
HUGE = [10**9, 10**10, 10**12]
# Values put in place of every JSON field in turn: other types, and sizes far too large.
HOSTILE = [None, True, -1, 0, 2**63, 10**12, 1.5, -1e308, "x", "", [], [1, "a"], {}, {"a": None}]


# ---- bytes ------------------------------------------------------------------------------------
def random_bytes(rng: np.random.Generator, count: int, prefixes=(b"",)) -> list:
    """``count`` random blobs of 0..2,000 bytes, each after one of ``prefixes`` (a magic)."""
    cases = []
    for i in range(count):
        prefix = prefixes[i % len(prefixes)]
        body = rng.integers(0, 256, int(rng.integers(0, 2000)), dtype=np.uint8).tobytes()
        cases.append((f"random bytes #{i} after {prefix[:8]!r}", prefix + body))
    return cases


def flips(rng: np.random.Generator, blob: bytes, count: int, span: tuple = (0, None)) -> list:
    """``count`` copies of ``blob`` with 1 to 4 bytes changed (inside ``span`` if given)."""
    low, high = span[0], span[1] or len(blob)
    cases = []
    for _ in range(count):
        out = bytearray(blob)
        edits = [(int(rng.integers(low, high)), _byte(rng)) for _ in range(4)]
        for position, value in edits[: int(rng.integers(1, 5))]:
            out[position] = value
        cases.append((f"flips {edits} of {len(blob)} bytes", bytes(out)))
    return cases


def _byte(rng: np.random.Generator) -> int:
    """Any byte, or half the time one that means something in JSON (so that a flip in a
    header often still parses, and reaches the checks behind the parser)."""
    if rng.random() < 0.5:
        return int(rng.integers(0, 256))
    return int(rng.choice(np.frombuffer(_JSON_BYTES, np.uint8)))


_JSON_BYTES = b'{}[]",:0123456789-.eE aflnrstu'


def truncations(blob: bytes, boundaries, what: str, around=(-1, 0, 1)) -> list:
    """``blob`` cut at each boundary (and by default just before and after it)."""
    cuts = sorted({b + d for b in boundaries for d in around if 0 <= b + d < len(blob)})
    return [(f"{what} cut at byte {cut} of {len(blob)}", blob[:cut]) for cut in cuts]


def patch(blob: bytes, offset: int, fmt: str, value: int) -> bytes:
    """``blob`` with the little-endian field ``fmt`` at ``offset`` set to ``value``."""
    size = struct.calcsize(fmt)
    value &= (1 << (8 * size)) - 1  # -1 becomes all ones, as a writer's wraparound would
    return blob[:offset] + struct.pack(fmt, value) + blob[offset + size :]


# ---- JSON -------------------------------------------------------------------------------------
def deep_json(kind: str, depth: int = DEEP) -> str:
    """A list or an object nested ``depth`` levels deep."""
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def json_paths(value, prefix=()):
    """Every path (a tuple of keys and indices) in a JSON value, the root first."""
    yield prefix
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in items:
        yield from json_paths(child, (*prefix, key))


def replaced(value, path: tuple, new):
    """A deep copy of ``value`` with the node at ``path`` replaced by ``new``."""
    if not path:
        return new
    value = copy.deepcopy(value)
    node = value
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return value


def wrong_types(doc, per_path: int = 2) -> list:
    """``(label, doc)`` with each field of ``doc`` in turn replaced by ``per_path`` of
    ``HOSTILE`` (taken round-robin, so every hostile value is used)."""
    cases = []
    for i, path in enumerate(json_paths(doc)):
        for k in range(per_path):
            value = HOSTILE[(i * per_path + k) % len(HOSTILE)]
            cases.append((f"{list(path)} = {value!r}", replaced(doc, path, value)))
    return cases


def json_boundaries(text: str) -> list[int]:
    """Byte positions where a JSON text changes structure."""
    data = text.encode()
    return [i for i, byte in enumerate(data) if chr(byte) in '{}[],:"']


# ---- safetensors ------------------------------------------------------------------------------
def st_split(blob: bytes) -> tuple[dict, bytes]:
    size = struct.unpack("<Q", blob[:8])[0]
    return json.loads(blob[8 : 8 + size]), blob[8 + size :]


def st_join(header, body: bytes, raw: bytes | None = None) -> bytes:
    raw = json.dumps(header).encode() if raw is None else raw
    return struct.pack("<Q", len(raw)) + raw + body


def st_boundaries(blob: bytes) -> list[int]:
    header, body = st_split(blob)
    start = len(blob) - len(body)
    ends = [start + o for v in header.values() if "data_offsets" in v for o in v["data_offsets"]]
    return [0, 4, 8, 9, start - 1, start, *ends, len(blob)]


def st_header_edits(blob: bytes) -> list:
    """Offsets, shapes, dtypes and the length field of a safetensors file, lied about."""
    header, body = st_split(blob)
    names = [k for k in header if k != "__metadata__"]
    end = len(body)
    cases = []
    for i, (field, value) in enumerate(_st_edits(end)):
        for name in (names[i % len(names)], names[(i * 7 + 3) % len(names)]):
            entry = {**header[name], field: value}
            cases.append((f"{name}.{field} = {value!r}", st_join({**header, name: entry}, body)))
    raw = json.dumps(header).encode()
    for size in (0, 1, 7, len(raw) - 1, len(raw) + 1, len(blob), 10**8 + 1, 2**63, 2**64 - 1):
        cases.append((f"header length {size}", patch(blob, 0, "<Q", size)))
    for meta in _METADATA:
        edited = st_join({**header, "__metadata__": meta}, body)
        cases.append((f"__metadata__ = {str(meta)[:60]}", edited))
    deep = f'{{"a": {deep_json("list")}}}'.encode()
    cases.append(("header JSON nested 100,000 deep", st_join(None, body, deep)))
    return cases


def _st_edits(end: int) -> list:
    """(field, lie) for one tensor's entry, for a body of ``end`` bytes."""
    return [
        ("data_offsets", [0, end + 1]), ("data_offsets", [end, 0]), ("data_offsets", [-1, 4]),
        ("data_offsets", [0, 10**12]), ("data_offsets", [10**12, 10**12 + 4]),
        ("data_offsets", ["0", 4]), ("data_offsets", [0]), ("data_offsets", 5),
        ("data_offsets", [0.5, 4]), ("shape", [10**12]), ("shape", [10**9, 10**9]),
        ("shape", [10**6, 10**6, 10**6]), ("shape", [-1]), ("shape", [2**64]), ("shape", ["3"]),
        ("shape", 3), ("shape", None), ("shape", []), ("shape", [0]), ("dtype", "F64"),
        ("dtype", "BF16"), ("dtype", "F8_E5M2"), ("dtype", "X"), ("dtype", 3), ("dtype", None),
    ]  # fmt: skip


_METADATA = [
    [1], "x", {"format": 3}, {"format": "nnscratch.state", "format_version": 1},
    {"format": "nnscratch.state", "format_version": "1", "structure": 5},
    {"format": "nnscratch.state", "format_version": "1", "structure": deep_json("list")},
    {"format": "nnscratch.state", "format_version": "1", "structure": deep_json("dict")},
    {"format": "nnscratch.state", "format_version": "1", "structure": '{"tensor": "nope"}'},
    {"format": "nnscratch.state", "format_version": "1", "structure": '{"dict": [[[], 1]]}'},
]  # fmt: skip


def structure_edits(blob: bytes, per_path: int = 2) -> list:
    """A wrong type in every field of the JSON structure that ``ns.save`` keeps in the
    metadata (the checkpoint's model, optimizer, scheduler and random state)."""
    header, body = st_split(blob)
    structure = json.loads(header["__metadata__"]["structure"])
    cases = []
    for label, changed in wrong_types(structure, per_path):
        meta = {**header["__metadata__"], "structure": json.dumps(changed)}
        cases.append((f"structure {label}", st_join({**header, "__metadata__": meta}, body)))
    return cases


# ---- zip archives -----------------------------------------------------------------------------
def zip_records(blob: bytes) -> dict:
    """Offsets of a zip's end record, central directory entries and local headers."""
    end = blob.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack("<HII", blob[end + 10 : end + 20])
    central, locals_, offset = [], [], start
    for _ in range(count):
        central.append(offset)
        locals_.append(struct.unpack("<I", blob[offset + 42 : offset + 46])[0])
        lengths = struct.unpack("<HHH", blob[offset + 28 : offset + 34])
        offset += 46 + sum(lengths)
    return {"end": end, "central": central, "local": locals_, "cd_start": start}


def zip_boundaries(blob: bytes) -> list[int]:
    records = zip_records(blob)
    cuts = [0, 4, records["cd_start"], records["end"], records["end"] + 22, len(blob)]
    for offset in records["local"]:
        name, extra = struct.unpack("<HH", blob[offset + 26 : offset + 30])
        data = offset + 30 + name + extra
        size = struct.unpack("<I", blob[offset + 18 : offset + 22])[0]
        cuts += [offset, offset + 30, data, data + 10, data + size]
    cuts += [c + d for c in records["central"] for d in (0, 46)]
    return cuts


# (record, field offset, format): central directory and local header fields, then the end record
_CENTRAL = {
    "method": (10, "<H"),
    "compressed size": (20, "<I"),
    "size": (24, "<I"),
    "name length": (28, "<H"),
    "extra length": (30, "<H"),
    "local offset": (42, "<I"),
}
_LOCAL = {
    "method": (8, "<H"),
    "compressed size": (18, "<I"),
    "size": (22, "<I"),
    "name length": (26, "<H"),
    "extra length": (28, "<H"),
}
_END = {"entries here": (8, "<H"), "entries": (10, "<H"), "directory size": (12, "<I"),
        "directory offset": (16, "<I")}  # fmt: skip


def zip_field_edits(blob: bytes) -> list:
    """The sizes, offsets, counts and methods of a zip's records, set to lies."""
    records = zip_records(blob)
    cases = []
    tables = [("central", records["central"], _CENTRAL), ("local", records["local"], _LOCAL)]
    for kind, offsets, fields in tables:
        for i, record in enumerate(offsets):
            for field, (at, fmt) in fields.items():
                old = struct.unpack(fmt, blob[record + at : record + at + struct.calcsize(fmt)])[0]
                for value in _lies(field, old, len(blob))[i % 2 :: 2]:  # half each, in turn
                    edited = patch(blob, record + at, fmt, value)
                    cases.append((f"{kind} record {i}: {field} {old} -> {value}", edited))
    for field, (at, fmt) in _END.items():
        offset = records["end"] + at
        old = struct.unpack(fmt, blob[offset : offset + struct.calcsize(fmt)])[0]
        for value in _lies(field, old, len(blob)):
            cases.append((f"end record: {field} {old} -> {value}", patch(blob, offset, fmt, value)))
    return cases


def _lies(field: str, old: int, size: int) -> list[int]:
    if field == "method":
        return [8, 12, 14, 99, 1]  # deflate, bzip2, lzma over stored bytes; AES; shrink
    return [0, 1, old - 1, old + 1, size, 0x7FFFFFFF, 0xFFFFFFFF]


def zip_of(members: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# ---- .npy headers inside an .npz --------------------------------------------------------------
def npy(header: str, data: bytes, version: tuple = (1, 0), length: int | None = None) -> bytes:
    """The start of a ``.npy`` member, up to its data: the header text ``header``, padded as
    NumPy pads it, and its length (or ``length``, a lie)."""
    text = header.encode("latin1")
    fmt = "<H" if version[0] == 1 else "<I"
    prefix = 6 + 2 + struct.calcsize(fmt)
    text += b" " * (-(prefix + len(text) + 1) % 64) + b"\n"
    size = len(text) if length is None else length
    return b"\x93NUMPY" + bytes(version) + struct.pack(fmt, size & 0xFFFFFFFF) + text


def npy_header_edits(array: np.ndarray) -> list:
    """``(label, member bytes)``: ``array`` as a ``.npy`` whose header lies or attacks."""
    data = np.ascontiguousarray(array).tobytes()
    descr, shape = np.lib.format.dtype_to_descr(array.dtype), array.shape

    def header(descr=descr, fortran="False", shape=shape) -> str:
        return f"{{'descr': {descr!r}, 'fortran_order': {fortran}, 'shape': {shape!r}, }}"

    cases = [(f"shape {s!r}", npy(header(shape=s), data)) for s in _NPY_SHAPES]
    cases += [(f"descr {d!r}", npy(header(descr=d), data)) for d in _NPY_DESCRS]
    cases += [(f"fortran_order {f}", npy(header(fortran=f), data)) for f in _NPY_FORTRAN]
    cases += [(f"header {text[:40]!r}", npy(text, data)) for text in _npy_texts(header())]
    deep = header(shape="(" * DEEP + ")" * DEEP)
    cases.append(("shape nested 100,000 deep", npy(deep, data, (2, 0))))
    good = npy(header(), data)
    cases += [(f"header length {n}", npy(header(), data, length=n)) for n in (0, 1, 0xFFFF)]
    for version in ((2, 0), (3, 0), (9, 9)):
        cases.append((f"version {version}, a 1.0 header", good[:6] + bytes(version) + good[8:]))
    cases.append(("version 2.0, length 2**31", npy(header(), data, (2, 0), 2**31)))
    cases.append(("magic altered", b"\x93NUMPX" + good[6:]))
    return [(label, member + data) for label, member in cases]


_NPY_SHAPES = [(10**12,), (10**9, 10**9), (2**63,), (2**64,), (-1,), (3, -4), (), (12, 1),
               ("a",), 3, (1.5,), (10**6,) * 4]  # fmt: skip
_NPY_DESCRS = ["|O", "<U10", "|V8", [("a", "<f4")], "<c8", ">f4", "x", 5, "|b1", "<M8[s]"]
_NPY_FORTRAN = ["True", "'yes'", "1", "None"]


def _npy_texts(good: str) -> list[str]:
    return [
        "[1, 2]", "{'descr': '<f4'}", good[:-2] + "'extra': 1, }", "__import__('os')",
        good[:-3], "", "{" + "'a': {" * 200 + "}" * 201, "{'descr': '<f4', 'descr': '|O'}",
    ]  # fmt: skip
