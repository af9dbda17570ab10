"""Samplers, DataLoader's torch arguments, stream and concatenated datasets, against torch.

Deterministic orders (sequential, batch samplers, a given sampler or batch_sampler, streams)
are compared batch for batch with torch; random ones (torch draws from its own generator) by
their properties: permutations, repeatability from a seed, frequencies."""

import collections

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
from nnscratch.utils import data as ours_data
from tests.utils.test_data import _plain

torch = require_torch()
theirs_data = torch.utils.data


def _both(make):
    """``make(lib_data, lib)`` run with nnscratch's and torch's ``utils.data``."""
    return make(ours_data, ns), make(theirs_data, torch)


def _seeded(seed=0):
    return ns.Generator().manual_seed(seed)


# ---- samplers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (3, False), (3, True), (12, True)])
def test_sequential_and_batch_samplers_match_torch(batch_size, drop_last):
    def make(d, lib):
        sampler = d.BatchSampler(d.SequentialSampler(range(10)), batch_size, drop_last)
        return len(sampler), list(sampler), list(d.SequentialSampler(range(10)))

    ours, theirs = _both(make)
    assert ours == theirs


def test_random_sampler_is_a_seeded_permutation_each_epoch():
    sampler = ours_data.RandomSampler(range(20), generator=_seeded(3))
    epochs = [list(sampler) for _ in range(3)]
    assert all(sorted(e) == list(range(20)) for e in epochs)
    assert epochs[0] != epochs[1]
    assert list(ours_data.RandomSampler(range(20), generator=_seeded(3))) == epochs[0]
    ns.manual_seed(5)
    first = list(ours_data.RandomSampler(range(20)))
    ns.manual_seed(5)
    assert list(ours_data.RandomSampler(range(20))) == first  # the global generator


@pytest.mark.parametrize("replacement, num_samples", [(False, None), (False, 25), (True, 7)])
def test_random_sampler_lengths_and_draws_as_torch(replacement, num_samples):
    ours, theirs = _both(lambda d, lib: d.RandomSampler(range(10), replacement, num_samples))
    draws = list(ours)
    assert len(ours) == len(theirs) == len(draws) == len(list(theirs))
    assert all(0 <= i < 10 for i in draws)
    if not replacement and num_samples == 25:  # whole permutations, then part of another
        assert sorted(draws[:10]) == sorted(draws[10:20]) == list(range(10))
        assert len(set(draws[20:])) == 5


def test_subset_random_sampler_permutes_its_indices():
    ours = ours_data.SubsetRandomSampler([7, 3, 9, 11], generator=_seeded(1))
    assert len(ours) == len(theirs_data.SubsetRandomSampler([7, 3, 9, 11])) == 4
    epochs = [list(ours) for _ in range(4)]
    assert all(sorted(e) == [3, 7, 9, 11] for e in epochs) and len({tuple(e) for e in epochs}) > 1


def test_weighted_random_sampler_draws_in_proportion_to_the_weights():
    weights = ns.tensor([0.0, 1.0, 3.0, 4.0])
    ours = ours_data.WeightedRandomSampler(weights, 40_000, generator=_seeded(0))
    counts = np.bincount(list(ours), minlength=4) / 40_000
    # 40,000 draws: a frequency's standard deviation is below 0.0025; 0.02 is 8 of them.
    np.testing.assert_allclose(counts, [0.0, 0.125, 0.375, 0.5], atol=0.02)
    assert counts[0] == 0
    unique = list(ours_data.WeightedRandomSampler([1, 2, 3, 4], 4, False, _seeded(0)))
    assert sorted(unique) == [0, 1, 2, 3]
    assert len(ours) == len(theirs_data.WeightedRandomSampler(weights.numpy(), 40_000)) == 40_000


@pytest.mark.parametrize(
    "make",
    [
        lambda d: d.RandomSampler(range(3), num_samples=0),
        lambda d: d.RandomSampler(range(3), replacement=1),
        lambda d: d.WeightedRandomSampler([1.0, 2.0], num_samples=0),
        lambda d: d.WeightedRandomSampler([[1.0, 2.0]], num_samples=2),
        lambda d: d.WeightedRandomSampler([1.0, 2.0], 2, replacement="yes"),
        lambda d: d.BatchSampler(range(3), 0, False),
        lambda d: d.BatchSampler(range(3), 2, 1),
    ],
)
def test_sampler_argument_errors_have_torchs_types(make):
    with pytest.raises(Exception) as theirs:
        make(theirs_data)
    with pytest.raises(theirs.type, match="should be"):
        make(ours_data)


def test_weights_torch_refuses_only_when_drawing_are_refused_at_once():
    with pytest.raises(ValueError, match="non-negative"):
        ours_data.WeightedRandomSampler([1.0, -2.0], 3)
    with pytest.raises(ValueError, match="without replacement from 2 non-zero"):
        ours_data.WeightedRandomSampler([1.0, 2.0, 0.0], 3, replacement=False)


def test_sampler_base_and_generic_subscripts():
    class Evens(ours_data.Sampler[int]):
        def __iter__(self):
            return iter([0, 2])

    assert list(Evens()) == [0, 2]
    with pytest.raises(NotImplementedError, match="__iter__"):
        iter(ours_data.Sampler())

    class Items(ours_data.Dataset[int]):
        pass

    assert issubclass(Items, ours_data.Dataset)
    with pytest.raises(TypeError, match="generator"):
        ours_data.RandomSampler(range(3), generator="seed")


# ---- DataLoader's torch arguments -------------------------------------------------------------
def _dataset(d, lib, n=10):
    return d.TensorDataset(lib.arange(n * 2).reshape(n, 2), lib.arange(n))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sampler": [3, 1, 4, 1, 5], "batch_size": 2},
        {"sampler": [3, 1, 4], "batch_size": None},
        {"batch_sampler": [[0, 1, 2], [9], [4, 4]]},
        {"batch_size": None},
        {"batch_size": 4, "drop_last": True, "num_workers": 2},
        {"batch_size": 3, "timeout": 5, "in_order": False, "prefetch_factor": 2, "num_workers": 1},
    ],
)
def test_dataloader_orders_match_torch(kwargs):
    def make(d, lib):
        loader = d.DataLoader(_dataset(d, lib), **kwargs)
        return len(loader), [_plain(b) for b in loader], loader.batch_size, loader.drop_last

    ours, theirs = _both(make)
    assert ours == theirs


def test_dataloader_sampler_takes_a_sampler_object_and_generator_a_ns_generator():
    data = _dataset(ours_data, ns)
    sampler = ours_data.SubsetRandomSampler([0, 2, 4, 6], generator=_seeded(2))
    ys = [y.tolist() for _, y in ours_data.DataLoader(data, batch_size=2, sampler=sampler)]
    assert sorted(sum(ys, [])) == [0, 2, 4, 6]

    def epoch(generator):
        loader = ours_data.DataLoader(data, batch_size=3, shuffle=True, generator=generator)
        return [y.tolist() for _, y in loader]

    assert epoch(_seeded(7)) == epoch(_seeded(7)) != epoch(_seeded(8))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sampler": [0, 1], "shuffle": True},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "shuffle": True},
        {"batch_sampler": [[0]], "sampler": [0]},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_size": None, "drop_last": True},
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"multiprocessing_context": "spawn"},
    ],
)
def test_dataloader_exclusive_options_raise_as_torch(kwargs):
    with pytest.raises(ValueError) as theirs:
        theirs_data.DataLoader(list(range(4)), **kwargs)
    first_words = " ".join(str(theirs.value).split()[:3])
    with pytest.raises(ValueError, match=first_words):
        ours_data.DataLoader(list(range(4)), **kwargs)


def test_worker_init_fn_is_not_called_and_there_is_no_worker_info():
    calls = []
    loader = ours_data.DataLoader(list(range(6)), 2, num_workers=3, worker_init_fn=calls.append)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4, 5]] and calls == []
    assert ours_data.get_worker_info() is None and theirs_data.get_worker_info() is None


# ---- IterableDataset, ConcatDataset, default_convert ------------------------------------------
def _stream(d, n=7):
    class Count(d.IterableDataset):
        def __iter__(self):
            return iter(np.arange(n))

        def __len__(self):
            return n

    return Count()


@pytest.mark.parametrize(
    "kwargs", [{"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}]
)
def test_iterable_dataset_batches_match_torch(kwargs):
    def make(d, lib):
        loader = d.DataLoader(_stream(d), **kwargs)
        return len(loader), [_plain(b) for b in loader]

    ours, theirs = _both(make)
    assert ours == theirs


@pytest.mark.parametrize("kwargs", [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}])
def test_iterable_dataset_refuses_an_order(kwargs):
    with pytest.raises(ValueError, match="IterableDataset: expected unspecified"):
        theirs_data.DataLoader(_stream(theirs_data), **kwargs)
    with pytest.raises(ValueError, match="IterableDataset: expected unspecified"):
        ours_data.DataLoader(_stream(ours_data), **kwargs)


def test_iterable_dataset_base_and_chain():
    with pytest.raises(NotImplementedError, match="__iter__"):
        iter(ours_data.IterableDataset())
    chained = _stream(ours_data, 2) + _stream(ours_data, 3)
    assert isinstance(chained, ours_data.ChainDataset)
    assert [int(x) for x in chained] == [0, 1, 0, 1, 2] and len(chained) == 5


def test_concat_dataset_indexes_like_torch():
    def make(d, lib):
        both = _dataset(d, lib, 3) + _dataset(d, lib, 4)
        items = [_plain(both[i]) for i in [0, 2, 3, 6, -1, -7]]
        return type(both).__name__, len(both), both.cumulative_sizes, items

    ours, theirs = _both(make)
    assert ours == theirs
    loader = ours_data.DataLoader(ours_data.ConcatDataset([[1, 2], [3]]), batch_size=3)
    assert [b.tolist() for b in loader] == [[1, 2, 3]]


@pytest.mark.parametrize("index, error", [(7, IndexError), (-8, ValueError)])
def test_concat_dataset_out_of_range(index, error):
    with pytest.raises(error):
        (_dataset(theirs_data, torch, 3) + _dataset(theirs_data, torch, 4))[index]
    with pytest.raises(error, match=str(index)):
        (_dataset(ours_data, ns, 3) + _dataset(ours_data, ns, 4))[index]


def test_concat_dataset_refuses_nothing_and_streams():
    with pytest.raises(ValueError, match="empty"):
        ours_data.ConcatDataset([])
    with pytest.raises(ValueError, match="ChainDataset"):
        ours_data.ConcatDataset([_stream(ours_data)])


Pair = collections.namedtuple("Pair", "a b")
CONVERT = [
    np.zeros(2, np.float32),
    np.float64(1.5),
    np.int32(2),
    3,
    "text",
    np.array(["a"]),
    Pair(np.ones(1), 2),
    {"a": (np.zeros(1), [np.int64(4)])},
]


@pytest.mark.parametrize("sample", CONVERT, ids=range(len(CONVERT)))
def test_default_convert_matches_torch(sample):
    ours = ours_data.default_convert(sample)
    theirs = theirs_data.default_convert(sample)
    if isinstance(theirs, np.ndarray):
        assert ours is sample
    else:
        assert _plain(ours) == _plain(theirs) and type(ours).__name__ == type(theirs).__name__


def test_random_split_takes_a_ns_generator():
    first = ours_data.random_split(range(10), [0.5, 0.5], generator=_seeded(4))
    again = ours_data.random_split(range(10), [0.5, 0.5], generator=_seeded(4))
    assert [list(p) for p in first] == [list(p) for p in again]
    assert sorted(i for p in first for i in p) == list(range(10))
