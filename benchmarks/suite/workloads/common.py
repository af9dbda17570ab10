"""Framework handles shared by the workloads: the same training code runs on nnscratch and torch."""

from __future__ import annotations

import importlib
import os

import numpy as np

from ..registry import Unavailable

# Which module a framework name stands for (nnscratch and torch share one API).
_LIBS = {"nnscratch": "nnscratch", "torch": "torch"}


def lib(name: str):
    """The ``nnscratch`` or ``torch`` module; ``Unavailable`` when it is not installed."""
    try:
        return importlib.import_module(_LIBS[name])
    except ImportError as error:
        raise Unavailable(f"{name} is not installed ({error})") from error


def keras_module(name: str):
    """``nnscratch.keras`` or Keras 3 on the torch backend (the backend is set before import)."""
    if name == "nnscratch":
        return importlib.import_module("nnscratch.keras")
    os.environ["KERAS_BACKEND"] = "torch"  # Keras reads it once, at its first import
    try:
        keras = importlib.import_module("keras")
    except ImportError as error:
        raise Unavailable(f"keras is not installed ({error})") from error
    if keras.backend.backend() != "torch":
        raise Unavailable(f"keras runs on {keras.backend.backend()}, not torch")
    return keras


def train_step(model, loss_fn, optimizer):
    """One optimizer step on a batch; returns the loss tensor (torch's loop, written once)."""

    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def batches(lib_module, make_x, classes: int, batch: int, count: int, seed: int = 0) -> list:
    """``count`` random ``(x, labels)`` batches as the library's tensors (labels int64)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        x = make_x(rng, batch)
        y = rng.integers(0, classes, size=batch, dtype=np.int64)
        out.append((lib_module.from_numpy(x), lib_module.from_numpy(y)))
    return out


def steps_runner(step, data: list, steps: int):
    """A function running ``steps`` training steps cycling over ``data``; returns the last loss."""

    def run():
        for k in range(steps):
            loss = step(*data[k % len(data)])
        return float(loss.item())

    return run
