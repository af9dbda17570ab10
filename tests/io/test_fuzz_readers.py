"""Seeded fuzzing of every reader of outside files (issue 18), run in CI.

Readers: the CLI's model config (``load_config`` + ``parse_config`` + ``build_model``),
``load_checkpoint``, ``ns.load``, the ``.npz`` readers (Keras ``load_weights``,
``callbacks.load_weights_npz``, the CLI's ``--data``) and Keras ``load_model`` on ``.keras``.
Mutations (tests/fuzz_mutations.py): random bytes, cuts at each kind of boundary, byte flips,
lying headers (safetensors JSON, zip records, ``.npy`` headers), JSON nested 100,000 deep, a
wrong type in every JSON field, sizes of 10**9 to 10**12.

Each case must fail, if it fails, with nnscratch's own errors only (the CLI's ``UsageError``,
or ``SystemExit(2)``), and must not allocate more than the file could justify. All draws come
from ``numpy.random.default_rng(SEED)``: the cases are the same on every run. The number of
random cases follows NNSCRATCH_FUZZ_EXAMPLES (as tests/io/test_fuzz.py; default 1000, which
gives 60 per random family); the structured families are enumerated whole.
"""

from __future__ import annotations

import functools
import io
import json
import resource
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from fuzz_mutations import (
    HUGE,
    deep_json,
    flips,
    json_boundaries,
    npy_header_edits,
    random_bytes,
    replaced,
    st_boundaries,
    st_header_edits,
    st_split,
    structure_edits,
    truncations,
    wrong_types,
    zip_boundaries,
    zip_field_edits,
    zip_of,
)

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch import nn, optim
from nnscratch.cli.config import build_model, load_config, parse_config
from nnscratch.cli.data import load_data
from nnscratch.cli.output import UsageError
from nnscratch.errors import NnscratchError
from nnscratch.utils.checkpoint import load_checkpoint, save_checkpoint
from tests.io.test_fuzz import EXAMPLES, archive_members

SEED = 18
RANDOM_CASES = max(5, EXAMPLES * 6 // 100)
# The bound on what one case may allocate: 10 bytes per byte of the file (a reader holds the
# bytes, the parsed arrays and a copy or two), plus a fixed allowance for the Python objects
# of a model, an optimizer and an error message. Under tracemalloc, loading the valid files
# peaks at 0.03 to 0.08 MB, and 1.1 MB for the CLI (which builds and compiles a model): 4 MiB
# is well above that, and far below any array that a size of 10**9 could ask for.
ALLOWANCE = 4 << 20
# A hard cap on the address space while fuzzing, above the process's size when it starts:
# a reader that really allocates a claimed 10**10 bytes fails with MemoryError, reported as a
# failure, rather than taking the shared machine's memory.
ADDRESS_SPACE_MARGIN = 4 << 30


# ---- the readers ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reader:
    suffix: str
    kind: str  # the format, which picks the mutations
    load: Callable[[str], object]
    allowed: tuple = (NnscratchError,)


def _cli_config(path: str) -> None:
    build_model(parse_config(load_config(path)))


@functools.cache
def _torch_style() -> dict:
    ns.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1)
    model(ns.randn(5, 3)).pow(2).sum().backward()
    optimizer.step()
    scheduler.step()
    return {"model": model, "optimizer": optimizer, "scheduler": scheduler}


@functools.cache
def _keras_model():
    path = _valid_path("keras")
    return nk.models.load_model(path)


READERS = {
    "cli config": Reader(".json", "json", _cli_config, (NnscratchError, UsageError)),
    "load_checkpoint": Reader(
        ".safetensors", "checkpoint", lambda path: load_checkpoint(path, **_torch_style())
    ),
    "ns.load": Reader(".safetensors", "state", ns.load),
    "keras load_weights .npz": Reader(".npz", "npz", lambda p: _keras_model().load_weights(p)),
    "callbacks.load_weights_npz": Reader(
        ".npz", "npz", lambda p: nk.callbacks.load_weights_npz(_keras_model(), p)
    ),
    "cli --data .npz": Reader(".npz", "xy npz", load_data, (NnscratchError, UsageError)),
    "keras load_model": Reader(".keras", "keras", nk.models.load_model),
}


# ---- valid files, one per format ---------------------------------------------------------------
CLI_CONFIG = {
    "input_shape": [3],
    "layers": [{"type": "Dense", "units": 8, "activation": "relu"}, {"type": "Dropout",
               "rate": 0.1}, {"type": "Dense", "units": 1, "activation": "sigmoid"}],
    "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01}},
    "loss": "binary_crossentropy", "metrics": ["binary_accuracy"], "epochs": 5,
    "batch_size": 4, "seed": 0,
}  # fmt: skip


@functools.cache
def _valid(kind: str) -> bytes:
    if kind == "json":
        return json.dumps(CLI_CONFIG).encode()
    if kind == "keras":
        return zip_of(archive_members())
    if kind in ("npz", "xy npz"):
        buffer = io.BytesIO()
        arrays = _npz_arrays(kind)
        np.savez(buffer, **arrays)  # as NumPy writes it (zip64 extras in the local headers)
        return buffer.getvalue()
    path = _valid_path(kind)
    with open(path, "rb") as file:
        return file.read()


def _npz_arrays(kind: str) -> dict:
    if kind == "xy npz":
        return {"x": np.ones((4, 2), np.float32), "y": np.zeros((4, 1), np.float32)}
    return {f"arr_{i}": w for i, w in enumerate(_keras_model().get_weights())}


@functools.cache
def _valid_path(kind: str) -> str:
    import tempfile

    path = tempfile.mkdtemp(prefix="nnscratch-fuzz-readers-") + f"/valid.{kind}"
    if kind == "keras":
        with open(path, "wb") as file:
            file.write(_valid("keras"))
    elif kind == "checkpoint":
        save_checkpoint(path, epoch=1, best=0.5, **_torch_style())
    else:
        state = {"step": 3, "weights": [ns.ones(2, requires_grad=True), ns.zeros(1, 2)],
                 "meta": {"name": "run", "lr": 0.1, "pair": (1, 2.5), 7: None},
                 "scale": np.float32(2.0), "ids": np.arange(3)}  # fmt: skip
        ns.save(state, path)
    return path


# ---- the mutations of each format --------------------------------------------------------------
def _rng(*labels) -> np.random.Generator:
    """A generator of its own for each reader and family: adding a case elsewhere does not
    change these."""
    return np.random.default_rng([SEED, *(sum(label.encode()) for label in labels)])


def _json_docs() -> list:
    keras_form = {**json.loads(archive_members()["config.json"]), "loss": "mse", "epochs": 2}
    return [CLI_CONFIG, keras_form]


def _json_family(family: str, rng) -> list:
    docs = [json.dumps(doc) for doc in _json_docs()]
    if family == "random bytes":
        return random_bytes(rng, RANDOM_CASES, (b"", b"{", b"\xef\xbb\xbf{"))
    if family == "flips":
        return [c for doc in docs for c in flips(rng, doc.encode(), RANDOM_CASES // 2)]
    if family == "truncations":
        cut = [truncations(d.encode(), json_boundaries(d), "json", (0,)) for d in docs]
        return cut[0] + cut[1]
    if family == "wrong types":
        return [(label, json.dumps(d).encode()) for doc in _json_docs() for label, d in
                wrong_types(doc)]  # fmt: skip
    if family == "deep nesting":
        return _deep_configs()
    return [(label, json.dumps(doc).encode()) for label, doc in _huge_configs()]


def _deep_configs() -> list:
    cases = []
    for kind in ("list", "dict"):
        deep = deep_json(kind)
        texts = [deep, json.dumps({**CLI_CONFIG, "layers": 0}).replace("0", deep, 1),
                 json.dumps({**CLI_CONFIG, "input_shape": 0}).replace("0", deep, 1),
                 json.dumps({**CLI_CONFIG, "layers": [{"type": "Dense", "units": "@"}]})
                 .replace('"@"', deep)]  # fmt: skip
        cases += [(f"{kind} nested 100,000 deep, #{i}", t.encode()) for i, t in enumerate(texts)]
    return cases


_HUGE_LAYERS = [
    lambda n: {"type": "Dense", "units": n},
    lambda n: {"type": "Embedding", "input_dim": n, "output_dim": 8},
    lambda n: {"type": "Embedding", "input_dim": 10, "output_dim": n},
    lambda n: {"type": "RepeatVector", "n": n},
    lambda n: {"type": "Reshape", "target_shape": [n, n]},
    lambda n: {"type": "Conv1D", "filters": n, "kernel_size": 3},
    lambda n: {"type": "SimpleRNN", "units": n},
]


def _huge_configs() -> list:
    cases = []
    for n in HUGE:
        cases.append((f"input_shape [{n}]", {**CLI_CONFIG, "input_shape": [n]}))
        cases.append((f"input_shape [{n}, {n}]", {**CLI_CONFIG, "input_shape": [n, n]}))
        for field in ("epochs", "batch_size", "seed"):
            cases.append((f"{field} {n}", {**CLI_CONFIG, field: n}))
        for i, layer in enumerate(_HUGE_LAYERS):
            layers = [layer(n), *CLI_CONFIG["layers"]]
            cases.append((f"{layer(n)}", {**CLI_CONFIG, "input_shape": [3, 2], "layers": layers}))
            if i == 0:
                cases.append((f"units {n}", replaced(CLI_CONFIG, ("layers", 2, "units"), n)))
    return cases


def _safetensors_family(kind: str, family: str, rng) -> list:
    blob = _valid(kind)
    header_end = len(blob) - len(st_split(blob)[1])
    if family == "random bytes":
        return random_bytes(rng, RANDOM_CASES, (b"", blob[:9]))
    if family == "flips":
        whole = flips(rng, blob, RANDOM_CASES // 2)
        return whole + flips(rng, blob, RANDOM_CASES // 2, (0, header_end))
    if family == "truncations":
        return truncations(blob, st_boundaries(blob), "safetensors")
    if family == "header edits":
        return st_header_edits(blob)
    return structure_edits(blob, per_path=1 if kind == "checkpoint" else 3)


def _zip_family(blob: bytes, family: str, rng) -> list:
    if family == "random bytes":
        return random_bytes(rng, RANDOM_CASES, (b"", b"PK\x03\x04", blob[:40]))
    if family == "flips":
        return flips(rng, blob, RANDOM_CASES)
    if family == "truncations":
        return truncations(blob, zip_boundaries(blob), "zip")
    return zip_field_edits(blob)


def _npz_family(kind: str, family: str, rng) -> list:
    if family != "npy headers":
        return _zip_family(_valid(kind), family, rng)
    arrays = _npz_arrays(kind)
    first = next(iter(arrays))
    members = {f"{name}.npy": _npy_bytes(a) for name, a in arrays.items()}
    cases = []
    for label, member in npy_header_edits(arrays[first]):
        cases.append((f"{first}.npy: {label}", zip_of({**members, f"{first}.npy": member})))
    return cases


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _keras_family(family: str, rng) -> list:
    if family in ("random bytes", "flips", "truncations", "zip records"):
        return _zip_family(_valid("keras"), family, rng)
    members = archive_members()
    if family == "weights header edits":
        edits = st_header_edits(members["model.weights.safetensors"])
        return [(label, _with(members, "model.weights.safetensors", data)) for label, data in edits]
    config = json.loads(members["config.json"])
    if family == "wrong types":
        changed = wrong_types(config, per_path=1)
        return [(label, _with_config(members, c)) for label, c in changed]
    if family == "deep nesting":
        return _deep_archives(members, config)
    units, shape = ("config", "layers", 1, "config", "units"), ("config", "layers", 0, "config")
    cases = [(f"units {n}", _with_config(members, replaced(config, units, n))) for n in HUGE]
    for n in HUGE:
        for value in ([None, n], [n, 3], [None, n, n]):
            edited = replaced(config, (*shape, "batch_shape"), value)
            cases.append((f"batch_shape {value}", _with_config(members, edited)))
    return cases


def _with_config(members: dict, config: dict) -> bytes:
    return _with(members, "config.json", json.dumps(config).encode())


def _deep_archives(members: dict, config: dict) -> list:
    cases = []
    for kind in ("list", "dict"):
        deep = deep_json(kind).encode()
        units = json.dumps(replaced(config, ("config", "layers", 1, "config", "units"), "@"))
        inner = units.replace('"@"', deep.decode()).encode()
        for name, data in (("config.json", deep), ("metadata.json", deep), ("config.json", inner)):
            cases.append((f"{name}: {kind} nested 100,000 deep", _with(members, name, data)))
    return cases


def _with(members: dict, name: str, data: bytes) -> bytes:
    return zip_of({**members, name: data})


FAMILIES = {
    "json": ["random bytes", "flips", "truncations", "wrong types", "deep nesting", "huge sizes"],
    "checkpoint": ["random bytes", "flips", "truncations", "header edits", "structure types"],
    "state": ["random bytes", "flips", "truncations", "header edits", "structure types"],
    "npz": ["random bytes", "flips", "truncations", "zip records", "npy headers"],
    "xy npz": ["random bytes", "flips", "truncations", "zip records", "npy headers"],
    "keras": ["random bytes", "flips", "truncations", "zip records", "weights header edits",
              "wrong types", "deep nesting", "huge sizes"],
}  # fmt: skip


def cases_for(reader: str, family: str) -> list:
    kind, rng = READERS[reader].kind, _rng(reader, family)
    if kind == "json":
        return _json_family(family, rng)
    if kind in ("checkpoint", "state"):
        return _safetensors_family(kind, family, rng)
    if kind in ("npz", "xy npz"):
        return _npz_family(kind, family, rng)
    return _keras_family(family, rng)


# ---- running the cases -------------------------------------------------------------------------
@pytest.fixture(scope="module", autouse=True)
def _bounded_address_space():
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    limit = size + ADDRESS_SPACE_MARGIN
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _outcome(reader: Reader, path: str, size: int) -> str | None:
    """None if the case was handled well, else what went wrong."""
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    try:
        reader.load(path)
    except reader.allowed:
        pass
    except SystemExit as error:  # the CLI's exit for a usage error
        if error.code != 2 or reader.kind != "json":
            return f"SystemExit({error.code!r})"
    except Exception as error:  # (not BaseException: Ctrl-C still stops the run)
        return f"{type(error).__name__}: {str(error)[:200]}"
    peak = tracemalloc.get_traced_memory()[1] - start
    if peak > 10 * size + ALLOWANCE:
        return f"allocated {peak:,} bytes for a file of {size:,} bytes"
    return None


def _report(reader: str, family: str, failures: list) -> str:
    """One line per kind of failure, with its smallest input, so it can be reproduced."""
    kinds: dict = {}
    for label, data, what in failures:
        key = what[:60]  # the exception type and the start of its message
        if key not in kinds or len(data) < len(kinds[key][1]):
            kinds[key] = (label, data, what)
    lines = [f"{reader} / {family}: {len(failures)} case(s) failed, {len(kinds)} kind(s):"]
    for label, data, what in kinds.values():
        lines.append(f"  {what}\n    case: {label}; {len(data)} bytes: {data[:160]!r}")
    return "\n".join(lines)


PAIRS = [(reader, family) for reader in READERS for family in FAMILIES[READERS[reader].kind]]


@pytest.mark.parametrize(("reader", "family"), PAIRS, ids=[f"{r}-{f}" for r, f in PAIRS])
def test_reader_survives_mutations(reader, family, tmp_path, restore_random_states):
    spec = READERS[reader]
    cases = cases_for(reader, family)
    assert cases, "no cases made"
    path = str(tmp_path / f"case{spec.suffix}")
    with open(path, "wb") as file:
        file.write(_valid(spec.kind))
    spec.load(path)  # the valid file loads (and the imports and caches are made before tracing)
    failures = []
    tracemalloc.start()
    try:
        for label, data in cases:
            with open(path, "wb") as file:
                file.write(data)
            what = _outcome(spec, path, len(data))
            if what is not None:
                failures.append((label, data, what))
    finally:
        tracemalloc.stop()
    assert not failures, _report(reader, family, failures)


def test_the_harness_reports_foreign_errors_and_large_allocations(tmp_path):
    """The checks above can fail: a KeyError and an allocation of 8 MB for 4 bytes are caught."""
    path = str(tmp_path / "case.bin")
    with open(path, "wb") as file:
        file.write(b"abcd")

    def leaky(_):
        return np.ones(1 << 20)

    def foreign(_):
        raise KeyError("structure")

    tracemalloc.start()
    try:
        assert _outcome(Reader(".bin", "x", leaky), path, 4).startswith("allocated")
        assert _outcome(Reader(".bin", "x", foreign), path, 4) == "KeyError: 'structure'"
        assert _outcome(Reader(".bin", "x", lambda _: None), path, 4) is None
    finally:
        tracemalloc.stop()
