"""An MLP learns the two-spirals problem: PyTorch-style training with DataLoader and Adam.

The two interleaved spirals are not linearly separable; a small tanh MLP separates them after
a few hundred steps. The data come from ``nnscratch.datasets.two_spirals``, a seeded generator.

Run it::

    python examples/spirals_mlp.py
"""

from __future__ import annotations

import nnscratch as torch
from nnscratch import nn
from nnscratch.datasets import two_spirals
from nnscratch.utils.data import DataLoader, TensorDataset


def make_model(hidden: int = 64) -> nn.Module:
    return nn.Sequential(
        nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 2)
    )


def accuracy(model: nn.Module, x, y) -> float:
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def train(epochs: int = 60, seed: int = 0) -> tuple[nn.Module, float]:
    """Train on 1,000 points; returns the model and its accuracy on 1,000 fresh points."""
    torch.manual_seed(seed)
    x, y = (torch.from_numpy(a) for a in two_spirals(1000, seed=seed))
    loader = DataLoader(TensorDataset(x, y), batch_size=50, shuffle=True, generator=seed)
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    x_test, y_test = (torch.from_numpy(a) for a in two_spirals(1000, seed=seed + 1))
    return model, accuracy(model, x_test, y_test)


def main() -> None:
    model, test_accuracy = train()
    print(model)
    print(f"test accuracy: {test_accuracy:.3f}")


if __name__ == "__main__":
    main()
