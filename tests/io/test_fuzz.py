"""Fuzzing the readers: random bytes, truncations and mutations of valid safetensors files and
.keras archives (raw, and member by member inside a valid zip), hostile JSON values in a
model's config, and planted pickle payloads. Only nnscratch's own errors may escape, and a
pickle is never run. NNSCRATCH_FUZZ_EXAMPLES scales the number of cases (default 1000)."""

import functools
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
from fuzz_mutations import json_paths, replaced, zip_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.errors import FileFormatError, NnscratchError
from nnscratch.io import safetensors as ours

EXAMPLES = int(os.environ.get("NNSCRATCH_FUZZ_EXAMPLES", 1000))


def fuzz(share: float = 1.0):
    """Settings for a fuzz test running ``share`` of the configured number of examples."""
    return settings(
        max_examples=max(10, int(EXAMPLES * share)),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def only_ours(load) -> None:
    """Run ``load``; an NnscratchError is the expected failure, anything else fails the test."""
    try:
        load()
    except NnscratchError:
        pass


@functools.cache
def safetensors_blob() -> bytes:
    rng = np.random.default_rng(0)
    tensors = {"w": rng.standard_normal((3, 4)).astype(np.float32), "n": np.arange(5),
               "m": np.array([True, False]), "h": np.ones((2, 2), np.float16),
               "e": np.zeros((0, 3))}  # fmt: skip
    structure = json.dumps({"list": [{"tensor": "w"}, {"array": "n"}]})
    metadata = {"format": "nnscratch.state", "format_version": "1", "structure": structure}
    return ours.save(tensors, metadata=metadata)


@functools.cache
def archive_members() -> dict:
    nk.utils.set_random_seed(0)
    hidden = nk.layers.Dense(4, "relu", kernel_regularizer="l2")
    model = nk.Sequential(
        [nk.Input(shape=(3,)), hidden, nk.layers.Dropout(0.2), nk.layers.Dense(1)]
    )
    model.compile(optimizer=nk.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=1, batch_size=2, verbose=0)
    path = os.path.join(_workdir(), "valid.keras")
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@functools.cache
def _workdir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="nnscratch-fuzz-")


def load_keras_bytes(data: bytes):
    path = os.path.join(_workdir(), "fuzz.keras")
    with open(path, "wb") as file:
        file.write(data)
    return nk.models.load_model(path)


def mutate(data: bytes, edits: list) -> bytes:
    out = bytearray(data)
    for position, value in edits:
        if out:
            out[position % len(out)] = value
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 255)), min_size=1, max_size=6)


# ---- safetensors --------------------------------------------------------------------------------
@fuzz()
@given(st.binary(max_size=600))
def test_random_bytes(data):
    only_ours(lambda: ours.load(data))


@fuzz()
@given(st.data())
def test_truncated_safetensors_always_raise_file_format_error(data):
    blob = safetensors_blob()
    cut = data.draw(st.integers(0, len(blob) - 1))
    with pytest.raises(FileFormatError):
        ours.load(blob[:cut])


@fuzz()
@given(EDITS, st.booleans())
def test_mutated_safetensors(edits, header_only):
    blob = safetensors_blob()
    if header_only:  # aim at the length field and the JSON, where the checks are
        header_end = 8 + struct.unpack("<Q", blob[:8])[0]
        edits = [(p % header_end, v) for p, v in edits]
    only_ours(lambda: ours.load(mutate(blob, edits)))


SIZES = st.integers(-3, 40)
ENTRY = st.fixed_dictionaries(
    {"dtype": st.sampled_from(["F32", "I64", "BOOL", "BF16", "U8", "F8_E4M3", "x", 3]),
     "shape": st.lists(SIZES, max_size=3) | st.just("2"),
     "data_offsets": st.lists(SIZES, max_size=3)},
    optional={"extra": st.none()},
)  # fmt: skip


@fuzz(0.5)
@given(st.dictionaries(st.text(max_size=4), ENTRY, max_size=4), st.binary(max_size=80))
def test_lying_headers(header, body):
    raw = json.dumps(header).encode()
    only_ours(lambda: ours.load(struct.pack("<Q", len(raw)) + raw + body))


@fuzz(0.3)
@given(EDITS)
def test_mutated_state_files_through_ns_load(edits):
    path = os.path.join(_workdir(), "state.safetensors")
    with open(path, "wb") as file:
        file.write(mutate(safetensors_blob(), edits))
    only_ours(lambda: ns.load(path))


# ---- .keras archives ----------------------------------------------------------------------------
@fuzz(0.3)
@given(st.binary(max_size=400) | st.builds(lambda b: b"PK\x03\x04" + b, st.binary(max_size=400)))
def test_random_bytes_as_keras_archive(data):
    only_ours(lambda: load_keras_bytes(data))


@fuzz(0.3)
@given(st.data())
def test_truncated_archives(data):
    blob = zip_of(archive_members())
    cut = data.draw(st.integers(0, len(blob) - 1))
    with pytest.raises(NnscratchError):
        load_keras_bytes(blob[:cut])


@fuzz(0.3)
@given(EDITS)
def test_mutated_archives(edits):
    only_ours(lambda: load_keras_bytes(mutate(zip_of(archive_members()), edits)))


MEMBERS = ["metadata.json", "config.json", "model.weights.safetensors", "optimizer.safetensors"]


@fuzz(0.3)
@given(st.sampled_from(MEMBERS), EDITS, st.integers(0, 2**31))
def test_mutated_members_inside_a_valid_zip(member, edits, cut):
    members = dict(archive_members())
    data = mutate(members[member], edits)
    members[member] = data[: cut % (len(data) + 1)] if cut % 3 == 0 else data
    only_ours(lambda: load_keras_bytes(zip_of(members)))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@fuzz(0.3)
@given(st.integers(0, 2**31), JSON)
def test_hostile_values_in_the_config(index, value):
    members = dict(archive_members())
    config = json.loads(members["config.json"])
    paths = list(json_paths(config))
    members["config.json"] = json.dumps(replaced(config, paths[index % len(paths)], value)).encode()
    only_ours(lambda: load_keras_bytes(zip_of(members)))


# ---- pickle payloads ----------------------------------------------------------------------------
class _Payload:
    """Unpickling this creates the directory ``path``: proof that a pickle ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return os.mkdir, (self.path,)


def test_planted_pickles_are_refused_and_never_run(tmp_path):
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(_Payload(str(control))))
    assert control.exists()  # the payload works: a reader that unpickled it would be caught
    marker = tmp_path / "pwned"
    payloads = [pickle.dumps(_Payload(str(marker)), protocol=p) for p in (0, 2, 5)]
    members = archive_members()
    for payload in payloads:
        (tmp_path / "model.keras").write_bytes(payload)
        (tmp_path / "model.safetensors").write_bytes(payload)
        loaders = [
            lambda: nk.models.load_model(tmp_path / "model.keras"),
            lambda: ns.load(tmp_path / "model.safetensors"),
            lambda: ours.load_file(tmp_path / "model.safetensors"),
        ]
        for load in loaders:
            with pytest.raises(NnscratchError):
                load()
        for name in members:  # the payload in place of each member
            with pytest.raises(NnscratchError):
                load_keras_bytes(zip_of({**members, name: payload}))
        extra = {**members, "model.pkl": payload, "assets/data.pkl": payload}
        assert load_keras_bytes(zip_of(extra)) is not None  # other members are never read
    assert not marker.exists()


# ---- .npz files (ModelCheckpoint's, np.savez's) and load_weights on any bytes -------------------
@functools.cache
def npz_blob() -> bytes:
    buffer = io.BytesIO()
    rng = np.random.default_rng(1)
    np.savez(buffer, rng.standard_normal((3, 4)).astype(np.float32), np.arange(5), np.ones(()))
    return buffer.getvalue()


def load_npz_bytes(data: bytes):
    from nnscratch.io.npz import read_npz

    path = os.path.join(_workdir(), "fuzz.npz")
    with open(path, "wb") as file:
        file.write(data)
    return read_npz(path)


@fuzz(0.3)
@given(EDITS, st.integers(0, 2**31))
def test_mutated_and_truncated_npz_files(edits, cut):
    data = mutate(npz_blob(), edits)
    only_ours(lambda: load_npz_bytes(data[: cut % (len(data) + 1)] if cut % 2 else data))


@fuzz(0.3)
@given(EDITS)
def test_mutated_npy_headers_inside_a_valid_zip(edits):
    with zipfile.ZipFile(io.BytesIO(npz_blob())) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    first = members["arr_0.npy"]
    header = first[:128]  # the magic, the header length and the header's text
    members["arr_0.npy"] = mutate(header, edits) + first[128:]
    only_ours(lambda: load_npz_bytes(zip_of(members)))


@fuzz(0.3)
@given(st.sampled_from(["npz", "keras", "safetensors", "random"]), EDITS, st.binary(max_size=64))
def test_load_weights_of_any_bytes_raises_only_our_errors(kind, edits, noise):
    blobs = {"npz": npz_blob, "keras": lambda: zip_of(archive_members()),
             "safetensors": safetensors_blob, "random": lambda: noise}  # fmt: skip
    path = os.path.join(_workdir(), f"fuzz.{'weights.h5' if kind == 'random' else kind}")
    with open(path, "wb") as file:
        file.write(mutate(blobs[kind](), edits))
    model = nk.Sequential([nk.Input(shape=(3,)), nk.layers.Dense(4), nk.layers.Dense(1)])
    only_ours(lambda: model.load_weights(path))
