"""optim.LBFGS against torch.optim.LBFGS: N steps of step(closure) from the same weights, with
and without the strong-Wolfe line search, and its state_dict round trip."""

import copy

import numpy as np
import pytest
from parity import require_torch
from tolerance import assert_close

import nnscratch as ns


def _problem(rng):
    x = rng.standard_normal((30, 3))
    y = np.sin(x @ np.array([1.0, -2.0, 0.5]))[:, None]
    return x, y, rng.standard_normal((3, 6)) * 0.5, rng.standard_normal((6, 1)) * 0.5


def _run(lib, data, steps, **options):
    x, y, w1, w2 = data
    tx, ty = lib.tensor(x), lib.tensor(y)
    w1, w2 = lib.tensor(w1, requires_grad=True), lib.tensor(w2, requires_grad=True)
    opt = lib.optim.LBFGS([w1, w2], **options)

    def closure():
        opt.zero_grad()
        loss = ((lib.tanh(tx @ w1) @ w2 - ty) ** 2).mean()
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    return losses, [w1.detach().numpy(), w2.detach().numpy()], opt


OPTIONS = [
    {},
    {"max_iter": 4, "history_size": 3, "lr": 0.5},
    {"line_search_fn": "strong_wolfe"},
    {"line_search_fn": "strong_wolfe", "max_iter": 6, "history_size": 2},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_lbfgs_follows_torchs_trajectory(rng, options):
    torch = require_torch()
    data = _problem(rng)
    ours, weights, opt = _run(ns, data, 3, **options)
    theirs, t_weights, t_opt = _run(torch, data, 3, **options)
    # Up to 60 quasi-Newton iterations: ulp-level differences (torch fuses p + t d) grow.
    assert_close(ours, theirs, rtol=1e-9)
    for a, b in zip(weights, t_weights):
        assert_close(a, b.numpy() if hasattr(b, "numpy") else b, rtol=1e-8, atol=1e-8)
    state, t_state = opt.state_dict()["state"][0], t_opt.state_dict()["state"][0]
    assert sorted(state) == sorted(t_state)
    assert (state["func_evals"], state["n_iter"]) == (t_state["func_evals"], t_state["n_iter"])
    assert len(state["old_dirs"]) == len(t_state["old_dirs"])
    assert opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]


def test_lbfgs_state_dict_round_trip_continues_identically(rng):
    data = _problem(rng)
    _, _, opt = _run(ns, data, 2, history_size=4, max_iter=5)
    saved = copy.deepcopy(opt.state_dict())
    x, y = ns.tensor(data[0]), ns.tensor(data[1])

    def resume(state_dict):
        w1, w2 = (ns.tensor(p.detach().numpy().copy(), requires_grad=True)
                  for p in opt.param_groups[0]["params"])  # fmt: skip
        fresh = ns.optim.LBFGS([w1, w2], history_size=4, max_iter=5)
        fresh.load_state_dict(state_dict)

        def closure():
            fresh.zero_grad()
            loss = ((ns.tanh(x @ w1) @ w2 - y) ** 2).mean()
            loss.backward()
            return loss

        fresh.step(closure)
        return w1.detach().numpy()

    first, second = resume(saved), resume(copy.deepcopy(saved))
    assert np.array_equal(first, second)
    restarted = ns.optim.LBFGS([ns.zeros(1, requires_grad=True)])
    # Loading copied the history: the steps taken from it left the saved lists as they were.
    assert np.array_equal(saved["state"][0]["d"], opt.state_dict()["state"][0]["d"])
    kept = opt.state_dict()["state"][0]["old_dirs"]
    assert len(saved["state"][0]["old_dirs"]) == len(kept)
    assert all(np.array_equal(a, b) for a, b in zip(saved["state"][0]["old_dirs"], kept))
    with pytest.raises(ValueError):
        restarted.load_state_dict(saved)


def test_lbfgs_checks_its_arguments():
    w = ns.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="line_search_fn"):
        ns.optim.LBFGS([w], line_search_fn="armijo")
    with pytest.raises(ValueError, match="parameter groups"):
        ns.optim.LBFGS([{"params": [w]}, {"params": [ns.zeros(1, requires_grad=True)]}])
    with pytest.raises(RuntimeError, match="closure"):
        ns.optim.LBFGS([w]).step()
    assert ns.optim.LBFGS([w], max_iter=8).defaults["max_eval"] == 10


def test_lbfgs_solves_a_least_squares_problem(rng):
    a, b = rng.standard_normal((20, 4)), rng.standard_normal(20)
    w = ns.zeros(4, dtype=ns.float64, requires_grad=True)
    opt = ns.optim.LBFGS(
        [w], line_search_fn="strong_wolfe", max_iter=100, tolerance_grad=1e-10, tolerance_change=0.0
    )
    A, B = ns.tensor(a), ns.tensor(b)

    def closure():
        opt.zero_grad()
        loss = ((A @ w - B) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    expected = np.linalg.lstsq(a, b, rcond=None)[0]
    assert_close(w.detach().numpy(), expected, rtol=1e-8)  # converged to tolerance_grad
