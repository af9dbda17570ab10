"""Files of another kind are named in the readers' errors: an HDF5 file (Keras 2 ``.h5``,
Keras's ``.weights.h5``, with or without a user block), a Keras 3 ``.keras`` archive, a zip,
a pickle; and the errors say what to do. Real HDF5 files are made with h5py, real Keras 3
archives with Keras when they are installed."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from nnscratch import keras as nk
from nnscratch.errors import FileFormatError
from nnscratch.io import safetensors, sniff


def _oracle(name: str):
    """An installed test extra, or a skip on a user's machine; in CI a missing one fails."""
    return __import__(name) if os.environ.get("CI") else pytest.importorskip(name)


def _hdf5(path, userblock: int = 0):
    h5py = _oracle("h5py")
    with h5py.File(path, "w", userblock_size=userblock) as file:
        file.create_dataset("kernel", data=np.ones((3, 2), np.float32))
    return path


def _zip(path, members: dict):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _keras3_archive(tmp_path):
    """What Keras 3's ``model.save("m.keras")`` writes: JSON members and HDF5 weights."""
    weights = _hdf5(tmp_path / "model.weights.h5").read_bytes()
    metadata = json.dumps({"keras_version": "3.5.0", "date_saved": "2024-01-01@00:00:00"})
    config = json.dumps({"class_name": "Sequential", "config": {"layers": []}})
    members = {"metadata.json": metadata, "config.json": config, "model.weights.h5": weights}
    return _zip(tmp_path / "m.keras", members)


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _small():
    return nk.Sequential([nk.Input(shape=(3,)), nk.layers.Dense(2)])


# ---- identify -----------------------------------------------------------------------------------
@pytest.mark.parametrize("userblock", [0, 512, 2048])
def test_hdf5_is_recognised_at_offset_zero_and_after_a_user_block(tmp_path, userblock):
    path = _hdf5(tmp_path / "w.h5", userblock)
    assert sniff.identify_file(path) == "hdf5"
    assert sniff.identify(path.read_bytes()) == "hdf5"


def test_zips_are_told_apart_by_their_members(tmp_path):
    nk_archive = tmp_path / "ours.keras"
    _small().save(nk_archive)
    np.savez(tmp_path / "w.npz", np.ones(2))
    torch_like = {"archive/data.pkl": b"\x80\x02}q\x00.", "archive/version": b"3"}
    cases = {
        _keras3_archive(tmp_path): "keras3",
        nk_archive: "nnscratch_keras",
        tmp_path / "w.npz": "npz",
        _zip(tmp_path / "t.pt", torch_like): "torch_zip",
        _zip(tmp_path / "z.zip", {"readme.txt": b"hello"}): "zip",
    }
    for path, kind in cases.items():
        assert sniff.identify_file(path) == kind, path
        assert sniff.identify(path.read_bytes()) == kind, path


def test_other_kinds_by_their_first_bytes():
    cases = {
        b"": "empty",
        safetensors.save({"w": np.zeros(2)}): "safetensors",
        _npy(np.arange(3)): "npy",
        pickle.dumps({"w": 1}, protocol=2): "pickle",
        pickle.dumps({"w": 1}, protocol=5): "pickle",
        b"\x1f\x8b\x08\x00": "gzip",
        b'  {"class_name": "Dense"}': "json",
        b"just some text": "unknown",
    }
    for data, kind in cases.items():
        assert sniff.identify(data) == kind, data[:20]


def test_a_safetensors_file_holding_hdf5_bytes_is_still_safetensors(tmp_path):
    signature = np.frombuffer(sniff.HDF5_SIGNATURE * 200, np.uint8)
    data = safetensors.save({"blob": signature})  # the signature lands at offset 512 too
    assert data[512:520] == sniff.HDF5_SIGNATURE
    assert sniff.identify(data) == "safetensors"
    assert (safetensors.load(data)["blob"] == signature).all()


def test_a_missing_file_is_unknown_not_an_error(tmp_path):
    assert sniff.identify_file(tmp_path / "absent") == "unknown"


# ---- the readers' errors ------------------------------------------------------------------------
def test_load_weights_names_an_hdf5_file_and_says_how_to_convert(tmp_path):
    for path in (_hdf5(tmp_path / "w.weights.h5"), _hdf5(tmp_path / "m.h5", 512)):
        with pytest.raises(FileFormatError) as caught:
            _small().load_weights(path)
        message = str(caught.value)
        assert "is an HDF5 file" in message and "Keras 2 `.h5`" in message
        assert "numpy.savez('weights.npz', *model.get_weights())" in message
        assert "claims" not in message  # not read as a safetensors header length


def test_safetensors_readers_name_zips_pickles_and_hdf5(tmp_path):
    np.savez(tmp_path / "w.npz", np.ones(2))
    (tmp_path / "p.bin").write_bytes(pickle.dumps([1, 2], protocol=4))
    cases = {
        tmp_path / "w.npz": "a NumPy `.npz` archive",
        tmp_path / "p.bin": "a pickle",
        _hdf5(tmp_path / "x.h5"): "an HDF5 file",
        _keras3_archive(tmp_path): "a Keras 3 `.keras` archive",
    }
    for path, what in cases.items():
        with pytest.raises(FileFormatError, match=f"expected a safetensors file, received {what}"):
            safetensors.load_file(path)


def test_load_model_names_a_keras3_archive_as_not_yet_readable(tmp_path):
    path = _keras3_archive(tmp_path)
    for load in (nk.models.load_model, _small().load_weights):
        with pytest.raises(FileFormatError, match="is a Keras 3 `.keras` archive.*cannot read yet"):
            load(path)


def test_load_model_names_hdf5_and_npz_files(tmp_path):
    with pytest.raises(FileFormatError, match=r"looks like an HDF5 file .*numpy\.savez"):
        nk.models.load_model(_hdf5(tmp_path / "m.h5"))
    np.savez(tmp_path / "w.npz", np.ones(2))
    with pytest.raises(FileFormatError, match="received a NumPy `.npz` archive; weights alone"):
        nk.models.load_model(tmp_path / "w.npz")


def test_the_conversion_recipe_works_with_real_keras(tmp_path):
    keras = _oracle("keras")
    theirs = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, "relu"),
                               keras.layers.Dense(2)])  # fmt: skip
    theirs.save(tmp_path / "k3.keras")
    with pytest.raises(FileFormatError, match="Keras 3"):
        nk.models.load_model(tmp_path / "k3.keras")
    np.savez(tmp_path / "weights.npz", *theirs.get_weights())  # the recipe in the message
    ours = nk.Sequential([nk.Input(shape=(3,)), nk.layers.Dense(4, "relu"), nk.layers.Dense(2)])
    ours.load_weights(tmp_path / "weights.npz")
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    expected = np.asarray(theirs.predict(x, verbose=0))
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
