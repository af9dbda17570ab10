"""The three ways ``nnscratch gates`` trains a gate: the article's NumPy network, the article's
Keras model, and the same idea written PyTorch-style.

Each style has defaults that learn all seven gates in a fraction of a second each, full batch
(the whole truth table every step); checked from seeds 0 to 7 and 42:

- ``scratch``: the article's network (sigmoid, no biases, back_prop written by hand). The
  article has 2 hidden units; without biases AND and NAND then stall with one row near p = 0.5
  from most seeds (of seeds 0-39, 4 learn AND, 6 learn NAND, none both; ``--hidden 2`` shows
  it), so the default is 4. Gradient descent with lr 2 for 2,000 steps replaces the article's
  lr 0.1 for 10,000: faster.
- ``keras``: the article's 2-10-10-1 relu/relu/sigmoid Sequential with Adam and binary
  cross-entropy; lr 0.05 for 150 epochs replaces Adam's default 0.001 for 500-1,000.
- ``torch``: ``nn.Sequential`` of ``Linear`` (with biases) and ``Sigmoid``, ``nn.BCELoss`` and
  ``optim.SGD`` with lr 5 for 500 steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import nnscratch as ns

from .. import scratch
from ..keras import Sequential, callbacks, layers, optimizers
from ..keras import utils as keras_utils

__all__ = ["STYLES", "ProgressCallback", "Run", "Settings", "Style", "train"]


@dataclass(frozen=True)
class Settings:
    """How one style trains: steps (epochs), learning rate, hidden width and seed."""

    epochs: int
    lr: float
    hidden: int
    seed: int


@dataclass
class Run:
    """One trained model: its gate and style, the truth table, what it predicts, its losses."""

    gate: str
    style: str
    x: np.ndarray
    y: np.ndarray
    probabilities: np.ndarray
    losses: list[float]
    network: object  # what viz.plot_network draws: a model or (in, out) weight matrices
    predict: Callable[[np.ndarray], np.ndarray]
    seconds: float

    @property
    def correct(self) -> int:
        """How many rows the rounded prediction gets right."""
        return int(((self.probabilities >= 0.5) == (self.y >= 0.5)).sum())


@dataclass(frozen=True)
class Style:
    """A way to train: its defaults, a one-line description and the training function."""

    name: str
    defaults: Settings
    describe: Callable[[Settings, int], tuple[str, str]]  # (the model, how it trains)
    fit: Callable


def _chunks(total: int, parts: int = 50) -> list[int]:
    """``total`` steps in about ``parts`` pieces, so a progress bar moves without slowing."""
    size = max(total // parts, 1)
    return [size] * (total // size) + ([total % size] if total % size else [])


# ---- scratch: the article's NumPy network -------------------------------------------------------
def _fit_scratch(x: np.ndarray, y: np.ndarray, s: Settings, bar) -> tuple:
    # The article's layout: one column per example, float64 throughout.
    xt, yt = x.T.astype(np.float64), y.T.astype(np.float64)
    w1, w2 = scratch.init_weights(s.seed, xt.shape[0], s.hidden)
    losses: list[float] = []
    for steps in _chunks(s.epochs):
        w1, w2, more = scratch.train(w1, w2, xt, yt, lr=s.lr, iterations=steps)
        losses += more
        bar.update(steps)

    def predict(points: np.ndarray) -> np.ndarray:
        return scratch.forward_prop(w1, w2, np.asarray(points, np.float64).T)[3].T

    return predict, losses, [w1.T, w2.T]


def _describe_scratch(s: Settings, n_inputs: int) -> tuple[str, str]:
    return (
        f"the article's NumPy network: {n_inputs}-{s.hidden}-1 sigmoid, no biases, back_prop "
        "by hand",
        f"gradient descent, lr {s.lr:g}, {s.epochs} steps",
    )


# ---- keras: the article's Sequential ------------------------------------------------------------
class ProgressCallback(callbacks.Callback):
    """Moves a progress bar once per epoch and shows the loss."""

    def __init__(self, bar) -> None:
        super().__init__()
        self.bar = bar

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.bar.update(1)
        if epoch % 10 == 0 and logs:
            self.bar.set_postfix_str(f"loss {logs['loss']:.4f}", refresh=False)


def _fit_keras(x: np.ndarray, y: np.ndarray, s: Settings, bar) -> tuple:
    keras_utils.clear_session()  # every model's layers are named dense, dense_1, dense_2
    keras_utils.set_random_seed(s.seed)
    model = Sequential([layers.Input(shape=(x.shape[1],))])
    model.add(layers.Dense(s.hidden, activation="relu"))
    model.add(layers.Dense(s.hidden, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    optimizer = optimizers.Adam(learning_rate=s.lr)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["binary_accuracy"])
    history = model.fit(
        x, y, batch_size=len(x), epochs=s.epochs, verbose=0, callbacks=[ProgressCallback(bar)]
    )

    def predict(points: np.ndarray) -> np.ndarray:
        return model.predict(np.asarray(points, np.float32), batch_size=8192, verbose=0)

    return predict, history.history["loss"], model


def _describe_keras(s: Settings, n_inputs: int) -> tuple[str, str]:
    return (
        f"the article's keras Sequential: {n_inputs}-{s.hidden}-{s.hidden}-1 relu/relu/sigmoid",
        f"Adam, lr {s.lr:g}, {s.epochs} epochs of one full batch",
    )


# ---- torch: nn + optim ---------------------------------------------------------------------------
def _fit_torch(x: np.ndarray, y: np.ndarray, s: Settings, bar) -> tuple:
    ns.manual_seed(s.seed)
    model = ns.nn.Sequential(
        ns.nn.Linear(x.shape[1], s.hidden), ns.nn.Sigmoid(), ns.nn.Linear(s.hidden, 1),
        ns.nn.Sigmoid(),
    )  # fmt: skip
    loss_fn = ns.nn.BCELoss()
    optimizer = ns.optim.SGD(model.parameters(), lr=s.lr)
    inputs, targets = ns.tensor(x), ns.tensor(y)
    losses: list[float] = []
    for steps in _chunks(s.epochs):
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        bar.update(steps)

    def predict(points: np.ndarray) -> np.ndarray:
        with ns.no_grad():
            return model(ns.tensor(np.asarray(points, np.float32))).numpy()

    return predict, losses, model


def _describe_torch(s: Settings, n_inputs: int) -> tuple[str, str]:
    return (
        f"nn.Sequential: {n_inputs}-{s.hidden}-1 Linear (with biases) and Sigmoid, BCELoss",
        f"optim.SGD, lr {s.lr:g}, {s.epochs} steps",
    )


DEFAULT_SEED = 0
STYLES = {
    "scratch": Style("scratch", Settings(2000, 2.0, 4, 0), _describe_scratch, _fit_scratch),
    "keras": Style("keras", Settings(150, 0.05, 10, 0), _describe_keras, _fit_keras),
    "torch": Style("torch", Settings(500, 5.0, 4, 0), _describe_torch, _fit_torch),
}


def train(style: Style, gate: str, x: np.ndarray, y: np.ndarray, settings: Settings, bar) -> Run:
    """Train ``style`` on one truth table ``(x, y)`` and return the Run.

    >>> from nnscratch.datasets import logic_gate
    >>> from nnscratch.cli.output import progress
    >>> x, y = logic_gate("and")
    >>> run = train(STYLES["scratch"], "and", x, y, STYLES["scratch"].defaults, progress(1, ""))
    >>> run.correct, (run.probabilities >= 0.5).ravel().tolist()
    (4, [False, False, False, True])
    """
    start = time.perf_counter()
    predict, losses, network = style.fit(x, y, settings, bar)
    probabilities = np.asarray(predict(x), dtype=np.float64).reshape(len(x), 1)
    seconds = time.perf_counter() - start
    losses = [float(v) for v in losses]
    return Run(gate, style.name, x, y, probabilities, losses, network, predict, seconds)
