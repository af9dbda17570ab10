"""One Transformer encoder layer learns word order: does token A come before token B?

Each example is 12 tokens: one ``A``, one ``B`` at two random distinct positions, the rest random
filler tokens. The label is 1 when ``A`` comes first, so the classes are balanced (chance is 50%).
A bag of tokens cannot tell the two orders apart; the model has to compare positions, which
it learns from a learned positional embedding added to the token embedding. The model is
``Embedding + positional Embedding -> TransformerEncoderLayer(d_model=32, nhead=4) -> mean
over positions -> Linear(32, 2)``, trained with Adam on 2,000 generated sequences; the test
set is 1,000 fresh ones.

With seed 0 it reaches 100% (1,000 of 1,000) after 10 epochs, in about 1.6 s wall clock on 2
CPU cores, on one or two BLAS threads, and with the other core busy (nnscratch runs its
mid-size products on one thread; before it did, two threads took 4.2 s with the other core
busy, and up to 19 s on a more crowded machine).

Run it::

    python examples/transformer_block.py
"""

from __future__ import annotations

import numpy as np

import nnscratch as torch
from nnscratch import nn
from nnscratch.utils.data import DataLoader, TensorDataset

LENGTH, VOCAB, A, B = 12, 8, 0, 1  # tokens 2..7 are filler


def make_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` int64 sequences ``(n, LENGTH)`` holding one A and one B; label: A comes first."""
    rng = np.random.default_rng(seed)
    x = rng.integers(2, VOCAB, size=(n, LENGTH))
    positions = np.argsort(rng.random((n, LENGTH)), axis=1)[:, :2]  # two distinct places
    rows = np.arange(n)
    x[rows, positions[:, 0]], x[rows, positions[:, 1]] = A, B
    return x.astype(np.int64), (positions[:, 0] < positions[:, 1]).astype(np.int64)


class OrderClassifier(nn.Module):
    """Token + learned position embeddings -> one encoder layer -> mean pool -> two logits."""

    def __init__(self, d_model: int = 32, nhead: int = 4) -> None:
        super().__init__()
        self.tokens = nn.Embedding(VOCAB, d_model)
        self.positions = nn.Embedding(LENGTH, d_model)
        self.encoder = nn.TransformerEncoderLayer(
            d_model, nhead, dim_feedforward=64, dropout=0.0, batch_first=True
        )
        self.head = nn.Linear(d_model, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.tokens(x) + self.positions(torch.arange(x.shape[1]))
        return self.head(self.encoder(h).mean(dim=1))


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    with torch.no_grad():
        predicted = model(torch.from_numpy(x)).argmax(1).numpy()
    return float((predicted == y).mean())


def train(epochs: int = 10, subset: int = 2000, seed: int = 0) -> tuple[nn.Module, float]:
    """Train on ``subset`` sequences; returns the model and its accuracy on 1,000 fresh ones."""
    torch.manual_seed(seed)
    x, y = (torch.from_numpy(a) for a in make_data(subset, seed))
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, generator=seed)
    model = OrderClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    return model, accuracy(model, *make_data(1000, seed + 1))


def main() -> None:
    model, test_accuracy = train()
    print(model)
    print(f"test accuracy: {test_accuracy:.3f}")


if __name__ == "__main__":
    main()
