"""Small and large models on one and two BLAS threads, with and without nnscratch's policy.

OpenBLAS splits mid-size products over its threads, where a second thread costs more than it
saves; on a busy machine it waits for a core. ``nnscratch/ops/blas.py`` runs products of
fewer than ``ONE_THREAD_BELOW`` multiply-adds on one thread. This script measures both halves
of that choice:

1. ``products``: float32 square and skinny matrix products on 1 and 2 threads (in-process,
   through threadpoolctl), the numbers behind the threshold;
2. ``models``: a training workload per size, each run in a fresh process with
   ``OPENBLAS_NUM_THREADS`` set to 1 or 2, with the policy on (as shipped) or off (the
   threshold set to 0, as before it). Runs are interleaved and the median is reported.

``--load`` keeps one core busy with a spinning process while it measures, as another tenant
of a shared 2-core machine would.

Run from the repository root::

    python benchmarks/bench_blas_threads.py [--repeats 3] [--load] [--only products|models]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

WORKLOADS = ("xor", "transformer", "mlp_wide")
SHAPES = [(n, n, n) for n in (64, 96, 128, 160, 192, 256, 384, 512)] + [
    (768, 32, 96), (384, 64, 32), (96, 384, 32), (128, 784, 512), (128, 512, 10),
]  # fmt: skip


def products(repeats: int) -> None:
    """Print microseconds per (m, k) @ (k, n) float32 product on 1 and 2 threads."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    print(f"{'m x k x n':>16} {'m*k*n':>11} {'1 thread':>10} {'2 threads':>10} {'2t / 1t':>8}")
    for m, k, n in SHAPES:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        times = {}
        for threads in (1, 2):
            with threadpool_limits(threads, user_api="blas"):
                times[threads] = _best_of(a.dot, b, repeats, 3e8 / (m * k * n))
        ratio = times[2] / times[1]
        print(f"{m:>4} x{k:>4} x{n:>4} {m * k * n:>11,} {times[1]:>9.1f}u {times[2]:>9.1f}u "
              f"{ratio:>8.2f}")  # fmt: skip


def _best_of(fn, arg, repeats: int, calls: float) -> float:
    """The median over ``repeats`` blocks of microseconds per call of ``fn(arg)``."""
    calls = max(3, int(calls))
    blocks = []
    for _ in range(max(repeats, 3)):
        start = time.perf_counter()
        for _ in range(calls):
            fn(arg)
        blocks.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(blocks)


def models(repeats: int) -> None:
    """Print seconds per workload for each (threads, policy), each run in its own process."""
    variants = [(t, p) for t in (1, 2) for p in ("on", "off")]
    seconds = {(w, v): [] for w in WORKLOADS for v in variants}
    for _ in range(repeats):
        for workload in WORKLOADS:
            for threads, policy in variants:
                seconds[workload, (threads, policy)].append(_child(workload, threads, policy))
    print(f"{'workload':>12} " + " ".join(f"{f'{t}t policy {p}':>14}" for t, p in variants))
    for workload in WORKLOADS:
        cells = [statistics.median(seconds[workload, v]) for v in variants]
        print(f"{workload:>12} " + " ".join(f"{c:>13.3f}s" for c in cells))


def _child(workload: str, threads: int, policy: str) -> float:
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    command = [sys.executable, __file__, "--child", workload, "--policy", policy]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def run_child(workload: str, policy: str) -> None:
    """Time one workload in this process; print ``{"seconds": ...}``."""
    import nnscratch as ns
    from nnscratch.ops import blas

    if policy == "off":
        blas.ONE_THREAD_BELOW = 0  # every product on BLAS's own thread count, as before
    step = _STEPS[workload](ns)
    step()  # warm-up: imports, workspace buffers
    start = time.perf_counter()
    step()
    print(json.dumps({"seconds": time.perf_counter() - start}))


def _xor_steps(ns, steps: int = 2000):
    """The article's 2-2-1 network, full batch: products of at most 2x2x4."""
    net = ns.nn.Sequential(ns.nn.Linear(2, 2), ns.nn.Sigmoid(), ns.nn.Linear(2, 1))
    x = ns.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = ns.tensor([[0.0], [1.0], [1.0], [0.0]])
    return _training(ns, net, [(x, y)] * steps, ns.nn.BCEWithLogitsLoss())


def _transformer_steps(ns, batches: int = 60):
    """examples/transformer_block.py's model: products of about 768 x 32 x 96."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
    from transformer_block import OrderClassifier, make_data

    ns.manual_seed(0)
    x, y = (ns.from_numpy(a) for a in make_data(64 * batches, 0))
    data = [(x[i : i + 64], y[i : i + 64]) for i in range(0, len(x), 64)]
    return _training(ns, OrderClassifier(), data, ns.nn.CrossEntropyLoss())


def _mlp_wide_steps(ns, batches: int = 20):
    """W3's MLP (784-512-512-10, batch 128): products of 128 x 784 x 512, BLAS-bound."""
    ns.manual_seed(0)
    net = ns.nn.Sequential(ns.nn.Linear(784, 512), ns.nn.ReLU(), ns.nn.Linear(512, 512),
                           ns.nn.ReLU(), ns.nn.Linear(512, 10))  # fmt: skip
    data = [(ns.randn(128, 784), ns.randint(0, 10, (128,))) for _ in range(batches)]
    return _training(ns, net, data, ns.nn.CrossEntropyLoss())


def _training(ns, net, data, loss_fn):
    optimizer = ns.optim.Adam(net.parameters(), lr=1e-3)

    def run():
        for x, y in data:
            optimizer.zero_grad()
            loss_fn(net(x), y).backward()
            optimizer.step()

    return run


_STEPS = {"xor": _xor_steps, "transformer": _transformer_steps, "mlp_wide": _mlp_wide_steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=("products", "models"))
    parser.add_argument("--load", action="store_true", help="keep one core busy meanwhile")
    parser.add_argument("--child", choices=WORKLOADS, help=argparse.SUPPRESS)
    parser.add_argument("--policy", choices=("on", "off"), default="on", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args.child, args.policy)
    spinner = _spin() if args.load else None
    try:
        print(f"load: {'one core kept busy' if spinner else 'none added'}; "
              f"loadavg before: {os.getloadavg()[0]:.2f}")  # fmt: skip
        if args.only != "models":
            products(args.repeats)
        if args.only != "products":
            models(args.repeats)
    finally:
        if spinner:
            spinner.kill()


def _spin() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


if __name__ == "__main__":
    main()
