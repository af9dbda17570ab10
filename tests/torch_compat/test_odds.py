"""Small corners of torch's API that teaching code reaches: ``nn.utils.rnn.pad_sequence``,
``Module.type``, ``nn.parallel``, against torch."""

from __future__ import annotations

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns

torch = require_torch()


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, padding_side, rng):
    arrays = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    options = {"batch_first": batch_first, "padding_value": -1.0, "padding_side": padding_side}
    ours = ns.nn.utils.rnn.pad_sequence([ns.tensor(a) for a in arrays], **options)
    theirs = torch.nn.utils.rnn.pad_sequence([torch.tensor(a) for a in arrays], **options)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_pad_sequence_carries_gradients_to_each_sequence():
    a, b = ns.ones(2, requires_grad=True), ns.ones(3, requires_grad=True)
    (ns.nn.utils.rnn.pad_sequence([a, b]) * 2).sum().backward()
    assert a.grad.tolist() == [2.0, 2.0] and b.grad.tolist() == [2.0, 2.0, 2.0]


def test_packed_sequences_are_refused_with_a_way_around():
    for name in ["pack_padded_sequence", "pad_packed_sequence", "pack_sequence"]:
        with pytest.raises(NotImplementedError, match=f"{name}.*pad_sequence"):
            getattr(ns.nn.utils.rnn, name)(ns.ones(2, 3), [2, 1])


def test_module_type_casts_parameters_as_torch():
    ours, theirs = ns.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    weight = ours.weight
    assert ours.type(ns.float64) is ours and ours.weight is weight
    theirs.type(torch.float64)
    assert str(ours.weight.dtype) == str(theirs.weight.dtype).removeprefix("torch.")
    with pytest.raises(TypeError):
        ours.type(ns.int64)


def test_nn_parallel_has_data_parallel_and_refuses_gpu_collectives():
    model = ns.nn.parallel.DataParallel(ns.nn.Linear(2, 1))
    assert model(ns.zeros(3, 2)).shape == (3, 1)
    assert ns.nn.parallel.DataParallel is ns.nn.DataParallel
    for name in ["scatter", "gather", "replicate", "parallel_apply"]:
        with pytest.raises(NotImplementedError, match=f"nn.parallel.{name}"):
            getattr(ns.nn.parallel, name)(ns.ones(2), [0])
