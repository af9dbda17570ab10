"""Timing inside one process: warm-up, then timed runs; an optional profiler on the timed part."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable

# Set by the worker under --profile: enabled around the timed runs only, never the warm-up.
PROFILER = None


def measure(
    run: Callable[[], object], warmup: int, runs: int, warm: Callable[[], object] | None = None
) -> list[float]:
    """Call ``warm`` (default ``run``: a shorter run is enough to load and fill caches)
    ``warmup`` times untimed, then ``run`` ``runs`` times; the seconds of each timed call."""
    for _ in range(warmup):
        (warm or run)()
    times = []
    for _ in range(runs):
        if PROFILER is not None:
            PROFILER.enable()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        if PROFILER is not None:
            PROFILER.disable()
    return times


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB (ru_maxrss: KiB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def result(times: list[float], work: float, **extra) -> dict:
    """The dict a variant returns: seconds per timed run, units of work per run, and notes."""
    return {"times": times, "work": work, "extra": extra}
