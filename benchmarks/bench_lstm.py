"""Time training an LSTM text classifier on nnscratch and on PyTorch (the W5 workload).

The model: ``Embedding(1000, 64) -> LSTM(64, 128) -> Linear(128, 10)`` on the final hidden
state, cross-entropy loss, one SGD step (lr 0.1) per batch of 32 sequences of 50 token ids,
float32. Both libraries start from the same weights (torch's, copied into nnscratch) and see
the same batches; their losses must agree at the end, so both did the same work. Repeats are
interleaved (nnscratch, torch, nnscratch, ...) so machine noise falls on both.

Run from the repository root::

    python benchmarks/bench_lstm.py [--steps 20] [--repeats 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import statistics
import time

import numpy as np

import nnscratch as ns

VOCAB, EMBED, HIDDEN, CLASSES, SEQ, BATCH, LR = 1000, 64, 128, 10, 50, 32, 0.1


def build(lib):
    """The classifier as a function of the library: the same code for nnscratch and torch."""

    class Classifier(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = lib.nn.Embedding(VOCAB, EMBED)
            self.lstm = lib.nn.LSTM(EMBED, HIDDEN)
            self.head = lib.nn.Linear(HIDDEN, CLASSES)

        def forward(self, tokens):
            _, (h_n, _) = self.lstm(self.embedding(tokens))  # tokens: (seq, batch)
            return self.head(h_n[-1])

    return Classifier()


def trainer(lib, model, batches):
    """A function running ``steps`` SGD steps over the batches; returns the last loss."""
    optimizer = lib.optim.SGD(model.parameters(), lr=LR)
    data = [(lib.tensor(x), lib.tensor(y)) for x, y in batches]

    def train(steps: int) -> float:
        for k in range(steps):
            tokens, labels = data[k % len(data)]
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(tokens), labels)
            loss.backward()
            optimizer.step()
        return loss.item()

    return train


def make_batches(count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    return [
        (rng.integers(0, VOCAB, (SEQ, BATCH)), rng.integers(0, CLASSES, BATCH))
        for _ in range(count)
    ]


def time_runs(methods: dict, steps: int, repeats: int) -> dict[str, list[float]]:
    """Seconds per run of ``steps`` steps, repeats interleaved."""
    times = {name: [] for name in methods}
    for _ in range(repeats):
        for name, train in methods.items():
            start = time.perf_counter()
            train(steps)
            times[name].append(time.perf_counter() - start)
    return times


def check_same_work(torch, batches, steps: int) -> None:
    """From torch's initial weights, both libraries must reach the same loss."""
    torch.manual_seed(0)
    theirs = build(torch)
    ours = build(ns)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    a, b = trainer(ns, ours, batches)(steps), trainer(torch, theirs, batches)(steps)
    if not np.isclose(a, b, rtol=1e-4, atol=1e-5):
        raise AssertionError(f"final losses differ: nnscratch {a}, torch {b}")
    print(f"same work: after {steps} steps the losses agree ({a:.6f} vs {b:.6f})")


def report(times: dict[str, list[float]], steps: int) -> None:
    rate = {name: steps * BATCH / statistics.median(runs) for name, runs in times.items()}
    print(f"LSTM classifier: embedding {EMBED}, hidden {HIDDEN}, seq {SEQ}, batch {BATCH}")
    print(f"{'library':<10} {'samples/s':>10} {'ms/step':>8} {'min s':>7} {'max s':>7}")
    for name, runs in times.items():
        ms = statistics.median(runs) / steps * 1e3
        print(f"{name:<10} {rate[name]:>10.0f} {ms:>8.2f} {min(runs):>7.3f} {max(runs):>7.3f}")
    if "torch" in rate:
        print(f"nnscratch / torch throughput: {rate['nnscratch'] / rate['torch']:.2f}x "
              "(target: at least 0.7x)")  # fmt: skip


def limit_threads(threads: int):
    """torch (or None) with ``threads`` threads, and NumPy's BLAS held to the same."""
    if importlib.util.find_spec("threadpoolctl") is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    else:
        print("threadpoolctl not installed: NumPy's BLAS uses its default thread count")
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    torch.set_num_threads(threads)
    return torch


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="SGD steps per run (default 20)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per library (default 5)")
    parser.add_argument("--threads", type=int, default=1, help="threads for both (default 1)")
    args = parser.parse_args(argv)
    torch = limit_threads(args.threads)
    batches = make_batches(8)
    ns.manual_seed(0)
    methods = {"nnscratch": trainer(ns, build(ns), batches)}
    if torch is not None:
        check_same_work(torch, batches, 3)
        torch.manual_seed(0)
        methods["torch"] = trainer(torch, build(torch), batches)
    for train in methods.values():
        train(2)  # warm up
    report(time_runs(methods, args.steps, args.repeats), args.steps)
    torch_version = f"torch {torch.__version__}" if torch else "torch not installed"
    print(f"python {platform.python_version()}, numpy {np.__version__}, {torch_version}, "
          f"{args.threads} thread(s)")  # fmt: skip


if __name__ == "__main__":
    main()
