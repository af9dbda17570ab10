"""Run the workloads: one fresh process per (workload, variant) run, frameworks alternating.

For each workload, repeat ``repeats`` times: run every selected variant once, in order
(nnscratch, torch, keras, nnscratch, torch, keras, ...), so that slow drifts in the machine's
load fall on all of them. Each run warms up before timing inside its own process. The runs'
times are pooled per variant; a variant that is unavailable or fails is not retried.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import worker
from .registry import Workload

BENCHMARKS = Path(__file__).resolve().parents[1]
ROOT = BENCHMARKS.parent
TIMEOUT_S = 900


@dataclass
class Pooled:
    """Every run of one variant: status, times pooled over runs, and per-run notes."""

    status: str = "ok"
    reason: str = ""
    times: list[float] = field(default_factory=list)
    work: float = 0.0
    rss_mb: list[float] = field(default_factory=list)
    extras: list[dict] = field(default_factory=list)
    threads: dict = field(default_factory=dict)

    def add(self, run: dict) -> None:
        """Pool one worker result (a failed run marks the variant failed)."""
        if run["status"] != "ok":
            self.status, self.reason = run["status"], run.get("reason", "")
            return
        self.times += run["times"]
        self.work = run["work"]
        self.rss_mb.append(run["peak_rss_mb"])
        self.extras.append(run.get("extra", {}))
        self.threads = run.get("threads", {})


# What NumPy's BLAS (OpenBLAS, MKL, BLIS) and torch read for their thread counts.
THREAD_VARIABLES = tuple(f"{lib}_NUM_THREADS" for lib in ("OMP", "OPENBLAS", "MKL", "BLIS"))


def worker_env(threads: int | None = None) -> dict:
    """The environment of the workers: this checkout first on the path, Keras on torch, and
    with ``threads`` every BLAS and torch pinned to that many threads (default: untouched)."""
    env = dict(os.environ)
    if threads:
        env.update({name: str(threads) for name in THREAD_VARIABLES})
    paths = [str(ROOT), str(BENCHMARKS), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["KERAS_BACKEND"] = "torch"
    return env


def spawn(args: list[str], threads: int | None = None) -> dict:
    """Run ``python -m suite.worker ARGS`` and return its JSON result (or an error result)."""
    command = [sys.executable, "-m", "suite.worker", *args]
    env = worker_env(threads)
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": f"timed out after {TIMEOUT_S} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(worker.MARK):
            return json.loads(line[len(worker.MARK) :])
    tail = done.stderr.strip().splitlines()[-3:]
    return {"status": "error", "reason": f"worker exited {done.returncode}: {' | '.join(tail)}"}


def installed() -> set[str]:
    """The frameworks importable here (Keras counts only with torch, its backend here)."""
    have = {"numpy", "nnscratch"}
    if importlib.util.find_spec("torch") is not None:
        have.add("torch")
        if importlib.util.find_spec("keras") is not None:
            have.add("keras")
    return have


@dataclass
class Runner:
    """How to run: the size, the frameworks wanted, in this process or fresh ones, repeats."""

    size: str
    frameworks: set[str]
    in_process: bool = False
    repeats: int | None = None
    profile: int = 0
    threads: int | None = None
    log: object = sys.stderr

    def one(self, key: str, label: str) -> dict:
        """One run of one variant, in a fresh process unless ``in_process``."""
        if self.in_process:
            return worker.run_variant(key, label, self.size, self.profile)
        extra = ["--profile", str(self.profile)] if self.profile else []
        return spawn([key, label, self.size, *extra], self.threads)

    def machine(self, with_torch: bool | None = None) -> dict:
        """The machine's description, measured in a fresh process (or this one); torch's
        thread count is read when torch is among the frameworks, unless ``with_torch``."""
        with_torch = "torch" in self.frameworks if with_torch is None else with_torch
        if self.in_process:
            from .machine import describe

            return describe(self.size, with_torch)
        no_torch = [] if with_torch else ["--no-torch"]
        return spawn(["--machine", self.size, *no_torch], self.threads)

    def workload(self, workload: Workload) -> dict[str, Pooled]:
        """All runs of one workload, variants alternating within each repeat."""
        pooled = {v.label: Pooled() for v in workload.variants}
        chosen = [v for v in workload.variants if v.framework in self.frameworks]
        for variant in workload.variants:
            if variant not in chosen:
                reason = f"{variant.framework} not selected or not installed"
                pooled[variant.label] = Pooled("skipped", reason)
        repeats = self.repeats or workload.sizes[self.size]["repeats"]
        for k in range(repeats):
            for variant in chosen:
                if pooled[variant.label].status == "ok":
                    run = self.one(workload.key, variant.label)
                    pooled[variant.label].add(run)
                    self._say(workload.key, variant.label, k, repeats, run)
        return pooled

    def _say(self, key: str, label: str, k: int, repeats: int, run: dict) -> None:
        if run["status"] == "ok":
            note = ", ".join(f"{t:.4g} s" for t in run["times"][:4])
        else:
            note = f"{run['status']}: {run.get('reason', '')}"
        print(f"  {key} {label} [{k + 1}/{repeats}] {note}", file=self.log, flush=True)
        if run.get("profile"):
            print(f"\n=== cProfile: {key} {label} ===\n{run['profile']}", file=self.log)
