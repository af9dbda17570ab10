"""This machine: CPU, cores, versions, BLAS, thread counts and the float32 matmul rate."""

from __future__ import annotations

import datetime
import importlib.metadata
import importlib.util
import os
import platform
import time

import numpy as np

MATMUL_N = {"full": 2048, "quick": 2048, "smoke": 256}


def matmul_gflops(n: int = 2048, repeats: int = 5) -> float:
    """Best-of-``repeats`` GFLOP/s of an ``n x n`` float32 matmul through NumPy (2 n^3 FLOPs)."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    out = a @ b  # warm-up: BLAS threads start, pages fault in
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2.0 * n**3 / best / 1e9


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cores() -> dict:
    """Logical CPUs on the machine and those this process may run on."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"logical": os.cpu_count(), "usable": usable}


def blas() -> dict:
    """NumPy's BLAS library and thread count (threadpoolctl when installed, else show_config)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return {"library": f"{config.get('name')} {config.get('version')}", "threads": None}
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not pools:
        return {"library": "unknown", "threads": None}
    pool = pools[0]
    name = f"{pool['internal_api']} {pool['version']} ({pool.get('architecture')})"
    return {"library": name, "threads": pool["num_threads"]}


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions() -> dict:
    """Python, NumPy, nnscratch (the checkout's ``__version__``), torch and keras versions."""
    import nnscratch

    found = {"python": platform.python_version(), "numpy": np.__version__}
    found["nnscratch"] = nnscratch.__version__
    found["torch"], found["keras"] = _version("torch"), _version("keras")
    return found


def torch_threads() -> int | None:
    """torch's default intra-op thread count (None without torch); imports torch."""
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    return torch.get_num_threads()


def describe(size: str, with_torch: bool = True) -> dict:
    """Everything RESULTS.md records about the machine; the matmul runs before torch loads.

    ``with_torch=False`` leaves torch unimported (its thread count is then None).
    """
    n = MATMUL_N[size]
    info = {"matmul_n": n, "matmul_gflops": matmul_gflops(n)}
    info["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info.update(cpu=cpu_model(), cores=cores(), platform=platform.platform())
    info.update(versions=versions(), blas=blas())
    info["torch_threads"] = torch_threads() if with_torch else None
    info["loadavg"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return info
