"""``nnscratch trace`` against a hand computation written here, independently of the CLI.

The oracle: the truth tables typed in, the article's initial weights drawn with
``RandomState(seed).rand``, the forward pass and the gradients of the mean cross-entropy
derived per example with loops (not the matrix formulas of back_prop), and central finite
differences of the loss for the weight gradients.
"""

import json

import numpy as np
import pytest
from tolerance import assert_close

from nnscratch.cli import main

TABLES = {  # inputs one per column, as the article lays them out
    "xor": ([[0, 0, 1, 1], [0, 1, 0, 1]], [[0, 1, 1, 0]]),
    "and": ([[0, 0, 1, 1], [0, 1, 0, 1]], [[0, 0, 0, 1]]),
    "not": ([[0, 1]], [[1, 0]]),
}


def hand_step(gate, seed, lr, hidden=2):
    x, y = (np.array(a, dtype=np.float64) for a in TABLES[gate])
    n_in, m = x.shape
    state = np.random.RandomState(seed)
    w1, w2 = state.rand(hidden, n_in), state.rand(1, hidden)
    s = {"x": x, "y": y, "w1": w1, "w2": w2}
    s["z1"] = np.array([[sum(w1[j, i] * x[i, k] for i in range(n_in)) for k in range(m)]
                        for j in range(hidden)])  # fmt: skip
    s["a1"] = 1 / (1 + np.exp(-s["z1"]))
    s["z2"] = np.array([[sum(w2[0, j] * s["a1"][j, k] for j in range(hidden)) for k in range(m)]])
    s["a2"] = 1 / (1 + np.exp(-s["z2"]))
    s["loss"] = loss_of(w1, w2, x, y)
    a1, a2 = s["a1"], s["a2"]
    # Per example k: dL/da2 = -(y/a2 - (1-y)/(1-a2)) / m, and sigmoid' = a (1 - a).
    s["dloss_da2"] = np.array([[-(y[0, k] / a2[0, k] - (1 - y[0, k]) / (1 - a2[0, k])) / m
                                for k in range(m)]])  # fmt: skip
    s["sigmoid_prime_z2"] = a2 * (1 - a2)
    s["sigmoid_prime_z1"] = a1 * (1 - a1)
    dl_dz2 = s["dloss_da2"] * s["sigmoid_prime_z2"]
    dl_dz1 = np.array([[w2[0, j] * dl_dz2[0, k] * a1[j, k] * (1 - a1[j, k]) for k in range(m)]
                       for j in range(hidden)])  # fmt: skip
    s["dz2"], s["dz1"] = m * dl_dz2, m * dl_dz1  # the article's dz omit the mean's 1/m
    s["dw2"] = np.array([[sum(dl_dz2[0, k] * a1[j, k] for k in range(m)) for j in range(hidden)]])
    s["dw1"] = np.array([[sum(dl_dz1[j, k] * x[i, k] for k in range(m)) for i in range(n_in)]
                         for j in range(hidden)])  # fmt: skip
    s["new_w1"], s["new_w2"] = w1 - lr * s["dw1"], w2 - lr * s["dw2"]
    s["loss_after"] = loss_of(s["new_w1"], s["new_w2"], x, y)
    return s


def loss_of(w1, w2, x, y):
    a2 = 1 / (1 + np.exp(-(w2 @ (1 / (1 + np.exp(-(w1 @ x)))))))
    return float(-np.mean(y * np.log(a2) + (1 - y) * np.log(1 - a2)))


def finite_difference(w1, w2, x, y, which, eps=1e-6):
    weights = [w1.copy(), w2.copy()]
    grad = np.zeros_like(weights[which])
    for index in np.ndindex(grad.shape):
        plus, minus = [w.copy() for w in weights], [w.copy() for w in weights]
        plus[which][index] += eps
        minus[which][index] -= eps
        grad[index] = (loss_of(*plus, x, y) - loss_of(*minus, x, y)) / (2 * eps)
    return grad


def run_json(capsys, *args):
    assert main(["trace", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "gate, seed, lr, hidden", [("xor", 42, 0.1, 2), ("and", 3, 0.5, 2), ("not", 0, 1.0, 3)]
)
def test_json_values_match_the_hand_computation(capsys, gate, seed, lr, hidden):
    args = ["--gate", gate, "--seed", str(seed), "--lr", str(lr), "--hidden", str(hidden)]
    got = run_json(capsys, *args)
    want = hand_step(gate, seed, lr, hidden)
    for name, value in want.items():
        assert_close(np.array(got[name]), value, err_msg=name)
    for name in ("dz1", "dz2", "dw1", "dw2"):  # autograd's answer, against the same oracle
        assert_close(got[f"autograd_{name}"], want[name])
    assert got["max_abs_diff"] < 1e-12  # rounding: 0 on one machine, 1.1e-16 on another
    assert got["loss_after"] < got["loss"]  # one small step downhill


def test_weight_gradients_match_finite_differences(capsys):
    got = run_json(capsys, "--gate", "xor", "--seed", "7")
    x, y = (np.array(a, dtype=np.float64) for a in TABLES["xor"])
    w1, w2 = np.array(got["w1"]), np.array(got["w2"])
    np.testing.assert_allclose(got["dw1"], finite_difference(w1, w2, x, y, 0), atol=1e-9)
    np.testing.assert_allclose(got["dw2"], finite_difference(w1, w2, x, y, 1), atol=1e-9)


def test_text_shows_the_articles_formulas_and_values(capsys):
    assert main(["trace"]) == 0  # the defaults: XOR, seed 42, lr 0.1
    lines = capsys.readouterr().out.splitlines()
    want = hand_step("xor", 42, 0.1)
    for formula in ("z1 = w1 @ x", "a1 = sigmoid(z1)", "z2 = w2 @ a1", "a2 = sigmoid(z2)",
                    "da1/dz1 = sigmoid'(z1) = a1 (1 - a1)", "dz2 = a2 - y",
                    "dw2 = dz2 @ a1.T / m", "dz1 = (w2.T @ dz2) * a1 (1 - a1)",
                    "dw1 = dz1 @ x.T / m", "w1.grad", "w2.grad"):  # fmt: skip
        assert any(line.strip().startswith(formula) for line in lines), formula
    np.testing.assert_allclose(matrix_after(lines, "dw1 = dz1 @ x.T / m"), want["dw1"], atol=1e-6)
    np.testing.assert_allclose(matrix_after(lines, "w1.grad"), want["dw1"], atol=1e-6)
    loss_line = next(line for line in lines if line.strip().startswith("loss = "))
    assert float(loss_line.split("=")[-1]) == pytest.approx(want["loss"], abs=1e-10)


def matrix_after(lines, formula):
    """The numbers printed on the lines under ``formula``, up to the next formula."""
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(formula)) + 1
    rows = []
    for line in lines[start:]:
        if not line.strip().startswith("["):
            break
        rows.append([float(v) for v in line.replace("[", " ").replace("]", " ").split()])
    return np.array(rows)


@pytest.mark.parametrize(
    "args",
    [["--gate", "xor,and"], ["--gate", "nope"], ["--lr", "0"], ["--seed", "-1"],
     ["--seed", str(2**32)], ["--hidden", "1000000000"], ["--hidden", "0"]],
)  # fmt: skip
def test_bad_arguments_exit_2_with_one_line(capsys, args):
    assert main(["trace", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("nnscratch trace: error:")
