"""MultiheadAttention and TransformerEncoderLayer against torch: state_dict names and shapes,
copied weights giving the same outputs, attention weights and parameter gradients (batch
first or not, masks of every kind, unbatched inputs, norm first or not), init and errors."""

import math

import numpy as np
import pytest
from parity import module_pair, require_torch

import nnscratch as ns

nn = ns.nn


def _pair(name, *args, **kwargs):
    """(ours, torch's) in float64; torch starts the biases at 0: nudged to make them count."""
    return module_pair(name, *args, nudge=0.1, **kwargs)


def _to(lib, a):
    if a is None:
        return None
    return ns.tensor(a) if lib is ns else require_torch().tensor(a)


def _compare(ours_out, theirs_out, ours, theirs, rng, inputs):
    """Outputs (NaN where torch has NaN), then the gradients of inputs and parameters."""
    torch = require_torch()
    for o, t in zip(ours_out, theirs_out):
        if t is None:
            assert o is None
            continue
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)  # fmt: skip
    o, t = ours_out[0], theirs_out[0]
    g = rng.standard_normal(o.shape)
    o.backward(ns.tensor(g))  # NaN outputs spread NaN gradients, in both: equal_nan compares them
    t.backward(torch.tensor(g))
    for xo, xt in inputs:
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=name)  # fmt: skip


def _inputs(rng, *shapes):
    torch = require_torch()
    arrays = [rng.standard_normal(s) for s in shapes]
    return [(ns.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)) for a in arrays]


# ---- MultiheadAttention ---------------------------------------------------------------------


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("kind", ["self", "cross"])
def test_mha_matches_torch(rng, batch_first, kind):
    ours, theirs = _pair("MultiheadAttention", 6, 2, batch_first=batch_first)
    (n, length, source) = (2, 3, 4)
    q_shape = (n, length, 6) if batch_first else (length, n, 6)
    kv_shape = (n, source, 6) if batch_first else (source, n, 6)
    if kind == "self":
        (x,) = _inputs(rng, q_shape)
        out = ours(x[0], x[0], x[0]), theirs(x[1], x[1], x[1])
        inputs = [x]
    else:
        inputs = _inputs(rng, q_shape, kv_shape, kv_shape)
        out = ours(*(i[0] for i in inputs)), theirs(*(i[1] for i in inputs))
    _compare(*out, ours, theirs, rng, inputs)


MASKS = [
    ("bool 2-D", lambda rng: (rng.random((3, 4)) > 0.4) & (np.arange(4) != 1), None),
    ("float 3-D", lambda rng: rng.standard_normal((2 * 2, 3, 4)), None),
    ("padding", None, lambda rng: rng.random((2, 4)) > 0.6),
    ("both", lambda rng: rng.random((3, 4)) > 0.7, lambda rng: rng.random((2, 4)) > 0.7),
    ("float padding", None, lambda rng: rng.standard_normal((2, 4))),
]


@pytest.mark.parametrize(("name", "attn", "padding"), MASKS, ids=[m[0] for m in MASKS])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_masks_match_torch(rng, name, attn, padding, need_weights):
    """Masked-out keys: True in a bool mask (the opposite of SDPA's convention, as in torch).
    A query with every key masked gives NaN when weights are returned, zeros otherwise."""
    ours, theirs = _pair("MultiheadAttention", 6, 2, batch_first=True)
    attn, padding = (f(rng) if f else None for f in (attn, padding))
    inputs = _inputs(rng, (2, 3, 6), (2, 4, 6), (2, 4, 6))
    out = [
        module(*(i[k] for i in inputs), attn_mask=_to(lib, attn),
               key_padding_mask=_to(lib, padding), need_weights=need_weights)
        for k, (lib, module) in enumerate(((ns, ours), (require_torch(), theirs)))
    ]  # fmt: skip
    _compare(*out, ours, theirs, rng, inputs)


def test_mha_per_head_weights_unbatched_and_kdim_vdim_match_torch(rng):
    ours, theirs = _pair("MultiheadAttention", 4, 2, kdim=3, vdim=5)
    inputs = _inputs(rng, (3, 2, 4), (5, 2, 3), (5, 2, 5))
    out = (
        ours(*(i[0] for i in inputs), average_attn_weights=False),
        theirs(*(i[1] for i in inputs), average_attn_weights=False),
    )
    assert out[0][1].shape == (2, 2, 3, 5)
    _compare(*out, ours, theirs, rng, inputs)
    ours, theirs = _pair("MultiheadAttention", 4, 2, bias=False)
    (x,) = _inputs(rng, (3, 4))  # unbatched: (L, E)
    mask = rng.random((3, 3)) > 0.8
    out = (
        ours(x[0], x[0], x[0], attn_mask=ns.tensor(mask)),
        theirs(x[1], x[1], x[1], attn_mask=require_torch().tensor(mask)),
    )
    assert out[0][0].shape == (3, 4) and out[0][1].shape == (3, 3)
    _compare(*out, ours, theirs, rng, [x])


def test_mha_init_and_repr_follow_torch():
    torch = require_torch()
    ns.manual_seed(0)
    ours = nn.MultiheadAttention(64, 4)
    assert repr(ours) == repr(torch.nn.MultiheadAttention(64, 4))
    w = ours.in_proj_weight.detach().numpy()
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier_uniform_ on the stacked (3E, E) weight
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert not ours.in_proj_bias.detach().numpy().any()
    assert not ours.out_proj.bias.detach().numpy().any()
    assert ours.in_proj_weight.dtype == ns.float32 and ours.head_dim == 16


def test_mha_dropout_acts_only_in_training(rng):
    mha = nn.MultiheadAttention(4, 2, dropout=0.5)
    x = ns.tensor(rng.standard_normal((3, 2, 4)).astype(np.float32))
    ns.manual_seed(1)
    a = mha(x, x, x)[0].detach().numpy()
    ns.manual_seed(1)
    np.testing.assert_array_equal(mha(x, x, x)[0].detach().numpy(), a)  # seeded: repeatable
    mha.eval()
    plain = mha(x, x, x)[0].detach().numpy()
    assert not np.allclose(a, plain)
    mha.dropout = 0.0
    np.testing.assert_array_equal(mha.train()(x, x, x)[0].detach().numpy(), plain)


def test_mha_errors():
    mha = nn.MultiheadAttention(4, 2)
    x = ns.zeros(3, 2, 4)
    with pytest.raises(ValueError, match=r"embed_dim \(6\) must be divisible by num_heads \(4\)"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match=r"query \(\.\.\., 4\).*received \(3, 2, 5\)"):
        mha(ns.zeros(3, 2, 5), x, x)
    with pytest.raises(ValueError, match=r"all 3-D \(batched\) or all 2-D.*\(3, 4\), \(3, 2, 4\)"):
        mha(ns.zeros(3, 4), x, x)
    message = r"attn_mask of shape \(3, 3\) or \(4, 3, 3\).*received \(2, 3\)"
    with pytest.raises(RuntimeError, match=message):
        mha(x, x, x, attn_mask=ns.zeros(2, 3))
    with pytest.raises(ValueError, match=r"key_padding_mask of shape \(2, 3\).*received \(3, 2\)"):
        mha(x, x, x, key_padding_mask=ns.zeros(3, 2, dtype=ns.bool))
    with pytest.raises(RuntimeError, match="is_causal is a hint that attn_mask is causal"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(TypeError, match="attn_mask must be a bool or floating point Tensor"):
        mha(x, x, x, attn_mask=ns.zeros(3, 3, dtype=ns.int64))


# ---- TransformerEncoderLayer ----------------------------------------------------------------


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize(("activation", "batch_first"), [("relu", False), ("gelu", True)])
def test_encoder_layer_matches_torch_in_eval_mode(rng, norm_first, activation, batch_first):
    kwargs = {"norm_first": norm_first, "activation": activation, "batch_first": batch_first}
    ours, theirs = _pair("TransformerEncoderLayer", 6, 2, dim_feedforward=8, **kwargs)
    assert repr(ours) == repr(theirs)
    ours.eval(), theirs.eval()
    (x,) = _inputs(rng, (2, 3, 6))
    _compare([ours(x[0])], [theirs(x[1])], ours, theirs, rng, [x])


def test_encoder_layer_masks_and_zero_dropout_in_training(rng):
    torch = require_torch()
    ours, theirs = _pair("TransformerEncoderLayer", 4, 2, dim_feedforward=8, dropout=0.0,
                         batch_first=True, layer_norm_eps=1e-3)  # fmt: skip
    causal = np.triu(np.ones((3, 3), bool), k=1)  # True: not allowed (MultiheadAttention's rule)
    padding = np.array([[False, False, True], [False, False, False]])
    (x,) = _inputs(rng, (2, 3, 4))
    out_ours = ours(x[0], src_mask=ns.tensor(causal), src_key_padding_mask=ns.tensor(padding),
                    is_causal=True)  # fmt: skip
    out_theirs = theirs(x[1], src_mask=torch.tensor(causal),
                        src_key_padding_mask=torch.tensor(padding), is_causal=True)  # fmt: skip
    _compare([out_ours], [out_theirs], ours, theirs, rng, [x])


def test_encoder_layer_takes_a_callable_activation_and_rejects_unknown_names(rng):
    layer = nn.TransformerEncoderLayer(4, 2, 8, activation=nn.GELU()).eval()
    assert "(activation): GELU(approximate='none')" in repr(layer)
    assert layer(ns.randn(3, 2, 4)).shape == (3, 2, 4)
    with pytest.raises(RuntimeError, match="activation should be relu or gelu, not 'tanh'"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
