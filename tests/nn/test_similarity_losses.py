"""The composed similarity and margin losses (F.cosine_similarity, F.pairwise_distance,
F.cosine_embedding_loss, ...) and their nn modules: values and gradients against torch."""

import numpy as np
import pytest
from parity import check, require_torch
from tolerance import assert_close

import nnscratch as ns

REDUCTIONS = ["mean", "sum", "none"]


def _signs(rng, n):
    return np.where(rng.random(n) < 0.5, -1, 1).astype(np.int64)


@pytest.mark.parametrize("dim", [1, -1, 0])
def test_cosine_similarity(rng, dim):
    x1, x2 = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    check(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=dim), x1, x2)
    check(lambda lib, a, b: lib.nn.CosineSimilarity(dim=dim)(a, b), x1, x2)


def test_cosine_similarity_broadcasts_and_floors_a_zero_vector(rng):
    x1, x2 = rng.standard_normal((3, 1, 5)), rng.standard_normal((1, 4, 5))
    check(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=-1), x1, x2)
    zero = np.zeros((2, 3))
    check(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b), zero,
          rng.standard_normal((2, 3)), gradcheck=False)  # fmt: skip


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(rng, p, keepdim):
    x1, x2 = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    check(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p=p, keepdim=keepdim),
          x1, x2)  # fmt: skip
    check(lambda lib, a, b: lib.nn.PairwiseDistance(p, keepdim=keepdim)(a, b), x1, x2)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_cosine_embedding_loss(rng, reduction, margin):
    x1, x2, y = rng.standard_normal((6, 4)), rng.standard_normal((6, 4)), _signs(rng, 6)
    fn = lambda lib, a, b, t: lib.nn.functional.cosine_embedding_loss(  # noqa: E731
        a, b, t, margin=margin, reduction=reduction
    )
    check(fn, x1, x2, y)
    check(lambda lib, a, b, t: lib.nn.CosineEmbeddingLoss(margin, reduction=reduction)(a, b, t),
          x1, x2, y)  # fmt: skip
    check(fn, x1[0], x2[0], np.array(-1))  # 1-D inputs, a 0-d target


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_hinge_embedding_and_soft_margin(rng, reduction):
    x1, x2 = rng.standard_normal(7), rng.standard_normal(7)
    y = _signs(rng, 7).astype(np.float64)
    check(lambda lib, a, b, t: lib.nn.MarginRankingLoss(0.2, reduction=reduction)(a, b, t),
          x1, x2, y, grad=True, gradcheck=False)  # fmt: skip
    check(lambda lib, a, t: lib.nn.HingeEmbeddingLoss(0.7, reduction=reduction)(a, t),
          x1, _signs(rng, 7))  # fmt: skip
    check(lambda lib, a, t: lib.nn.SoftMarginLoss(reduction=reduction)(a, t.detach()), x1, y,
          gradcheck=False)  # torch takes no gradient for the target  # fmt: skip
    check(lambda lib, a: lib.nn.functional.soft_margin_loss(a, lib.ones(7, dtype=a.dtype) * -1,
                                                            reduction=reduction), x1)  # fmt: skip


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("p", [2.0, 1.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_margin_loss(rng, swap, p, reduction):
    a, pos, neg = (rng.standard_normal((5, 3)) for _ in range(3))
    check(lambda lib, x, y, z: lib.nn.TripletMarginLoss(margin=2.0, p=p, swap=swap,
                                                        reduction=reduction)(x, y, z),
          a, pos, neg)  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(rng, reduction, weighted):
    x = rng.standard_normal((4, 3)) * 3
    y = (rng.random((4, 3)) < 0.5).astype(np.float64)
    w = rng.random(3) if weighted else None

    def fn(lib, x, y):
        weight = None if w is None else lib.tensor(w)
        return lib.nn.MultiLabelSoftMarginLoss(weight=weight, reduction=reduction)(x, y)

    check(fn, x, y)


@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_nll_loss(rng, log_input, full, reduction):
    x = rng.standard_normal((3, 4)) if log_input else rng.random((3, 4)) + 0.5
    y = rng.poisson(2.0, (3, 4)).astype(np.float64)
    check(lambda lib, a, t: lib.nn.PoissonNLLLoss(log_input=log_input, full=full,
                                                  reduction=reduction)(a, t.detach()),
          x, y, gradcheck=False)  # target detached: torch's gradient for it is NaN  # fmt: skip


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1)])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss(rng, var_shape, full, reduction):
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    var = rng.random(var_shape) + 0.1
    check(lambda lib, a, t, v: lib.nn.GaussianNLLLoss(full=full, reduction=reduction)(a, t, v),
          x, y, var)  # fmt: skip


def test_gaussian_nll_loss_floors_var_but_passes_its_gradient(rng):
    x, y = rng.standard_normal(5), rng.standard_normal(5)
    var = np.array([1e-9, 0.5, 1e-8, 2.0, 1.0])  # below eps: floored in value only, as torch
    check(lambda lib, a, t, v: lib.nn.functional.gaussian_nll_loss(a, t, v), x, y, var,
          gradcheck=False)  # fmt: skip
    with pytest.raises(ValueError, match="negative"):
        ns.nn.functional.gaussian_nll_loss(ns.ones(2), ns.ones(2), ns.tensor([-1.0, 1.0]))
    with pytest.raises(ValueError, match="incorrect size"):
        ns.nn.functional.gaussian_nll_loss(ns.ones(2, 3), ns.ones(2, 3), ns.ones(3))


def test_logsigmoid_is_stable_and_matches_torch(rng):
    torch = require_torch()
    x = np.array([-800.0, -30.0, -1.0, 0.5, 40.0, 800.0])
    ours = ns.nn.functional.logsigmoid(ns.tensor(x)).numpy()
    assert_close(ours, torch.nn.functional.logsigmoid(torch.tensor(x)).numpy())
    check(lambda lib, a: lib.nn.functional.logsigmoid(a), rng.standard_normal(6))


def test_legacy_size_average_and_reduce_flags(rng):
    x1, x2, y = rng.standard_normal((6, 4)), rng.standard_normal((6, 4)), _signs(rng, 6)
    for flags in ({"size_average": False}, {"reduce": False}, {"size_average": True}):
        check(lambda lib, a, b, t, f=flags: lib.nn.CosineEmbeddingLoss(**f)(a, b, t), x1, x2, y,
              gradcheck=False)  # fmt: skip
    with pytest.raises(ValueError, match="reduction"):
        ns.nn.CosineEmbeddingLoss(reduction="avg")
