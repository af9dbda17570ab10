"""W7, an MLP sweep: 64-w-w-10 ReLU networks from tiny to BLAS-bound, one workload per width.

The same training loop as W3 (softmax cross-entropy, SGD with momentum 0.9, learning rate
0.01, float32, a few random batches cycled) on five (width, batch) points: 16/4 and 64/32,
where Python's cost per op decides; 256/128, where the arrays are a few hundred KiB and what
each step pays for fresh memory shows; 1024/128 and 2048/256, where BLAS does most of the
work. Each point is its own workload (W7a to W7e, ``--only W7`` runs them all), nnscratch.nn
against torch, each in its own process with the environment as the user left it. The steps
per timed run grow as the step shrinks, so that a run lasts about 0.1 s.
"""

from __future__ import annotations

import numpy as np

from ..registry import Variant, Workload
from ..timing import measure, result
from .common import batches, lib, steps_runner, train_step

INPUTS, CLASSES = 64, 10
LR, MOMENTUM, DATA_BATCHES = 0.01, 0.9, 4
# (key, width, batch, steps per timed run at full size)
POINTS = (
    ("W7a", 16, 4, 800),
    ("W7b", 64, 32, 600),
    ("W7c", 256, 128, 100),
    ("W7d", 1024, 128, 12),
    ("W7e", 2048, 256, 2),
)


def weights(width: int) -> int:
    """The number of weights (biases left out) of 64-width-width-10."""
    return INPUTS * width + width * width + width * CLASSES


def mlp(nn, width: int):
    """64-width-width-10 with ReLUs, as ``nn.Sequential`` of the library ``nn``."""
    return nn.Sequential(
        nn.Linear(INPUTS, width),
        nn.ReLU(),
        nn.Linear(width, width),
        nn.ReLU(),
        nn.Linear(width, CLASSES),
    )


def _inputs(rng: np.random.Generator, batch: int) -> np.ndarray:
    return rng.standard_normal((batch, INPUTS), dtype=np.float32)


def _loop(framework: str, width: int):
    def run(params: dict) -> dict:
        module = lib(framework)
        module.manual_seed(0)
        model = mlp(module.nn, width)
        optimizer = module.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        step = train_step(model, module.nn.CrossEntropyLoss(), optimizer)
        data = batches(module, _inputs, CLASSES, params["batch"], DATA_BATCHES)
        steps = params["steps"]
        warm = steps_runner(step, data, max(1, steps // 4))
        times = measure(steps_runner(step, data, steps), params["warmup"], params["runs"], warm)
        flops = 6.0 * weights(width) * params["batch"] * steps
        return result(times, params["batch"] * steps, flops=flops)

    return run


def _workload(key: str, width: int, batch: int, steps: int) -> Workload:
    def params(steps: int, runs: int, repeats: int, batch: int = batch) -> dict:
        return {"warmup": 1, "batch": batch, "steps": steps, "runs": runs, "repeats": repeats}

    return Workload(
        key=key,
        title=f"MLP sweep 64-{width}-{width}-10, SGD momentum, float32, batch {batch}",
        unit="samples/s",
        reference="torch",
        variants=(
            Variant("nnscratch.nn", "nnscratch", _loop("nnscratch", width)),
            Variant("torch", "torch", _loop("torch", width)),
        ),
        sizes={
            "full": params(steps, 3, 5),
            "quick": params(max(1, steps // 2), 2, 2),
            "smoke": params(2, 1, 1, batch=min(batch, 4)),
        },
    )


WORKLOADS = tuple(_workload(*point) for point in POINTS)
