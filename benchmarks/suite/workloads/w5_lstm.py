"""W5, an LSTM text classifier: Embedding(1000, 64) -> LSTM(64, 128) -> Linear(128, 10).

Sequences of 50 token ids in batches of 32 (time-major, torch's default layout), the last
hidden state into the linear head, cross-entropy, plain SGD (lr 0.1), float32: training
samples/s, the same code on nnscratch.nn and torch. nnscratch reports "unavailable" until
``nn.Embedding`` and ``nn.LSTM`` exist.
"""

from __future__ import annotations

import numpy as np

from ..registry import Variant, Workload, require
from ..timing import measure, result
from .common import batches, lib, steps_runner, train_step

VOCAB, EMBED, HIDDEN, CLASSES, LR, DATA_BATCHES = 1000, 64, 128, 10, 0.1, 4


def classifier(lib_module):
    """The model as a ``Module`` subclass of the library's ``nn.Module``."""
    nn = lib_module.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB, EMBED)
            self.lstm = nn.LSTM(EMBED, HIDDEN)
            self.head = nn.Linear(HIDDEN, CLASSES)

        def forward(self, tokens):
            _, (h_n, _) = self.lstm(self.embedding(tokens))
            return self.head(h_n[-1])

    return Classifier()


def _tokens(seq: int):
    def make(rng: np.random.Generator, batch: int) -> np.ndarray:
        return rng.integers(0, VOCAB, size=(seq, batch), dtype=np.int64)

    return make


def _loop(framework: str):
    def run(params: dict) -> dict:
        module = lib(framework)
        require(module.nn, "Embedding", "LSTM")
        module.manual_seed(0)
        model = classifier(module)
        optimizer = module.optim.SGD(model.parameters(), lr=LR)
        step = train_step(model, module.nn.CrossEntropyLoss(), optimizer)
        data = batches(module, _tokens(params["seq"]), CLASSES, params["batch"], DATA_BATCHES)
        steps = params["steps"]
        warm = steps_runner(step, data, params["warm_steps"])
        times = measure(steps_runner(step, data, steps), params["warmup"], params["runs"], warm)
        return result(times, params["batch"] * steps)

    return run


def _params(seq, batch, steps, warm_steps, runs, repeats) -> dict:
    keys = ("seq", "batch", "steps", "warm_steps", "runs", "repeats")
    return {"warmup": 1, **dict(zip(keys, (seq, batch, steps, warm_steps, runs, repeats)))}


WORKLOAD = Workload(
    key="W5",
    title="LSTM classifier: Embedding(1000,64), LSTM(64,128), seq 50, batch 32, SGD",
    unit="samples/s",
    reference="torch",
    variants=(
        Variant("nnscratch.nn", "nnscratch", _loop("nnscratch")),
        Variant("torch", "torch", _loop("torch")),
    ),
    sizes={
        "full": _params(50, 32, 10, 2, 2, 5),
        "quick": _params(50, 32, 4, 1, 1, 2),
        "smoke": _params(5, 4, 2, 1, 1, 1),
    },
)
