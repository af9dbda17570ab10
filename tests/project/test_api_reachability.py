"""Each op is reachable where torch offers it: Tensor method, top level, nn.functional."""

import importlib

import pytest
from parity import require_torch

import nnscratch as ns

MODULES = [
    "arithmetic", "elementwise", "activation", "softmax", "reduce", "movement", "indexing",
    "padding", "loss", "regression_loss", "classification_loss", "linalg", "cast", "compare",
    "creation", "conv", "pooling", "normalization", "embedding", "attention", "dropout",
]  # fmt: skip
OURS_ONLY = {"index"}  # our name for __getitem__'s op; torch's Tensor.index is unrelated
# torch.batch_norm, torch.embedding and torch.dropout take their arguments in another order than
# nn.functional's; ours live in nn.functional only, where the order is the documented one.
OTHER_SIGNATURE_AT_TOP = {"batch_norm", "embedding", "dropout"}  # (torch.dropout: train required)


def _names():
    names = {n for m in MODULES for n in importlib.import_module(f"nnscratch.ops.{m}").__all__}
    return sorted(names - OURS_ONLY)


@pytest.mark.parametrize("name", _names())
def test_reachable_where_torch_has_it(name):
    torch = require_torch()
    places = [(torch.Tensor, ns.Tensor), (torch, ns), (torch.nn.functional, ns.nn.functional)]
    for theirs, ours in places:
        if theirs is torch and name in OTHER_SIGNATURE_AT_TOP:
            continue
        if hasattr(theirs, name):
            assert hasattr(ours, name), f"{ours.__name__} lacks {name}, which torch offers there"


def test_the_functional_namespace_has_the_activations_and_pad():
    for name in ["relu", "sigmoid", "tanh", "gelu", "silu", "elu", "selu", "leaky_relu",
                 "softplus", "softmax", "log_softmax", "pad"]:  # fmt: skip
        assert callable(getattr(ns.nn.functional, name))
