"""How many nnscratch function calls one training step of ``fit`` makes, against the torch-style
``nn`` loop on the same model (benchmark W2: the article's 2-10-10-1 XOR network, Adam, BCE,
the four rows in one batch). Counts come from cProfile and are deterministic: the calls of a
fit of 2N epochs minus those of N epochs, over N, so building and compiling cancel out."""

import cProfile
import os
import pstats
import random

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

ROOT = os.path.dirname(ns.__file__) + os.sep
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
Y = np.array([0, 1, 1, 0])
N = 20


def _calls(run) -> dict:
    """Calls per (file, line, function) under nnscratch/ while ``run()`` runs."""
    profile = cProfile.Profile()
    profile.runcall(run)
    stats = pstats.Stats(profile).stats
    return {key: calls[1] for key, calls in stats.items() if key[0].startswith(ROOT)}


def _per_step(train) -> dict:
    """Calls per step of ``train(steps)``, by function."""
    once, twice = _calls(lambda: train(N)), _calls(lambda: train(2 * N))
    return {key: (twice[key] - once.get(key, 0)) / N for key in twice}


def _fit(epochs: int) -> None:
    nk.utils.set_random_seed(5)
    model = nk.Sequential([nk.Input((2,)), nk.layers.Dense(10, activation="relu"),
                           nk.layers.Dense(10, activation="relu"),
                           nk.layers.Dense(1, activation="sigmoid")])  # fmt: skip
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
    model.fit(X, Y, epochs=epochs, verbose=0)


def _loop(steps: int) -> None:
    nn = ns.nn
    ns.manual_seed(5)
    model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(),
                          nn.Linear(10, 1), nn.Sigmoid())  # fmt: skip
    optimizer = ns.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    x, y = ns.tensor(X.astype(np.float32)), ns.tensor(Y.astype(np.float32).reshape(-1, 1))
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()


@pytest.fixture(scope="module")
def counts() -> tuple[dict, dict]:
    # the runs seed Python's, NumPy's and nnscratch's generators: later tests get them back
    states = random.getstate(), np.random.get_state(), ns.random.get_rng_state()
    try:
        _fit(1), _loop(1)  # imports and first-call work out of the way
        return _per_step(_fit), _per_step(_loop)
    finally:
        random.setstate(states[0]), np.random.set_state(states[1])
        ns.random.set_rng_state(states[2])


def test_a_fit_step_walks_no_layer_tree_and_calls_no_idle_hook(counts):
    fit, _ = counts
    walks = {key: n for key, n in fit.items() if key[2] in ("trainable_weights", "losses")}
    assert not any(walks.values()), walks
    idle = {key: n for key, n in fit.items() if key[2] == "dispatch"}  # only History listens
    assert sum(idle.values()) <= 1, idle


def test_a_fit_step_makes_at_most_1_3_times_the_loop_s_calls(counts):
    """Issue 20's bound. What a fit step adds to the loop's: the metric and loss bookkeeping
    Keras does, the batch's tensors and the Keras layer and optimizer call paths. Measured on
    Python 3.11 (counts depend on the version: 3.12 inlines list comprehensions): about 1.2x;
    341 calls against 195 (1.75x) before the trainer, the Keras optimizer, the Sequential call
    path, the metrics and the one-unit BCE stopped redoing work."""
    fit, loop = counts
    assert sum(fit.values()) <= 1.3 * sum(loop.values()), (sum(fit.values()), sum(loop.values()))
