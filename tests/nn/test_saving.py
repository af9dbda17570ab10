"""Every torch-style layer survives ``ns.save(model.state_dict())`` and ``ns.load`` into a fresh
copy: the reloaded copy, made from another seed, gives identical outputs. The oracle is the
original module; the copy starts different (checked), so only the file can make them agree."""

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
from nnscratch import nn

# layer -> (a factory, an input maker taking a generator)
FLOATS = lambda *shape: lambda rng: ns.tensor(rng.standard_normal(shape).astype(np.float32))  # noqa: E731
LAYERS = {
    "Linear": (lambda: nn.Linear(4, 3), FLOATS(2, 4)),
    "Conv1d": (lambda: nn.Conv1d(2, 3, 3, padding=1), FLOATS(2, 2, 7)),
    "Conv2d": (lambda: nn.Conv2d(2, 4, 3, stride=2, groups=2), FLOATS(2, 2, 7, 7)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2), FLOATS(1, 2, 4, 4)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), FLOATS(5, 3)),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(2), FLOATS(3, 2, 4, 4)),
    "LayerNorm": (lambda: nn.LayerNorm(4), FLOATS(3, 4)),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), FLOATS(3, 4, 5)),
    "Embedding": (
        lambda: nn.Embedding(10, 3, padding_idx=0),
        lambda rng: ns.tensor(rng.integers(0, 10, (2, 5))),
    ),
    "MultiheadAttention": (lambda: nn.MultiheadAttention(4, 2, batch_first=True), FLOATS(2, 3, 4)),
    "TransformerEncoderLayer": (
        lambda: nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, batch_first=True),
        FLOATS(2, 3, 4),
    ),
    "RNN": (lambda: nn.RNN(3, 4, num_layers=2), FLOATS(5, 2, 3)),
    "LSTM": (lambda: nn.LSTM(3, 4, bidirectional=True), FLOATS(5, 2, 3)),
    "GRU": (lambda: nn.GRU(3, 4, batch_first=True), FLOATS(2, 5, 3)),
    "RNNCell": (lambda: nn.RNNCell(3, 4), FLOATS(2, 3)),
    "LSTMCell": (lambda: nn.LSTMCell(3, 4), FLOATS(2, 3)),
    "GRUCell": (lambda: nn.GRUCell(3, 4), FLOATS(2, 3)),
    "DataParallel": (lambda: nn.DataParallel(nn.Linear(4, 3)), FLOATS(2, 4)),
    "TransformerEncoder": (
        lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 2, nn.LayerNorm(4)),
        FLOATS(3, 2, 4),
    ),
    "TransformerDecoderLayer": (lambda: nn.TransformerDecoderLayer(4, 2, 8), FLOATS(3, 2, 4)),
    "TransformerDecoder": (
        lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 2),
        FLOATS(3, 2, 4),
    ),
    "Transformer": (lambda: nn.Transformer(4, 2, 1, 1, 8), FLOATS(3, 2, 4)),
}
# Lazy layers: sized by a first call, then saved as the layer they became.
LAYERS.update({
    name: (lambda n=name, a=args, s=shape: _primed(getattr(nn, n)(*a), s), FLOATS(*shape))
    for name, args, shape in (
        ("LazyLinear", (3,), (2, 4)), ("LazyConv1d", (3, 3), (2, 2, 7)),
        ("LazyConv2d", (4, 3), (2, 2, 7, 7)), ("LazyConvTranspose2d", (3, 3), (1, 2, 4, 4)),
        ("LazyBatchNorm1d", (), (5, 3)), ("LazyBatchNorm2d", (), (3, 2, 4, 4)),
    )
})  # fmt: skip
# Layers without weights or buffers, and abstract bases: nothing in their state to save.
STATELESS = {
    "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "Identity", "Flatten",
    "Dropout", "RNNBase", "RNNCellBase", "CosineSimilarity", "PairwiseDistance",
    "LazyModuleMixin", "UninitializedParameter", "UninitializedBuffer",
}  # fmt: skip


def _primed(module, shape):
    module(ns.zeros(*shape))
    return module


def _first(out):
    while isinstance(out, (tuple, list)):
        out = out[0]
    return out.detach().numpy()


def _run(module, x):
    module.eval()
    with ns.no_grad():
        if isinstance(module, nn.MultiheadAttention):
            return _first(module(x, x, x))
        if isinstance(module, (nn.Transformer, nn.TransformerDecoder, nn.TransformerDecoderLayer)):
            return _first(module(x, x))  # the target attends to itself as memory
        return _first(module(x))


def test_every_layer_with_state_has_a_round_trip_check():
    classes = [n for n in nn.__all__ if isinstance(getattr(nn, n), type)]
    stateful = [n for n in classes if not n.endswith("Loss") and n not in STATELESS]
    stateful = [n for n in stateful if not issubclass(getattr(nn, n), _ACTIVATIONS)]
    missing = sorted(set(stateful) - set(LAYERS) - _POOLS)
    assert not missing, f"add a save/load round trip for {missing}"


_ACTIVATIONS = (
    nn.ReLU, nn.LeakyReLU, nn.ELU, nn.SELU, nn.GELU, nn.SiLU, nn.Sigmoid, nn.Tanh, nn.Softplus,
    nn.Softmax, nn.LogSoftmax,
)  # fmt: skip
_POOLS = {n for n in nn.__all__ if "Pool" in n}  # no state either


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_predicts_the_same_after_save_and_load(name, tmp_path, rng):
    factory, make_input = LAYERS[name]
    ns.manual_seed(0)
    original = factory()
    with ns.no_grad():  # away from any fresh initialisation (norm layers start at ones/zeros)
        for p in original.parameters():
            p += ns.tensor(rng.standard_normal(p.shape).astype(np.float32))
    if isinstance(original, (nn.BatchNorm1d, nn.BatchNorm2d)):  # running stats away from 0/1
        original.train()(make_input(rng))
    x = make_input(rng)
    ns.save(original.state_dict(), tmp_path / "layer.safetensors")
    ns.manual_seed(1)
    copy = factory()
    if any(p.numel() for p in copy.parameters()):
        assert not np.array_equal(_run(copy, x), _run(original, x)), "the copy must start apart"
    copy.load_state_dict(ns.load(tmp_path / "layer.safetensors"))
    np.testing.assert_array_equal(_run(copy, x), _run(original, x))


def test_a_torch_state_dict_saved_with_safetensors_loads_into_the_matching_modules(tmp_path, rng):
    torch = require_torch()
    from safetensors.torch import save_file

    def build(lib):
        lib.manual_seed(0)
        return [lib.nn.Conv2d(1, 4, 3, padding=1), lib.nn.BatchNorm2d(4),
                lib.nn.LSTM(4, 5, batch_first=True), lib.nn.Linear(5, 2)]  # fmt: skip

    theirs, ours = build(torch), build(ns)
    theirs[1].train()(torch.randn(3, 4, 6, 6))  # running statistics away from 0 and 1
    state = {f"{i}.{k}": v.contiguous() for i, m in enumerate(theirs) for k, v in
             m.state_dict().items()}  # fmt: skip
    save_file(state, tmp_path / "torch.safetensors")
    loaded = ns.load(tmp_path / "torch.safetensors")
    for i, module in enumerate(ours):
        module.load_state_dict({k.split(".", 1)[1]: v for k, v in loaded.items()
                                if k.split(".", 1)[0] == str(i)})  # fmt: skip
    x = rng.standard_normal((2, 1, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(_pipeline(ns, ours, x), _pipeline(torch, theirs, x), atol=1e-5)


def _pipeline(lib, modules, x):
    conv, norm, lstm, linear = (m.eval() for m in modules)
    with lib.no_grad():
        h = norm(conv(lib.from_numpy(x))).relu()  # (2, 4, 6, 6)
        seq = h.mean(dim=3).transpose(1, 2)  # (2, 6, 4): six steps of four features
        out, _ = lstm(seq)
        return linear(out[:, -1]).numpy()
