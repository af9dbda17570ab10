"""Loss modules against torch's: same options, same values and gradients (float64)."""

import numpy as np
import pytest
from parity import check, require_torch

import nnscratch as ns

RNG = np.random.default_rng(3)
W = RNG.uniform(0.5, 2.0, 4)

# name -> (module factory(lib), input kinds); kinds: real, prob, index (int64 class labels)
CASES = {
    "mse": (lambda lib: lib.nn.MSELoss(), ("real", "real")),
    "mse-sum": (lambda lib: lib.nn.MSELoss(reduction="sum"), ("real", "real")),
    "l1-none": (lambda lib: lib.nn.L1Loss(reduction="none"), ("real", "real")),
    "huber": (lambda lib: lib.nn.HuberLoss(delta=0.3), ("real", "real")),
    "smooth_l1": (lambda lib: lib.nn.SmoothL1Loss(beta=0.4, reduction="sum"), ("real", "real")),
    "bce": (lambda lib: lib.nn.BCELoss(weight=lib.tensor(W)), ("prob", "prob")),
    "bce_logits": (
        lambda lib: lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor(W), reduction="sum"),
        ("real", "prob"),
    ),
    "cross_entropy": (
        lambda lib: lib.nn.CrossEntropyLoss(weight=lib.tensor(W), label_smoothing=0.2),
        ("real", "index"),
    ),
    "cross_entropy-ignore": (
        lambda lib: lib.nn.CrossEntropyLoss(ignore_index=1),
        ("real", "index"),
    ),
    "nll": (lambda lib: lib.nn.NLLLoss(weight=lib.tensor(W), reduction="none"), ("real", "index")),
    "kl_div": (lambda lib: lib.nn.KLDivLoss(reduction="batchmean"), ("real", "prob")),
}


def _array(kind):
    if kind == "index":
        return RNG.integers(0, 4, 5)
    if kind == "prob":
        return RNG.uniform(0.05, 0.95, (5, 4))
    return RNG.standard_normal((5, 4))


@pytest.mark.parametrize("name", CASES)
def test_loss_module_matches_torch(name):
    make, kinds = CASES[name]
    check(lambda lib, *xs: make(lib)(*xs), *(_array(k) for k in kinds))


def test_repr_and_buffers_match_torch():
    torch = require_torch()
    for make, _ in CASES.values():
        ours, theirs = make(ns), make(torch)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())


def test_bad_reduction_and_targets_are_clear_errors():
    with pytest.raises(ValueError, match="reduction"):
        ns.nn.MSELoss(reduction="avg")
    loss = ns.nn.CrossEntropyLoss()
    with pytest.raises(IndexError, match="out of bounds"):
        loss(ns.zeros(2, 3), ns.tensor([0, 3]))
    with pytest.raises((TypeError, ValueError), match="target"):
        loss(ns.zeros(2, 3), ns.tensor([0.0, 1.0]))
