"""A small, seeded training run that can be killed and started again (utils/test_resume.py).

``python resume_worker.py {keras,torch} WORKDIR [SLEEP]`` trains with shuffling and dropout,
backing up after every epoch in WORKDIR (Keras: ``BackupAndRestore``; PyTorch style:
``save_checkpoint`` / ``load_checkpoint``), resumes from the backup when one is there, and at
the end writes the final weights to ``WORKDIR/result.npz`` and the number of epochs this
process ran to ``WORKDIR/result.json``. SLEEP seconds after each batch make the run long
enough to be killed in the middle; sleeping draws no random numbers.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

SEED = 1234
EPOCHS = 12
BATCH_SIZE = 8
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def same_arrays(a: list, b: list) -> bool:
    """The two lists hold equal arrays, bit for bit."""
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def command(mode: str, workdir, sleep: float = 0.0) -> list[str]:
    """The command line that runs this worker in a new Python process."""
    return [sys.executable, os.path.abspath(__file__), mode, str(workdir), str(sleep)]


def environment() -> dict[str, str]:
    """The environment for it: this checkout first on the path, so the child process imports
    the nnscratch under test."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": ROOT if not path else ROOT + os.pathsep + path}


def data() -> tuple[np.ndarray, np.ndarray]:
    """40 samples of 4 features, 3 classes, from a local generator (no global state)."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(40, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0.5).astype(np.int64)
    return x, y


def backup_path(mode: str, workdir) -> str:
    """The file whose appearance says that at least one epoch was backed up."""
    if mode == "keras":
        return os.path.join(workdir, "backup", "latest.safetensors")
    return os.path.join(workdir, "checkpoint.safetensors")


def keras_model():
    """The seeded model: initializers draw from the generator that set_random_seed seeds."""
    from nnscratch import keras

    keras.utils.set_random_seed(SEED)
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def fit_keras(model, callbacks: list, epochs: int = EPOCHS, **kwargs):
    x, y = data()
    kwargs = {"batch_size": BATCH_SIZE, "shuffle": True, "verbose": 0, **kwargs}
    return model.fit(x, y, epochs=epochs, callbacks=callbacks, **kwargs)


def train_keras(workdir, sleep: float = 0.0) -> tuple[list[np.ndarray], int]:
    from nnscratch import keras

    model = keras_model()
    callbacks = [
        keras.callbacks.BackupAndRestore(os.path.join(workdir, "backup")),
        keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: time.sleep(sleep)),
    ]
    history = fit_keras(model, callbacks)
    return model.get_weights(), len(history.epoch)


def train_torch(workdir, sleep: float = 0.0) -> tuple[list[np.ndarray], int]:
    import nnscratch as ns
    from nnscratch import nn, optim
    from nnscratch.nn import functional as F
    from nnscratch.utils.checkpoint import load_checkpoint, save_checkpoint
    from nnscratch.utils.data import DataLoader, TensorDataset

    ns.manual_seed(SEED)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
    x, y = data()
    loader = DataLoader(TensorDataset(ns.tensor(x), ns.tensor(y)), BATCH_SIZE, shuffle=True)
    path, start = backup_path("torch", workdir), 0
    os.makedirs(workdir, exist_ok=True)
    objects = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    if os.path.exists(path):
        start = load_checkpoint(path, **objects)["epoch"] + 1
    for epoch in range(start, EPOCHS):
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
            time.sleep(sleep)
        scheduler.step()
        save_checkpoint(path, epoch=epoch, **objects)
    return [p.detach().numpy().copy() for p in model.parameters()], EPOCHS - start


TRAIN = {"keras": train_keras, "torch": train_torch}


def main(argv: list[str]) -> None:
    mode, workdir = argv[0], argv[1]
    sleep = float(argv[2]) if len(argv) > 2 else 0.0
    os.makedirs(workdir, exist_ok=True)
    weights, epochs_run = TRAIN[mode](workdir, sleep)
    np.savez(os.path.join(workdir, "result.npz"), *weights)
    with open(os.path.join(workdir, "result.json"), "w") as file:
        json.dump({"epochs_run": epochs_run}, file)


if __name__ == "__main__":
    main(sys.argv[1:])
