"""The benchmark suite (benchmarks/run.py) runs end to end at smoke size: every workload runs,
every measurement is a positive finite number, and the page has well-formed tables. No timing
asserts: benchmarks are not tests, this only keeps the suite from rotting."""

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from parity import require_torch

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "benchmarks" / "run.py"
KEYS = ["W1", "W2", "W3", "W4", "W5", "W6a", "W6b", "W6c"]
KEYS += ["W7a", "W7b", "W7c", "W7d", "W7e", "W8a", "W8b", "W8c", "W8d"]
TARGET_VERDICTS = {"PASS", "FAIL", "n/a"}


def run_suite(tmp_path: Path, *args: str) -> tuple[str, dict]:
    """One subprocess running the suite in-process at smoke size; the page and raw results."""
    page, raw = tmp_path / "RESULTS.md", tmp_path / "raw.json"
    command = [sys.executable, str(RUN), "--smoke", "--in-process", *args]
    command += ["--output", str(page), "--json", str(raw)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == page.read_text().strip()  # what is printed is what is written
    return page.read_text(), json.loads(raw.read_text())


def section(page: str, title: str) -> list[str]:
    """The lines of a ``## title`` section, up to the next one."""
    text = page.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in text.strip().splitlines() if line]


def table(page: str, title: str) -> list[list[str]]:
    """A markdown table's rows (header first, rule dropped), each checked to be well formed."""
    lines = section(page, title)
    assert all(line.startswith("|") and line.endswith("|") for line in lines), lines
    rows = [[cell.strip() for cell in line[1:-1].split("|")] for line in lines]
    assert set("".join(rows[1])) <= set("-"), rows[1]  # the header rule
    assert {len(row) for row in rows} == {len(rows[0])}
    return [rows[0], *rows[2:]]


def check_measured(registry, raw: dict, frameworks: set[str]) -> None:
    """Selected variants ran (or say why not, for layers still missing) with sane numbers."""
    for workload in registry.all_workloads():
        if workload.key not in raw["runs"]:
            continue
        for variant in workload.variants:
            run = raw["runs"][workload.key][variant.label]
            if variant.framework not in frameworks:
                assert run["status"] == "skipped", (workload.key, variant.label)
                continue
            if run["status"] == "unavailable":
                assert workload.key in ("W4", "W5") and "has no" in run["reason"], run
                continue
            assert run["status"] == "ok", (workload.key, variant.label, run["reason"])
            assert run["times"] and all(0 < t < math.inf for t in run["times"]), run
            assert run["work"] > 0 and all(m > 0 for m in run["rss_mb"]), run


@pytest.fixture
def registry(monkeypatch):
    """The suite's registry, imported as run.py imports it (benchmarks/ on the path)."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    from suite import registry

    return registry


def test_nnscratch_workloads_run_and_report(tmp_path, registry):
    page, raw = run_suite(tmp_path, "--frameworks", "nnscratch,numpy")
    assert sorted(raw["runs"]) == sorted(KEYS)
    check_measured(registry, raw, {"nnscratch", "numpy"})
    results = table(page, "Results")
    assert results[0][:3] == ["W", "variant", "median"]
    assert {row[0] for row in results[1:]} == set(KEYS)
    targets = table(page, "Targets")
    assert len(targets) == 13 and {row[-1] for row in targets[1:]} <= TARGET_VERDICTS
    assert raw["machine"]["matmul_gflops"] > 0 and raw["machine"]["cpu"]
    # The matmul rate is timed before and after the workloads; the better one is the peak.
    rates = raw["machine"]["matmul_gflops_runs"]
    assert len(rates) == 2 and raw["machine"]["matmul_gflops"] == max(rates)
    assert f"5 after: {rates[0]:.1f} and {rates[1]:.1f}): {max(rates):.1f} GFLOP/s" in page
    # The hand-written NumPy loop is an independent oracle for nnscratch's autograd run.
    assert "W1 final weights agree" in page


@pytest.mark.slow
def test_torch_variants_run_beside_nnscratch(tmp_path, registry):
    require_torch()
    page, raw = run_suite(tmp_path, "--frameworks", "nnscratch,numpy,torch", "--only", "W1,W3")
    assert sorted(raw["runs"]) == ["W1", "W3"]
    check_measured(registry, raw, {"nnscratch", "numpy", "torch"})
    assert raw["machine"]["torch_threads"] >= 1
    rows = {(row[0], row[1]): row for row in table(page, "Results")[1:]}
    assert rows[("W1", "torch eager")][6] == "ref"
    assert rows[("W3", "nnscratch.nn")][6].endswith("x")  # a ratio to torch was computed
    assert "W1 final weights agree" in page  # numpy, nnscratch and torch did the same work


def test_replay_experiment_runs_and_replays_the_same_training():
    """benchmarks/replay_floor.py: both replays train to the hand-written NumPy loop's weights
    (the script refuses to print otherwise) and a row of ratios comes out for every loss."""
    script = ROOT / "benchmarks" / "replay_floor.py"
    command = [sys.executable, str(script), "--repeats", "1", "--iterations", "30"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines() if line}
    for loss in ("formula", "bce", "logits"):
        ratios = rows[loss]  # per way: time / numpy's, then torch's / its ("-" without torch)
        assert len(ratios) == 6 and all(r.endswith("x") for r in ratios[0::2]), ratios
        if importlib.util.find_spec("torch") is not None:
            assert all(r.endswith("x") for r in ratios[1::2]), ratios
