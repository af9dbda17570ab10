"""Public ops carry a docstring (DESIGN.md 6); their examples run as doctests in the suite."""

import importlib
import inspect

import pytest

MODULES = [
    "arithmetic", "elementwise", "activation", "softmax", "reduce", "movement", "indexing",
    "padding", "loss", "regression_loss", "classification_loss", "linalg", "cast", "compare",
    "creation", "special", "conv", "pooling", "normalization", "embedding", "attention",
    "recurrent", "dropout",
]  # fmt: skip


@pytest.mark.parametrize("module", MODULES)
def test_public_functions_have_docstrings(module):
    mod = importlib.import_module(f"nnscratch.ops.{module}")
    names = getattr(mod, "__all__", None) or ["erf"]
    undocumented = [n for n in names if not inspect.getdoc(getattr(mod, n))]
    assert not undocumented, f"nnscratch.ops.{module}: no docstring on {undocumented}"
