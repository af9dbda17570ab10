"""BatchNorm1d/2d, LayerNorm, GroupNorm and Embedding against torch: state_dict names and
shapes, copied weights giving the same outputs, gradients and running statistics over train
and eval steps, reprs, initialisation, and error messages."""

import numpy as np
import pytest
from parity import module_pair, require_torch
from tolerance import assert_close

import nnscratch as ns

nn = ns.nn


def _pair(name, *args, **kwargs):
    """(ours, torch's) in float64; weights nudged off 1 and biases off 0 so each one counts."""
    return module_pair(name, *args, nudge=1.0, **kwargs)


def _step(ours, theirs, x, rng, rtol=1e-10):
    """One forward and backward on both; compare outputs, input and parameter gradients."""
    torch = require_torch()
    xo, xt = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=rtol, atol=1e-12)
    g = rng.standard_normal(yo.shape)
    yo.backward(ns.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=1e-12)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=rtol, atol=1e-12,
                                   err_msg=name)  # fmt: skip
        p.grad, q.grad = None, None


def _same_state(ours, theirs):
    theirs_state = theirs.state_dict()
    for key, value in ours.state_dict().items():
        assert_close(value.numpy(), theirs_state[key].numpy(), err_msg=key)


# ---- BatchNorm ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "shape"), [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)),
                                             ("BatchNorm2d", (4, 3, 2, 3))])  # fmt: skip
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_train_then_eval_matches_torch(rng, name, shape, momentum):
    ours, theirs = _pair(name, 3, momentum=momentum)
    for step in range(3):  # running statistics and the batch count follow torch's
        _step(ours, theirs, rng.standard_normal(shape) * (step + 1) + step, rng)
        _same_state(ours, theirs)
    assert ours.num_batches_tracked.item() == 3 and ours.num_batches_tracked.dtype == ns.int64
    ours.eval(), theirs.eval()
    _step(ours, theirs, rng.standard_normal(shape), rng)
    _same_state(ours, theirs)  # eval leaves the statistics alone


@pytest.mark.parametrize(
    "kwargs", [{"affine": False}, {"track_running_stats": False}, {"bias": False},
               {"affine": False, "track_running_stats": False}, {"eps": 0.1, "momentum": 0.5}]
)  # fmt: skip
def test_batchnorm_options_match_torch(rng, kwargs):
    torch = require_torch()
    ours, theirs = _pair("BatchNorm2d", 2, **kwargs)
    assert repr(ours) == repr(theirs)
    for mode in (True, False):  # without running stats, eval mode uses the batch's
        ours.train(mode), theirs.train(mode)
        _step(ours, theirs, rng.standard_normal((3, 2, 2, 2)) + 1, rng)
        _same_state(ours, theirs)
    assert repr(nn.BatchNorm1d(4)) == repr(torch.nn.BatchNorm1d(4))


def test_batchnorm_defaults_and_resets():
    bn = nn.BatchNorm1d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3
    assert bn.weight.dtype == bn.running_mean.dtype == ns.float32
    bn(ns.randn(5, 3))
    assert bn.running_mean.numpy().any() and bn.num_batches_tracked.item() == 1
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0.0] * 3 and bn.running_var.tolist() == [1.0] * 3
    assert bn.num_batches_tracked.item() == 0
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var",
                                                  "num_batches_tracked"]  # fmt: skip


def test_batchnorm_in_float32_keeps_float32_and_matches_torch(rng):
    torch = require_torch()
    ours, theirs = nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4)
    x = rng.standard_normal((8, 4, 5, 5)).astype(np.float32)
    y = ours(ns.tensor(x))
    assert y.dtype == ns.float32
    np.testing.assert_allclose(y.detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-5)  # fmt: skip
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-5)


def test_batchnorm_errors():
    with pytest.raises(ValueError, match=r"BatchNorm1d expects 2D or 3D input, received 4D"):
        nn.BatchNorm1d(3)(ns.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm2d expects 4D input, received 3D input of"):
        nn.BatchNorm2d(3)(ns.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"3 channels \(dim 1\), received shape \(2, 4\)"):
        nn.BatchNorm1d(3)(ns.zeros(2, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(ns.zeros(1, 3))
    with pytest.raises(ValueError, match="num_features must be a positive int"):
        nn.BatchNorm1d(0)


# ---- LayerNorm and GroupNorm ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((5,), {}), (((3, 5),), {}), ((5,), {"bias": False}), ((5,), {"elementwise_affine": False}),
     ((5,), {"eps": 0.1})],
)  # fmt: skip
def test_layernorm_matches_torch(rng, args, kwargs):
    ours, theirs = _pair("LayerNorm", *args, **kwargs)
    assert repr(ours) == repr(theirs)
    _step(ours, theirs, rng.standard_normal((2, 3, 5)) * 2, rng)


@pytest.mark.parametrize(
    ("args", "kwargs", "shape"),
    [((2, 4), {}, (3, 4, 5)), ((4, 4), {}, (3, 4)), ((1, 4), {}, (2, 4, 3, 2)),
     ((2, 4), {"affine": False}, (3, 4, 5)), ((2, 4), {"bias": False}, (2, 4, 3, 2))],
)  # fmt: skip
def test_groupnorm_matches_torch(rng, args, kwargs, shape):
    ours, theirs = _pair("GroupNorm", *args, **kwargs)
    assert repr(ours) == repr(theirs)
    _step(ours, theirs, rng.standard_normal(shape) * 2 + 1, rng)


def test_layer_and_group_norm_errors():
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\].*received shape \(2, 3\)"):
        nn.LayerNorm(4)(ns.zeros(2, 3))
    with pytest.raises(
        ValueError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"
    ):
        nn.GroupNorm(4, 6)
    with pytest.raises(
        ValueError, match=r"GroupNorm expects input of shape \(N, 6, \*\), received"
    ):
        nn.GroupNorm(3, 6)(ns.zeros(2, 4, 5))


# ---- Embedding ------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1},
                                    {"scale_grad_by_freq": True}])  # fmt: skip
def test_embedding_matches_torch(rng, kwargs):
    torch = require_torch()
    ours, theirs = _pair("Embedding", 6, 3, **kwargs)
    assert repr(ours) == repr(theirs)
    ids = np.array([[0, 2, 5, 2], [1, 2, 2, 3]])
    yo, yt = ours(ns.tensor(ids)), theirs(torch.tensor(ids))
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal(yo.shape)
    yo.backward(ns.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(ours.weight.grad.numpy(), theirs.weight.grad.numpy())  # rows: sums of g rows


def test_embedding_init_is_standard_normal_with_a_zero_padding_row():
    torch = require_torch()
    ns.manual_seed(0)
    emb = nn.Embedding(500, 40, padding_idx=7)
    w = emb.weight.detach().numpy()
    assert w.dtype == np.float32 and not w[7].any()
    rest = np.delete(w, 7, axis=0)
    assert abs(rest.mean()) < 0.02 and abs(rest.std() - 1) < 0.02  # N(0, 1): 20,000 draws
    assert emb.padding_idx == torch.nn.Embedding(500, 40, padding_idx=-493).padding_idx == 7
    for name in ("max_norm", "norm_type", "scale_grad_by_freq", "sparse"):
        assert getattr(emb, name) == getattr(torch.nn.Embedding(5, 2), name)


def test_embedding_from_pretrained_and_max_norm_match_torch(rng):
    torch = require_torch()
    w = rng.standard_normal((5, 3)) * 2
    ours = nn.Embedding.from_pretrained(ns.tensor(w), max_norm=1.0)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(w), max_norm=1.0)
    assert not ours.weight.requires_grad and repr(ours) == repr(theirs)
    ids = np.array([4, 1, 1])
    np.testing.assert_allclose(ours(ns.tensor(ids)).numpy(), theirs(torch.tensor(ids)).numpy())
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.numpy(), rtol=1e-12)
    assert nn.Embedding.from_pretrained(ns.tensor(w), freeze=False).weight.requires_grad


def test_embedding_layer_errors():
    with pytest.raises(ValueError, match="padding_idx must be within num_embeddings=4"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(IndexError, match="index 9 is out of range for num_embeddings=4"):
        nn.Embedding(4, 2)(ns.tensor([1, 9]))
    with pytest.raises(ValueError, match=r"_weight must have shape \(4, 2\), received \(3, 2\)"):
        nn.Embedding(4, 2, _weight=ns.zeros(3, 2))
