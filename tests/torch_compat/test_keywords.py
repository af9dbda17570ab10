"""Keyword spellings that teaching code uses, each called the same way on nnscratch and torch.

Deterministic calls compare values; random draws compare shape, dtype and ``requires_grad``.
"""

from __future__ import annotations

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns

torch = require_torch()

VALUE_CALLS = {
    "linspace(steps=)": lambda lib: lib.linspace(0.0, 1.0, steps=5),
    "eq": lambda lib: lib.eq(lib.tensor([1, 2, 3]), lib.tensor([1, 0, 3])),
    "Tensor.eq": lambda lib: lib.tensor([1.0, 2.0]).eq(2.0),
    "Tensor.mul_": lambda lib: lib.tensor([1.0, 2.0]).mul_(3.0),
    "AvgPool2d(kernel_size=)": lambda lib: lib.nn.AvgPool2d(kernel_size=2)(
        lib.arange(16.0).reshape(1, 1, 4, 4)
    ),
}

DRAW_CALLS = {
    "normal(requires_grad=)": lambda lib: lib.normal(0.0, 0.01, size=(3, 2), requires_grad=True),
    "rand(requires_grad=)": lambda lib: lib.rand(2, 3, requires_grad=True),
    "randn(requires_grad=)": lambda lib: lib.randn(4, requires_grad=True),
    "rand(out=)": lambda lib: lib.rand(2, 2, out=lib.empty(2, 2)),
    "LazyConv2d(kernel_size=)": lambda lib: lib.nn.LazyConv2d(4, kernel_size=3)(
        lib.ones(1, 2, 5, 5)
    ),
}


@pytest.mark.parametrize("call", sorted(VALUE_CALLS))
def test_keyword_calls_give_torchs_values(call):
    ours, theirs = VALUE_CALLS[call](ns), VALUE_CALLS[call](torch)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", sorted(DRAW_CALLS))
def test_keyword_calls_give_torchs_shapes_and_flags(call):
    ours, theirs = DRAW_CALLS[call](ns), DRAW_CALLS[call](torch)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.requires_grad is theirs.requires_grad


def test_rand_out_writes_into_the_given_tensor_and_refuses_a_graph():
    out = ns.empty(3)
    assert ns.rand(3, out=out) is out and 0 <= out.numpy().min() and out.numpy().max() < 1
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        ns.rand(2, out=ns.empty(2, requires_grad=True))


def test_lbfgs_takes_lr_as_a_keyword_like_torch():
    weights = []
    for lib in (ns, torch):
        weight = lib.nn.Parameter(lib.tensor([1.0, -2.0], dtype=lib.float64))
        optimizer = lib.optim.LBFGS([weight], lr=0.5, max_iter=3)

        def closure(weight=weight, optimizer=optimizer):
            optimizer.zero_grad()
            loss = (weight**4).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        assert optimizer.param_groups[0]["lr"] == 0.5
        weights.append(weight.detach().numpy())
    np.testing.assert_allclose(*weights, rtol=1e-10)  # three L-BFGS iterations, float64
