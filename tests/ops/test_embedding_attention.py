"""embedding and scaled_dot_product_attention against torch (values and gradients), finite
differences, hand counts and the composition with nn.functional.dropout; error messages."""

import numpy as np
import pytest
from parity import check, require_torch
from tolerance import assert_close

import nnscratch as ns
from nnscratch.ops.attention import scaled_dot_product_attention
from nnscratch.ops.embedding import embedding

F = ns.nn.functional


def _f(lib):
    return lib.nn.functional


# ---- embedding ------------------------------------------------------------------------------


@pytest.mark.parametrize("ids", [[3, 1, 3, 3, 0], [[1, 2], [2, 1], [4, 4]], 2])
@pytest.mark.parametrize("padding_idx", [None, 1, -1])
def test_embedding_matches_torch_with_repeats_and_padding(rng, ids, padding_idx):
    # The padding row's zero gradient is a rule, not a derivative: no finite differences then.
    check(lambda lib, i, w: _f(lib).embedding(i, w, padding_idx=padding_idx),
          np.array(ids), rng.standard_normal((5, 3)), gradcheck=padding_idx is None)  # fmt: skip


def test_embedding_gradient_counts_repeats_by_hand():
    weight = ns.zeros(4, 2, requires_grad=True)
    F.embedding(ns.tensor([[2, 0, 2], [2, 3, 0]]), weight, padding_idx=3).sum().backward()
    assert weight.grad.tolist() == [[2.0, 2.0], [0.0, 0.0], [3.0, 3.0], [0.0, 0.0]]


def test_embedding_scale_grad_by_freq_and_int32_ids(rng):
    ids = np.array([[0, 2, 2], [2, 1, 0]], dtype=np.int32)
    check(
        lambda lib, i, w: _f(lib).embedding(i, w, scale_grad_by_freq=True),
        ids,
        rng.standard_normal((4, 3)),
        gradcheck=False,
    )  # a rule, not a derivative
    weight = rng.standard_normal((4, 3)).astype(np.float32)
    check(lambda lib, i, w: _f(lib).embedding(i, w, padding_idx=0), ids, weight, rtol=1e-6)


def test_embedding_max_norm_renormalises_looked_up_rows_like_torch(rng):
    torch = require_torch()
    w = rng.standard_normal((5, 3)) * 2
    ids = np.array([0, 2, 2, 4])
    for norm_type in (2.0, 1.0):
        ours, theirs = ns.tensor(w), torch.tensor(w)
        yo = F.embedding(ns.tensor(ids), ours, max_norm=1.5, norm_type=norm_type)
        yt = torch.nn.functional.embedding(torch.tensor(ids), theirs, max_norm=1.5,
                                           norm_type=norm_type)  # fmt: skip
        np.testing.assert_allclose(yo.numpy(), yt.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)  # rows 1, 3 as were


def test_embedding_errors():
    w = ns.zeros(5, 2)
    message = r"index 7 is out of range for num_embeddings=5.*\[0, 4\].*from 0 to 7"
    with pytest.raises(IndexError, match=message):
        embedding(ns.tensor([0, 7]), w)
    with pytest.raises(IndexError, match="index -1 is out of range for num_embeddings=5"):
        embedding(ns.tensor([0, -1]), w)
    with pytest.raises(TypeError, match="integer Tensor of ids, received a float32 tensor"):
        embedding(ns.tensor([0.0, 1.0]), w)
    with pytest.raises(ValueError, match=r"padding_idx must be within num_embeddings=5"):
        embedding(ns.tensor([0]), w, padding_idx=5)
    with pytest.raises(ValueError, match=r"weight must be a 2-D Tensor.*received shape \(5,\)"):
        embedding(ns.tensor([0]), ns.zeros(5))
    with pytest.raises(NotImplementedError, match="sparse"):
        embedding(ns.tensor([0]), w, sparse=True)


# ---- scaled_dot_product_attention -----------------------------------------------------------


def _qkv(rng, batch=(2,), length=3, source=5, e=4, ev=2):
    return [
        rng.standard_normal((*batch, n, d)) for n, d in ((length, e), (source, e), (source, ev))
    ]


@pytest.mark.parametrize("batch", [(), (2,), (2, 2)])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_attention_matches_torch(rng, batch, scale):
    check(lambda lib, q, k, v: _f(lib).scaled_dot_product_attention(q, k, v, scale=scale),
          *_qkv(rng, batch))  # fmt: skip


@pytest.mark.parametrize(("length", "source"), [(4, 4), (3, 5), (5, 3)])
def test_causal_attention_matches_torch(rng, length, source):
    check(lambda lib, q, k, v: _f(lib).scaled_dot_product_attention(q, k, v, is_causal=True),
          *_qkv(rng, (2,), length, source))  # fmt: skip


@pytest.mark.parametrize("mask_shape", [(3, 5), (2, 1, 3, 5), (1, 5), (2, 2, 1, 1)])
def test_bool_mask_broadcasts_like_torch(rng, mask_shape):
    mask = rng.random(mask_shape) > 0.3
    mask[..., 0] = True  # every query keeps a key (fully masked rows: the test below)
    check(lambda lib, q, k, v, m: _f(lib).scaled_dot_product_attention(q, k, v, attn_mask=m),
          *_qkv(rng, (2, 2)), mask)  # fmt: skip


@pytest.mark.parametrize("mask_shape", [(3, 5), (2, 1, 1, 5)])
def test_float_mask_is_added_and_gets_a_gradient_like_torch(rng, mask_shape):
    check(lambda lib, q, k, v, m: _f(lib).scaled_dot_product_attention(q, k, v, attn_mask=m),
          *_qkv(rng, (2, 2)), rng.standard_normal(mask_shape))  # fmt: skip


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_fully_masked_queries_give_zeros_like_torch(rng, kind):
    mask = rng.random((2, 3, 5)) > 0.3
    mask[:, 0], mask[0, 2] = False, False
    mask[1, 1:, 0] = True
    if kind == "float":
        mask = np.where(mask, 0.0, -np.inf)
    check(lambda lib, q, k, v: _f(lib).scaled_dot_product_attention(
        q, k, v, attn_mask=lib.from_numpy(mask)), *_qkv(rng))  # fmt: skip
    out = F.scaled_dot_product_attention(*map(ns.tensor, _qkv(rng)), ns.tensor(mask))
    assert not out.numpy()[:, 0].any() and not out.numpy()[0, 2].any()


def test_grouped_query_attention_matches_torch(rng):
    q, k, v = (rng.standard_normal((2, h, 3, 2)) for h in (4, 2, 2))
    check(lambda lib, q, k, v: _f(lib).scaled_dot_product_attention(q, k, v, enable_gqa=True),
          q, k, v)  # fmt: skip


def test_float32_attention_stays_float32(rng):
    arrays = [a.astype(np.float32) for a in _qkv(rng)]
    mask = rng.random((3, 5)) > 0.2
    mask[:, 0] = True
    check(lambda lib, q, k, v, m: _f(lib).scaled_dot_product_attention(q, k, v, m),
          *arrays, mask, atol=1e-5, rtol=1e-4)  # fmt: skip


def test_attention_dropout_is_dropout_on_the_weights_with_the_same_draws(rng):
    q, k, v = (ns.tensor(a, requires_grad=True) for a in _qkv(rng))
    ns.manual_seed(3)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4)
    ns.manual_seed(3)
    weights = F.softmax(q @ k.transpose(-2, -1) / 2.0, dim=-1)  # scale 1 / sqrt(4)
    composed = F.dropout(weights, 0.4) @ v
    assert_close(out.detach().numpy(), composed.detach().numpy())
    assert not np.allclose(out.detach().numpy(), F.scaled_dot_product_attention(q, k, v).detach()
                           .numpy())  # fmt: skip


def test_attention_errors(rng):
    q, k, v = map(ns.tensor, _qkv(rng))
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \(4, 5\).*\(2, 3, 5\)"):
        scaled_dot_product_attention(q, k, v, attn_mask=ns.ones(4, 5, dtype=ns.bool))
    with pytest.raises(RuntimeError, match="give attn_mask or is_causal=True, not both"):
        scaled_dot_product_attention(q, k, v, ns.ones(3, 5, dtype=ns.bool), is_causal=True)
    with pytest.raises(TypeError, match="attn_mask must be a bool or floating point Tensor"):
        scaled_dot_product_attention(q, k, v, attn_mask=ns.ones(3, 5, dtype=ns.int64))
    with pytest.raises(RuntimeError, match=r"query \(2, 3, 4\), key \(2, 5, 3\).*do not fit"):
        scaled_dot_product_attention(q, k[..., :3], v)
    with pytest.raises(ValueError, match="dropout_p has to be between 0 and 1"):
        scaled_dot_product_attention(q, k, v, dropout_p=1.5)
    with pytest.raises(TypeError, match="expected key to be a floating point Tensor"):
        scaled_dot_product_attention(q, np.zeros((2, 5, 4)), v)
    with pytest.raises(RuntimeError, match="multiple of the key/value heads"):
        scaled_dot_product_attention(ns.zeros(1, 3, 2, 4), ns.zeros(1, 2, 2, 4),
                                     ns.zeros(1, 2, 2, 4), enable_gqa=True)  # fmt: skip
