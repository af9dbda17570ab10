"""nnscratch.memory: on glibc, ``import nnscratch`` keeps arrays below 32 MiB on the heap and
the heap's free top mapped, unless the user opts out or tunes glibc themselves.

The settings are observed from outside our own bookkeeping: glibc's ``mallinfo2`` counts the
bytes it serves by ``mmap`` (``hblkhd``), and ``getrusage`` counts the page faults of touching
memory. Each case runs in a fresh interpreter, because the settings are made once, at import.
No timings are asserted.
"""

import ctypes
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from parity import require_torch
from tolerance import assert_close

import nnscratch as ns
from nnscratch import memory

GLIBC = (os.confstr("CS_GNU_LIBC_VERSION") or "") if hasattr(os, "confstr") else ""
needs_glibc = pytest.mark.skipif(
    not GLIBC.startswith("glibc") or not hasattr(ctypes.CDLL(None), "mallinfo2"),
    reason="the allocator settings are made, and observable, on glibc >= 2.33 only",
)

# In a fresh interpreter: import nnscratch, then make, free and make again a 24 MiB array
# (below glibc's 32 MiB ceiling, above any threshold glibc would have raised by itself).
# Prints what was applied, the mmapped bytes before and while the first array lived, and the
# page faults of filling the second.
PROBE = """
import ctypes, json, resource
import numpy as np
import nnscratch

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
n = 24 * 2**20 // 8
before = libc.mallinfo2().hblkhd
a = np.ones(n)
during = libc.mallinfo2().hblkhd
del a
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
b = np.ones(n)
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
from nnscratch import memory  # after the arrays: a reverted import must not apply it here
print(json.dumps({"applied": memory.applied(), "mmapped": during - before, "faults": faults}))
"""
ARRAY = 24 * 2**20
# Fresh memory costs at least a fault per 2 MiB (NumPy asks for huge pages for large arrays).
FRESH_FAULTS = ARRAY // 2**21


def probe(**env: str) -> dict:
    """Run PROBE with the environment's glibc tuning removed, then ``env`` added."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    clean.pop("GLIBC_TUNABLES", None)
    clean.pop(memory.OPT_OUT, None)
    command = [sys.executable, "-c", PROBE]
    done = subprocess.run(command, env={**clean, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


@needs_glibc
def test_import_keeps_large_arrays_on_the_heap_and_its_pages_mapped():
    seen = probe()
    assert seen["applied"] == {name: value for name, _, value in memory.SETTINGS}
    assert seen["mmapped"] < ARRAY  # glibc's default would mmap the 24 MiB array
    # The freed array's pages stayed mapped: refilling them faults fewer than fresh memory would.
    assert seen["faults"] < FRESH_FAULTS, seen


@needs_glibc
def test_opting_out_leaves_glibcs_defaults():
    seen = probe(NNSCRATCH_MALLOC="system")
    assert seen["applied"] == {}
    assert seen["mmapped"] >= ARRAY  # its own mmap, handed back when freed
    assert seen["faults"] >= FRESH_FAULTS, seen  # so the next one is faulted in afresh


@needs_glibc
@pytest.mark.parametrize(
    "env",
    [
        {"MALLOC_MMAP_THRESHOLD_": "131072"},
        {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072"},
    ],
)
def test_a_users_own_glibc_tuning_wins(env):
    seen = probe(**env)
    assert seen["applied"] == {}
    assert seen["mmapped"] >= ARRAY  # the user's 128 KiB threshold holds


def test_a_bad_opt_out_value_is_refused_by_name():
    code = "import nnscratch"
    env = {**os.environ, memory.OPT_OUT: "off"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "NNSCRATCH_MALLOC" in done.stderr and "'off'" in done.stderr, done.stderr[-500:]


def test_elsewhere_than_glibc_nothing_is_set(monkeypatch):
    monkeypatch.setattr(memory, "_applied", {})
    monkeypatch.setattr(memory, "_glibc", lambda: False)
    monkeypatch.delenv(memory.OPT_OUT, raising=False)

    def refuse(*args):
        raise AssertionError("mallopt must not be looked up off glibc")

    monkeypatch.setattr(ctypes, "CDLL", refuse)
    memory._apply()
    assert memory.applied() == {}


def mlp(nn):
    """64-256-256-10 with ReLUs in the library ``nn``."""
    return nn.Sequential(
        nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )


def test_training_under_the_settings_matches_torch():
    """Four SGD-momentum steps of a 64-256-256-10 ReLU MLP (arrays of 128 KiB and more, the
    sizes the settings move onto the heap) from torch's weights: same losses and weights."""
    torch = require_torch()
    torch.manual_seed(0)
    t_model, n_model = mlp(torch.nn), mlp(ns.nn)
    for n_p, t_p in zip(n_model.parameters(), t_model.parameters()):
        n_p.data = ns.from_numpy(t_p.detach().numpy().copy())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 64), dtype=np.float32)
    y = rng.integers(0, 10, 128)
    runs = []
    for lib, model in ((ns, n_model), (torch, t_model)):
        optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        losses = []
        for _ in range(4):
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x)), lib.from_numpy(y))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        runs.append((losses, [p.detach().numpy() for p in model.parameters()]))
    (n_losses, n_weights), (t_losses, t_weights) = runs
    # Four steps of float32 sums in another order: a few ulp per step, 1e-5 relative.
    assert_close(np.array(n_losses), np.array(t_losses), rtol=1e-5, atol=1e-6)
    for mine, theirs in zip(n_weights, t_weights):
        assert_close(mine, theirs, rtol=1e-5, atol=1e-6)
