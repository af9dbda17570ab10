"""Learning-rate schedulers: the same schedule, step for step, as torch.optim.lr_scheduler.

Each scheduler drives a two-group SGD or Adam optimizer in both libraries for 30-60 steps; the
lrs (and, for OneCycleLR, the momentum or beta1) must equal torch's: the arithmetic is the same,
so they agree bit for bit, which is stricter than the 1e-12 asked for.
"""

import math
import warnings

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
from nnscratch.optim import lr_scheduler

torch = require_torch()


def _optimizer(lib, kind: str):
    groups = [
        {"params": [lib.zeros(2, requires_grad=True)]},
        {"params": [lib.zeros(3, requires_grad=True)], "lr": 0.03},
    ]
    if kind == "sgd":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.1, betas=(0.9, 0.99))


def _momenta(optimizer) -> list[float]:
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in optimizer.param_groups]


# name: (optimizer, scheduler factory given the scheduler module and the optimizer, steps)
CASES = {
    "StepLR": ("sgd", lambda m, o: m.StepLR(o, step_size=7, gamma=0.3), 40),
    "MultiStepLR": ("sgd", lambda m, o: m.MultiStepLR(o, [5, 12, 12, 30], gamma=0.5), 40),
    "ExponentialLR": ("adam", lambda m, o: m.ExponentialLR(o, gamma=0.93), 40),
    "CosineAnnealingLR": ("sgd", lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=1e-3), 60),
    "CosineAnnealingLR-eta0": ("adam", lambda m, o: m.CosineAnnealingLR(o, T_max=17), 60),
    "LambdaLR": ("sgd", lambda m, o: m.LambdaLR(o, lambda epoch: 1 / (1 + epoch)), 30),
    "LambdaLR-per-group": (
        "adam",
        lambda m, o: m.LambdaLR(o, [lambda e: 0.9**e, lambda e: math.sqrt(e + 1)]),
        30,
    ),
    "LinearLR": ("sgd", lambda m, o: m.LinearLR(o), 30),
    "LinearLR-custom": (
        "adam",
        lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.5, total_iters=12),
        30,
    ),
    "OneCycleLR-cos-sgd": (
        "sgd",
        lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=50),
        50,
    ),
    "OneCycleLR-linear-adam-3phase": (
        "adam",
        lambda m, o: m.OneCycleLR(
            o,
            max_lr=0.3,
            epochs=5,
            steps_per_epoch=10,
            pct_start=0.25,
            anneal_strategy="linear",
            three_phase=True,
            base_momentum=[0.8, 0.7],
            div_factor=10.0,
            final_div_factor=100.0,
        ),
        50,
    ),  # fmt: skip
    "OneCycleLR-no-momentum": (
        "sgd",
        lambda m, o: m.OneCycleLR(o, max_lr=0.2, total_steps=30, cycle_momentum=False),
        30,
    ),
}


def _run(lib, scheduler_module, case: str) -> np.ndarray:
    kind, make, steps = CASES[case]
    optimizer = _optimizer(lib, kind)
    scheduler = make(scheduler_module, optimizer)
    rows = []
    for _ in range(steps):
        lrs = [g["lr"] for g in optimizer.param_groups]
        rows.append(lrs + list(scheduler.get_last_lr()) + _momenta(optimizer))
        optimizer.step()
        scheduler.step()
    return np.array(rows, dtype=np.float64)


@pytest.mark.parametrize("case", CASES)
def test_schedule_matches_torch_step_for_step(case):
    ours = _run(ns, lr_scheduler, case)
    theirs = _run(torch, torch.optim.lr_scheduler, case)
    np.testing.assert_array_equal(ours, theirs)
    assert np.ptp(ours[:, 0]) > 0  # the schedule really moved the lr


@pytest.mark.parametrize("case", CASES)
def test_state_dict_keys_and_initial_lr_match_torch(case):
    kind, make, _ = CASES[case]
    ours_opt, theirs_opt = _optimizer(ns, kind), _optimizer(torch, kind)
    ours, theirs = make(lr_scheduler, ours_opt), make(torch.optim.lr_scheduler, theirs_opt)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    for ours_group, theirs_group in zip(ours_opt.param_groups, theirs_opt.param_groups):
        assert ours_group["initial_lr"] == theirs_group["initial_lr"]


def _resumed(lib, scheduler_module, case: str) -> np.ndarray:
    """Run 7 steps, save, build a second scheduler on the optimizer, load, run 20 more."""
    kind, make, _ = CASES[case]
    optimizer = _optimizer(lib, kind)
    scheduler = make(scheduler_module, optimizer)
    for _ in range(7):
        optimizer.step()
        scheduler.step()
    state = scheduler.state_dict()
    scheduler = make(scheduler_module, optimizer)
    scheduler.load_state_dict(state)
    rows = []
    for _ in range(20):
        optimizer.step()
        scheduler.step()
        rows.append([g["lr"] for g in optimizer.param_groups] + _momenta(optimizer))
    return np.array(rows)


@pytest.mark.parametrize("case", ["StepLR", "CosineAnnealingLR", "LinearLR", "OneCycleLR-cos-sgd"])
def test_save_and_load_resume_as_torch(case):
    ours = _resumed(ns, lr_scheduler, case)
    np.testing.assert_allclose(ours, _resumed(torch, torch.optim.lr_scheduler, case), rtol=1e-12)


def test_resuming_with_last_epoch_uses_initial_lr_as_torch():
    def run(lib, module):
        optimizer = _optimizer(lib, "sgd")
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"] * 2
        scheduler = module.CosineAnnealingLR(optimizer, T_max=12, last_epoch=4)
        lrs = []
        for _ in range(10):
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        return lrs

    np.testing.assert_allclose(run(ns, lr_scheduler), run(torch, torch.optim.lr_scheduler))


def test_lambda_state_dict_keeps_callable_objects_only():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, epoch):
            return self.rate**epoch

    optimizer = _optimizer(ns, "sgd")
    scheduler = lr_scheduler.LambdaLR(optimizer, [Decay(), lambda e: 1.0])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]
    state["lr_lambdas"][0]["rate"] = 0.25
    scheduler.load_state_dict(state)
    assert scheduler.lr_lambdas[0].rate == 0.25 and "lr_lambdas" in state


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR"])
def test_deprecated_epoch_argument_uses_the_closed_form_as_torch(name):
    kwargs = {"StepLR": {"step_size": 3}, "MultiStepLR": {"milestones": [2, 5]},
              "ExponentialLR": {"gamma": 0.9}, "CosineAnnealingLR": {"T_max": 8}}[name]  # fmt: skip

    def run(lib, module):
        optimizer = _optimizer(lib, "sgd")
        scheduler = getattr(module, name)(optimizer, **kwargs)
        optimizer.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            scheduler.step(epoch=6)
        return scheduler.get_last_lr()

    np.testing.assert_allclose(run(ns, lr_scheduler), run(torch, torch.optim.lr_scheduler))


@pytest.mark.parametrize("lib", ["ns", "torch"])
def test_warns_when_stepped_before_the_optimizer(lib):
    lib, module = (ns, lr_scheduler) if lib == "ns" else (torch, torch.optim.lr_scheduler)
    scheduler = module.StepLR(_optimizer(lib, "sgd"), step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        scheduler.get_lr()


def test_no_warning_in_the_right_order():
    optimizer = _optimizer(ns, "adam")
    scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == [0.05, 0.015]


PLATEAU = {
    "default-patience": {"patience": 2},
    "max-abs-cooldown": {"mode": "max", "threshold_mode": "abs", "threshold": 0.01,
                         "patience": 1, "cooldown": 2, "factor": 0.5},
    "min-lr-and-eps": {"patience": 0, "factor": 0.5, "min_lr": [0.02, 0.001], "eps": 1e-3},
}  # fmt: skip


def _plateau(lib, module, kwargs) -> np.ndarray:
    optimizer = _optimizer(lib, "sgd")
    scheduler = module.ReduceLROnPlateau(optimizer, **kwargs)
    metrics = 1.0 + 0.05 * np.sin(np.arange(50) * 1.3) - 0.004 * np.arange(50)
    rows = []
    for metric in metrics:
        optimizer.step()
        scheduler.step(lib.tensor(float(metric), dtype=lib.float64))
        state = [scheduler.best, scheduler.num_bad_epochs, scheduler.cooldown_counter]
        rows.append(list(scheduler.get_last_lr()) + state)
    return np.array(rows)


@pytest.mark.parametrize("case", PLATEAU)
def test_reduce_on_plateau_matches_torch(case):
    ours = _plateau(ns, lr_scheduler, PLATEAU[case])
    theirs = _plateau(torch, torch.optim.lr_scheduler, PLATEAU[case])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert ours[-1, 0] < ours[0, 0]  # it did reduce


def test_reduce_on_plateau_state_dict_round_trip():
    optimizer = _optimizer(ns, "sgd")
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", patience=1)
    for metric in [1.0, 2.0, 2.0]:
        scheduler.step(metric)
    other = lr_scheduler.ReduceLROnPlateau(optimizer)
    other.load_state_dict(scheduler.state_dict())
    assert (other.mode, other.mode_worse, other.best, other.num_bad_epochs) == (
        "max",
        -math.inf,
        2.0,
        1,
    )


ERRORS = {
    "not-an-optimizer": (TypeError, lambda m, o: m.StepLR(object(), step_size=1)),
    "resume-without-initial_lr": (KeyError, lambda m, o: m.StepLR(o, 3, last_epoch=5)),
    "lambdas-per-group": (ValueError, lambda m, o: m.LambdaLR(o, [lambda e: 1.0])),
    "linear-start-0": (ValueError, lambda m, o: m.LinearLR(o, start_factor=0)),
    "linear-start-above-1": (ValueError, lambda m, o: m.LinearLR(o, start_factor=1.5)),
    "linear-end-negative": (ValueError, lambda m, o: m.LinearLR(o, end_factor=-0.1)),
    "plateau-factor": (ValueError, lambda m, o: m.ReduceLROnPlateau(o, factor=1.0)),
    "plateau-mode": (ValueError, lambda m, o: m.ReduceLROnPlateau(o, mode="avg")),
    "plateau-threshold-mode": (ValueError, lambda m, o: m.ReduceLROnPlateau(o, threshold_mode="x")),
    "plateau-min-lrs": (ValueError, lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.1])),
    "plateau-not-optimizer": (TypeError, lambda m, o: m.ReduceLROnPlateau([1])),
    "onecycle-no-length": (ValueError, lambda m, o: m.OneCycleLR(o, max_lr=1.0)),
    "onecycle-total-0": (ValueError, lambda m, o: m.OneCycleLR(o, 1.0, total_steps=0)),
    "onecycle-epochs-0": (
        ValueError,
        lambda m, o: m.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3),
    ),
    "onecycle-pct-int": (ValueError, lambda m, o: m.OneCycleLR(o, 1.0, 10, pct_start=1)),
    "onecycle-pct-big": (ValueError, lambda m, o: m.OneCycleLR(o, 1.0, 10, pct_start=1.5)),
    "onecycle-anneal": (ValueError, lambda m, o: m.OneCycleLR(o, 1.0, 10, anneal_strategy="exp")),
    "onecycle-max-lrs": (ValueError, lambda m, o: m.OneCycleLR(o, [1.0, 2.0, 3.0], 10)),
}


@pytest.mark.parametrize("case", ERRORS)
def test_invalid_arguments_raise_as_torch(case):
    error, make = ERRORS[case]
    with pytest.raises(error):
        make(torch.optim.lr_scheduler, _optimizer(torch, "sgd"))
    with pytest.raises(error) as info:
        make(lr_scheduler, _optimizer(ns, "sgd"))
    assert str(info.value)


def test_one_cycle_needs_momentum_and_stops_after_total_steps():
    for lib, module in [(ns, lr_scheduler), (torch, torch.optim.lr_scheduler)]:
        adagrad = lib.optim.Adagrad([lib.zeros(1, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match="momentum"):
            module.OneCycleLR(adagrad, max_lr=1.0, total_steps=5)
        optimizer = _optimizer(lib, "sgd")
        scheduler = module.OneCycleLR(optimizer, max_lr=1.0, total_steps=3)
        for _ in range(3):
            optimizer.step()
            scheduler.step()
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            scheduler.step()
