"""Lazy layers, module hooks, DataParallel, device= on constructors, the nn.modules paths and
the transformer stacks, against torch (weights copied across, dropout off)."""

import numpy as np
import pytest
from parity import copy_torch_state, module_pair, require_torch
from tolerance import assert_close

import nnscratch as ns
from nnscratch.errors import DeviceError

nn = ns.nn

LAZY = [
    ("LazyLinear", (4,), {}, (5, 3), "Linear"),
    ("LazyLinear", (4,), {"bias": False}, (2, 5, 3), "Linear"),
    ("LazyConv1d", (4, 3), {"padding": 1}, (2, 3, 9), "Conv1d"),
    ("LazyConv2d", (6, 3), {"stride": 2, "groups": 2}, (2, 4, 7, 7), "Conv2d"),
    ("LazyConv2d", (2, 3), {}, (3, 6, 6), "Conv2d"),
    ("LazyConvTranspose2d", (2, 2), {"stride": 2}, (1, 4, 3, 3), "ConvTranspose2d"),
    ("LazyBatchNorm1d", (), {}, (6, 3), "BatchNorm1d"),
    ("LazyBatchNorm2d", (), {"momentum": None}, (4, 3, 2, 2), "BatchNorm2d"),
]


@pytest.mark.parametrize("name, args, kwargs, shape, becomes", LAZY)
def test_lazy_module_becomes_torchs_class_and_matches_it(rng, name, args, kwargs, shape, becomes):
    torch = require_torch()
    ours = getattr(nn, name)(*args, **kwargs, dtype=ns.float64)
    theirs = getattr(torch.nn, name)(*args, **kwargs, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = rng.standard_normal(shape)
    ours(ns.tensor(x)), theirs(torch.tensor(x))  # the first call sizes the parameters
    assert type(ours) is getattr(nn, becomes) and type(theirs) is getattr(torch.nn, becomes)
    assert repr(ours) == repr(theirs)
    copy_torch_state(ours, theirs)  # names, shapes and order equal torch's
    x = rng.standard_normal(shape)
    out, expected = ours(ns.tensor(x)), theirs(torch.tensor(x))
    assert_close(out.detach().numpy(), expected.detach().numpy())


def test_uninitialized_parameter_refuses_its_shape_and_optimizer_takes_it():
    layer = nn.LazyLinear(3)
    assert repr(layer.weight) == "<UninitializedParameter>"
    assert isinstance(layer.weight, nn.UninitializedParameter)
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        _ = layer.weight.shape
    weight = layer.weight
    opt = ns.optim.SGD(layer.parameters(), lr=0.1)  # as torch: allowed, filled in place later
    layer(ns.ones(2, 5)).sum().backward()
    before = weight.detach().numpy().copy()
    opt.step()
    assert weight is layer.weight and weight.shape == (3, 5) and type(weight) is nn.Parameter
    assert not np.allclose(before, weight.detach().numpy())


def test_lazy_sequential_draws_the_default_init_and_keeps_dtype():
    ns.manual_seed(0)
    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(2)).double()
    assert net(ns.randn(3, 5, dtype=ns.float64)).dtype == np.float64
    bound = 1 / np.sqrt(5)
    weight = net[0].weight.detach().numpy()
    assert weight.shape == (8, 5) and np.abs(weight).max() <= bound and weight.std() > 0.1
    with pytest.raises(TypeError, match="LazyLinear infers its input size"):
        nn.LazyLinear(2)(None)


# ---- hooks --------------------------------------------------------------------------------------
def _hooked(lib, rng, calls):
    layer = lib.nn.Linear(3, 2).double()
    layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    layer.register_forward_hook(
        lambda m, args, out: calls.append(("fwd", args[0].shape)) or out + 1
    )
    layer.register_full_backward_pre_hook(lambda m, go: calls.append(("bpre", len(go))))
    layer.register_full_backward_hook(
        lambda m, gi, go: (calls.append(("bwd", gi[0].shape, go[0].shape)), (gi[0] * 3,))[1]
    )
    return layer


def test_module_hooks_match_torch(rng):
    torch = require_torch()
    ours_calls, theirs_calls = [], []
    ours, theirs = _hooked(ns, rng, ours_calls), _hooked(torch, rng, theirs_calls)
    copy_torch_state(ours, theirs)
    x = rng.standard_normal((4, 3))
    xo, xt = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    assert_close(yo.detach().numpy(), yt.detach().numpy())
    g = rng.standard_normal((4, 2))
    yo.backward(ns.tensor(g)), yt.backward(torch.tensor(g))
    assert_close(xo.grad.numpy(), xt.grad.numpy())  # scaled by the backward hook's 3
    assert_close(ours.weight.grad.numpy(), theirs.weight.grad.numpy())
    assert [tuple(map(_plain, c)) for c in ours_calls] == [
        tuple(map(_plain, c)) for c in theirs_calls
    ]


def _plain(v):
    return tuple(v) if not isinstance(v, (str, int)) else v


def test_backward_hook_grad_input_layout_and_removal():
    class Two(nn.Module):
        def forward(self, x, k, y):
            return x * k + y.sum()

    module, seen = Two(), []
    handle = module.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    x, y = ns.ones(3, requires_grad=True), ns.ones(2, requires_grad=True)
    module(x, 2.0, y).sum().backward()
    (grad_x, none, grad_y), (grad_out,) = seen[0]
    assert none is None and grad_x.tolist() == [2.0] * 3 and grad_y.tolist() == [3.0, 3.0]
    assert grad_out.tolist() == [1.0] * 3
    handle.remove()
    module(x, 2.0, y).sum().backward()
    assert len(seen) == 1 and module._hooks is None  # no hook left: the tables are dropped


def test_forward_hooks_with_kwargs_prepend_and_no_input_grad():
    layer, order = nn.Linear(2, 2), []
    layer.register_forward_hook(lambda m, a, o: order.append("second"))
    layer.register_forward_hook(lambda m, a, o: order.append("first"), prepend=True)
    layer.register_forward_pre_hook(lambda m, a, kw: ((a[0] * 0,), kw), with_kwargs=True)
    out = layer(ns.ones(1, 2))
    assert order == ["first", "second"]
    assert_close(out.detach().numpy(), layer.bias.detach().numpy()[None])
    seen = []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    layer(ns.ones(1, 2)).sum().backward()  # no input needs a gradient: grad_input is (None,)
    assert seen == [(None,)]


def test_module_call_without_hooks_is_plain_forward():
    layer = nn.Linear(2, 2)
    assert layer._hooks is None and nn.Module._hooks is None
    layer.register_forward_hook(lambda m, a, o: None).remove()
    assert layer(ns.ones(1, 2)).shape == (1, 2)
    assert layer._hooks is None  # back on the one-check path once every hook is removed


# ---- DataParallel, device= and the module paths --------------------------------------------
def test_data_parallel_runs_the_module_with_torchs_keys():
    torch = require_torch()
    inner = nn.Linear(3, 2)
    model = nn.DataParallel(inner)
    assert model.module is inner and model.device_ids == []
    assert list(model.state_dict()) == list(
        torch.nn.DataParallel(torch.nn.Linear(3, 2)).state_dict()
    )
    x = ns.ones(4, 3)
    assert_close(model(x).detach().numpy(), inner(x).detach().numpy())
    with pytest.raises(DeviceError, match="device_ids"):
        nn.DataParallel(inner, device_ids=[0])


DEVICE_MODULES = [
    lambda d: nn.Linear(2, 2, device=d), lambda d: nn.Conv1d(1, 2, 3, device=d),
    lambda d: nn.Conv2d(1, 2, 3, device=d), lambda d: nn.ConvTranspose2d(1, 2, 3, device=d),
    lambda d: nn.BatchNorm1d(2, device=d), lambda d: nn.BatchNorm2d(2, device=d),
    lambda d: nn.LayerNorm(2, device=d), lambda d: nn.GroupNorm(1, 2, device=d),
    lambda d: nn.RNN(2, 2, device=d), lambda d: nn.LSTM(2, 2, device=d),
    lambda d: nn.GRU(2, 2, device=d), lambda d: nn.RNNCell(2, 2, device=d),
    lambda d: nn.LSTMCell(2, 2, device=d), lambda d: nn.GRUCell(2, 2, device=d),
    lambda d: nn.Embedding(3, 2, device=d), lambda d: nn.MultiheadAttention(4, 2, device=d),
    lambda d: nn.TransformerEncoderLayer(4, 2, 8, device=d),
    lambda d: nn.TransformerDecoderLayer(4, 2, 8, device=d),
    lambda d: nn.Transformer(4, 2, 1, 1, 8, device=d), lambda d: nn.LazyLinear(2, device=d),
    lambda d: nn.LazyConv2d(2, 3, device=d), lambda d: nn.LazyBatchNorm1d(device=d),
]  # fmt: skip


@pytest.mark.parametrize("make", DEVICE_MODULES)
def test_device_keyword_takes_the_cpu_and_refuses_a_gpu(make):
    make("cpu"), make(ns.device("cpu")), make(None)
    with pytest.raises(DeviceError, match="not available"):
        make("cuda")


def test_nn_modules_paths_name_the_classes():
    m = nn.modules
    assert m.linear.Linear is nn.Linear
    projection = type(nn.MultiheadAttention(4, 2).out_proj)
    assert m.linear.NonDynamicallyQuantizableLinear is projection
    assert issubclass(projection, nn.Linear)
    assert m.sparse.Embedding is nn.Embedding and m.dropout.Dropout is nn.Dropout
    assert (m.rnn.RNN, m.rnn.LSTM, m.rnn.GRU) == (nn.RNN, nn.LSTM, nn.GRU)
    assert m.container.ModuleList is nn.ModuleList and m.module.Module is nn.Module
    assert m.normalization.LayerNorm is nn.LayerNorm
    assert m.activation.MultiheadAttention is nn.MultiheadAttention
    assert m.transformer.TransformerEncoder is nn.TransformerEncoder
    assert m.transformer.TransformerEncoderLayer is nn.TransformerEncoderLayer
    assert m.loss.CosineEmbeddingLoss is nn.CosineEmbeddingLoss and m.conv.LazyConv2d


# ---- transformer stacks -------------------------------------------------------------------------
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(rng, norm_first, batch_first):
    torch = require_torch()
    ours, theirs = module_pair("Transformer", d_model=8, nhead=2, num_encoder_layers=2,
                               num_decoder_layers=2, dim_feedforward=16, dropout=0.0,
                               batch_first=batch_first, norm_first=norm_first)  # fmt: skip
    src, tgt = rng.standard_normal((5, 3, 8)), rng.standard_normal((4, 3, 8))
    if batch_first:
        src, tgt = src.transpose(1, 0, 2).copy(), tgt.transpose(1, 0, 2).copy()
    mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=ns.float64)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    assert np.array_equal(mask.numpy(), tmask.numpy())
    out = ours(ns.tensor(src), ns.tensor(tgt), tgt_mask=mask)
    expected = theirs(torch.tensor(src), torch.tensor(tgt), tgt_mask=tmask)
    assert_close(out.detach().numpy(), expected.detach().numpy(), rtol=1e-10)  # 2+2 layers deep


def test_transformer_encoder_as_word_language_model_uses_it(rng):
    torch = require_torch()
    layer_o, layer_t = module_pair("TransformerEncoderLayer", 8, 2, 16, 0.0)
    ours = nn.TransformerEncoder(layer_o, 3, norm=nn.LayerNorm(8, dtype=ns.float64))
    norm = torch.nn.LayerNorm(8, dtype=torch.float64)
    theirs = torch.nn.TransformerEncoder(layer_t, 3, norm=norm, enable_nested_tensor=False)
    assert ours.layers[0] is not ours.layers[1]  # deep copies, as torch
    copy_torch_state(ours, theirs)
    src = rng.standard_normal((6, 2, 8))
    pad = np.zeros((2, 6), bool)
    pad[1, 4:] = True
    mask = nn.Transformer.generate_square_subsequent_mask(6, dtype=ns.float64)
    out = ours(ns.tensor(src), mask, src_key_padding_mask=ns.tensor(pad))
    expected = theirs(torch.tensor(src), torch.tensor(mask.numpy()),
                      src_key_padding_mask=torch.tensor(pad))  # fmt: skip
    assert_close(out.detach().numpy(), expected.detach().numpy(), rtol=1e-10)  # 3 layers deep


def test_transformer_decoder_layer_gradients_match_torch(rng):
    torch = require_torch()
    ours = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, 0.0, dtype=ns.float64), 2)
    theirs = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(
        8, 2, 16, 0.0, dtype=torch.float64), 2)  # fmt: skip
    copy_torch_state(ours, theirs)
    tgt, memory = rng.standard_normal((4, 2, 8)), rng.standard_normal((5, 2, 8))
    to, tt = ns.tensor(tgt, requires_grad=True), torch.tensor(tgt, requires_grad=True)
    ours(to, ns.tensor(memory)).sum().backward()
    theirs(tt, torch.tensor(memory)).sum().backward()
    assert_close(to.grad.numpy(), tt.grad.numpy(), rtol=1e-10)
