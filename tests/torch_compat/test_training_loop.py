"""A PyTorch training loop, written once, runs under torch and nnscratch and ends alike."""

import numpy as np
import pytest
from examples_loader import load_example
from parity import require_torch

import nnscratch as ns


def training_loop(lib, weights: dict, batches: list, make_optimizer, make_scheduler=None) -> dict:
    """The user's code: ``lib`` is ``torch`` or ``nnscratch``; nothing else differs."""
    nn = lib.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))
    model = model.double()
    model.load_state_dict({name: lib.from_numpy(array.copy()) for name, array in weights.items()})
    optimizer = make_optimizer(lib, model.parameters())
    scheduler = make_scheduler(lib, optimizer) if make_scheduler else None
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    for x, y in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(lib.from_numpy(x)), lib.from_numpy(y))
        loss.backward()
        optimizer.step()
        if isinstance(scheduler, lib.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(loss.item())
        elif scheduler is not None:
            scheduler.step()
    return {name: t.detach().numpy().copy() for name, t in model.state_dict().items()}


OPTIMIZERS = {
    "sgd": lambda lib, params: lib.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda lib, params: lib.optim.Adam(params, lr=1e-2, weight_decay=1e-3),
    "rmsprop": lambda lib, params: lib.optim.RMSprop(params, lr=1e-3, centered=True),
}


SCHEDULES = {
    "step": ("sgd", lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, 5, gamma=0.5)),
    "multistep": ("adam", lambda lib, opt: lib.optim.lr_scheduler.MultiStepLR(opt, [3, 9])),
    "exponential": ("sgd", lambda lib, opt: lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)),
    "cosine": ("adam", lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, 10)),
    "lambda": ("sgd", lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (1 + e))),
    "linear": ("rmsprop", lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, total_iters=8)),
    "one_cycle": ("sgd", lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, 0.5, 25)),
    "one_cycle_adam": ("adam", lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, 0.05, 25)),
    "plateau": (
        "sgd",
        lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5),
    ),
}


def _start(rng):
    ns.manual_seed(0)
    start = ns.nn.Sequential(ns.nn.Linear(4, 8), ns.nn.Tanh(), ns.nn.Linear(8, 8), ns.nn.ReLU(),
                             ns.nn.Linear(8, 3)).double()  # fmt: skip
    weights = {k: v.numpy().copy() for k, v in start.state_dict().items()}
    batches = [(rng.standard_normal((16, 4)), rng.integers(0, 3, 16)) for _ in range(25)]
    return weights, batches


@pytest.mark.parametrize("name", SCHEDULES)
def test_the_same_loop_with_a_scheduler_ends_alike(name):
    torch = require_torch()
    weights, batches = _start(np.random.default_rng(1))
    optimizer, make_scheduler = OPTIMIZERS[SCHEDULES[name][0]], SCHEDULES[name][1]
    ours = training_loop(ns, weights, batches, optimizer, make_scheduler)
    theirs = training_loop(torch, weights, batches, optimizer, make_scheduler)
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-9, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_the_same_loop_ends_with_the_same_weights(name):
    torch = require_torch()
    weights, batches = _start(np.random.default_rng(0))
    ours = training_loop(ns, weights, batches, OPTIMIZERS[name])
    theirs = training_loop(torch, weights, batches, OPTIMIZERS[name])
    assert ours.keys() == theirs.keys()
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-9, atol=1e-12, err_msg=key)
        assert not np.allclose(ours[key], weights[key])  # training really moved the weights


def test_xor_torch_style_learns_xor(capsys):
    load_example("xor_torch_style").main()
    out = capsys.readouterr().out
    for line in ["[0, 0] output is 0", "[0, 1] output is 1", "[1, 0] output is 1",
                 "[1, 1] output is 0"]:  # fmt: skip
        assert line in out


def test_spirals_mlp_reaches_97_percent():
    _, accuracy = load_example("spirals_mlp").train()
    assert accuracy >= 0.97
