"""Tensors print as torch prints them: the same digits, alignment, wrapping and summaries.

Each case formats one array in both libraries and compares the text, after the one naming
difference: torch writes ``dtype=torch.float64`` where nnscratch writes ``dtype=float64``.
"""

from __future__ import annotations

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns

torch = require_torch()

_rng = np.random.default_rng(5)
CASES = {
    "fractions": np.array([5.5, 3.0]),
    "whole numbers": np.array([3.0, 12.0, -7.0]),
    "zeros": np.zeros(3),
    "negative zero": np.array([-0.0]),
    "scalar": np.array(1.7320508),
    "whole scalar": np.array(4.0),
    "tiny values": np.array([1e-5, 1.0]),
    "huge values": np.array([1.0, 2e9]),
    "wide range of whole numbers": np.array([1.0, 5000.0]),
    "nan and inf": np.array([1.0, 2.0, np.nan, np.inf, -np.inf]),
    "nan beside fractions": np.array([0.5, np.nan]),
    "mixed signs": np.array([-0.5, 100.25]),
    "long row wraps": np.arange(30.0) / 7,
    "matrix": _rng.standard_normal((3, 4)),
    "3-d blocks": _rng.standard_normal((2, 3, 4)),
    "4-d blocks": _rng.standard_normal((2, 2, 2, 2)),
    "summarised row": np.arange(2000.0),
    "summarised matrix": _rng.standard_normal((40, 40)),
    "empty row": np.zeros(0),
    "empty matrix": np.zeros((0, 4)),
    "integers": np.array([1, 2, -30]),
    "integer matrix": np.arange(12).reshape(3, 4),
    "booleans": np.array([True, False, True]),
    "float64": np.array([1.0, 2.5]),
    "int32": np.array([1, 2], dtype=np.int32),
}


def _shown(text: str) -> str:
    return text.replace("torch.", "")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_tensor_prints_as_torch_prints_it(name):
    array = CASES[name]
    if array.dtype == np.float64 and name != "float64":
        array = array.astype(np.float32)
    ours, theirs = ns.tensor(array), torch.tensor(array)
    assert repr(ours) == _shown(repr(theirs))
    assert str(ours) == _shown(str(theirs))


def test_graph_suffixes_follow_the_numbers():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 1.5) == "tensor([1.5000, 3.0000], grad_fn=<MulBackward>)"


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"sci_mode": True},
        {"sci_mode": False},
        {"threshold": 5, "edgeitems": 1},
        {"linewidth": 30},
        {"profile": "short"},
        {"profile": "full"},
    ],
    ids=str,
)
def test_print_options_change_the_text_as_torchs_do(options):
    array = (np.arange(24.0).reshape(4, 6) / 7).astype(np.float32)
    try:
        ns.set_printoptions(**options)
        torch.set_printoptions(**options)
        assert repr(ns.tensor(array)) == repr(torch.tensor(array))
    finally:
        ns.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(ns.tensor([0.5])) == "tensor([0.5000])"


def test_an_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="profile should be one of"):
        ns.set_printoptions(profile="tiny")
