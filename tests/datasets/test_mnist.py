"""MNIST loading without the network: small IDX files written here, served over file:// URLs.

The IDX bytes are packed by hand with ``struct`` (the layout is the format's definition), so
the parser is checked against an independent writer.
"""

import gzip
import hashlib
import struct
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

from nnscratch.datasets import load_mnist, mnist, read_idx

NAMES = list(mnist.FILES)


def idx(array: np.ndarray, code: int = 0x08, big_endian: str = ">u1") -> bytes:
    """The IDX encoding of ``array``: magic (0, 0, type, ndim), big-endian dims, then data."""
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(big_endian).tobytes()


def fake_split(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    return images, rng.integers(0, 10, size=n).astype(np.uint8)


@pytest.fixture
def mirror(tmp_path, monkeypatch, rng):
    """A folder of gzip'd IDX files served as a file:// mirror, with FILES set to their digests."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    data = {True: fake_split(rng, 5), False: fake_split(rng, 3)}
    digests = {}
    for train, (images, labels) in data.items():
        image_name, label_name = mnist.SPLITS[train]
        for name, array in ((image_name, images), (label_name, labels)):
            blob = gzip.compress(idx(array))
            (folder / name).write_bytes(blob)
            digests[name] = hashlib.sha256(blob).hexdigest()
    monkeypatch.setattr(mnist, "FILES", digests)
    monkeypatch.setattr(mnist, "MIRRORS", [folder.as_uri() + "/"])
    return folder, data


def test_downloads_verifies_caches_and_parses(mirror, tmp_path):
    folder, data = mirror
    root = tmp_path / "cache" / "deeper"
    for train in (True, False):
        images, labels = load_mnist(root, train=train)
        assert images.dtype == np.uint8 and images.shape == data[train][0].shape
        assert labels.dtype == np.int64 and labels.shape == data[train][1].shape
        assert np.array_equal(images, data[train][0])
        assert np.array_equal(labels, data[train][1])
    assert sorted(p.name for p in root.iterdir()) == sorted(NAMES)  # no temporary files left
    for name in NAMES:
        (folder / name).unlink()  # the mirror is gone: the cache alone must do
    assert np.array_equal(load_mnist(root, download=False)[0], data[True][0])
    assert np.array_equal(load_mnist(root)[1], data[True][1])


def test_a_later_mirror_is_used_when_the_first_fails(mirror, tmp_path, monkeypatch):
    folder, data = mirror
    missing = (tmp_path / "nowhere").as_uri() + "/"
    monkeypatch.setattr(mnist, "MIRRORS", [missing, folder.as_uri() + "/"])
    assert np.array_equal(load_mnist(tmp_path / "root", train=False)[1], data[False][1])


def test_default_root_follows_nnscratch_data_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path / "data"))
    assert mnist.default_root() == tmp_path / "data" / "mnist"
    monkeypatch.delenv("NNSCRATCH_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist.default_root() == tmp_path / "home" / ".cache" / "nnscratch" / "mnist"


def test_root_none_uses_the_default_root(mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path / "data"))
    load_mnist(train=False)
    assert (tmp_path / "data" / "mnist" / "t10k-labels-idx1-ubyte.gz").exists()


def test_a_download_with_the_wrong_digest_is_refused_and_not_kept(mirror, tmp_path, monkeypatch):
    monkeypatch.setitem(mnist.FILES, "train-images-idx3-ubyte.gz", "0" * 64)
    root = tmp_path / "root"
    message = r"train-images-idx3-ubyte.gz has SHA-256 \w{64}, expected 0{64}"
    with pytest.raises(ValueError, match=message):
        load_mnist(root)
    assert list(root.iterdir()) == []  # neither the file nor a temporary copy


def test_a_corrupted_cache_file_is_reported_or_downloaded_again(mirror, tmp_path):
    folder, data = mirror
    root = tmp_path / "root"
    load_mnist(root, train=False)
    label_file = root / "t10k-labels-idx1-ubyte.gz"
    label_file.write_bytes(b"garbage")
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz has SHA-256 .* delete it"):
        load_mnist(root, train=False, download=False)
    assert np.array_equal(load_mnist(root, train=False)[1], data[False][1])
    assert label_file.read_bytes() == (folder / label_file.name).read_bytes()


def test_an_interrupted_download_leaves_the_cache_as_it_was(mirror, tmp_path, monkeypatch):
    root = tmp_path / "root"
    root.mkdir()
    (root / "train-images-idx3-ubyte.gz").write_bytes(b"old copy")

    class Broken:  # a reply that dies after its first chunk
        chunks = [b"\x1f\x8b partial"]

        def read(self, size):
            if self.chunks:
                return self.chunks.pop()
            raise OSError("connection reset")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Broken())
    with pytest.raises(ConnectionError, match="connection reset"):
        load_mnist(root)
    assert sorted(p.name for p in root.iterdir()) == ["train-images-idx3-ubyte.gz"]
    assert (root / "train-images-idx3-ubyte.gz").read_bytes() == b"old copy"


def test_offline_fails_fast_and_says_where_to_put_the_files(tmp_path, monkeypatch):
    calls = []

    def offline(url, timeout):
        calls.append((url, timeout))
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    root = tmp_path / "root"
    start = time.perf_counter()
    with pytest.raises(ConnectionError) as error:
        load_mnist(root)
    assert time.perf_counter() - start < 5  # no retries, no sleeping
    message = str(error.value)
    assert "could not download train-images-idx3-ubyte.gz" in message
    assert "name resolution" in message and "offline" in message and str(root) in message
    assert "NNSCRATCH_DATA" in message and all(name in message for name in NAMES)
    assert [url for url, _ in calls] == [m + "train-images-idx3-ubyte.gz" for m in mnist.MIRRORS]
    assert all(timeout <= 10 for _, timeout in calls)
    assert all(url.startswith("https://") for url, _ in calls)


def test_missing_files_without_download_raise_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz is missing"):
        load_mnist(tmp_path, download=False)


def test_published_digests_and_mirrors_are_well_formed():
    assert sorted(mnist.FILES) == sorted(n for split in mnist.SPLITS.values() for n in split)
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in mnist.FILES.values())
    assert all(m.startswith("https://") and m.endswith("/") for m in mnist.MIRRORS)


# ---- the IDX parser -----------------------------------------------------------------------------
def test_read_idx_decodes_every_type_to_native_order(tmp_path):
    cases = [
        (0x08, ">u1", np.uint8),
        (0x09, ">i1", np.int8),
        (0x0B, ">i2", np.int16),
        (0x0C, ">i4", np.int32),
        (0x0D, ">f4", np.float32),
        (0x0E, ">f8", np.float64),
    ]
    values = np.array([[0, 1, -2], [100, -7, 3]])
    for code, wire, dtype in cases:
        array = values.astype(dtype)
        out = read_idx(idx(array, code, wire))
        assert out.dtype == np.dtype(dtype) and out.dtype.isnative
        assert np.array_equal(out, array) and out.flags.writeable
    path = tmp_path / "x.idx.gz"
    path.write_bytes(gzip.compress(idx(values.astype(np.int16), 0x0B, ">i2")))
    assert read_idx(path).tolist() == values.tolist()
    assert read_idx(str(path)).shape == (2, 3)


@pytest.mark.parametrize(
    "blob, message",
    [
        (b"\x08\x03\x00\x00" + bytes(20), "not an IDX file: expected a magic number"),
        (b"", "found no bytes"),
        (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "unknown IDX type code 0x07"),
        (b"\x00\x00\x08\x03" + struct.pack(">I", 2), "truncated header: 3 dimensions"),
        (b"\x00\x00\x08\x00", "truncated header: 0 dimensions"),
        (idx(np.zeros((4, 2), np.uint8))[:-1], r"is truncated: its header \(4, 2\) promises 8"),
        (idx(np.zeros(3, np.uint8)) + b"\x00", "has trailing bytes"),
        (gzip.compress(idx(np.zeros(300, np.uint8)))[:-8], "not a valid gzip file"),
    ],
)
def test_read_idx_rejects_malformed_files(blob, message):
    with pytest.raises(ValueError, match=message):
        read_idx(blob)


def test_malformed_mnist_files_give_clear_errors(tmp_path, monkeypatch, rng):
    images, labels = fake_split(rng, 4)
    cases = {
        "bad magic": (b"\x01" + idx(images)[1:], idx(labels), "not an IDX file"),
        "truncated": (idx(images)[:-10], idx(labels), "is truncated"),
        "wrong size": (idx(images[:, :27, :27]), idx(labels), r"uint8 images \(n, 28, 28\)"),
        "too few labels": (idx(images), idx(labels[:3]), "should hold 4 uint8 labels"),
        "label 10": (idx(images), idx(np.array([1, 2, 10, 3], np.uint8)), "maximum 10"),
    }
    for case, (image_bytes, label_bytes, message) in cases.items():
        root = tmp_path / case.replace(" ", "_")
        root.mkdir()
        digests = {}
        for name, raw in zip(mnist.SPLITS[True], (image_bytes, label_bytes)):
            blob = gzip.compress(raw)
            (root / name).write_bytes(blob)
            digests[name] = hashlib.sha256(blob).hexdigest()
        monkeypatch.setattr(mnist, "FILES", {**mnist.FILES, **digests})
        with pytest.raises(ValueError, match=message):
            load_mnist(root, download=False)
