"""W4, LeNet-5 on 1x28x28 images: two conv/ReLU/max-pool stages, then 120, 84, 10.

conv 6@5x5 padding 2, ReLU, max-pool 2, conv 16@5x5, ReLU, max-pool 2, flatten, Linear 120,
ReLU, Linear 84, ReLU, Linear 10; cross-entropy, plain SGD (lr 0.01), float32, batches of 64
random images: training samples/s, the same code on nnscratch.nn and torch. nnscratch reports
"unavailable" until ``nn.Conv2d`` and ``nn.MaxPool2d`` exist.
"""

from __future__ import annotations

import numpy as np

from ..registry import Variant, Workload, require
from ..timing import measure, result
from .common import batches, lib, steps_runner, train_step

LR, DATA_BATCHES = 0.01, 4


def lenet(nn):
    """LeNet-5 for 28x28 inputs (padding 2 on the first conv keeps the classic 32x32 maths)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip


def _images(rng: np.random.Generator, batch: int) -> np.ndarray:
    return rng.random((batch, 1, 28, 28), dtype=np.float32)


def _loop(framework: str):
    def run(params: dict) -> dict:
        module = lib(framework)
        require(module.nn, "Conv2d", "MaxPool2d")
        module.manual_seed(0)
        model = lenet(module.nn)
        optimizer = module.optim.SGD(model.parameters(), lr=LR)
        step = train_step(model, module.nn.CrossEntropyLoss(), optimizer)
        data = batches(module, _images, 10, params["batch"], DATA_BATCHES)
        steps = params["steps"]
        warm = steps_runner(step, data, params["warm_steps"])
        times = measure(steps_runner(step, data, steps), params["warmup"], params["runs"], warm)
        return result(times, params["batch"] * steps)

    return run


def _params(batch, steps, warm_steps, runs, repeats) -> dict:
    keys = ("batch", "steps", "warm_steps", "runs", "repeats")
    return {"warmup": 1, **dict(zip(keys, (batch, steps, warm_steps, runs, repeats)))}


WORKLOAD = Workload(
    key="W4",
    title="LeNet-5 on 1x28x28, SGD, cross-entropy, float32, batch 64",
    unit="samples/s",
    reference="torch",
    variants=(
        Variant("nnscratch.nn", "nnscratch", _loop("nnscratch")),
        Variant("torch", "torch", _loop("torch")),
    ),
    sizes={
        "full": _params(64, 30, 3, 2, 5),
        "quick": _params(64, 10, 2, 1, 2),
        "smoke": _params(4, 2, 1, 1, 1),
    },
)
