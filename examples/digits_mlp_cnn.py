"""An MLP and a small CNN classify scikit-learn's 8x8 handwritten digits.

The data are ``sklearn.datasets.load_digits`` (1,797 images bundled with scikit-learn, so no
download): pixels 0..16 scaled to [0, 1], a seeded permutation puts 1,438 images in the training
set and 359 in the test set. Both models train with Adam and cross-entropy, seed 0:

- MLP 64-128-10 (ReLU), 30 epochs: 98.1% test accuracy;
- CNN Conv(1->16, 3x3) - ReLU - MaxPool 2 - Conv(16->32, 3x3) - ReLU - MaxPool 2 - Linear(128, 10),
  30 epochs: 98.6% test accuracy (seeds 1-3: MLP 96.1-96.7%, CNN 97.8-98.3%).

Run time, both models, on 2 CPU cores: about 4 s wall clock, on one or two BLAS threads, and
with the other core busy (nnscratch runs its mid-size products on one thread; before it did,
two threads took 9 s with the other core busy, and 35 s on a more crowded machine).
Chance is 10%.

Run it (needs scikit-learn, ``pip install scikit-learn``)::

    python examples/digits_mlp_cnn.py
"""

from __future__ import annotations

import numpy as np

import nnscratch as torch
from nnscratch import nn
from nnscratch.utils.data import DataLoader, TensorDataset


def load_digits_split(seed: int = 0, test_fraction: float = 0.2) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test): float32 images (N, 1, 8, 8) in [0, 1], int64 labels."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError(
            "digits_mlp_cnn needs scikit-learn for its bundled digits data set; "
            "install it with `pip install scikit-learn`"
        ) from error
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(len(y) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def make_mlp(hidden: int = 128) -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def make_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
    )  # fmt: skip


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with torch.no_grad():
        predicted = model(torch.from_numpy(x)).argmax(1).numpy()
    return float((predicted == y).mean())


def fit(model: nn.Module, x: np.ndarray, y: np.ndarray, epochs: int, lr: float, seed: int):
    loader = DataLoader(
        TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
        batch_size=32, shuffle=True, generator=seed,
    )  # fmt: skip
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()


def train(
    model: str = "mlp", epochs: int | None = None, subset: int | None = None, seed: int = 0
) -> tuple[nn.Module, float]:
    """Train ``"mlp"`` or ``"cnn"`` on the first ``subset`` training images (all by default);
    returns the model and its accuracy on the full 359-image test set."""
    if model not in ("mlp", "cnn"):
        raise ValueError(f"digits_mlp_cnn.train expects model 'mlp' or 'cnn', received {model!r}")
    x_train, y_train, x_test, y_test = load_digits_split(seed)
    x_train, y_train = x_train[:subset], y_train[:subset]
    torch.manual_seed(seed)
    net = make_mlp() if model == "mlp" else make_cnn()
    default_epochs, lr = (30, 1e-3) if model == "mlp" else (30, 3e-3)
    fit(net, x_train, y_train, default_epochs if epochs is None else epochs, lr, seed)
    return net, accuracy(net, x_test, y_test)


def main() -> None:
    for name in ("mlp", "cnn"):
        model, test_accuracy = train(name)
        print(model)
        print(f"{name} test accuracy: {test_accuracy:.3f}")


if __name__ == "__main__":
    main()
