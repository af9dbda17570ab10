"""The article's hand-written XOR network (examples/xor_from_scratch.py) against nnscratch autograd.

Same initial weights, same data, float64: the autograd gradients of the article's loss must equal
the hand-written ``back_prop`` to 1e-12, and so must a whole 10,000-iteration training run.
"""

import doctest
import importlib.util

import numpy as np
import pytest
from examples_loader import load_example
from tolerance import assert_close

import nnscratch as ns

ARTICLE_LINES = [
    "For input [0, 0] output is 0",
    "For input [0, 1] output is 1",
    "For input [1, 0] output is 1",
    "For input [1, 1] output is 0",
]
TEST_POINTS = ([[0], [0]], [[0], [1]], [[1], [0]], [[1], [1]])


xor = load_example("xor_from_scratch")


def initial_weights(seed: int = xor.SEED) -> tuple[np.ndarray, np.ndarray]:
    """The example's ``np.random.seed(seed); rand(2, 2); rand(1, 2)``, without global state."""
    state = np.random.RandomState(seed)
    return state.rand(2, 2), state.rand(1, 2)


def ns_loss(w1, w2, x, y):
    """The article's forward pass and loss, written with nnscratch tensors."""
    m = x.shape[1]
    a1 = (w1 @ x).sigmoid()
    a2 = (w2 @ a1).sigmoid()
    return -(1 / m) * (y * a2.log() + (1 - y) * (1 - a2).log()).sum()


def ns_train(w1, w2, x, y, lr=0.1, iterations=10_000):
    """The training loop the way a PyTorch user writes it, on nnscratch."""
    w1 = ns.tensor(w1, requires_grad=True)
    w2 = ns.tensor(w2, requires_grad=True)
    x, y = ns.tensor(x), ns.tensor(y)
    losses = []
    for _ in range(iterations):
        loss = ns_loss(w1, w2, x, y)
        losses.append(loss.item())
        loss.backward()
        with ns.no_grad():
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
        w1.grad = None
        w2.grad = None
    return w1.detach().numpy(), w2.detach().numpy(), losses


@pytest.mark.parametrize("seed", [xor.SEED, 0, 15])
def test_autograd_gradients_equal_hand_written_back_prop(seed):
    w1_np, w2_np = initial_weights(seed)
    x_np, y_np = xor.total_input, xor.y_xor
    w1 = ns.tensor(w1_np, requires_grad=True)
    w2 = ns.tensor(w2_np, requires_grad=True)
    loss = ns_loss(w1, w2, ns.tensor(x_np), ns.tensor(y_np))
    loss.backward()

    z1, a1, z2, a2 = xor.forward_prop(w1_np, w2_np, x_np)
    _, dw2, _, dw1 = xor.back_prop(4, w1_np, w2_np, z1, a1, z2, a2, x_np, y_np)
    article_loss = -(1 / 4) * np.sum(y_np * np.log(a2) + (1 - y_np) * np.log(1 - a2))
    assert w1.grad.dtype == ns.float64 and w2.grad.dtype == ns.float64
    np.testing.assert_allclose(w1.grad.numpy(), dw1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w2.grad.numpy(), dw2, rtol=0, atol=1e-12)
    np.testing.assert_allclose(loss.item(), article_loss, rtol=0, atol=1e-12)


def test_back_prop_uses_its_input_argument():
    # The article's back_prop read the global input; the fix must use the x it is given.
    w1, w2 = initial_weights()
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    y = np.array([[1.0, 0.0, 1.0]])
    _, dw2, _, dw1 = xor.back_prop(3, w1, w2, *xor.forward_prop(w1, w2, x), x, y)
    t1, t2 = ns.tensor(w1, requires_grad=True), ns.tensor(w2, requires_grad=True)
    ns_loss(t1, t2, ns.tensor(x), ns.tensor(y)).backward()
    np.testing.assert_allclose(t1.grad.numpy(), dw1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(t2.grad.numpy(), dw2, rtol=0, atol=1e-12)


def test_full_training_run_matches_autograd():
    w1, w2 = initial_weights()
    x, y = xor.total_input, xor.y_xor
    np_w1, np_w2, np_losses = xor.train(w1, w2, x, y, lr=0.1, iterations=10_000)
    ns_w1, ns_w2, ns_losses = ns_train(w1, w2, x, y, lr=0.1, iterations=10_000)

    assert len(np_losses) == len(ns_losses) == 10_000
    assert_close(ns_w1, np_w1)  # weights grow to ~11: 1e-12 relative
    assert_close(ns_w2, np_w2)
    assert_close(ns_losses, np_losses)
    # Neither loop may touch the arrays it was given (both copy or rebind).
    for given, initial in zip((w1, w2), initial_weights(), strict=True):
        np.testing.assert_array_equal(given, initial)


def test_trained_network_learns_xor():
    w1, w2, losses = xor.train(*initial_weights(), xor.total_input, xor.y_xor)
    _, _, _, a2 = xor.forward_prop(w1, w2, xor.total_input)
    assert (a2 >= 0.5).astype(int).tolist() == [[0, 1, 1, 0]]
    assert losses[0] > 0.69 and losses[-1] < 0.4  # starts near log 2, ends well below it
    assert np.all(np.diff(losses) <= 0)  # small steps only go down


def test_predict_prints_the_articles_lines(capsys):
    w1, w2, _ = xor.train(*initial_weights(), xor.total_input, xor.y_xor)
    for point in TEST_POINTS:
        xor.predict(w1, w2, np.array(point))
    assert capsys.readouterr().out.splitlines() == ARTICLE_LINES


def test_predict_uses_its_argument(capsys):
    # The article's predict ran the global `test`; each point must give its own answer.
    w1 = np.array([[5.0, 5.0], [-5.0, -5.0]])
    w2 = np.array([[5.0, -5.0]])
    xor.predict(w1, w2, np.array([[1], [0]]))
    xor.predict(w1, w2, np.array([[-1], [0]]))
    assert capsys.readouterr().out.splitlines() == [
        "For input [1, 0] output is 1",
        "For input [-1, 0] output is 0",
    ]


def test_main_trains_plots_and_predicts(tmp_path, capsys):
    path = tmp_path / "loss.png"
    xor.main(["--plot", str(path)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[-4:] == ARTICLE_LINES
    if importlib.util.find_spec("matplotlib") is None:
        assert "matplotlib is not installed" in lines[0]
        assert not path.exists()
        pytest.skip("matplotlib is not installed: the PNG is not checked")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_example_doctests_pass():
    result = doctest.testmod(xor)
    assert result.attempted > 0 and result.failed == 0
