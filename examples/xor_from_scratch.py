"""XOR with a 2-2-1 network in plain NumPy: the first half of the seed article, bugs fixed.

"Constructing Neural Networks From Scratch: Part 1" builds a network with two inputs, two
sigmoid hidden units and one sigmoid output, no biases, and trains it on the XOR truth table
with full-batch gradient descent (learning rate 0.1, 10,000 iterations, binary cross-entropy).
Its backward pass is written by hand.

The network's functions (``sigmoid``, ``forward_prop``, ``back_prop``, ``train``, ``predict``)
live in ``nnscratch/scratch.py``, plain NumPy, so that this script and the ``nnscratch gates``
and ``nnscratch trace`` commands run the same code: read that file next to this one. It keeps
the article's names, shapes (inputs ``(2, 4)``, targets ``(1, 4)``, weights ``(hidden, in)``)
and formulas, and fixes its bugs:

- ``back_prop`` read the global ``total_input``; it now takes the input ``x``.
- ``predict`` ran the global ``test`` instead of its argument ``input``.
- The inputs are float64, so every array in the computation is float64.
- ``predict`` prints plain Python numbers (NumPy 2 would print ``[np.int64(0), ...]``).

This script is the article's program around them: the data, the seed, the loss plot and the
four predictions. tests/examples/test_xor_from_scratch.py checks that nnscratch's autograd
computes the same gradients and the same training run; benchmarks/bench_xor_loop.py times the loop.

    >>> total_input.shape, y_xor.shape  # one column per example, as in the article
    ((2, 4), (1, 4))

Run it::

    python examples/xor_from_scratch.py --plot xor_loss.png
"""

from __future__ import annotations

import argparse

import numpy as np

# The article's network, kept in one place (see the docstring above).
from nnscratch.scratch import back_prop, forward_prop, predict, sigmoid, train

__all__ = ["back_prop", "forward_prop", "main", "predict", "sigmoid", "train"]

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
