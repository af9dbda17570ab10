"""The command line of ``benchmarks/run.py``: choose, run, print, write RESULTS.md."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

from . import registry
from .document import render
from .harness import BENCHMARKS, ROOT, Runner, installed, worker_env
from .report import Results

DEFAULT_OUTPUT = BENCHMARKS / "RESULTS.md"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Time W1-W8 on nnscratch, PyTorch and Keras 3; print and record the table.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="fewer steps, epochs and repeats")
    size.add_argument("--smoke", action="store_true", help="tiny sizes, one run (CI check)")
    parser.add_argument("--only", help="workloads by key prefix, comma-separated: W1,W3,W6")
    parser.add_argument(
        "--frameworks",
        help=f"comma-separated subset of {','.join(registry.FRAMEWORKS)} (default: installed)",
    )
    parser.add_argument("--repeats", type=int, help="processes per variant (default: by size)")
    parser.add_argument(
        "--threads",
        type=int,
        help="pin NumPy's BLAS and torch to N threads via OMP/OPENBLAS/MKL_NUM_THREADS "
        "(default: leave both at their defaults)",
    )
    parser.add_argument("--output", type=Path, help="markdown file (default: RESULTS.md)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--json", type=Path, help="also dump raw results as JSON here")
    parser.add_argument(
        "--in-process", action="store_true", help="run everything in this process (debugging)"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile the nnscratch variants, print the top N functions; writes nothing",
    )
    return parser.parse_args(argv)


def frameworks(args: argparse.Namespace) -> set[str]:
    """The frameworks to run: those asked for (default all) that are installed."""
    wanted = set(args.frameworks.split(",")) if args.frameworks else set(registry.FRAMEWORKS)
    unknown = wanted - set(registry.FRAMEWORKS)
    if unknown:
        raise SystemExit(f"unknown frameworks {sorted(unknown)}; valid: {registry.FRAMEWORKS}")
    if args.profile:
        wanted = {"nnscratch"}
    return wanted & installed()


def output_path(args: argparse.Namespace) -> Path | None:
    """Where to write: --output, else RESULTS.md, except for --smoke, --profile, --no-write."""
    if args.no_write or args.profile:
        return None
    return args.output or (None if args.smoke else DEFAULT_OUTPUT)


def size_of(args: argparse.Namespace) -> str:
    return "smoke" if args.smoke else "quick" if args.quick else "full"


def run(args: argparse.Namespace) -> Results:
    """Describe the machine, then run each selected workload; progress goes to stderr."""
    if args.in_process:
        if args.threads:
            raise SystemExit("--threads needs fresh processes: drop --in-process")
        os.environ.update(worker_env())
        sys.path[:0] = [str(ROOT)]  # this checkout's nnscratch, as the workers get it
    runner = Runner(
        size_of(args), frameworks(args), args.in_process, args.repeats, args.profile, args.threads
    )
    workloads = registry.select(args.only.split(",") if args.only else None)
    machine = runner.machine()
    if args.threads:
        machine["thread_setting"] = f"pinned by --threads {args.threads}"
    runs = {}
    for workload in workloads:
        print(f"{workload.key}: {workload.title}", file=sys.stderr, flush=True)
        runs[workload.key] = runner.workload(workload)
    _remeasure_matmul(machine, runner)
    return Results(workloads, runs, machine)


def _remeasure_matmul(machine: dict, runner: Runner) -> None:
    """Time the matmul again after the workloads and keep the better rate, the machine's peak:
    on a shared machine one burst of load during a single measurement can halve it (W3 then
    reads more than 100% of it)."""
    again = runner.machine(with_torch=False).get("matmul_gflops")
    if "matmul_gflops" in machine and again:
        machine["matmul_gflops_runs"] = [machine["matmul_gflops"], again]
        machine["matmul_gflops"] = max(machine["matmul_gflops_runs"])


def main(argv: list[str] | None = None) -> Results:
    """Run the suite, print the page, write it to RESULTS.md (and raw JSON when asked)."""
    args = parse(argv)
    start = time.perf_counter()
    results = run(args)
    command = shlex.join(["python3", "benchmarks/run.py", *(argv or sys.argv[1:])])
    if hasattr(os, "getloadavg"):
        results.machine["loadavg_end"] = list(os.getloadavg())
    notes = [f"The suite took {time.perf_counter() - start:.0f} s of wall time."]
    page = render(results, command, size_of(args), notes)
    print(page)
    path = output_path(args)
    if path is not None:
        path.write_text(page)
        print(f"wrote {path}", file=sys.stderr)
    if args.json is not None:
        raw = {k: {label: asdict(p) for label, p in v.items()} for k, v in results.runs.items()}
        args.json.write_text(json.dumps({"machine": results.machine, "runs": raw}, indent=1))
    return results
