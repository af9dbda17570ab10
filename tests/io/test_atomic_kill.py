"""Saves killed at random moments (SIGKILL, seeded delays) leave the previous file or the new
one, never a torn one, and the next save removes the temporaries the killed ones left. Two
processes saving the same file at once both succeed and never remove each other's work.

The savers are forked children (POSIX only): the parent has already imported nnscratch, so a
kill costs milliseconds and ten of them per format keep the test to a few seconds."""

from __future__ import annotations

import os
import re
import signal
import sys
import time

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.io.atomic import atomic_write, remove_stale_temporaries

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(os, "fork"), reason="SIGKILL and fork are POSIX"
)

KILLS = 10
TEMPORARY = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")


def _model():
    return nk.Sequential([nk.Input(shape=(256,)), nk.layers.Dense(512)])  # 0.5 MB of weights


def _fill(model, value: int) -> None:
    model.set_weights([np.full(w.shape, value, w.dtype) for w in model.get_weights()])


def _checkpoint_saver(model, path):
    """ModelCheckpoint's path for each format: ``.npz``, ``.weights.safetensors``, ``.keras``."""
    callback = nk.callbacks.ModelCheckpoint(str(path), monitor="loss")
    callback.set_model(model)
    return lambda epoch: callback.on_epoch_end(epoch, {"loss": 1.0})


def _state_saver(model, path):
    return lambda epoch: ns.save({"epoch": epoch, "weights": model.get_weights()}, path)


def _values(arrays) -> set:
    return {float(v) for a in arrays for v in np.unique(a)}


LOADERS = {
    "w.npz": lambda path, model: (nk.callbacks.load_weights_npz(model, path), model)[1],
    "w.weights.safetensors": lambda path, model: (model.load_weights(path), model)[1],
    "m.keras": lambda path, model: nk.models.load_model(path),
}


def _loaded_values(name: str, path) -> set:
    if name == "state.safetensors":
        state = ns.load(path)
        return _values(state["weights"]) | {float(state["epoch"])}
    return _values(LOADERS[name](path, _model()).get_weights())


def _run_child(save, model, pipe_w: int, first: int) -> None:
    """Save epochs ``first``, ``first + 1``, ... until killed (10 s at most); never returns."""
    code = 1
    try:
        deadline = time.monotonic() + 10
        epoch = first
        while time.monotonic() < deadline:
            _fill(model, epoch)
            save(epoch)
            if epoch == first:
                os.write(pipe_w, b"!")  # one complete save: the kills may start
            epoch += 1
        code = 0
    finally:
        os._exit(code)


def _fork_saver(save, model, first: int) -> tuple[int, int]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        _run_child(save, model, write, first)
    os.close(write)
    return pid, read


def _kill_while_saving(save, model, first: int, delay: float) -> None:
    pid, read = _fork_saver(save, model, first)
    try:
        assert os.read(read, 1) == b"!", "the saver died before its first save"
        time.sleep(delay)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)


def _temporaries(folder) -> list[str]:
    return [name for name in os.listdir(folder) if TEMPORARY.fullmatch(name)]


@pytest.mark.parametrize(
    "name, saver",
    [
        ("w.npz", _checkpoint_saver),
        ("w.weights.safetensors", _checkpoint_saver),
        ("m.keras", _checkpoint_saver),
        ("state.safetensors", _state_saver),
    ],
)
def test_killed_saves_leave_a_whole_file_and_the_next_save_cleans_up(name, saver, tmp_path):
    rng = np.random.default_rng(18)
    model, path = _model(), tmp_path / name
    save = saver(model, path)
    left_behind = 0
    for kill in range(KILLS):
        first = 1000 * (kill + 1)  # each child saves values no other child saves
        _kill_while_saving(save, model, first, delay=rng.uniform(0.0, 0.03))
        values = _loaded_values(name, path)  # loads: never torn
        assert len(values - {float(first)}) <= 1 and min(values) >= first, values
        left_behind += len(_temporaries(tmp_path))  # the next child's first save cleans up
    assert left_behind > 0, "no kill landed in the middle of a save: the test proved nothing"
    _fill(model, 7)
    save(7)  # a clean save removes every temporary the killed ones left
    assert _temporaries(tmp_path) == [] and os.listdir(tmp_path) == [name]
    assert _loaded_values(name, path) == {7.0}


def test_two_processes_saving_the_same_file_both_succeed(tmp_path):
    path = tmp_path / "shared.npz"
    model = _model()
    save = _checkpoint_saver(model, path)
    children = []
    for first in (100, 200):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                for epoch in range(first, first + 30):
                    _fill(model, epoch)
                    save(epoch)
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    assert codes == [0, 0], "a save failed: one process removed the other's temporary"
    assert len(_loaded_values("w.npz", path)) == 1
    assert _temporaries(tmp_path) == []


def test_a_live_writers_temporary_is_left_alone(tmp_path):
    path = tmp_path / "notes.bin"
    (tmp_path / ".notes.bin.0123456789ab.tmp").write_bytes(b"killed")  # no lock: stale
    (tmp_path / ".other.bin.0123456789ab.tmp").write_bytes(b"another target's")
    (tmp_path / ".notes.bin.tmp").write_bytes(b"not our pattern")
    with atomic_write(path) as file:
        file.write(b"live")
        live = _temporaries(tmp_path)
        assert len(live) == 2 and ".notes.bin.0123456789ab.tmp" not in live
        assert remove_stale_temporaries(path) == []  # ours is locked while we write
    assert path.read_bytes() == b"live"
    assert sorted(os.listdir(tmp_path)) == [
        ".notes.bin.tmp", ".other.bin.0123456789ab.tmp", "notes.bin"
    ]  # fmt: skip
