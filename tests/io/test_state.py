"""ns.save / ns.load (nested containers in one safetensors file) and atomic writes: round
trips compared with the original objects, tampered structures refused, and a crash in the
middle of a save leaves the previous file intact."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nnscratch as ns
from nnscratch.errors import FileFormatError
from nnscratch.io import atomic_write
from nnscratch.io import safetensors as st


def _nested(rng) -> dict:
    return {
        "model": {
            "0.weight": ns.tensor(rng.standard_normal((3, 2)).astype(np.float32)),
            "0.bias": ns.zeros(3, requires_grad=True),
        },
        "optimizer": {
            "step": 7,
            "lr": 0.01,
            "betas": (0.9, 0.999),
            "nesterov": False,
            3: [np.arange(4, dtype=np.int64), np.float64(2.5), None],
        },
        "name": "run-1",
        "masks": [np.array([True, False]), np.zeros((0, 5), np.float16)],
        "nothing": None,
        "empty": {"list": [], "tuple": (), "dict": {}},
        "model.0": ns.ones(1),  # a name that collides with a path above
    }


def _assert_equal(got, expected, where="obj"):
    assert type(got) is type(expected), f"{where}: {type(got)} != {type(expected)}"
    if isinstance(expected, dict):
        assert list(got) == list(expected), where
        for key in expected:
            _assert_equal(got[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected), where
        for i, (g, e) in enumerate(zip(got, expected)):
            _assert_equal(g, e, f"{where}[{i}]")
    elif isinstance(expected, ns.Tensor):
        assert got.requires_grad == expected.requires_grad, where
        np.testing.assert_array_equal(got.detach().numpy(), expected.detach().numpy(), strict=True)
    elif isinstance(expected, (np.ndarray, np.generic)):
        assert got.dtype == expected.dtype, where
        np.testing.assert_array_equal(got, expected, strict=True)
    else:
        assert got == expected, where


def test_nested_structures_round_trip(tmp_path, rng):
    obj = _nested(rng)
    ns.save(obj, tmp_path / "state.safetensors")
    _assert_equal(ns.load(tmp_path / "state.safetensors"), obj)
    for top in (ns.ones(2), [1, "a"], 3.5, None):  # the top level may be anything storable
        ns.save(top, tmp_path / "top.safetensors")
        _assert_equal(ns.load(tmp_path / "top.safetensors"), top)


def test_a_parameter_comes_back_as_a_trainable_tensor_and_files_are_plain_safetensors(tmp_path):
    linear = ns.nn.Linear(2, 3)
    ns.save({"w": linear.weight, "sd": linear.state_dict()}, tmp_path / "p.safetensors")
    loaded = ns.load(tmp_path / "p.safetensors")
    assert type(loaded["w"]) is ns.Tensor and loaded["w"].requires_grad
    arrays = st.load_file(tmp_path / "p.safetensors")  # names are the paths in the object
    assert sorted(arrays) == ["sd.bias", "sd.weight", "w"]
    np.testing.assert_array_equal(arrays["sd.weight"], linear.weight.detach().numpy())


def test_unstorable_objects_are_refused_before_any_file_is_written(tmp_path):
    cases = [({"s": {1, 2}}, "set at s"), ({(1, 2): 1}, "dict keys"), ([object()], "object at 0")]
    for bad, message in cases:
        with pytest.raises(TypeError, match=message):
            ns.save(bad, tmp_path / "bad.safetensors")
    assert os.listdir(tmp_path) == []


def _crafted(tmp_path, structure, tensors=None, version="1"):
    tensors = {"t": np.zeros(2, np.int32)} if tensors is None else tensors
    metadata = {"format": "nnscratch.state", "format_version": version}
    if structure is not None:
        metadata["structure"] = structure if isinstance(structure, str) else json.dumps(structure)
    st.save_file(tensors, tmp_path / "c.safetensors", metadata=metadata)
    return tmp_path / "c.safetensors"


TAMPERED = [
    ({"tensor": "missing"}, "1", "name of a tensor in the file, received 'missing'"),
    ({"tensor": "t", "requires_grad": True}, "1", "requires_grad only on a float tensor"),
    ({"tensor": "t", "requires_grad": "yes"}, "1", "tensor node"),
    ({"set": [1]}, "1", "list, tuple, dict"),
    ({"dict": [[1, 2, 3]]}, "1", r"\[key, value\] pair"),
    ({"dict": [[[1], 2]]}, "1", r"\[key, value\] pair"),
    ([1, 2], "1", "a value or a tagged object"),
    ("{not json", "1", "not valid JSON"),
    ("[" * 5000 + "]" * 5000, "1", "not valid JSON"),
    ("[" * 50, "1", "not valid JSON"),
    ({"list": [1]}, "2", "version 1, received version '2'"),
]


@pytest.mark.parametrize("structure, version, message", TAMPERED)
def test_a_tampered_structure_raises_file_format_error(tmp_path, structure, version, message):
    path = _crafted(tmp_path, structure, version=version)
    with pytest.raises(FileFormatError, match=message):
        ns.load(path)


def test_deep_but_valid_json_structure_is_refused_without_recursing(tmp_path):
    deep = 1
    for _ in range(150):
        deep = {"list": [deep]}
    with pytest.raises(FileFormatError, match="nested at most 100"):
        ns.load(_crafted(tmp_path, deep))


def test_a_plain_safetensors_file_loads_as_a_dict_of_tensors(tmp_path):
    st.save_file({"a": np.ones(2, np.float32), "b": np.arange(3)}, tmp_path / "p.safetensors")
    loaded = ns.load(tmp_path / "p.safetensors")
    assert list(loaded) == ["a", "b"] and all(isinstance(v, ns.Tensor) for v in loaded.values())
    assert loaded["b"].tolist() == [0, 1, 2]


# ---- atomic writes -------------------------------------------------------------------------------
def test_a_failed_replace_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    ns.save({"v": 1}, path)
    before = path.read_bytes()

    def crash(*args):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        ns.save({"v": 2, "big": np.zeros(1000)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.safetensors"]
    monkeypatch.undo()
    assert ns.load(path) == {"v": 1}


def test_an_error_while_writing_leaves_the_previous_file(tmp_path):
    path = tmp_path / "notes.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="midway"), atomic_write(path) as file:
        file.write(b"new, half")
        raise RuntimeError("midway")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["notes.bin"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_process_killed_mid_save_leaves_the_previous_file(tmp_path):
    path = tmp_path / "model.safetensors"
    ns.save({"generation": 1}, path)
    before = path.read_bytes()
    child = textwrap.dedent(f"""
        import sys, time
        from nnscratch.io import atomic_write
        with atomic_write({str(path)!r}) as file:
            file.write(b"x" * 1_000_000)
            file.flush()
            print("halfway", flush=True)
            time.sleep(60)
    """)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, env=env)
    try:
        assert process.stdout.readline().strip() == b"halfway"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        process.stdout.close()
    assert path.read_bytes() == before
    assert ns.load(path) == {"generation": 1}
    leftovers = [n for n in os.listdir(tmp_path) if n != "model.safetensors"]
    assert all(n.startswith(".model.safetensors.") and n.endswith(".tmp") for n in leftovers)
