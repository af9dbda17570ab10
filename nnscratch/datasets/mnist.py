"""MNIST: 70,000 handwritten digits (28 x 28 grey levels), downloaded once and cached.

``load_mnist`` fetches the four gzip'd IDX files over HTTPS (from the first mirror that
answers), checks each file's SHA-256 against the published digest, keeps them in a cache folder
and parses them strictly. Without a network it fails within seconds and says where to put the
files by hand. ``read_idx`` reads any IDX file (the format of the original distribution).

    >>> import gzip, struct
    >>> read_idx(gzip.compress(struct.pack(">BBBBI", 0, 0, 0x08, 1, 3) + bytes([7, 8, 9])))
    array([7, 8, 9], dtype=uint8)
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import tempfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import FileFormatError

__all__ = ["FILES", "MIRRORS", "default_root", "load_mnist", "read_idx"]

# Tried in order; each serves the four files under these names.
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]
# SHA-256 of each gzip'd file as published (the same digests torchvision and TensorFlow check).
FILES = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
SPLITS = {
    True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
TIMEOUT = 5.0  # seconds a mirror may stay silent: an offline machine fails fast
# IDX type codes (the third magic byte); all multi-byte values are big-endian.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_MAX_DEFLATE_RATIO = 1032  # deflate cannot expand a byte into more: a bigger promise is a lie


class _DigestMismatch(ValueError):
    pass


def default_root() -> Path:
    """Where MNIST is cached: ``$NNSCRATCH_DATA/mnist``, else ``~/.cache/nnscratch/mnist``.

    >>> default_root().name
    'mnist'
    """
    base = os.environ.get("NNSCRATCH_DATA")
    return (Path(base) if base else Path.home() / ".cache" / "nnscratch") / "mnist"


def load_mnist(
    root: str | os.PathLike | None = None, train: bool = True, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The MNIST training set (60,000 digits) or, with ``train=False``, the test set (10,000).

    Returns ``images`` uint8 ``(n, 28, 28)`` (0 is background, 255 ink) and ``labels`` int64
    ``(n,)`` in 0..9. Files are cached in ``root`` (default: ``default_root()``); a file that is
    missing, or whose SHA-256 is wrong, is downloaded when ``download`` is true. Raises
    ``ConnectionError`` when no mirror can be reached, ``FileNotFoundError`` when a file is
    missing and ``download=False``, and ``FileFormatError`` (a ``ValueError``) for a file with
    the wrong digest or a malformed IDX layout.

    >>> import tempfile
    >>> load_mnist(tempfile.mkdtemp(), download=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    FileNotFoundError: load_mnist: ... is missing and download=False; ...
    """
    root = Path(root) if root is not None else default_root()
    image_name, label_name = SPLITS[bool(train)]
    images = read_idx(_fetch(root, image_name, download))
    labels = read_idx(_fetch(root, label_name, download))
    _check_mnist(images, labels, image_name, label_name)
    return images, labels.astype(np.int64)


def read_idx(source: str | os.PathLike | bytes) -> np.ndarray:
    """Parse an IDX file (a path or its bytes; gzip'd or not) into an array in native byte order.

    The layout is checked strictly: a magic number of two zero bytes, a known type code and a
    dimension count, then one big-endian uint32 per dimension, then exactly the data those
    dimensions describe. Anything else raises ``FileFormatError`` (a ``ValueError``) naming the
    file; a gzip'd file is inflated no further than its header promises.

    >>> import struct
    >>> read_idx(struct.pack(">BBBBII", 0, 0, 0x08, 2, 2, 2) + bytes([1, 2, 3, 4])).tolist()
    [[1, 2], [3, 4]]
    """
    name = "IDX data" if isinstance(source, (bytes, bytearray)) else str(source)
    data = bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, name)
    dtype, dims = _idx_header(data, name)
    start = 4 + 4 * len(dims)
    expected = math.prod(dims) * dtype.itemsize
    found = len(data) - start
    if found != expected:
        problem = "is truncated" if found < expected else "has trailing bytes"
        raise FileFormatError(
            f"read_idx: {name} {problem}: its header {dims} promises {expected} bytes of data, "
            f"found {found}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=start).reshape(dims)
    return array.astype(dtype.newbyteorder("="))  # a writable copy in native order


# ---- parsing ------------------------------------------------------------------------------------
def _gunzip(data: bytes, name: str) -> bytes:
    """The IDX header, then no more than the data it promises and one byte (to see extra)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as file:
            head = file.read(4)
            head += file.read(4 * head[3]) if len(head) == 4 else b""
            size = _promised_size(head, name, len(data))
            return head + file.read(size + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise FileFormatError(f"read_idx: {name} is not a valid gzip file ({error})") from None
    except MemoryError:
        raise FileFormatError(f"read_idx: {name} inflates to more than fits in memory") from None


def _promised_size(head: bytes, name: str, compressed: int) -> int:
    dtype, dims = _idx_header(head, name)
    size = math.prod(dims) * dtype.itemsize
    if size > _MAX_DEFLATE_RATIO * compressed:
        raise FileFormatError(
            f"read_idx: {name} is truncated or lies: its header {dims} promises {size} bytes of "
            f"data, more than a {compressed}-byte gzip file can hold"
        )
    return size


def _idx_header(data: bytes, name: str) -> tuple[np.dtype, tuple[int, ...]]:
    if len(data) < 4 or data[:2] != b"\x00\x00":
        raise FileFormatError(
            f"read_idx: {name} is not an IDX file: expected a magic number starting with two "
            f"zero bytes, found {data[:4].hex() or 'no bytes'}"
        )
    code, ndim = data[2], data[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02x}" for c in IDX_TYPES)
        raise FileFormatError(f"read_idx: {name} has unknown IDX type code 0x{code:02x} ({known})")
    if ndim == 0 or len(data) < 4 + 4 * ndim:
        raise FileFormatError(
            f"read_idx: {name} has a truncated header: {ndim} dimensions need "
            f"{4 + 4 * ndim} bytes, found {len(data)}"
        )
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    return np.dtype(IDX_TYPES[code]), dims


def _check_mnist(images: np.ndarray, labels: np.ndarray, image_name: str, label_name: str) -> None:
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise FileFormatError(
            f"load_mnist: {image_name} should hold uint8 images (n, 28, 28), found "
            f"{images.dtype} {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.shape != (len(images),) or labels.max(initial=0) > 9:
        raise FileFormatError(
            f"load_mnist: {label_name} should hold {len(images)} uint8 labels in 0..9, found "
            f"{labels.dtype} {labels.shape} with maximum {labels.max(initial=0)}"
        )


# ---- download -----------------------------------------------------------------------------------
def _fetch(root: Path, name: str, download: bool) -> Path:
    """The path of a verified copy of ``name`` in ``root``, downloading it if needed."""
    path = root / name
    if path.exists():
        digest = _sha256(path.read_bytes())
        if digest == FILES[name]:
            return path
        if not download:
            raise FileFormatError(
                f"load_mnist: {path} has SHA-256 {digest}, expected {FILES[name]}; delete it "
                "(or pass download=True) to fetch it again"
            )
    elif not download:
        raise FileNotFoundError(
            f"load_mnist: {path} is missing and download=False; {_where_to_put(root)}"
        )
    _download(name, path)
    return path


def _download(name: str, path: Path) -> None:
    """Try each mirror in turn; the first whose file has the right digest wins."""
    from http.client import HTTPException  # here, as urllib below

    path.parent.mkdir(parents=True, exist_ok=True)
    failures, mismatches = [], []
    for mirror in MIRRORS:
        url = mirror + name
        try:
            _download_one(url, path, FILES[name])
            return
        except _DigestMismatch as error:
            mismatches.append(str(error))
        except (OSError, HTTPException, ValueError) as error:  # unreachable, refused, bad URL
            failures.append(f"{url}: {getattr(error, 'reason', None) or error}")
    if mismatches:
        raise FileFormatError("load_mnist: " + "; ".join(mismatches))
    raise ConnectionError(
        f"load_mnist: could not download {name} ({'; '.join(failures)}). If this machine is "
        f"offline, {_where_to_put(path.parent)}"
    )


def _download_one(url: str, path: Path, sha256: str) -> None:
    """Stream ``url`` into a temporary file beside ``path``; move it there only if it verifies."""
    import urllib.request  # imported here: ``import nnscratch`` need not load the network stack

    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT) as reply:
            while chunk := reply.read(1 << 16):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise _DigestMismatch(
                f"{url} has SHA-256 {digest.hexdigest()}, expected {sha256} (a corrupted or "
                "changed download)"
            )
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _where_to_put(root: Path) -> str:
    names = ", ".join(FILES)
    return (
        f"download the MNIST files ({names}) from {' or '.join(MIRRORS)} and put them in {root} "
        "(or set the environment variable NNSCRATCH_DATA to a folder whose mnist/ holds them)"
    )
