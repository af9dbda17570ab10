"""W8, one optimizer step on a large parameter: Adam and SGD momentum on 1M float32 values.

Each front end's step (``nnscratch.optim`` and ``nnscratch.keras.optimizers``) against the
same maths written by hand in NumPy, in place, with as few scratch arrays as its order of
rounding allows (one; two for Keras's Adam): the floor for an update that reads and writes
every element a few times. Two ways to time it:

- ``fresh``: the first steps of a fresh process (state and scratch memory created, pages
  faulted in), where a step that allocates arrays the size of the parameter pays for new pages;
- ``warm``: steps after a warm-up, where the allocator may hand back memory it just freed.

Each front end is compared with the hand-written loop of its own formula (torch's and Keras's
Adam differ in where epsilon goes); torch's own optimizer is an extra row.
"""

from __future__ import annotations

import math

import numpy as np

from ..registry import Variant, Workload
from ..timing import measure, result
from .common import keras_module, lib

SIZE, LR, BETAS, MOMENTUM = 1_000_000, 1e-3, (0.9, 0.999), 0.9


def _arrays() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal(SIZE, dtype=np.float32), rng.standard_normal(SIZE, np.float32)


# ---- the hand-written floors ----------------------------------------------------------------
def _numpy_adam(keras_formula: bool):
    """Adam in place on ``p``: torch's formula (eps added after the bias correction of v) or
    Keras's (eps added to sqrt(v), the corrections folded into the step size). Its state and
    scratch array are made on the first step, as the optimizers make theirs."""
    p, g = _arrays()
    b1, b2 = BETAS
    state: dict = {}

    def step(p=p, g=g) -> None:
        if not state:
            state.update(t=0, m=np.zeros_like(p), v=np.zeros_like(p), s=np.empty_like(p))
            if keras_formula:  # Keras rounds (m * alpha) / (sqrt(v) + eps): a second term
                state["s2"] = np.empty_like(p)
        state["t"] += 1
        t, m, v, s = state["t"], state["m"], state["v"], state["s"]
        m *= b1
        m += np.multiply(g, 1 - b1, out=s)
        v *= b2
        np.multiply(g, g, out=s)
        v += np.multiply(s, 1 - b2, out=s)
        np.sqrt(v, out=s)
        if keras_formula:
            s += 1e-7
            step = np.multiply(m, LR * math.sqrt(1 - b2**t) / (1 - b1**t), out=state["s2"])
            p -= np.divide(step, s, out=step)
        else:
            s /= math.sqrt(1 - b2**t)
            s += 1e-8
            np.divide(m, s, out=s)
            p -= np.multiply(s, LR / (1 - b1**t), out=s)

    return step


def _numpy_sgd(keras_formula: bool):
    """SGD with momentum in place: torch's (b = mu b + g; p -= lr b) or Keras's
    (m = mu m - lr g; p += m); state made on the first step."""
    p, g = _arrays()
    state: dict = {}

    def step(p=p, g=g) -> None:
        if not state:
            state.update(buf=np.zeros_like(p), s=np.empty_like(p))
        buf, s = state["buf"], state["s"]
        buf *= MOMENTUM
        if keras_formula:
            buf -= np.multiply(g, LR, out=s)
            p += buf
        else:
            buf += g
            p -= np.multiply(buf, LR, out=s)

    return step


# ---- the frameworks ----------------------------------------------------------------------
def _torch_style(framework: str, algorithm: str):
    module = lib(framework)
    p, g = _arrays()
    param = module.nn.Parameter(module.from_numpy(p))
    param.grad = module.from_numpy(g)
    if algorithm == "adam":
        optimizer = module.optim.Adam([param], lr=LR, betas=BETAS)
    else:
        optimizer = module.optim.SGD([param], lr=LR, momentum=MOMENTUM)
    return optimizer.step


def _keras_style(algorithm: str):
    keras, nnscratch = keras_module("nnscratch"), lib("nnscratch")
    p, g = _arrays()
    variable = nnscratch.nn.Parameter(nnscratch.from_numpy(p))
    if algorithm == "adam":
        optimizer = keras.optimizers.Adam(learning_rate=LR, beta_1=BETAS[0], beta_2=BETAS[1])
    else:
        optimizer = keras.optimizers.SGD(learning_rate=LR, momentum=MOMENTUM)
    pairs = [(g, variable)]
    return lambda: optimizer.apply_gradients(pairs)


def _variant(make_step, mode: str):
    def run(params: dict) -> dict:
        step = make_step()
        steps = params["steps"]

        def run_steps() -> None:
            for _ in range(steps):
                step()

        warmup = 0 if mode == "fresh" else params["warmup"]
        runs = 1 if mode == "fresh" else params["runs"]
        return result(measure(run_steps, warmup, runs), steps)

    return run


def _workload(key: str, algorithm: str, mode: str) -> Workload:
    hand = _numpy_adam if algorithm == "adam" else _numpy_sgd
    name = "Adam" if algorithm == "adam" else "SGD momentum"
    when = "the first steps of a fresh process" if mode == "fresh" else "after a warm-up"
    return Workload(
        key=key,
        title=f"{name} step on 1M float32 parameters, {when}",
        unit="steps/s",
        reference="numpy in place (torch's formula)",
        variants=(
            Variant(
                "numpy in place (torch's formula)", "numpy", _variant(lambda: hand(False), mode)
            ),
            Variant(
                "nnscratch.optim",
                "nnscratch",
                _variant(lambda: _torch_style("nnscratch", algorithm), mode),
            ),
            Variant(
                "numpy in place (Keras's formula)", "numpy", _variant(lambda: hand(True), mode)
            ),
            Variant(
                "nnscratch.keras", "nnscratch", _variant(lambda: _keras_style(algorithm), mode)
            ),
            Variant("torch", "torch", _variant(lambda: _torch_style("torch", algorithm), mode)),
        ),  # fmt: skip
        sizes={
            "full": {"steps": 5 if mode == "fresh" else 20, "warmup": 3, "runs": 5, "repeats": 5},
            "quick": {"steps": 5, "warmup": 2, "runs": 3, "repeats": 2},
            "smoke": {"steps": 2, "warmup": 1, "runs": 1, "repeats": 1},
        },
    )


WORKLOADS = (
    _workload("W8a", "adam", "fresh"),
    _workload("W8b", "adam", "warm"),
    _workload("W8c", "sgd", "fresh"),
    _workload("W8d", "sgd", "warm"),
)
