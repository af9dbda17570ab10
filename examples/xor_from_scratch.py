"""XOR with a 2-2-1 network in plain NumPy: the first half of the seed article, bugs fixed.

"Constructing Neural Networks From Scratch: Part 1" builds a network with two inputs, two
sigmoid hidden units and one sigmoid output, no biases, and trains it on the XOR truth table
with full-batch gradient descent (learning rate 0.1, 10,000 iterations, binary cross-entropy).
Its backward pass is written by hand. This file keeps the article's names, shapes (inputs
``(2, 4)``, targets ``(1, 4)``, weights ``(hidden, in)``) and formulas, and fixes its bugs:

- ``back_prop`` read the global ``total_input``; it now takes the input ``x``.
- ``predict`` ran the global ``test`` instead of its argument ``input``.
- The inputs are float64, so every array in the computation is float64.
- ``predict`` prints plain Python numbers (NumPy 2 would print ``[np.int64(0), ...]``).

No nnscratch here: tests/test_xor_from_scratch.py checks that nnscratch's autograd computes
the same gradients and the same training run, and benchmarks/bench_xor_loop.py times the loop.

Run it::

    python examples/xor_from_scratch.py --plot xor_loss.png
"""

from __future__ import annotations

import argparse

import numpy as np

# The XOR truth table, laid out as the article does: one column per example.
a = np.array([0, 0, 1, 1])
b = np.array([0, 1, 0, 1])
total_input = np.array([a, b], dtype=np.float64)  # (2, 4)
y_xor = np.array([[0, 1, 1, 0]], dtype=np.float64)  # (1, 4)

input_neurons, hidden_neurons, output_neurons = 2, 2, 1

# 42 is the article's likely seed (its value was lost); it does learn XOR. Without biases some
# seeds stall at loss ~0.69 with one row wrong (e.g. 9, 15, 21 and 43): the article's "sometimes
# you might not get the desired results".
SEED = 42


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The article's activation, ``1 / (1 + exp(-x))``."""
    return 1 / (1 + np.exp(-x))


def forward_prop(w1: np.ndarray, w2: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, ...]:
    """Hidden layer then output layer, no biases; returns ``z1, a1, z2, a2``."""
    z1 = np.dot(w1, x)
    a1 = sigmoid(z1)
    z2 = np.dot(w2, a1)
    a2 = sigmoid(z2)
    return z1, a1, z2, a2


def back_prop(m, w1, w2, z1, a1, z2, a2, x, y) -> tuple[np.ndarray, ...]:
    """The article's hand-written gradients of the mean binary cross-entropy.

    ``dz2 = a2 - y`` is d(loss)/d(z2) times ``m`` (sigmoid and cross-entropy cancel). Returns
    ``dz2, dw2, dz1, dw1`` as the article does. Fixed: ``dw1`` uses the argument ``x``, where
    the article read the global ``total_input``.

    >>> w1, w2 = np.ones((2, 2)), np.ones((1, 2))
    >>> out = forward_prop(w1, w2, total_input)
    >>> [g.shape for g in back_prop(4, w1, w2, *out, total_input, y_xor)]
    [(1, 4), (1, 2), (2, 4), (2, 2)]
    """
    dz2 = a2 - y
    dw2 = np.dot(dz2, a1.T) / m
    dz1 = np.dot(w2.T, dz2) * a1 * (1 - a1)
    dw1 = np.dot(dz1, x.T) / m
    dw1 = np.reshape(dw1, w1.shape)
    dw2 = np.reshape(dw2, w2.shape)
    return dz2, dw2, dz1, dw1


def train(w1, w2, x, y, lr: float = 0.1, iterations: int = 10_000):
    """The article's training loop: full-batch gradient descent on the cross-entropy.

    Returns the final ``w1, w2`` and the list of losses, one per iteration (computed before
    that iteration's update, as in the article).
    """
    samples = x.shape[1]
    losses = []
    for _ in range(iterations):
        z1, a1, z2, a2 = forward_prop(w1, w2, x)
        loss = -(1 / samples) * np.sum(y * np.log(a2) + (1 - y) * np.log(1 - a2))
        losses.append(loss)
        da2, dw2, dz1, dw1 = back_prop(samples, w1, w2, z1, a1, z2, a2, x, y)
        w2 = w2 - lr * dw2
        w1 = w1 - lr * dw1
    return w1, w2, losses


def predict(w1: np.ndarray, w2: np.ndarray, input: np.ndarray) -> None:
    """Print the thresholded output for one ``(2, 1)`` input, in the article's words.

    Fixed: runs ``input``, where the article ran the global ``test``.

    >>> w1, w2 = np.array([[5.0, 5.0], [-5.0, -5.0]]), np.array([[5.0, -5.0]])
    >>> predict(w1, w2, np.array([[1], [0]]))
    For input [1, 0] output is 1
    """
    z1, a1, z2, a2 = forward_prop(w1, w2, input)
    a2 = np.squeeze(a2)
    if a2 >= 0.5:
        print("For input", np.asarray(input)[:, 0].tolist(), "output is 1")
    else:
        print("For input", np.asarray(input)[:, 0].tolist(), "output is 0")


def plot_losses(losses: list, path: str) -> bool:
    """Save the loss curve as the article draws it; ``False`` when matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    plt.figure()
    plt.plot(losses)
    plt.xlabel("EPOCHS")
    plt.ylabel("Loss value")
    plt.savefig(path)
    plt.close()
    return True


def main(argv: list[str] | None = None) -> None:
    """Train from the article's seed, save the loss curve and print the four predictions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", default="xor_loss.png", help="where to save the loss curve")
    args = parser.parse_args(argv)

    np.random.seed(SEED)
    w1 = np.random.rand(hidden_neurons, input_neurons)
    w2 = np.random.rand(output_neurons, hidden_neurons)
    w1, w2, losses = train(w1, w2, total_input, y_xor, lr=0.1, iterations=10_000)

    if plot_losses(losses, args.plot):
        print(f"Saved the loss curve to {args.plot}")
    else:
        print("matplotlib is not installed: skipping the loss plot")
    for test in ([[0], [0]], [[0], [1]], [[1], [0]], [[1], [1]]):
        predict(w1, w2, np.array(test))


if __name__ == "__main__":
    main()
