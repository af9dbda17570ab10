"""W1, the seed article's scratch loop: a 2-2-1 sigmoid network on XOR, 10,000 iterations.

No biases, full batch of 4, learning rate 0.1, binary cross-entropy, float64, from the
article's ``np.random.seed(42)`` weights, reading the loss every iteration as the article does.
nnscratch and torch run the same autograd code, the loss written as
``F.binary_cross_entropy(sigmoid(z2), y)``; plain NumPy runs the article's hand-written
backward pass (``nnscratch.scratch.train``) for reference. The final weights of every variant
come back in ``extra`` so the report can check that all did the same work.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..registry import Variant, Workload
from ..timing import measure, result
from .common import lib

LR = 0.1
X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=np.float64)  # one column per example
Y = np.array([[0, 1, 1, 0]], dtype=np.float64)


def initial_weights() -> tuple[np.ndarray, np.ndarray]:
    """The article's starting point: ``np.random.seed(42)``, then ``rand`` for w1 and w2."""
    np.random.seed(42)
    return np.random.rand(2, 2), np.random.rand(1, 2)


def autograd_train(lib_module, iterations: int):
    """The article's loop on an autograd library; returns the final weights as NumPy."""
    F = lib_module.nn.functional
    w1, w2 = (lib_module.tensor(w, requires_grad=True) for w in initial_weights())
    x, y = lib_module.tensor(X), lib_module.tensor(Y)
    losses = []
    for _ in range(iterations):
        loss = F.binary_cross_entropy((w2 @ (w1 @ x).sigmoid()).sigmoid(), y)
        losses.append(loss.item())
        loss.backward()
        with lib_module.no_grad():
            w1 -= LR * w1.grad
            w2 -= LR * w2.grad
        w1.grad = None
        w2.grad = None
    return w1.detach().numpy(), w2.detach().numpy()


def numpy_train(iterations: int):
    """The article's plain-NumPy loop with its hand-written backward pass."""
    from nnscratch.scratch import train

    w1, w2, _ = train(*initial_weights(), X, Y, lr=LR, iterations=iterations)
    return w1, w2


def _runner(framework: str):
    def run(params: dict) -> dict:
        its = params["iterations"]
        train = numpy_train if framework == "numpy" else partial(autograd_train, lib(framework))
        finals = {}
        warm = partial(train, min(its, 200))
        times = measure(lambda: finals.update(w=train(its)), params["warmup"], params["runs"], warm)
        w1, w2 = finals["w"]
        return result(times, its, final_weights=[*w1.ravel().tolist(), *w2.ravel().tolist()])

    return run


def _warm(iterations: int, repeats: int) -> dict:
    return {"iterations": iterations, "warmup": 1, "runs": 1, "repeats": repeats}


WORKLOAD = Workload(
    key="W1",
    title="article scratch loop: 2-2-1 sigmoid, BCE, float64, full batch",
    unit="iter/s",
    reference="torch eager",
    variants=(
        Variant("numpy (hand-written)", "numpy", _runner("numpy")),
        Variant("nnscratch", "nnscratch", _runner("nnscratch")),
        Variant("torch eager", "torch", _runner("torch")),
    ),
    sizes={
        "full": _warm(10_000, 5),
        "quick": _warm(2_000, 2),
        "smoke": {"iterations": 20, "warmup": 1, "runs": 1, "repeats": 1},
    },
)
