"""torch's tensor API beyond the parity table: indexing, movement, sorting, creation and random
sampling, compared with torch (values, dtypes, shapes, errors); random functions by their
distributions, since their numbers cannot match torch's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from parity import require_torch
from tolerance import assert_close

import nnscratch as ns

torch = require_torch()


def same(ours, theirs) -> None:
    """Equal values, shape and dtype (tuples compared item by item)."""
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            same(o, t)
        return
    assert isinstance(ours, ns.Tensor), type(ours)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert_close(ours.detach().numpy(), theirs.detach().numpy())


def both(array):
    return ns.tensor(array), torch.tensor(array)


X = np.arange(12).reshape(3, 4) % 5  # ints with repeats
F = np.array([[3.0, 1.0, 2.0, 1.0], [0.5, np.nan, 2.0, -1.0], [4.0, 4.0, 1.0, 0.0]])


# ---- movement -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.repeat(2, 1, 2),
        lambda lib, x: x.repeat((1, 0)),
        lambda lib, x: x.tile((2,)),
        lambda lib, x: lib.tile(x, (2, 1, 1)),
        lambda lib, x: lib.repeat_interleave(x, 3, dim=-1),
        lambda lib, x: x.repeat_interleave(lib.tensor([2]), dim=0),
        lambda lib, x: lib.repeat_interleave(lib.tensor([2, 0, 1])),
        lambda lib, x: lib.swapaxes(x, 0, 1),
        lambda lib, x: x.swapdims(1, 0),
        lambda lib, x: x.swapaxes(0, -1),
        lambda lib, x: x.movedim(0, 1),
        lambda lib, x: lib.movedim(x, 1, 0),
        lambda lib, x: x.moveaxis(-1, 0),
        lambda lib, x: lib.swapdims(x, 0, 1),
        lambda lib, x: lib.flip(x, (1,)),
        lambda lib, x: lib.fliplr(x),
        lambda lib, x: lib.moveaxis(x.unsqueeze(0), (0, 2), (1, 0)),
        lambda lib, x: x.view_as(lib.zeros(4, 3)),
        lambda lib, x: x.reshape_as(lib.zeros(2, 6)),
        lambda lib, x: x.flip(0, 1),
        lambda lib, x: x.fliplr(),
        lambda lib, x: lib.flipud(x),
        lambda lib, x: x.roll(-2),
        lambda lib, x: lib.roll(x, (1, 1), (0, 0)),
        lambda lib, x: x.unbind(1),
        lambda lib, x: lib.unbind(x),
        lambda lib, x: x.t().contiguous(),
        lambda lib, x: x.masked_select(x > 2),
        lambda lib, x: lib.masked_select(x, lib.tensor([True, False, True, False])),
        lambda lib, x: x.masked_fill(x == 1, 7.9),
        lambda lib, x: lib.masked_fill(x.float(), lib.tensor([True, False, False, True]), -1),
        lambda lib, x: lib.nonzero(x),
        lambda lib, x: x.nonzero(as_tuple=True),
        lambda lib, x: lib.argwhere(x[0]),
        lambda lib, x: x.argwhere(),
        lambda lib, x: lib.meshgrid(x[0], x[1, :3], indexing="xy"),
        lambda lib, x: lib.meshgrid([x[0], x[1, :3]], indexing="ij"),
    ],
)
def test_movement_and_masks_match_torch(fn):
    ours, theirs = both(X)
    same(fn(ns, ours), fn(torch, theirs))


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter:UserWarning")
@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, i, s: lib.scatter(x, 1, i, s),  # src larger than index: its corner
        lambda lib, x, i, s: x.scatter(0, i % 3, 2.5),
        lambda lib, x, i, s: x.scatter(1, i, value=-1.0),
        lambda lib, x, i, s: x.scatter(1, i, s, reduce="add"),
        lambda lib, x, i, s: lib.scatter_add(x, 0, i * 0, s),
        lambda lib, x, i, s: x.clone().scatter_(1, i, s),
        lambda lib, x, i, s: x.clone().scatter_add_(1, i, s),
        lambda lib, x, i, s: x.clone().masked_fill_(x > 0.5, 0.0),
        lambda lib, x, i, s: x[0].clone().scatter_(0, lib.tensor(2), value=1),  # a 0-d index
        lambda lib, x, i, s: x[1].scatter(0, lib.tensor(3), s[0, 0]),
    ],
)
def test_scatter_matches_torch(fn):
    x, s, i = np.linspace(0, 1, 12).reshape(3, 4), np.arange(15.0).reshape(3, 5), [[3, 0], [1, 2]]
    ours = fn(ns, ns.tensor(x), ns.tensor(i), ns.tensor(s))
    same(ours, fn(torch, torch.tensor(x), torch.tensor(i), torch.tensor(s)))


def test_scatter_refusals_name_the_problem():
    x, i = ns.zeros(3), ns.tensor([0])
    with pytest.raises(NotImplementedError, match="reduce='multiply'"):
        x.scatter(0, i, ns.ones(1), reduce="multiply")
    with pytest.raises(RuntimeError, match="src to have the input's dtype float32"):
        x.scatter(0, i, ns.ones(1, dtype=ns.float64))
    with pytest.raises(IndexError, match="index 3 is out of bounds"):
        x.scatter_add(0, ns.tensor([3]), ns.ones(1))
    with pytest.raises(TypeError, match="index must be an integer tensor"):
        x.scatter(0, ns.tensor([0.0]), ns.ones(1))


def test_in_place_scatter_on_a_trainable_leaf_is_refused_like_torch():
    w = ns.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.scatter_(0, ns.tensor([0]), ns.ones(1))
    with ns.no_grad():
        w.scatter_(0, ns.tensor([1]), ns.ones(1)).masked_fill_(ns.tensor([True, False, False]), 4)
    assert w.tolist() == [4.0, 1.0, 0.0]


def test_contiguous_is_the_same_tensor_when_already_contiguous():
    x = ns.ones(2, 3)
    assert x.contiguous() is x and x.is_contiguous()
    t = x.t()
    assert not t.is_contiguous() and t.contiguous().is_contiguous()
    assert torch.ones(2, 3).t().is_contiguous() is False  # torch agrees on both


def test_squeeze_unsqueeze_t_in_place_change_the_same_object():
    x, y = ns.arange(6).reshape(2, 3), torch.arange(6).reshape(2, 3)
    assert x.unsqueeze_(0) is x and x.shape == tuple(y.unsqueeze_(0).shape) == (1, 2, 3)
    assert x.squeeze_() is x and x.shape == tuple(y.squeeze_().shape)
    assert x.t_() is x
    same(x, y.t_())
    with pytest.raises(RuntimeError, match="unsqueeze_: in-place change of shape"):
        (ns.ones(2, requires_grad=True) * 2).unsqueeze_(0)


def test_meshgrid_warns_without_indexing_as_torch_and_not_with_it():
    a, b = ns.arange(2), ns.arange(3)
    with pytest.warns(UserWarning, match="indexing"):
        grids = ns.meshgrid(a, b)
    assert [g.shape for g in grids] == [(2, 3), (2, 3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ns.meshgrid(a, b, indexing="ij")


def test_movement_errors_name_the_function():
    with pytest.raises(RuntimeError, match="repeat: expected one non-negative count"):
        ns.zeros(2, 3).repeat(2)
    with pytest.raises(RuntimeError, match="repeat_interleave: repeats must have 3 entries"):
        ns.zeros(3).repeat_interleave(ns.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="flip: dims"):
        ns.zeros(3).flip(0, 0)
    with pytest.raises(RuntimeError, match="roll: shifts and dims"):
        ns.zeros(3).roll((1, 2), 0)
    with pytest.raises(TypeError, match="masked_fill: mask must be a bool tensor"):
        ns.zeros(3).masked_fill(ns.tensor([1, 0, 1]), 1.0)


# ---- sorting --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: lib.sort(x),
        lambda lib, x: x.sort(dim=0, descending=True),
        lambda lib, x: lib.sort(x, stable=True, dim=1, descending=True),
        lambda lib, x: x.argsort(dim=0),
        lambda lib, x: lib.argsort(x, descending=True, stable=True),
        lambda lib, x: x[:2].topk(2),  # (torch orders tied values in no set way)
        lambda lib, x: lib.topk(x, 3, dim=0, largest=False),
        lambda lib, x: lib.kthvalue(x, 2, 0, keepdim=True),
        lambda lib, x: x.kthvalue(3, 1),
        lambda lib, x: x.median(),
        lambda lib, x: lib.median(x, 1),
        lambda lib, x: lib.mode(x, 1),
        lambda lib, x: x.mode(0, keepdim=True),
    ],
)
def test_sorting_matches_torch_with_ties_and_nan(fn):
    ours, theirs = both(F)
    same(fn(ns, ours), fn(torch, theirs))


def test_sorting_results_read_as_values_and_indices():
    result = ns.tensor([3.0, 1.0]).sort()
    assert type(result).__name__ == "sort" and result.indices.tolist() == [1, 0]
    assert ns.topk(ns.tensor([3.0, 1.0]), 1).values.tolist() == [3.0]
    assert ns.kthvalue(ns.tensor([3.0, 1.0]), 1).indices.item() == 1
    assert ns.tensor([2, 2, 5]).mode().values.item() == 2
    with pytest.raises(RuntimeError, match="topk: k"):
        ns.topk(ns.zeros(3), 4)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"sorted": False}, {"return_inverse": True}, {"return_counts": True},
     {"return_inverse": True, "return_counts": True, "dim": 0}, {"dim": 1}],
)  # fmt: skip
def test_unique_matches_torch(kwargs):
    ours, theirs = both(np.array([[3, 1, 3], [0, 1, 0], [3, 1, 3]]))
    same(ns.unique(ours, **kwargs), torch.unique(theirs, **kwargs))
    same(ours.unique(**kwargs), theirs.unique(**kwargs))


# ---- creation -------------------------------------------------------------------------------
def test_as_tensor_shares_memory_with_numpy_like_torch():
    a = np.zeros(3)
    t = ns.as_tensor(a)
    a[1] = 2.0
    assert t.tolist() == [0.0, 2.0, 0.0] and t.dtype == np.float64
    assert ns.as_tensor(a, dtype=ns.float32).dtype == np.float32  # a copy
    x = ns.ones(2)
    assert ns.as_tensor(x) is x
    same(ns.as_tensor([1, 2]), torch.as_tensor([1, 2]))
    same(ns.as_tensor([1.5], device="cpu"), torch.as_tensor([1.5], device="cpu"))


def test_is_tensor_numel_and_empty_like():
    assert ns.is_tensor(ns.zeros(1)) and not ns.is_tensor(np.zeros(1))
    assert ns.numel(ns.zeros(2, 5)) == torch.numel(torch.zeros(2, 5)) == 10
    e = ns.empty_like(ns.zeros(2, 3, dtype=ns.int32))
    assert e.shape == (2, 3) and e.dtype == np.int32


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.new_zeros(2, 3),
        lambda lib, x: x.new_ones((2,)),
        lambda lib, x: x.new_full((2, 2), 3),
        lambda lib, x: x.new_tensor([1, 2]),
        lambda lib, x: x.new_tensor([1.5], dtype=lib.float64),
        lambda lib, x: x.new_zeros((1,), dtype=lib.int64),
        lambda lib, x: lib.zeros(size=(2, 3)),
        lambda lib, x: lib.ones(size=(2,), dtype=lib.int64),
        lambda lib, x: lib.empty(size=(2, 0)),  # (no elements: nothing uninitialised)
        lambda lib, x: lib.LongTensor([1, 2]),
        lambda lib, x: lib.FloatTensor([[1, 2]]),
        lambda lib, x: lib.DoubleTensor([1.5]),
        lambda lib, x: lib.IntTensor([3]),
        lambda lib, x: lib.BoolTensor([True, False]),
        lambda lib, x: lib.ByteTensor([1, 255]),
        lambda lib, x: lib.FloatTensor(),
    ],
)
def test_creation_matches_torch(fn):
    same(fn(ns, ns.ones(2, dtype=ns.int32)), fn(torch, torch.ones(2, dtype=torch.int32)))


def test_new_empty_and_legacy_sizes_are_uninitialised_of_that_shape():
    assert ns.ones(1).new_empty(2, 3).shape == (2, 3)
    t = ns.FloatTensor(2, 3)
    assert t.shape == tuple(torch.FloatTensor(2, 3).shape) and t.dtype == np.float32
    assert ns.LongTensor(4).dtype == np.int64
    with pytest.raises(TypeError, match="FloatTensor expects a tensor of dtype float32"):
        ns.FloatTensor(ns.tensor([1, 2]))


def test_isinstance_of_a_legacy_type_checks_the_dtype_as_torch():
    pairs = [(ns.ones(1), torch.ones(1)), (ns.tensor([1]), torch.tensor([1]))]
    for name in ("FloatTensor", "LongTensor", "DoubleTensor", "BoolTensor"):
        for ours, theirs in pairs:
            assert isinstance(ours, getattr(ns, name)) == isinstance(theirs, getattr(torch, name))
    assert not isinstance(np.ones(1, np.float32), ns.FloatTensor)
    assert repr(ns.FloatTensor) == "<class 'torch.FloatTensor'>"


# ---- random ---------------------------------------------------------------------------------
def _mean_var_within(sample: np.ndarray, mean: float, var: float) -> None:
    """Sample mean and variance within 5 standard errors of the true ones (a fixed seed)."""
    n = sample.size
    assert abs(sample.mean() - mean) < 5 * np.sqrt(var / n)
    assert abs(sample.var() - var) < 5 * var * np.sqrt(2 / n) + 1e-12


def test_normal_forms_shapes_dtypes_and_moments():
    ns.manual_seed(0)
    a = ns.normal(2.0, 3.0, size=(200_000,))
    assert a.dtype == np.float32 and a.shape == (200_000,)
    _mean_var_within(a.numpy().astype(np.float64), 2.0, 9.0)
    mean = ns.tensor([[-5.0], [5.0]], dtype=ns.float64)
    b = ns.normal(mean, ns.full((50_000,), 0.5, dtype=ns.float64))
    assert b.shape == tuple(torch.normal(torch.zeros(2, 1), torch.ones(50_000)).shape)
    assert b.dtype == np.float64
    _mean_var_within(b.numpy()[1], 5.0, 0.25)
    assert ns.normal(ns.zeros(3), 1.0).shape == (3,) and ns.normal(0.0, ns.ones(2)).shape == (2,)
    with pytest.raises(TypeError, match="normal: with a number mean and std, give size"):
        ns.normal(0.0, 1.0)
    with pytest.raises(RuntimeError, match="normal: expected std >= 0"):
        ns.normal(ns.zeros(2), -1.0)


def test_multinomial_frequencies_and_no_repeats_without_replacement():
    g = ns.Generator().manual_seed(1)
    weights = ns.tensor([0.0, 1.0, 3.0])
    draws = ns.multinomial(weights, 40_000, replacement=True, generator=g)
    assert draws.dtype == np.int64 and draws.shape == (40_000,)
    freq = np.bincount(draws.numpy(), minlength=3) / 40_000
    assert freq[0] == 0 and abs(freq[2] - 0.75) < 5 * np.sqrt(0.75 * 0.25 / 40_000)
    rows = ns.ones(500, 4).multinomial(4, generator=g)
    assert rows.shape == (500, 4) and all(sorted(r) == [0, 1, 2, 3] for r in rows.tolist())
    first = ns.multinomial(ns.tensor([1.0, 9.0]).expand(20_000, 2), 1, generator=g).numpy()
    assert abs(first.mean() - 0.9) < 5 * np.sqrt(0.09 / 20_000)  # weights, not uniform
    with pytest.raises(RuntimeError, match="cannot draw 3 samples without replacement"):
        ns.multinomial(weights, 3)
    with pytest.raises(RuntimeError, match="multinomial: invalid distribution"):
        ns.multinomial(ns.tensor([-1.0, 2.0]), 1)


def test_randperm_bernoulli_poisson():
    ns.manual_seed(3)
    p = ns.randperm(1000)
    assert p.dtype == np.int64 and sorted(p.tolist()) == list(range(1000))
    assert ns.randperm(5, dtype=ns.int32).dtype == np.int32 and ns.randperm(0).shape == (0,)
    b = ns.bernoulli(ns.full((100_000,), 0.3, dtype=ns.float64))
    assert b.dtype == np.float64 and set(np.unique(b.numpy())) <= {0.0, 1.0}
    _mean_var_within(b.numpy(), 0.3, 0.21)
    assert ns.zeros(4).bernoulli(1.0).tolist() == [1.0] * 4
    counts = ns.poisson(ns.full((100_000,), 4.0))
    assert counts.dtype == np.float32 and counts.numpy().min() >= 0
    _mean_var_within(counts.numpy().astype(np.float64), 4.0, 4.0)
    with pytest.raises(RuntimeError, match="bernoulli: expected probabilities in"):
        ns.bernoulli(ns.tensor([1.5]))


def test_in_place_samplers_fill_the_same_tensor():
    ns.manual_seed(4)
    x = ns.empty(100_000, dtype=ns.float64)
    assert x.normal_(1.0, 2.0) is x
    _mean_var_within(x.numpy(), 1.0, 4.0)
    x.uniform_(-1.0, 3.0)
    assert x.numpy().min() >= -1 and x.numpy().max() < 3
    _mean_var_within(x.numpy(), 1.0, 16 / 12)
    x.exponential_(2.0)
    _mean_var_within(x.numpy(), 0.5, 0.25)
    x.bernoulli_(0.25)
    _mean_var_within(x.numpy(), 0.25, 0.1875)
    ints = ns.zeros(10_000, dtype=ns.int64).random_(3, 7)
    assert set(ints.tolist()) == {3, 4, 5, 6}
    assert set(ns.zeros(1000, dtype=ns.int64).random_(2).tolist()) == {0, 1}
    assert ns.zeros(1000).random_().numpy().max() <= 2**24
    w = ns.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.normal_()
    with ns.no_grad():
        w.uniform_(5.0, 6.0)
    assert w.detach().numpy().min() >= 5


@pytest.mark.parametrize(
    "name,draw",
    [
        ("rand", lambda g: ns.rand(3, generator=g)),
        ("rand(size=)", lambda g: ns.rand(size=(3,), generator=g)),
        ("randn", lambda g: ns.randn(3, generator=g)),
        ("randn(size=)", lambda g: ns.randn(size=(3,), generator=g)),
        ("randint", lambda g: ns.randint(0, 100, (3,), generator=g)),
        ("rand_like", lambda g: ns.rand_like(ns.zeros(3), generator=g)),
        ("randn_like", lambda g: ns.randn_like(ns.zeros(3), generator=g)),
        ("normal", lambda g: ns.normal(0.0, 1.0, size=(3,), generator=g)),
        ("multinomial", lambda g: ns.multinomial(ns.ones(50), 3, generator=g)),
        ("randperm", lambda g: ns.randperm(50, generator=g)),
        ("bernoulli", lambda g: ns.bernoulli(ns.full((20,), 0.5), generator=g)),
        ("poisson", lambda g: ns.poisson(ns.full((3,), 10.0), generator=g)),
        ("normal_", lambda g: ns.zeros(3).normal_(generator=g)),
        ("uniform_", lambda g: ns.zeros(3).uniform_(generator=g)),
        ("random_", lambda g: ns.zeros(3).random_(0, 1000, generator=g)),
        ("bernoulli_", lambda g: ns.zeros(20).bernoulli_(0.5, generator=g)),
        ("exponential_", lambda g: ns.zeros(3).exponential_(generator=g)),
    ],
)
def test_a_seeded_generator_repeats_and_leaves_the_global_state_alone(name, draw):
    ns.manual_seed(0)
    state = ns.get_rng_state()
    a = draw(ns.Generator().manual_seed(11))
    b = draw(ns.Generator().manual_seed(11))
    assert a.tolist() == b.tolist()
    assert ns.get_rng_state() == state  # the global generator did not advance
    ns.manual_seed(5)
    c = draw(None)
    ns.manual_seed(5)
    assert draw(None).tolist() == c.tolist()  # and the global one repeats after manual_seed


def test_seed_and_initial_seed():
    ns.manual_seed(123)
    assert ns.initial_seed() == 123
    s = ns.seed()
    assert isinstance(s, int) and 0 <= s < 2**64 and ns.initial_seed() == s
    a = ns.rand(3)
    ns.manual_seed(s)
    assert ns.rand(3).tolist() == a.tolist()


def test_rand_refuses_two_spellings_of_the_size():
    with pytest.raises(TypeError, match="rand: give the sizes either"):
        ns.rand(2, size=(2,))


# ---- one_hot --------------------------------------------------------------------------------
def test_one_hot_matches_torch_and_refuses_bad_classes():
    labels = [[0, 2], [1, 1]]
    for k in (-1, 4):
        same(ns.nn.functional.one_hot(ns.tensor(labels), k),
             torch.nn.functional.one_hot(torch.tensor(labels), k))  # fmt: skip
    empty = ns.nn.functional.one_hot(ns.zeros(0, dtype=ns.int64), 3)
    assert empty.shape == (0, 3) and empty.dtype == np.int64
    with pytest.raises(RuntimeError, match="one_hot: class values must be non-negative"):
        ns.nn.functional.one_hot(ns.tensor([-1]))
    with pytest.raises(RuntimeError, match="smaller than num_classes=3"):
        ns.nn.functional.one_hot(ns.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="can not infer the number of classes"):
        ns.nn.functional.one_hot(ns.zeros(0, dtype=ns.int64))
    with pytest.raises(TypeError, match="one_hot: expected an int64 index tensor"):
        ns.nn.functional.one_hot(ns.tensor([1.0]))
