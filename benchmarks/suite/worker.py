"""One measurement in its own process: ``python -m suite.worker KEY LABEL SIZE``.

Runs one variant of one workload at one size (warm-up included) and prints one line,
``@@result {json}``, on stdout; anything the frameworks print goes to stderr. With
``--machine SIZE`` it describes the machine instead. ``--profile N`` runs the timed part under
cProfile and adds the top ``N`` functions by cumulative and by own time to the result.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import sys
import traceback

from . import registry, timing

MARK = "@@result "


def _threads() -> dict:
    """The thread counts this process ran with: BLAS's, and torch's when torch was loaded."""
    threads = {}
    if "torch" in sys.modules:
        threads["torch"] = sys.modules["torch"].get_num_threads()
    with contextlib.suppress(ImportError):
        from threadpoolctl import threadpool_info

        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        threads["blas"] = [p["num_threads"] for p in pools]
    return threads


def _stats(profiler: cProfile.Profile, lines: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    for key in ("cumulative", "tottime"):
        out.write(f"--- sorted by {key} ---\n")
        stats.sort_stats(key).print_stats(lines)
    return out.getvalue()


def run_variant(key: str, label: str, size: str, profile: int = 0) -> dict:
    """Run one variant and return its result dict with ``status`` (ok/unavailable/error)."""
    workload = registry.find(key)
    params = workload.sizes[size]
    timing.PROFILER = cProfile.Profile() if profile else None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            out = {"status": "ok", **workload.variant(label).run(params)}
    except registry.Unavailable as error:
        out = {"status": "unavailable", "reason": str(error)}
    except Exception as error:  # report and let the suite go on
        trace = traceback.format_exc(limit=-3)
        out = {"status": "error", "reason": f"{type(error).__name__}: {error}", "trace": trace}
    if timing.PROFILER is not None and out["status"] == "ok":
        out["profile"] = _stats(timing.PROFILER, profile)
    timing.PROFILER = None
    # A variant measuring another process (W6c's imports) reports that process's peak RSS.
    own_rss = out.get("extra", {}).get("peak_rss_mb")
    out.update(peak_rss_mb=own_rss or timing.peak_rss_mb(), threads=_threads())
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("args", nargs="*", help="KEY LABEL SIZE")
    parser.add_argument("--machine", metavar="SIZE", help="describe the machine instead")
    parser.add_argument("--no-torch", action="store_true", help="with --machine: skip torch")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    if args.machine:
        from .machine import describe

        out = describe(args.machine, with_torch=not args.no_torch)
    else:
        out = run_variant(*args.args, profile=args.profile)
    print(MARK + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
