"""W2, the seed article's Keras model: 2-10-10-1 relu/relu/sigmoid on XOR, Adam 1e-3, BCE.

1000 epochs of the four XOR rows with Keras's default batch size (32, so one step an epoch),
``verbose=0``; the model is built and compiled inside the timed region, as the article's
code does it. Four ways: ``nnscratch.keras`` fit, an ``nnscratch.nn`` loop, a PyTorch eager
loop (the same code: ``nn.Sequential``, ``optim.Adam``, ``nn.BCELoss``, one step an epoch,
the loss read every epoch as fit's History does) and Keras 3 fit. The article passes
``metrics="binary_accuracy"``; Keras 3 wants a list, so both fits get ``["binary_accuracy"]``.
Smaller sizes run fewer epochs and scale the times to 1000 epochs.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..registry import Variant, Workload
from ..timing import measure, result
from .common import keras_module, lib

EPOCHS = 1000  # the article's; times are reported per this many epochs
SEED = 5  # examples/article_keras.py's seed: it learns XOR
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])  # the article's int arrays, as it passes them
Y = np.array([0, 1, 1, 0])


def keras_fit(keras, epochs: int):
    """The article's ``xor_gate`` model, compiled and fitted quietly; returns the model."""
    keras.utils.set_random_seed(SEED)
    model = keras.models.Sequential()
    model.add(keras.layers.Input(shape=X[0].shape))
    model.add(keras.layers.Dense(10, activation="relu"))
    model.add(keras.layers.Dense(10, activation="relu"))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
    model.fit(X, Y, epochs=epochs, verbose=0)
    return model


def torch_style_loop(lib_module, epochs: int) -> list[float]:
    """The same network as an ``nn`` loop: one Adam step on the four rows per epoch."""
    nn = lib_module.nn
    lib_module.manual_seed(SEED)
    model = nn.Sequential(
        nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1), nn.Sigmoid()
    )
    optimizer = lib_module.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    x = lib_module.tensor(X.astype(np.float32))
    y = lib_module.tensor(Y.astype(np.float32).reshape(-1, 1))
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _runner(framework: str, style: str):
    def run(params: dict) -> dict:
        if style == "fit":
            keras = keras_module(framework)
            train = partial(keras_fit, keras)
        else:
            module = lib(framework)
            train = partial(torch_style_loop, module)
        epochs = params["epochs"]
        warm = partial(train, params["warm_epochs"])
        times = measure(partial(train, epochs), params["warmup"], params["runs"], warm)
        scale = EPOCHS / epochs
        return result([t * scale for t in times], EPOCHS, epochs_run=epochs)

    return run


def _size(epochs: int, repeats: int) -> dict:
    return {"epochs": epochs, "warm_epochs": 5, "warmup": 1, "runs": 1, "repeats": repeats}


WORKLOAD = Workload(
    key="W2",
    title="article Keras model: 2-10-10-1, Adam, BCE, 1000 epochs of 4 rows (built in the timing)",
    unit="epochs/s",
    reference="torch eager loop",
    variants=(
        Variant("nnscratch.keras fit", "nnscratch", _runner("nnscratch", "fit")),
        Variant("nnscratch.nn loop", "nnscratch", _runner("nnscratch", "loop")),
        Variant("torch eager loop", "torch", _runner("torch", "loop")),
        Variant("keras 3 fit", "keras", _runner("keras", "fit")),
    ),
    sizes={
        "full": _size(EPOCHS, 5),
        "quick": _size(100, 2),
        "smoke": {"epochs": 5, "warm_epochs": 1, "warmup": 1, "runs": 1, "repeats": 1},
    },
)
