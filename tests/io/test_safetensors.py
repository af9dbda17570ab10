"""nnscratch.io.safetensors against the `safetensors` package (the reference implementation)
and torch: files cross both ways for every dtype, torch state dicts load into nnscratch
modules and back, and malformed headers raise FileFormatError saying what is wrong."""

import json
import os
import struct

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
from nnscratch.errors import FileFormatError, NnscratchError
from nnscratch.io import safetensors as ours


def _reference():
    """The `safetensors` package: a skip on a user's machine, a failure in CI when absent."""
    if os.environ.get("CI"):
        import safetensors.numpy

        return safetensors
    return pytest.importorskip("safetensors.numpy") and __import__("safetensors")


DTYPES = ["bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64",
          "float16", "float32", "float64"]  # fmt: skip


def _sample(dtype: str, shape, rng) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    values = rng.standard_normal(shape).astype(dtype)
    if values.size >= 3:  # the special values survive too
        values.flat[:3] = [np.inf, -0.0, np.nan]
    return values


def _tensors(rng) -> dict:
    shapes = [(2, 3), ()]
    tensors = {
        f"{d}_{i}": np.asarray(_sample(d, s, rng)) for d in DTYPES for i, s in enumerate(shapes)
    }
    tensors["empty"] = np.zeros((0, 4), np.float32)
    tensors["strided"] = np.arange(12, dtype=np.int32).reshape(3, 4).T  # not C-contiguous
    return tensors


def _assert_same(got: dict, expected: dict) -> None:
    assert list(sorted(got)) == list(sorted(expected))
    for name, value in expected.items():
        assert got[name].dtype == value.dtype and got[name].shape == value.shape, name
        np.testing.assert_array_equal(got[name], value, strict=True)


def test_our_files_are_read_by_the_reference_for_every_dtype(tmp_path, rng):
    st = _reference()
    tensors, path = _tensors(rng), tmp_path / "ours.safetensors"
    ours.save_file(tensors, path, metadata={"source": "nnscratch", "note": "ünïcode"})
    _assert_same(st.numpy.load_file(str(path)), tensors)
    with st.safe_open(str(path), framework="numpy") as file:
        assert file.metadata() == {"source": "nnscratch", "note": "ünïcode"}
    _assert_same(st.numpy.load(ours.save(tensors)), tensors)


def test_reference_files_are_read_by_ours_for_every_dtype(tmp_path, rng):
    st = _reference()
    tensors, path = _tensors(rng), tmp_path / "reference.safetensors"
    tensors["strided"] = tensors["strided"].copy()  # the reference wants contiguous arrays
    st.numpy.save_file(tensors, str(path), metadata={"k": "v"})
    arrays, metadata = ours.read_file(path)
    _assert_same(arrays, tensors)
    assert metadata == {"k": "v"}
    _assert_same(ours.load(st.numpy.save(tensors)), tensors)
    assert all(a.flags.writeable and a.dtype.isnative for a in arrays.values())


def test_torch_files_are_read_by_ours_bfloat16_widened_exactly(tmp_path):
    torch, st = require_torch(), _reference()
    import safetensors.torch

    generator = torch.Generator().manual_seed(0)
    tensors = {
        "f32": torch.randn(3, 4, generator=generator),
        "f16": torch.randn(5, generator=generator).half(),
        "bf16": torch.randn(2, 3, generator=generator).bfloat16(),
        "i64": torch.arange(-3, 3),
        "u8": torch.arange(250, 256, dtype=torch.uint8),
        "b": torch.tensor([True, False, True]),
    }
    safetensors.torch.save_file(tensors, str(tmp_path / "t.safetensors"))
    arrays = ours.load_file(tmp_path / "t.safetensors")
    for name, tensor in tensors.items():
        expected = tensor.float() if tensor.dtype == torch.bfloat16 else tensor
        np.testing.assert_array_equal(arrays[name], expected.numpy(), strict=True)
    assert st is not None


def _torch_mlp(torch):
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3), torch.nn.Sigmoid()
    )


def _ns_mlp():
    return ns.nn.Sequential(ns.nn.Linear(4, 8), ns.nn.Tanh(), ns.nn.Linear(8, 3), ns.nn.Sigmoid())


def test_torch_state_dict_loads_into_nnscratch_and_back(tmp_path, rng):
    torch, _ = require_torch(), _reference()
    import safetensors.torch

    theirs, mine = _torch_mlp(torch), _ns_mlp()
    safetensors.torch.save_file(theirs.state_dict(), str(tmp_path / "torch.safetensors"))
    mine.load_state_dict(ns.load(tmp_path / "torch.safetensors"))
    x = rng.standard_normal((5, 4)).astype(np.float32)
    expected = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(mine(ns.tensor(x)).detach().numpy(), expected, rtol=1e-6, atol=1e-7)

    linear, fresh = ns.nn.Linear(4, 3), torch.nn.Linear(4, 3)  # and the reverse direction
    ns.save(linear.state_dict(), tmp_path / "ns.safetensors")
    fresh.load_state_dict(safetensors.torch.load_file(str(tmp_path / "ns.safetensors")))
    np.testing.assert_allclose(
        fresh(torch.from_numpy(x)).detach().numpy(),
        linear(ns.tensor(x)).detach().numpy(),
        rtol=1e-6,
        atol=1e-7,
    )


# ---- hostile headers: each names what it expected and what it received --------------------------
def _blob(header: dict, data: bytes = b"", raw: bytes | None = None) -> bytes:
    text = raw if raw is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


GOOD = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
BAD = [
    (b"\x01\x02", "at least 8 bytes"),
    (struct.pack("<Q", 2**63) + b"{}", "claims 9223372036854775808 bytes"),
    (struct.pack("<Q", 50) + b"{}", "claims 50 bytes"),
    (_blob({}, raw=b"{not json"), "UTF-8 JSON"),
    (_blob({}, raw=b"\xff\xfe{}"), "UTF-8 JSON"),
    (_blob({}, raw=b"[1, 2]"), "JSON object, received list"),
    (_blob({}, raw=b'{"a": 1, "a": 2}'), "appears twice"),
    (_blob({"a": {**GOOD["a"], "dtype": "F128"}}, bytes(8)), "unsupported dtype 'F128'"),
    (_blob({"a": {**GOOD["a"], "shape": [3]}}, bytes(8)), "need 12 bytes"),
    (_blob({"a": {**GOOD["a"], "shape": [-2]}}, bytes(8)), "list of sizes"),
    (_blob({"a": {**GOOD["a"], "shape": [True, 2]}}, bytes(8)), "list of sizes"),
    (_blob({"a": {**GOOD["a"], "data_offsets": [8, 0]}}, bytes(8)), "hold -8"),
    (_blob({"a": {**GOOD["a"], "data_offsets": [0]}}, bytes(8)), "data_offsets [begin, end]"),
    (_blob({"a": {"dtype": "F32", "shape": [2]}}, bytes(8)), "exactly 'dtype', 'shape'"),
    (_blob({"a": {**GOOD["a"], "extra": 1}}, bytes(8)), "exactly 'dtype', 'shape'"),
    (_blob({"a": [1]}, bytes(8)), "exactly 'dtype', 'shape'"),
    (_blob(GOOD, bytes(4)), "hold 8 bytes of data, but the file has 4"),  # truncated
    (_blob(GOOD, bytes(12)), "hold 8 bytes of data, but the file has 12"),  # trailing bytes
    (_blob({**GOOD, "b": {**GOOD["a"], "data_offsets": [4, 12]}}, bytes(12)), "overlaps"),
    (_blob({**GOOD, "b": {**GOOD["a"], "data_offsets": [12, 20]}}, bytes(20)), "gap"),
    (_blob({"b": {"dtype": "BOOL", "shape": [2], "data_offsets": [0, 2]}}, b"\x01\x07"), "0 and 1"),
    (_blob({"__metadata__": {"k": 1}}), "'__metadata__' to map strings to strings"),
    (_blob({"a": {**GOOD["a"], "shape": [2**62, 2**62]}}, bytes(8)), "need"),
]


@pytest.mark.parametrize("data, message", BAD, ids=[m for _, m in BAD])
def test_malformed_data_raises_file_format_error_naming_the_problem(data, message):
    with pytest.raises(FileFormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ours.load(data)


def test_a_pickle_file_is_refused_without_being_unpickled(tmp_path):
    torch = require_torch()
    path = tmp_path / "model.pt"
    torch.save({"w": torch.zeros(2)}, path)  # torch's format: a zip holding a pickle
    with pytest.raises(FileFormatError, match="expected a safetensors file, received a PyTorch"):
        ours.load_file(path)
    with pytest.raises(NnscratchError):
        ns.load(path)


def test_missing_files_and_unsupported_dtypes_are_clear(tmp_path):
    with pytest.raises(FileFormatError, match="Could not read"):
        ns.load(tmp_path / "absent.safetensors")
    with pytest.raises(TypeError, match="complex128"):
        ours.save({"c": np.zeros(2, complex)})
    with pytest.raises(TypeError, match="__metadata__"):
        ours.save({"__metadata__": np.zeros(2)})
