"""``get_file``, offline: the path of a file you put in Keras's cache; nnscratch never fetches it.

nnscratch's one network access is ``nnscratch.datasets.load_mnist``, an explicit download of
four files whose SHA-256 digests are pinned in the source. ``get_file`` would fetch any URL a
script names, usually with no digest, and Keras would then unpack archives from it; so here it
only finds the file where Keras would have cached it (``$KERAS_HOME`` or ``~/.keras``, then
``cache_subdir``), checks its hash when one is given, and otherwise says where to put it.
"""

from __future__ import annotations

import hashlib
import os
import urllib.parse

from ...errors import FileFormatError

__all__ = ["get_file"]


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):  # fmt: skip
    """The local path of ``fname`` (default: the last part of ``origin``'s URL) in the cache.

    Raises ``FileNotFoundError`` naming the URL and the path to save it at when the file is
    missing (or ``force_download`` asks for a fresh copy), ``FileFormatError`` when its hash
    differs from ``file_hash``, and ``NotImplementedError`` for ``extract`` / ``untar``.

    >>> import tempfile
    >>> get_file("x.csv", "https://example.com/x.csv", cache_dir=tempfile.mkdtemp())
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: get_file: nnscratch does not download files; ...
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if untar or extract:
        raise NotImplementedError(
            "get_file(extract=True / untar=True) is not supported: nnscratch does not unpack "
            "archives; extract it yourself and read the files from disk"
        )
    fname = fname or os.path.basename(urllib.parse.urlsplit(str(origin)).path)
    if not fname or os.path.basename(os.fspath(fname)) != os.fspath(fname):
        raise ValueError(f"get_file expects `fname` to be a plain file name, received {fname!r}")
    path = os.path.join(_cache_root(cache_dir), cache_subdir, fname)
    if force_download or not os.path.isfile(path):
        raise FileNotFoundError(
            f"get_file: nnscratch does not download files; download {origin} yourself and save "
            f"it as {path}"
        )
    expected = file_hash or md5_hash
    if expected is not None:
        _check_hash(path, str(expected), "md5" if md5_hash and not file_hash else hash_algorithm)
    return path


def _cache_root(cache_dir) -> str:
    if cache_dir is not None:
        return os.path.expanduser(os.fspath(cache_dir))
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def _check_hash(path: str, expected: str, algorithm: str) -> None:
    if algorithm == "auto":
        algorithm = "sha256" if len(expected) == 64 else "md5"
    if algorithm not in ("sha256", "md5"):
        raise ValueError(
            f"get_file: hash_algorithm must be 'auto', 'sha256' or 'md5', received {algorithm!r}"
        )
    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        raise FileFormatError(
            f"get_file: {path} has {algorithm} {digest.hexdigest()}, expected {expected}; "
            "download it again"
        )
