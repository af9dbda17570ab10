"""``.npz`` files: written atomically, read strictly. Torn, hostile and wrong-kind files raise
FileFormatError naming the file (never BadZipFile, EOFError or numpy's ValueError), and no
header can make the reader allocate more than the file holds."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

from nnscratch import keras as nk
from nnscratch.errors import FileFormatError
from nnscratch.io.npz import read_npz, read_npz_list, write_npz


def _npy_header(descr: str, shape: tuple, fortran: bool = False) -> bytes:
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def _zip(path, members: dict, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _model():
    return nk.Sequential([nk.Input(shape=(3,)), nk.layers.Dense(2)])


def test_arrays_round_trip_in_every_layout(tmp_path):
    arrays = {
        "c": np.arange(6.0).reshape(2, 3),
        "f": np.asfortranarray(np.arange(6, dtype=">f4").reshape(3, 2)),
        "empty": np.zeros((0, 4), np.int16),
        "scalar": np.array(True),
    }
    write_npz(tmp_path / "a.npz", arrays)
    back = read_npz(tmp_path / "a.npz")
    assert list(back) == list(arrays)
    for name, array in arrays.items():
        assert back[name].shape == array.shape and np.array_equal(back[name], array)
        assert back[name].dtype.isnative and back[name].flags.writeable
    with np.load(tmp_path / "a.npz", allow_pickle=False) as data:  # NumPy reads ours
        assert np.array_equal(data["f"], arrays["f"])
    np.savez_compressed(tmp_path / "z.npz", np.ones(1000), np.arange(3))  # and we read NumPy's
    assert [a.sum() for a in read_npz_list(tmp_path / "z.npz")] == [1000.0, 3]


def test_object_arrays_are_refused_on_both_sides(tmp_path):
    with pytest.raises(TypeError, match="needs pickle"):
        write_npz(tmp_path / "o.npz", [np.array([1, "a"], dtype=object)])
    assert not (tmp_path / "o.npz").exists()
    np.savez(tmp_path / "o.npz", np.array([1, "a"], dtype=object))  # NumPy pickles it
    with pytest.raises(FileFormatError, match="'arr_0.npy': expected an array of numbers"):
        read_npz(tmp_path / "o.npz")
    with pytest.raises(FileFormatError, match="Python objects"):
        nk.callbacks.load_weights_npz(_model(), tmp_path / "o.npz")


def test_every_truncation_is_a_file_format_error(tmp_path):
    write_npz(tmp_path / "w.npz", _model().get_weights())
    data = (tmp_path / "w.npz").read_bytes()
    for cut in range(len(data)):
        (tmp_path / "t.npz").write_bytes(data[:cut])
        with pytest.raises(FileFormatError, match="t.npz"):
            read_npz(tmp_path / "t.npz")


def test_a_huge_shape_is_refused_before_anything_is_allocated(tmp_path):
    header = _npy_header("<f8", (10**6, 10**6))
    path = _zip(tmp_path / "h.npz", {"arr_0.npy": header + bytes(64)})
    tracemalloc.start()
    try:
        with pytest.raises(FileFormatError, match=r"claims shape \(1000000, 1000000\)"):
            read_npz(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_a_header_dict_with_a_bytes_key_is_a_file_format_error(tmp_path):
    """NumPy's parser raises TypeError sorting {b'descr': ..., 'shape': ...}; found by fuzzing."""
    text = "{b'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
    text += " " * (63 - (10 + len(text)) % 64) + "\n"
    header = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")
    path = _zip(tmp_path / "b.npz", {"arr_0.npy": header + bytes(16)})
    with pytest.raises(FileFormatError, match="expected a .npy header"):
        read_npz(path)


def _lie_about_size(path, size: int) -> None:
    """Patch the uncompressed size of the first member, in its local and central headers."""
    data = bytearray(path.read_bytes())
    data[22:26] = struct.pack("<I", size)
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(data))


def test_a_deflated_member_cannot_claim_more_than_deflate_can_expand(tmp_path):
    items = (2**32 - 1000) // 8  # a header whose shape matches the lie
    member = _npy_header("<f8", (items,)) + bytes(800)
    path = _zip(tmp_path / "bomb.npz", {"arr_0.npy": member}, zipfile.ZIP_DEFLATED)
    _lie_about_size(path, len(_npy_header("<f8", (items,))) + items * 8)
    with pytest.raises(FileFormatError, match="cannot hold them"):
        read_npz(path)


def test_odd_members_and_names_are_refused(tmp_path):
    good = _npy_header("<f4", (1,)) + bytes(4)
    cases = {
        "notes.txt": ({"arr_0.npy": good, "notes.txt": b"hi"}, "expected only .npy members"),
        "twice": ({"arr_0.npy": good, "arr_1.npy": good}, None),
        "v3": ({"arr_0.npy": b"\x93NUMPY\x03\x00" + good[8:]}, "format 1.0 or 2.0"),
        "garbled": ({"arr_0.npy": good[:10] + b"(((" + good[13:]}, "arr_0.npy"),
        "negative": ({"arr_0.npy": _npy_header("<f4", (-1, -1)) + bytes(4)}, "sizes >= 0"),
    }
    for name, (members, message) in cases.items():
        path = _zip(tmp_path / f"{name}.npz", members)
        if message is None:
            assert len(read_npz(path)) == 2
            continue
        with pytest.raises(FileFormatError, match=message):
            read_npz(path)
    with zipfile.ZipFile(tmp_path / "dup.npz", "w") as archive, pytest.warns(UserWarning):
        archive.writestr("arr_0.npy", good)
        archive.writestr("arr_0.npy", good)
    with pytest.raises(FileFormatError, match="each member once"):
        read_npz(tmp_path / "dup.npz")
    np.savez(tmp_path / "named.npz", w=np.ones(2))
    with pytest.raises(FileFormatError, match="arr_0 ... arr_0"):
        read_npz_list(tmp_path / "named.npz")


def test_load_weights_reads_npz_files_and_checks_them(tmp_path):
    model = _model()
    np.savez(tmp_path / "w.npz", *model.get_weights())  # as real Keras users write them
    twin = _model()
    twin.load_weights(tmp_path / "w.npz")
    assert all(np.array_equal(a, b) for a, b in zip(twin.get_weights(), model.get_weights()))
    kernel, bias = model.get_weights()
    np.savez(tmp_path / "short.npz", kernel)
    np.savez(tmp_path / "shape.npz", kernel.T, bias)
    np.savez(tmp_path / "text.npz", kernel.astype(str), bias)
    cases = {
        "short.npz": "holds 1 arrays, the model has 2 weights",
        "shape.npz": r"weight 0 in get_weights\(\) order \(arr_0\) expects shape \(3, 2\)",
        "text.npz": "weight 0 .* received shape \\(3, 2\\) and dtype <U",
    }
    for name, message in cases.items():
        with pytest.raises(FileFormatError, match=message):
            twin.load_weights(tmp_path / name)
    with pytest.warns(UserWarning, match="Skipping weight 0"):
        twin.load_weights(tmp_path / "shape.npz", skip_mismatch=True)
    assert np.array_equal(twin.get_weights()[1], bias)


def test_model_checkpoint_npz_round_trips(tmp_path):
    model = _model()
    model.compile(optimizer="sgd", loss="mse")
    callback = nk.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}.npz"), monitor="loss")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=2, verbose=0, callbacks=[callback])
    twin = _model()
    nk.callbacks.load_weights_npz(twin, tmp_path / "e2.npz")
    assert all(np.array_equal(a, b) for a, b in zip(twin.get_weights(), model.get_weights()))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1.npz", "e2.npz"]
