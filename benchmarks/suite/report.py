"""The results as text: a table of medians, throughputs and ratios, the targets, RESULTS.md."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from .harness import Pooled
from .registry import Workload


def seconds(t: float) -> str:
    """A duration with a unit that keeps three or four significant digits."""
    if t < 1e-3:
        return f"{t * 1e6:.1f} us"
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.3f} s"


def rate(x: float) -> str:
    """A throughput, grouped by thousands with no decimals once it is large."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


@dataclass
class Results:
    """Pooled runs by workload key and variant label, the workloads and the machine."""

    workloads: list[Workload]
    runs: dict[str, dict[str, Pooled]]
    machine: dict

    def ok(self, key: str, label: str) -> Pooled | None:
        pooled = self.runs.get(key, {}).get(label)
        return pooled if pooled is not None and pooled.status == "ok" and pooled.times else None

    def median(self, key: str, label: str) -> float | None:
        pooled = self.ok(key, label)
        return statistics.median(pooled.times) if pooled else None

    def speed(self, key: str, label: str, ref: str) -> float | None:
        """How many times faster ``label`` is than ``ref`` (ref's median / label's median)."""
        mine, theirs = self.median(key, label), self.median(key, ref)
        return theirs / mine if mine and theirs else None

    def rss(self, key: str, label: str) -> float | None:
        pooled = self.ok(key, label)
        return statistics.median(pooled.rss_mb) if pooled else None

    def gflops(self, key: str, label: str) -> float | None:
        pooled, median = self.ok(key, label), self.median(key, label)
        flops = pooled.extras[0].get("flops") if pooled else None
        return flops / median / 1e9 if flops else None

    def matmul_share(self, key: str, label: str) -> float | None:
        achieved, peak = self.gflops(key, label), self.machine.get("matmul_gflops")
        return achieved / peak if achieved and peak else None


def _notes(results: Results, workload: Workload, label: str) -> str:
    pooled = results.ok(workload.key, label)
    notes = []
    if results.gflops(workload.key, label):
        share = results.matmul_share(workload.key, label)
        notes.append(f"{results.gflops(workload.key, label):.1f} GFLOP/s = {share:.1%} of matmul")
    epochs = pooled.extras[0].get("epochs_run") if pooled else None
    if epochs and epochs != pooled.work:
        notes.append(f"scaled from {epochs} epochs")
    return "; ".join(notes)


def _row(results: Results, workload: Workload, label: str) -> list[str]:
    pooled = results.runs[workload.key][label]
    if results.ok(workload.key, label) is None:
        return [workload.key, label, pooled.status, "", "", "", "", "", pooled.reason[:120]]
    median = results.median(workload.key, label)
    speed = results.speed(workload.key, label, workload.reference)
    ratio = "ref" if label == workload.reference else (f"{speed:.2f}x" if speed else "-")
    spread = f"{seconds(min(pooled.times))} - {seconds(max(pooled.times))}"
    throughput = f"{rate(pooled.work / median)} {workload.unit}"
    rss = f"{results.rss(workload.key, label):.0f}"
    cells = [seconds(median), spread, str(len(pooled.times)), throughput, ratio, rss]
    return [workload.key, label, *cells, _notes(results, workload, label)]


HEADER = ["W", "variant", "median", "min - max", "n", "throughput", "vs ref", "RSS MB", "notes"]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub markdown table, columns padded so that it also reads in a terminal."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    head = "| " + " | ".join(c.ljust(w) for c, w in zip(header, widths)) + " |"
    return "\n".join([head, rule, *lines])


def results_table(results: Results) -> str:
    """Every workload's variants: median time, spread, runs, throughput, speed vs reference."""
    rows = [
        _row(results, workload, variant.label)
        for workload in results.workloads
        for variant in workload.variants
    ]
    return markdown_table(HEADER, rows)


def weights_check(results: Results) -> str | None:
    """W1's variants must end on the same weights (to 1e-9): the same work was timed."""
    finals = [
        extra["final_weights"]
        for pooled in results.runs.get("W1", {}).values()
        if pooled.status == "ok"
        for extra in pooled.extras
    ]
    if len(finals) < 2:
        return None
    worst = max(abs(a - b) for final in finals[1:] for a, b in zip(final, finals[0]))
    verdict = "agree" if worst <= 1e-9 else "DISAGREE"
    return f"W1 final weights {verdict} across variants and runs (max difference {worst:.1e})."


@dataclass(frozen=True)
class Target:
    """One goal of issue 8: what is measured, the goal as text, and a pass test."""

    name: str
    goal: str
    measure: Callable[[Results], float | None]
    passes: Callable[[float], bool]
    shown: Callable[[float], str]


def _times(x: float) -> str:
    return f"{x:.2f}x"


def _percent(x: float) -> str:
    return f"{x:.1%}"  # one decimal: 69.7% must not read as a failing 70%


def _slowest_w7(r: Results) -> float | None:
    """W7's worst width: the smallest nnscratch.nn / torch speed over the points measured."""
    keys = [key for key in r.runs if key.startswith("W7")]
    speeds = [r.speed(key, "nnscratch.nn", "torch") for key in keys]
    return min(speeds) if speeds and None not in speeds else None


def _slowest_w8(r: Results) -> float | None:
    """W8's worst case: each front end's step against the NumPy floor of its own formula,
    fresh and warm, Adam and SGD (speed; 1/1.2 = 0.83 is "within 1.2x")."""
    pairs = (("nnscratch.optim", "numpy in place (torch's formula)"),
             ("nnscratch.keras", "numpy in place (Keras's formula)"))  # fmt: skip
    speeds = [
        r.speed(key, mine, floor) for key in ("W8a", "W8b", "W8c", "W8d") if key in r.runs
        for mine, floor in pairs
    ]  # fmt: skip
    return min(speeds) if speeds and None not in speeds else None


def _rss_ratio(r: Results) -> float | None:
    mine, theirs = r.rss("W3", "nnscratch.nn"), r.rss("W3", "torch")
    return mine / theirs if mine and theirs else None


TARGETS = (
    Target("W1 nnscratch vs torch eager", ">= 3x faster",
           lambda r: r.speed("W1", "nnscratch", "torch eager"), lambda x: x >= 3, _times),
    Target("W2 nnscratch.keras fit vs keras 3 fit", ">= 30x faster",
           lambda r: r.speed("W2", "nnscratch.keras fit", "keras 3 fit"), lambda x: x >= 30,
           _times),
    Target("W2 nnscratch.keras fit vs torch eager loop", ">= 3x faster",
           lambda r: r.speed("W2", "nnscratch.keras fit", "torch eager loop"), lambda x: x >= 3,
           _times),
    Target("W3 nnscratch.nn vs torch throughput", ">= 1.15x",
           lambda r: r.speed("W3", "nnscratch.nn", "torch"), lambda x: x >= 1.15, _times),
    Target("W3 nnscratch.nn share of matmul rate", ">= 70%",
           lambda r: r.matmul_share("W3", "nnscratch.nn"), lambda x: x >= 0.7, _percent),
    Target("W4 nnscratch.nn vs torch throughput", ">= 0.8x",
           lambda r: r.speed("W4", "nnscratch.nn", "torch"), lambda x: x >= 0.8, _times),
    Target("W5 nnscratch.nn vs torch throughput", ">= 0.7x",
           lambda r: r.speed("W5", "nnscratch.nn", "torch"), lambda x: x >= 0.7, _times),
    Target("W6 import nnscratch (median)", "< 0.2 s",
           lambda r: r.median("W6c", "import nnscratch"), lambda x: x < 0.2, seconds),
    Target("W6 W3 peak RSS, nnscratch / torch", "<= 60%", _rss_ratio, lambda x: x <= 0.6,
           _percent),
    Target("W2 nnscratch.keras fit vs nnscratch.nn loop", ">= 0.8x (within 1.25x)",
           lambda r: r.speed("W2", "nnscratch.keras fit", "nnscratch.nn loop"),
           lambda x: x >= 0.8, _times),
    Target("W7 nnscratch.nn vs torch, slowest width", ">= 1.0x", _slowest_w7, lambda x: x >= 1,
           _times),
    Target("W8 optimizer step vs its NumPy floor, slowest", ">= 0.83x (within 1.2x)",
           _slowest_w8, lambda x: x >= 1 / 1.2, _times),
)  # fmt: skip


def targets_table(results: Results) -> str:
    """Each target with its measured value and PASS, FAIL or n/a (not measured)."""
    rows = []
    for target in TARGETS:
        value = target.measure(results)
        if value is None:
            rows.append([target.name, "-", target.goal, "n/a"])
        else:
            verdict = "PASS" if target.passes(value) else "FAIL"
            rows.append([target.name, target.shown(value), target.goal, verdict])
    return markdown_table(["target", "measured", "goal", "result"], rows)
