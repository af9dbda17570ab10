"""Time the seed article's XOR training loop three ways: NumPy by hand, nnscratch, PyTorch.

The loop is the article's: a 2-2-1 sigmoid network without biases, full-batch gradient descent
on the binary cross-entropy, learning rate 0.1, 10,000 iterations, float64, from the same initial
weights (``np.random.seed(42)``). Each method is written the natural way its user writes it,
reading the loss every iteration for the losses list as the article does. Repeats are
interleaved (numpy, nnscratch, torch, numpy, ...) so that machine noise falls on all three.

Run from the repository root::

    python benchmarks/bench_xor_loop.py [--repeats 5] [--iterations 10000]
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import statistics
import time
from pathlib import Path

import numpy as np

import nnscratch as ns

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "xor_from_scratch.py"
LR = 0.1


def load_example():
    """The plain-NumPy article code (examples/ is not a package, so load it by path)."""
    spec = importlib.util.spec_from_file_location("xor_from_scratch", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


xor = load_example()


def train_numpy(w1, w2, x, y, iterations):
    """The article's loop: forward_prop, loss, hand-written back_prop, update."""
    w1, w2, _ = xor.train(w1, w2, x, y, lr=LR, iterations=iterations)
    return w1, w2


# The loss, spelled three ways. "formula" is the article's expression, op by op; "bce" is the
# fused op that replaces it (what a PyTorch user writes); "logits" fuses the last sigmoid too.
LOSSES = {
    "formula": lambda lib, z2, y: _formula(z2.sigmoid(), y, y.shape[1]),
    "bce": lambda lib, z2, y: lib.nn.functional.binary_cross_entropy(z2.sigmoid(), y),
    "logits": lambda lib, z2, y: lib.nn.functional.binary_cross_entropy_with_logits(z2, y),
}


def _formula(a2, y, m):
    return -(1 / m) * (y * a2.log() + (1 - y) * (1 - a2).log()).sum()


def article_loss(lib, loss_name: str, w1, w2, x, y):
    """The article's forward pass, 2-2-1 sigmoid without biases, and its loss spelled one way."""
    return LOSSES[loss_name](lib, w2 @ (w1 @ x).sigmoid(), y)


def autograd_loop(lib, loss_name: str):
    """The article's loop on an autograd library (nnscratch or torch): the same code for both."""

    def train(w1, w2, x, y, iterations):
        w1 = lib.tensor(w1, requires_grad=True)
        w2 = lib.tensor(w2, requires_grad=True)
        x, y = lib.tensor(x), lib.tensor(y)
        losses = []
        for _ in range(iterations):
            loss = article_loss(lib, loss_name, w1, w2, x, y)
            losses.append(loss.item())
            loss.backward()
            with lib.no_grad():
                w1 -= LR * w1.grad
                w2 -= LR * w2.grad
            w1.grad = None
            w2.grad = None
        return w1.detach().numpy(), w2.detach().numpy()

    return train


def time_methods(methods: dict, repeats: int, iterations: int) -> dict[str, list[float]]:
    """Seconds per run for each method, repeats interleaved; checks they all end alike."""
    np.random.seed(xor.SEED)
    w1 = np.random.rand(xor.hidden_neurons, xor.input_neurons)
    w2 = np.random.rand(xor.output_neurons, xor.hidden_neurons)
    times = {name: [] for name in methods}
    for _ in range(repeats):
        finals = {}
        for name, train in methods.items():
            start = time.perf_counter()
            finals[name] = train(w1.copy(), w2.copy(), xor.total_input, xor.y_xor, iterations)
            times[name].append(time.perf_counter() - start)
        check_same_weights(finals)
    return times


def check_same_weights(finals: dict) -> None:
    """The benchmark is only fair if every method did the same work."""
    ref_w1, ref_w2 = finals["numpy"]
    for name, (w1, w2) in finals.items():
        np.testing.assert_allclose(w1, ref_w1, rtol=0, atol=1e-9, err_msg=f"{name} w1")
        np.testing.assert_allclose(w2, ref_w2, rtol=0, atol=1e-9, err_msg=f"{name} w2")


def report(times: dict[str, list[float]], iterations: int) -> None:
    med = {name: statistics.median(runs) for name, runs in times.items()}
    repeats = len(next(iter(times.values())))
    print(f"XOR loop, {iterations:,} iterations, median of {repeats} interleaved runs")
    print(f"{'method':<18} {'median s':>9} {'us/iter':>8} {'min s':>8} {'max s':>8}")
    for name, runs in times.items():
        per_iter = med[name] / iterations * 1e6
        print(f"{name:<18} {med[name]:>9.3f} {per_iter:>8.1f} {min(runs):>8.3f} {max(runs):>8.3f}")
    print(f"{'loss':<9} {'nnscratch/numpy':>16} {'torch/nnscratch':>16}   (targets <= 2.5x, >= 3x)")
    for loss in LOSSES:
        ours, theirs = med[f"nnscratch {loss}"], med.get(f"torch {loss}")
        vs_torch = f"{theirs / ours:>15.2f}x" if theirs else f"{'-':>16}"
        print(f"{loss:<9} {ours / med['numpy']:>15.2f}x {vs_torch}")


def import_torch(threads: int):
    """torch, set to ``threads`` threads (tiny ops gain nothing from more), or None."""
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    torch.set_num_threads(threads)
    return torch


def versions() -> str:
    parts = [f"python {platform.python_version()}", f"numpy {np.__version__}"]
    parts.append(f"nnscratch {ns.__version__}")
    try:
        import torch

        parts.append(f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    except ImportError:
        parts.append("torch not installed (skipped)")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per method (default 5)")
    parser.add_argument("--iterations", type=int, default=10_000, help="default 10,000")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args(argv)
    methods = {"numpy": train_numpy}
    torch = import_torch(args.threads)
    for loss in LOSSES:
        methods[f"nnscratch {loss}"] = autograd_loop(ns, loss)
        if torch is not None:
            methods[f"torch {loss}"] = autograd_loop(torch, loss)
    times = time_methods(methods, args.repeats, args.iterations)
    report(times, args.iterations)
    print(versions())


if __name__ == "__main__":
    main()
