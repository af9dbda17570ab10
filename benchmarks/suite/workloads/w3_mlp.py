"""W3, an MNIST-sized MLP: 784-512-512-10 ReLU, softmax cross-entropy, SGD momentum 0.9.

Learning rate 0.01, float32, batches of 128 random images and labels, throughput in samples/s
over 50 steps after a warm-up. Each step costs about ``6 * weights * batch`` FLOPs (forward
``2 w b``, the two backward matmuls ``4 w b``), so the report also gives the share of this
machine's float32 matmul rate reached. nnscratch.nn against torch; the two Keras fits
(``nnscratch.keras`` and Keras 3, ``SparseCategoricalCrossentropy(from_logits=True)``) are
extra rows. The worker's peak RSS at the end is W6's memory comparison.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..registry import Variant, Workload
from ..timing import measure, result
from .common import batches, keras_module, lib, steps_runner, train_step

SIZES = (784, 512, 512, 10)
WEIGHTS = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))  # 784*512 + 512*512 + 512*10
LR, MOMENTUM, DATA_BATCHES = 0.01, 0.9, 4


def flops(batch: int, steps: int) -> float:
    """Matmul FLOPs of ``steps`` training steps (biases and activations are noise)."""
    return 6.0 * WEIGHTS * batch * steps


def _images(rng: np.random.Generator, batch: int) -> np.ndarray:
    return rng.random((batch, SIZES[0]), dtype=np.float32)


def mlp(nn):
    """784-512-512-10 with ReLUs, as ``nn.Sequential`` of the library ``nn``."""
    return nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    )


def _loop(framework: str):
    def run(params: dict) -> dict:
        module = lib(framework)
        module.manual_seed(0)
        model = mlp(module.nn)
        optimizer = module.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        step = train_step(model, module.nn.CrossEntropyLoss(), optimizer)
        data = batches(module, _images, 10, params["batch"], DATA_BATCHES)
        steps = params["steps"]
        warm = steps_runner(step, data, params["warm_steps"])
        times = measure(steps_runner(step, data, steps), params["warmup"], params["runs"], warm)
        return result(times, params["batch"] * steps, flops=flops(params["batch"], steps))

    return run


def _keras_model(keras):
    keras.utils.set_random_seed(0)
    layers = keras.layers
    model = keras.models.Sequential(
        [layers.Input(shape=(784,)), layers.Dense(512, activation="relu")]
        + [layers.Dense(512, activation="relu"), layers.Dense(10)]
    )
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LR, momentum=MOMENTUM), loss=loss)
    return model


def _fit(framework: str):
    def run(params: dict) -> dict:
        model = _keras_model(keras_module(framework))
        batch, steps = params["batch"], params["steps"]
        rng = np.random.default_rng(0)
        x, y = _images(rng, batch * steps), rng.integers(0, 10, batch * steps)
        warm_rows = batch * params["warm_steps"]

        def fit(rows: int):
            model.fit(x[:rows], y[:rows], batch_size=batch, epochs=1, shuffle=False, verbose=0)

        warm = partial(fit, warm_rows)
        times = measure(partial(fit, len(x)), params["warmup"], params["runs"], warm)
        return result(times, batch * steps, flops=flops(batch, steps))

    return run


def _params(batch, steps, warm_steps, runs, repeats) -> dict:
    keys = ("batch", "steps", "warm_steps", "runs", "repeats")
    return {"warmup": 1, **dict(zip(keys, (batch, steps, warm_steps, runs, repeats)))}


WORKLOAD = Workload(
    key="W3",
    title="MLP 784-512-512-10, SGD momentum, cross-entropy, float32, batch 128, 50 steps",
    unit="samples/s",
    reference="torch",
    variants=(
        Variant("nnscratch.nn", "nnscratch", _loop("nnscratch")),
        Variant("torch", "torch", _loop("torch")),
        Variant("nnscratch.keras fit", "nnscratch", _fit("nnscratch")),
        Variant("keras 3 fit", "keras", _fit("keras")),
    ),
    sizes={
        "full": _params(128, 50, 5, 2, 5),
        "quick": _params(128, 20, 3, 1, 2),
        "smoke": _params(8, 2, 1, 1, 1),
    },
)
