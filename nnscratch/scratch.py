"""The seed article's network, in plain NumPy: the code of "Constructing Neural Networks From
Scratch: Part 1", with its bugs fixed.

Two inputs, two sigmoid hidden units and one sigmoid output, no biases, trained by full-batch
gradient descent on the binary cross-entropy with a backward pass written by hand. The
article's layout: one column per example, so inputs are ``(inputs, m)``, targets ``(1, m)``
and weights ``(out, in)``. No nnscratch here on purpose: this is the network before any
framework, and the tests check that nnscratch's autograd computes the same gradients.

Fixed from the article: ``back_prop`` and ``predict`` use their arguments (the article read the
globals ``total_input`` and ``test``), and ``predict`` prints plain numbers under NumPy 2.

    >>> x = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=np.float64)  # XOR, one column each
    >>> y = np.array([[0, 1, 1, 0]], dtype=np.float64)
    >>> w1, w2 = init_weights(42)
    >>> w1, w2, losses = train(w1, w2, x, y, lr=0.1, iterations=10_000)
    >>> forward_prop(w1, w2, x)[3].round().tolist()
    [[0.0, 1.0, 1.0, 0.0]]
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "back_prop",
    "cross_entropy",
    "forward_prop",
    "init_weights",
    "predict",
    "sigmoid",
    "train",
]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The article's activation, ``1 / (1 + exp(-x))``.

    >>> float(sigmoid(0.0))
    0.5
    """
    return 1 / (1 + np.exp(-x))


def init_weights(
    seed: int, input_neurons: int = 2, hidden_neurons: int = 2, output_neurons: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """The article's ``np.random.seed(seed)`` then ``w1 = rand(hidden, in)``, ``w2 = rand(out,
    hidden)`` (uniform in [0, 1)), drawn from a generator of its own, not NumPy's global one.

    >>> w1, w2 = init_weights(42)
    >>> np.random.seed(42)
    >>> bool((w1 == np.random.rand(2, 2)).all() and (w2 == np.random.rand(1, 2)).all())
    True
    """
    state = np.random.RandomState(seed)
    w1 = state.rand(hidden_neurons, input_neurons)
    w2 = state.rand(output_neurons, hidden_neurons)
    return w1, w2


def forward_prop(w1: np.ndarray, w2: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, ...]:
    """Hidden layer then output layer, no biases; returns ``z1, a1, z2, a2``.

    >>> z1, a1, z2, a2 = forward_prop(np.zeros((2, 2)), np.zeros((1, 2)), np.ones((2, 4)))
    >>> a1.shape, a2.tolist()
    ((2, 4), [[0.5, 0.5, 0.5, 0.5]])
    """
    z1 = np.dot(w1, x)
    a1 = sigmoid(z1)
    z2 = np.dot(w2, a1)
    a2 = sigmoid(z2)
    return z1, a1, z2, a2


def cross_entropy(a2: np.ndarray, y: np.ndarray) -> float:
    """The article's loss: ``-(1/m) * sum(y log(a2) + (1 - y) log(1 - a2))`` over ``m`` columns.

    >>> round(cross_entropy(np.array([[0.5, 0.5]]), np.array([[0.0, 1.0]])), 4)  # log 2
    0.6931
    """
    samples = y.shape[1]
    return float(-(1 / samples) * np.sum(y * np.log(a2) + (1 - y) * np.log(1 - a2)))


def back_prop(m, w1, w2, z1, a1, z2, a2, x, y) -> tuple[np.ndarray, ...]:
    """The article's hand-written gradients of the mean binary cross-entropy.

    ``dz2 = a2 - y`` is d(loss)/d(z2) times ``m`` (sigmoid and cross-entropy cancel). Returns
    ``dz2, dw2, dz1, dw1`` as the article does. Fixed: ``dw1`` uses the argument ``x``, where
    the article read the global ``total_input``.

    >>> w1, w2, x, y = np.ones((2, 2)), np.ones((1, 2)), np.ones((2, 4)), np.zeros((1, 4))
    >>> [g.shape for g in back_prop(4, w1, w2, *forward_prop(w1, w2, x), x, y)]
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
    that iteration's update, as in the article). The arrays given are not modified.

    >>> w1, w2, losses = train(np.ones((2, 2)), np.ones((1, 2)), np.ones((2, 1)),
    ...                        np.zeros((1, 1)), iterations=3)
    >>> len(losses), losses[0] > losses[-1]
    (3, True)
    """
    samples = x.shape[1]
    losses = []
    for _ in range(iterations):
        z1, a1, z2, a2 = forward_prop(w1, w2, x)
        loss = cross_entropy(a2, y)
        losses.append(loss)
        da2, dw2, dz1, dw1 = back_prop(samples, w1, w2, z1, a1, z2, a2, x, y)
        w2 = w2 - lr * dw2
        w1 = w1 - lr * dw1
    return w1, w2, losses


def predict(w1: np.ndarray, w2: np.ndarray, input: np.ndarray) -> None:
    """Print the thresholded output for one ``(inputs, 1)`` column, in the article's words.

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
