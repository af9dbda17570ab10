"""nnscratch.utils.data against torch.utils.data: datasets, batching, collation, splits."""

import collections
import math
import warnings

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
from nnscratch.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

torch = require_torch()
Point = collections.namedtuple("Point", ["x", "label"])


def _plain(out):
    """Outputs of either library as comparable Python/NumPy structures (dtype kept)."""
    if isinstance(out, (ns.Tensor, torch.Tensor)):
        array = out.detach().numpy()
        return ("tensor", str(array.dtype), array.shape, array.tolist())
    if isinstance(out, dict):
        return {key: _plain(value) for key, value in out.items()}
    if isinstance(out, (list, tuple)):
        return (type(out).__name__, [_plain(v) for v in out])
    return out


def _data(lib, n=10):
    x = lib.from_numpy(np.arange(n * 3, dtype=np.float64).reshape(n, 3))
    y = lib.from_numpy(np.arange(n) % 3)
    return lib.utils.data.TensorDataset(x, y) if lib is torch else TensorDataset(x, y)


def test_tensor_dataset_indexes_like_torch():
    ours, theirs = _data(ns), _data(torch)
    assert len(ours) == len(theirs) == 10
    for i in [0, 7, -1]:
        assert _plain(ours[i]) == _plain(theirs[i])
    assert _plain(ours[2:5]) == _plain(theirs[2:5])


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: TensorDataset(ns.zeros(4, 2), ns.zeros(3)), ValueError, r"\(4, 2\), \(3,\)"),
        (lambda: TensorDataset(np.zeros((4, 2))), TypeError, "ndarray"),
        (lambda: TensorDataset(ns.tensor(1.0)), TypeError, "at least one dimension"),
        (lambda: TensorDataset(), ValueError, "at least one tensor"),
    ],
)
def test_tensor_dataset_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def _batches(lib, loader_kwargs, n=10):
    loader_cls = torch.utils.data.DataLoader if lib is torch else DataLoader
    loader = loader_cls(_data(lib, n), **loader_kwargs)
    return len(loader), [_plain(batch) for batch in loader]


@pytest.mark.parametrize(
    "batch_size, drop_last",
    [(1, False), (4, False), (4, True), (5, True), (10, False), (32, False), (32, True)],
)
def test_batches_match_torch_without_shuffle(batch_size, drop_last):
    kwargs = {"batch_size": batch_size, "drop_last": drop_last}
    assert _batches(ns, kwargs) == _batches(torch, kwargs)


def test_last_partial_batch_and_drop_last():
    sizes = [x.shape[0] for x, _ in DataLoader(_data(ns), batch_size=4)]
    assert sizes == [4, 4, 2]
    loader = DataLoader(_data(ns), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [x.shape[0] for x, _ in loader] == [4, 4]


def _epochs(loader, n_epochs=3):
    return [np.concatenate([y.numpy() for _, y in loader]).tolist() for _ in range(n_epochs)]


def _index_data(n=12):
    return TensorDataset(ns.arange(n), ns.arange(n))


def test_shuffle_is_repeatable_with_a_seed_and_reshuffles_each_epoch():
    first = _epochs(DataLoader(_index_data(), batch_size=5, shuffle=True, generator=3))
    again = _epochs(DataLoader(_index_data(), batch_size=5, shuffle=True, generator=3))
    assert first == again
    assert all(sorted(epoch) == list(range(12)) for epoch in first)
    assert first[0] != first[1] != first[2]
    assert first[0] != list(range(12))
    other = _epochs(DataLoader(_index_data(), batch_size=5, shuffle=True, generator=4))
    assert other != first


def test_shuffle_takes_a_numpy_generator_or_the_global_one():
    ours = _epochs(DataLoader(_index_data(), 4, True, generator=np.random.default_rng(7)), 1)
    assert ours == [np.random.default_rng(7).permutation(12).tolist()]
    ns.manual_seed(11)
    first = _epochs(DataLoader(_index_data(), 4, shuffle=True), 2)
    ns.manual_seed(11)
    assert _epochs(DataLoader(_index_data(), 4, shuffle=True), 2) == first


def test_fast_tensor_path_equals_sample_by_sample_collation():
    data = _data(ns)
    fast = [_plain(b) for b in DataLoader(data, batch_size=3, shuffle=True, generator=0)]
    slow_data = Subset(data, list(range(len(data))))
    slow = [_plain(b) for b in DataLoader(slow_data, batch_size=3, shuffle=True, generator=0)]
    assert fast == slow


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        if i >= 5:
            raise IndexError(i)
        return {"x": np.full(2, i, dtype=np.float32), "y": i * i, "name": f"s{i}"}


def test_custom_dataset_and_collate_fn():
    batches = list(DataLoader(Squares(), batch_size=2))
    theirs = list(torch.utils.data.DataLoader(Squares(), batch_size=2))
    assert [_plain(b) for b in batches] == [_plain(b) for b in theirs]
    loader = DataLoader(Squares(), batch_size=3, collate_fn=lambda batch: len(batch))
    assert list(loader) == [3, 2]


COLLATE = {
    "tuple-of-array-int-float": [(np.ones(3, np.float32) * i, i, i / 2) for i in range(4)],
    "list-of-tensors": [[np.arange(2.0) + i, np.arange(3) * i] for i in range(3)],
    "numpy-scalars": [np.float32(1.5), np.float32(-2.0)],
    "bools": [True, False, True],
    "int-then-float": [1, 2.5],
    "strings": ["a", "bc"],
    "dict": [{"a": 1, "b": np.zeros((2, 2))}, {"a": 2, "b": np.ones((2, 2))}],
    "namedtuple": [Point(np.arange(2), 0), Point(np.arange(2) + 5, 1)],
    "nested": [(1, (2.0, [np.int32(3)])), (4, (5.0, [np.int32(6)]))],
}


def _tensors_for(lib, batch):
    """Turn the 'list-of-tensors' samples into tensors of ``lib``; leave others alone."""
    return [[lib.from_numpy(a) for a in sample] for sample in batch]


@pytest.mark.parametrize("case", COLLATE)
def test_default_collate_matches_torch(case):
    batch = COLLATE[case]
    ours_in, theirs_in = batch, batch
    if case == "list-of-tensors":
        ours_in, theirs_in = _tensors_for(ns, batch), _tensors_for(torch, batch)
    ours = default_collate(ours_in)
    theirs = torch.utils.data.default_collate(theirs_in)
    assert _plain(ours) == _plain(theirs)
    if case == "namedtuple":
        assert isinstance(ours, Point)


def test_collating_tensors_that_need_grad_keeps_the_graph():
    rows = [ns.tensor([1.0, 2.0], requires_grad=True), ns.tensor([3.0, 4.0], requires_grad=True)]
    batch = default_collate(rows)
    (batch * ns.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert rows[1].grad.tolist() == [3.0, 4.0]


@pytest.mark.parametrize(
    "batch, error",
    [
        ([np.array(["a"]), np.array(["b"])], TypeError),
        ([np.array([object()]), np.array([object()])], TypeError),
        ([[1, 2], [3]], RuntimeError),
        ([object(), object()], TypeError),
        ([ns.zeros(2), ns.zeros(3)], RuntimeError),
    ],
)
def test_default_collate_errors_as_torch(batch, error):
    theirs = [torch.zeros(2), torch.zeros(3)] if isinstance(batch[0], ns.Tensor) else batch
    with pytest.raises(error):
        torch.utils.data.default_collate(theirs)
    with pytest.raises(error) as info:
        default_collate(batch)
    assert str(info.value)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"batch_size": 0}, ValueError, "positive integer"),
        ({"batch_size": 2.0}, ValueError, "positive integer"),
        ({"batch_size": True}, ValueError, "positive integer"),
        ({"drop_last": "yes"}, ValueError, "boolean"),
        ({"generator": "seed"}, TypeError, "generator"),
        ({"num_workers": -1}, ValueError, "num_workers"),
    ],
)
def test_dataloader_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        DataLoader(_data(ns), **kwargs)


def test_dataloader_accepts_torch_only_options():
    loader = DataLoader(_data(ns), batch_size=4, num_workers=2, pin_memory=True)
    assert len(list(loader)) == 3


def test_dataset_base_needs_getitem():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


@pytest.mark.parametrize("n", [7, 10, 31, 100])
@pytest.mark.parametrize(
    "lengths", [[0.5, 0.5], [0.8, 0.2], [0.3, 0.3, 0.4], [0.1] * 10, [1 / 3] * 3, [0.7, 0.2, 0.1]]
)
def test_random_split_fraction_sizes_match_torch(n, lengths):
    theirs_generator = torch.Generator().manual_seed(0)
    with warnings.catch_warnings():  # empty splits warn in both; not under test here
        warnings.simplefilter("ignore")
        ours = [len(s) for s in random_split(range(n), lengths, generator=0)]
        theirs = torch.utils.data.random_split(range(n), lengths, generator=theirs_generator)
    assert ours == [len(s) for s in theirs]


def test_random_split_is_a_seeded_partition():
    parts = random_split(range(20), [5, 10, 5], generator=2)
    assert [len(p) for p in parts] == [5, 10, 5]
    items = [i for p in parts for i in p]
    assert sorted(items) == list(range(20)) and items != list(range(20))
    again = random_split(range(20), [5, 10, 5], generator=np.random.default_rng(2))
    assert [list(p) for p in again] == [list(p) for p in parts]


def test_random_split_warns_on_empty_split_and_rejects_bad_lengths():
    with pytest.warns(UserWarning, match="index 2 is 0"):
        sizes = [len(s) for s in random_split(range(3), [0.5, 0.5, 0.0])]
    assert sizes == [2, 1, 0]
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="index 0 is not between 0 and 1"):
        random_split(range(10), [1.5, -0.5])
    assert math.isclose(sum([0.1] * 10), 1)


def test_subset_indexing_and_batched_fetch():
    subset = Subset(_index_data(), [9, 2, 4])
    assert len(subset) == 3 and subset[1][1].item() == 2
    assert [s[1].item() for s in subset.__getitems__([2, 0])] == [4, 9]
    assert [y.item() for y in subset[[0, 2]][1]] == [9, 4]
    inner = Subset(subset, [2, 0])  # nested: __getitems__ goes through both
    assert [s[1].item() for s in inner.__getitems__([0, 1])] == [4, 9]
    batches = list(DataLoader(subset, batch_size=2))
    assert batches[0][1].tolist() == [9, 2] and batches[1][1].tolist() == [4]
