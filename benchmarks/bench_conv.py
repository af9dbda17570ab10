"""Time LeNet-5's convolution and pooling layers, forward + backward, on nnscratch and PyTorch.

The layers are LeNet-5's at batch 64 in float32: ``conv1`` (1x28x28 -> 6@5x5, padding 2; its
input needs no gradient, as a first layer's), ``conv2`` (6x14x14 -> 16@5x5, input gradient too)
and the two 2x2 max-pools after them. Each step is ``y = layer(x); y.backward(g)`` with the same
arrays in both libraries; blocks of repeats alternate (nnscratch, torch, nnscratch, ...) so
machine noise falls on both.

Run from the repository root::

    python benchmarks/bench_conv.py [--repeats 50] [--batch 64] [--threads N] [--clock cpu]
                                    [--tune-malloc]

By default both libraries keep their own thread counts (torch's is printed; NumPy's BLAS uses
its default) and the clock is wall time. ``--threads N`` pins both to N threads (BLAS through
``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS``, set before NumPy loads). ``--clock cpu`` times
CPU seconds of the process instead, steady on a shared machine with one thread (with more it
sums the threads' work). ``--tune-malloc`` asks glibc to keep freed memory instead of returning
it to the system (``mallopt``), which spares the page faults of fresh multi-megabyte arrays.

It prints the median and best milliseconds per step and ``torch / nnscratch``: the throughput
ratio, above 1.0 when nnscratch is faster. On a shared machine compare ratios from one run only.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import statistics
import time

# name: (functional name, input shape without batch, weight shape, kwargs, input needs grad)
LAYERS = {
    "conv1 1x28x28->6@5x5 p2": ("conv2d", (1, 28, 28), (6, 1, 5, 5), {"padding": 2}, False),
    "conv2 6x14x14->16@5x5": ("conv2d", (6, 14, 14), (16, 6, 5, 5), {}, True),
    "pool1 6x28x28 max 2x2": ("max_pool2d", (6, 28, 28), None, {"kernel_size": 2}, True),
    "pool2 16x10x10 max 2x2": ("max_pool2d", (16, 10, 10), None, {"kernel_size": 2}, True),
}


def make_step(lib, name, x, w, b, kwargs, x_grad):
    """One forward + backward of the layer in ``lib``, on copies of the same arrays."""
    op = getattr(lib.nn.functional, name)
    xt = lib.tensor(x, requires_grad=x_grad)
    params = [lib.tensor(a, requires_grad=True) for a in (w, b) if a is not None]
    g = lib.ones(*op(xt, *params, **kwargs).shape)

    def step():
        for t in (xt, *params):
            t.grad = None
        op(xt, *params, **kwargs).backward(g)

    return step


def time_steps(steps: dict, repeats: int, clock, rounds: int = 5) -> dict:
    """Seconds per call of each step, in alternating blocks of ``repeats / rounds`` calls.

    Blocks, not single calls, alternate: torch's OpenMP workers spin for a while after each
    parallel region, and would steal the cores from a NumPy step that ran right after it.
    """
    times = {key: [] for key in steps}
    for _ in range(rounds):
        for key, step in steps.items():
            time.sleep(0.05)  # let the other library's threads go idle
            step()  # warm up
            for _ in range(max(repeats // rounds, 1)):
                start = clock()
                step()
                times[key].append(clock() - start)
    return times


def tune_malloc() -> None:
    """glibc: serve large arrays from the heap and keep freed memory (no trim, no munmap)."""
    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 1 << 30)
    libc.mallopt(m_trim_threshold, 1 << 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    parser.add_argument("--tune-malloc", action="store_true")
    args = parser.parse_args()
    if args.threads:  # before NumPy and torch load their thread pools
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    if args.tune_malloc:
        tune_malloc()
    run(args)


def run(args) -> None:
    import numpy as np

    import nnscratch as ns

    try:
        import torch
    except ImportError:
        torch = None
    if torch and args.threads:
        torch.set_num_threads(args.threads)
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    rng = np.random.default_rng(0)
    print(f"{'layer':<26}{'nnscratch ms':>16}{'torch ms':>16}   torch/ns  (median / best)")
    for label, (name, shape, w_shape, kwargs, x_grad) in LAYERS.items():
        x = rng.standard_normal((args.batch, *shape), dtype=np.float32)
        w = None if w_shape is None else 0.1 * rng.standard_normal(w_shape, dtype=np.float32)
        b = None if w_shape is None else rng.standard_normal(w_shape[0], dtype=np.float32)
        libs = {"ns": ns} | ({"torch": torch} if torch else {})
        steps = {k: make_step(lib, name, x, w, b, kwargs, x_grad) for k, lib in libs.items()}
        print(_row(label, time_steps(steps, args.repeats, clock)))
    threads = f"{torch.__version__} ({torch.get_num_threads()} threads)" if torch else "absent"
    print(
        f"\n{args.clock} clock; numpy {np.__version__}, torch {threads}, {platform.machine()}, "
        f"malloc {'tuned' if args.tune_malloc else 'default'}"
    )


def _row(label: str, times: dict) -> str:
    ours = times["ns"]
    text = f"{label:<26}{_ms(ours):>16}"
    if "torch" in times:
        theirs = times["torch"]
        ratio = statistics.median(theirs) / statistics.median(ours)
        best = min(theirs) / min(ours)
        text += f"{_ms(theirs):>16}   {ratio:.2f} / {best:.2f}"
    return text


def _ms(seconds: list) -> str:
    return f"{1e3 * statistics.median(seconds):.2f} / {1e3 * min(seconds):.2f}"


if __name__ == "__main__":
    main()
