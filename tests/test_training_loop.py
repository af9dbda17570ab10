"""A PyTorch training loop, written once, runs under torch and nnscratch and ends alike."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def training_loop(lib, weights: dict, batches: list, make_optimizer) -> dict:
    """The user's code: ``lib`` is ``torch`` or ``nnscratch``; nothing else differs."""
    nn = lib.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))
    model = model.double()
    model.load_state_dict({name: lib.from_numpy(array.copy()) for name, array in weights.items()})
    optimizer = make_optimizer(lib, model.parameters())
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    for x, y in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(lib.from_numpy(x)), lib.from_numpy(y))
        loss.backward()
        optimizer.step()
    return {name: t.detach().numpy().copy() for name, t in model.state_dict().items()}


OPTIMIZERS = {
    "sgd": lambda lib, params: lib.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda lib, params: lib.optim.Adam(params, lr=1e-2, weight_decay=1e-3),
    "rmsprop": lambda lib, params: lib.optim.RMSprop(params, lr=1e-3, centered=True),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_the_same_loop_ends_with_the_same_weights(name):
    torch = require_torch()
    rng = np.random.default_rng(0)
    ns.manual_seed(0)
    start = ns.nn.Sequential(ns.nn.Linear(4, 8), ns.nn.Tanh(), ns.nn.Linear(8, 8), ns.nn.ReLU(),
                             ns.nn.Linear(8, 3)).double()  # fmt: skip
    weights = {k: v.numpy().copy() for k, v in start.state_dict().items()}
    batches = [(rng.standard_normal((16, 4)), rng.integers(0, 3, 16)) for _ in range(25)]
    ours = training_loop(ns, weights, batches, OPTIMIZERS[name])
    theirs = training_loop(torch, weights, batches, OPTIMIZERS[name])
    assert ours.keys() == theirs.keys()
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-9, atol=1e-12, err_msg=key)
        assert not np.allclose(ours[key], weights[key])  # training really moved the weights


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_xor_torch_style_learns_xor(capsys):
    _load("xor_torch_style").main()
    out = capsys.readouterr().out
    for line in ["[0, 0] output is 0", "[0, 1] output is 1", "[1, 0] output is 1",
                 "[1, 1] output is 0"]:  # fmt: skip
        assert line in out


def test_spirals_mlp_reaches_97_percent():
    _, accuracy = _load("spirals_mlp").train()
    assert accuracy >= 0.97
