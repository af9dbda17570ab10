"""``ns.save(model, f)`` / ``ns.load(f, weights_only=False)`` of a whole ``nn.Module``, with no
pickle (``nnscratch/io/module_state.py``): the loaded model computes bit for bit what the
saved one did, keeps its mode, sharing and state, and saves back to the same bytes. Loading
follows torch 2.6+'s ``weights_only`` allow-list, and hostile files run nothing."""

from __future__ import annotations

import io
import json
import math
import os

import numpy as np
import pytest
from parity import require_torch
from script_pairs import rnn_model_class

import nnscratch as ns
from nnscratch import nn
from nnscratch.errors import FileFormatError
from nnscratch.io import safetensors
from nnscratch.io.module_state import WeightsOnlyError
from tests.nn.test_saving import LAYERS, _run

F = nn.functional


# ---- models from the tutorials and examples -------------------------------------------------
class NeuralNetwork(nn.Module):
    """pytorch/tutorials basics: Flatten, then Linear-ReLU-Linear."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def _rnn_model_class(torch, name):
    """word_language_model's RNNModel (``script_pairs``), named as a class of this file."""
    cls = rnn_model_class(torch)
    cls.__module__, cls.__qualname__, cls.__name__ = __name__, name, name
    return cls


RNNModel = _rnn_model_class(ns, "RNNModel")


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=50):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = ns.zeros(max_len, d_model)
        position = ns.arange(0, max_len, dtype=ns.float32).unsqueeze(1)
        div_term = ns.exp(ns.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = ns.sin(position * div_term)
        pe[:, 1::2] = ns.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

    def forward(self, x):
        return self.dropout(x + self.pe[: x.size(0), :])


class TransformerModel(nn.Transformer):
    """word_language_model's TransformerModel: a Transformer whose decoder is a Linear."""

    def __init__(self, ntoken=11, ninp=8, nhead=2, nhid=12, nlayers=2, dropout=0.5):
        super().__init__(
            d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers
        )
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        self.input_emb = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)

    def forward(self, src):
        if self.src_mask is None or self.src_mask.size(0) != len(src):
            self.src_mask = ns.log(ns.tril(ns.ones(len(src), len(src))))
        src = self.pos_encoder(self.input_emb(src) * math.sqrt(self.ninp))
        return F.log_softmax(self.decoder(self.encoder(src, mask=self.src_mask)), dim=-1)


class Containers(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Tanh()])
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 3)})
        self.register_buffer("scale", ns.tensor([2.0]), persistent=False)
        self.settings = {"names": ("a", "b"), "sizes": [2, 3], "eps": 1e-5, "off": None}
        self.device, self.dtype, self.kind = ns.device("cpu"), ns.float32, np.float32

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return [self.heads[k](x * self.scale) for k in self.settings["names"]]


def _round_trip(model, **load_options):
    buffer = io.BytesIO()
    ns.save(model, buffer)
    data = buffer.getvalue()
    loaded = ns.load(io.BytesIO(data), **{"weights_only": False, **load_options})
    again = io.BytesIO()
    ns.save(loaded, again)
    assert again.getvalue() == data, "save -> load -> save must give the same bytes"
    return loaded, data


def _assert_same_state(loaded, model):
    assert type(loaded) is type(model) and loaded is not model
    assert list(loaded.state_dict()) == list(model.state_dict())
    for (name, a), b in zip(model.state_dict().items(), loaded.state_dict().values()):
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(b.numpy(), a.numpy(), err_msg=name)
    assert [m.training for m in loaded.modules()] == [m.training for m in model.modules()]
    flags = [p.requires_grad for p in model.parameters()]
    assert [p.requires_grad for p in loaded.parameters()] == flags


def _numpy(out):
    return (
        [o.detach().numpy() for o in out]
        if isinstance(out, (list, tuple))
        else out.detach().numpy()
    )


# ---- round trips ------------------------------------------------------------------------------
def test_tutorial_model_round_trips_through_a_path_and_trains(tmp_path):
    ns.manual_seed(0)
    model = NeuralNetwork()
    model.linear_relu_stack[2].bias.requires_grad_(False)
    ns.save(model, tmp_path / "model.pth")
    loaded = ns.load(tmp_path / "model.pth", weights_only=False)
    _assert_same_state(loaded, model)
    x = ns.randn(5, 3, 4)
    np.testing.assert_array_equal(_numpy(loaded(x)), _numpy(model(x)))
    optimizer = ns.optim.SGD(loaded.parameters(), lr=0.1)
    loaded(x).sum().backward()
    optimizer.step()
    assert not np.array_equal(_numpy(loaded(x)), _numpy(model(x)))
    assert list(tmp_path.iterdir()) == [tmp_path / "model.pth"]  # no temporary left


@pytest.mark.parametrize("rnn_type", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
def test_word_language_model_rnn_round_trips_with_tied_weights(rnn_type, tmp_path):
    ns.manual_seed(1)
    model = RNNModel(rnn_type, 13, 6, 6, 2, dropout=0.2, tie=True).double().eval()
    with open(tmp_path / "model.pt", "wb") as f:  # as word_language_model/main.py
        ns.save(model, f)
    with open(tmp_path / "model.pt", "rb") as f:
        loaded = ns.load(f, weights_only=False)
    loaded.rnn.flatten_parameters()
    _assert_same_state(loaded, model)
    assert loaded.decoder.weight is loaded.encoder.weight
    assert len(list(loaded.parameters())) == len(list(model.parameters()))
    data = ns.tensor(np.arange(12).reshape(4, 3) % 13)
    out, hidden = loaded(data, loaded.init_hidden(3))
    expected, expected_hidden = model(data, model.init_hidden(3))
    np.testing.assert_array_equal(_numpy(out), _numpy(expected))
    np.testing.assert_array_equal(_numpy(hidden), _numpy(expected_hidden))


def test_word_language_model_loads_inside_safe_globals(tmp_path):
    """word_language_model/main.py's way: torch.load(f) with the classes allowed."""
    model = RNNModel("LSTM", 13, 6, 6, 2, tie=True)
    ns.save(model, tmp_path / "model.pt")
    safe = [nn.modules.rnn.LSTM, nn.modules.rnn.GRU, nn.modules.rnn.RNN]
    safe += [nn.modules.sparse.Embedding, nn.modules.linear.Linear, nn.modules.dropout.Dropout]
    with open(tmp_path / "model.pt", "rb") as f:
        with ns.serialization.safe_globals([*safe, RNNModel]):
            loaded = ns.load(f)
    assert (
        loaded.decoder.weight is loaded.encoder.weight and ns.serialization.get_safe_globals() == []
    )


def test_transformer_language_model_loads_inside_the_safe_globals_its_script_lists(tmp_path):
    """The Transformer half of word_language_model: its list names torch's module paths,
    MultiheadAttention's output projection (NonDynamicallyQuantizableLinear) among them."""
    model = TransformerModel().eval()
    ns.save(model, tmp_path / "model.pt")
    m = nn.modules
    safe = [m.activation.MultiheadAttention, m.container.ModuleList, m.dropout.Dropout]
    safe += [m.linear.Linear, m.linear.NonDynamicallyQuantizableLinear, m.sparse.Embedding]
    safe += [m.normalization.LayerNorm, m.transformer.TransformerEncoder]
    safe += [m.transformer.TransformerEncoderLayer, F.relu, TransformerModel, PositionalEncoding]
    with open(tmp_path / "model.pt", "rb") as f, ns.serialization.safe_globals(safe):
        loaded = ns.load(f)
    _assert_same_state(loaded, model)


def test_transformer_language_model_keeps_its_buffer_mask_and_activation():
    ns.manual_seed(2)
    model = TransformerModel().eval()
    src = ns.tensor(np.arange(10).reshape(5, 2) % 11)
    expected = model(src)  # sets model.src_mask, a Tensor attribute
    loaded, _ = _round_trip(model)
    _assert_same_state(loaded, model)
    assert [n for n, _ in loaded.named_buffers()] == ["pos_encoder.pe"]
    np.testing.assert_array_equal(loaded.src_mask.numpy(), model.src_mask.numpy())
    assert loaded.encoder.layers[0].activation is F.relu
    np.testing.assert_array_equal(_numpy(loaded(src)), _numpy(expected))


def test_batchnorm_conv_and_pooling_keep_running_statistics():
    ns.manual_seed(3)
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2))
    model(ns.randn(4, 2, 6, 6))  # training mode: the running statistics move
    model.eval()
    loaded, _ = _round_trip(model)
    _assert_same_state(loaded, model)
    assert loaded[1].num_batches_tracked.item() == 1
    x = ns.randn(2, 2, 6, 6)
    np.testing.assert_array_equal(_numpy(loaded(x)), _numpy(model(x)))


def test_containers_non_persistent_buffers_and_plain_attributes():
    ns.manual_seed(4)
    model = Containers()
    loaded, _ = _round_trip(model)
    _assert_same_state(loaded, model)
    assert "scale" not in loaded.state_dict() and loaded.scale.tolist() == [2.0]
    assert loaded.settings == model.settings and isinstance(loaded.settings["names"], tuple)
    assert (loaded.device, loaded.dtype, loaded.kind) == (ns.device("cpu"), ns.float32, np.float32)
    assert isinstance(loaded.blocks, nn.ModuleList) and list(loaded.heads) == ["a", "b"]
    x = ns.randn(3, 4)
    for a, b in zip(loaded(x), model(x)):
        np.testing.assert_array_equal(_numpy(a), _numpy(b))


def test_shared_modules_and_modules_in_plain_containers_stay_shared():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    model.extra = [shared, {"again": shared}]
    loaded, _ = _round_trip(model)
    assert loaded[0] is loaded[2] is loaded.extra[0] is loaded.extra[1]["again"]
    assert len(list(loaded.parameters())) == 2


def test_a_module_inside_a_checkpoint_dict_and_its_training_mode():
    model = NeuralNetwork()
    model.flatten.eval()
    buffer = io.BytesIO()
    ns.save({"epoch": 3, "model": model, "dtype": ns.float64}, buffer)
    buffer.seek(0)
    checkpoint = ns.load(buffer, weights_only=False)
    assert checkpoint["epoch"] == 3 and checkpoint["dtype"] == ns.float64
    assert checkpoint["model"].training and not checkpoint["model"].flatten.training


def test_loading_calls_no_init():
    calls = []

    class Counted(nn.Module):
        def __init__(self):
            super().__init__()
            calls.append("init")
            self.fc = nn.Linear(1, 1)

    loaded, _ = _round_trip(Counted())
    assert calls == ["init"] and isinstance(loaded.fc, nn.Linear)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_round_trips_whole(name, rng):
    factory, make_input = LAYERS[name]
    ns.manual_seed(0)
    model = factory()
    x = make_input(rng)
    loaded, _ = _round_trip(model)
    _assert_same_state(loaded, model)
    np.testing.assert_array_equal(_run(loaded, x), _run(model, x))


# ---- what save refuses ------------------------------------------------------------------------
def test_an_attribute_holding_code_is_refused_by_its_path(tmp_path):
    model = NeuralNetwork()
    model.flatten.fn = lambda x: x
    ns.save({"old": 1}, tmp_path / "model.pth")
    with pytest.raises(TypeError, match=r"model\.flatten\.fn of type function.*state_dict\(\)"):
        ns.save(model, tmp_path / "model.pth")
    assert ns.load(tmp_path / "model.pth") == {"old": 1}  # the old file is intact
    del model.flatten.fn
    model.linear_relu_stack.log = [io.BytesIO()]
    with pytest.raises(TypeError, match=r"linear_relu_stack\.log of type list.*BytesIO"):
        ns.save(model, io.BytesIO())


def test_hooks_are_refused_until_removed():
    model = NeuralNetwork()
    handle = model.flatten.register_forward_hook(lambda module, args, out: None)
    with pytest.raises(TypeError, match=r"model\.flatten: it has registered .*hooks"):
        ns.save(model, io.BytesIO())
    handle.remove()
    ns.save(model, io.BytesIO())


def test_a_lazy_module_must_be_called_first():
    with pytest.raises(TypeError, match="UninitializedParameter.*call it once first"):
        ns.save(nn.LazyLinear(3), io.BytesIO())


# ---- weights_only and the allow-list ----------------------------------------------------------
def test_weights_only_needs_every_class_allowed_as_torch_does(tmp_path):
    ns.save(NeuralNetwork(), tmp_path / "model.pth")
    with pytest.raises(WeightsOnlyError, match=r"NeuralNetwork is not an allowed global.*"
                       r"weights_only=False.*safe_globals\(\[.*NeuralNetwork\]\)"):  # fmt: skip
        ns.load(tmp_path / "model.pth")
    ns.serialization.add_safe_globals([NeuralNetwork])
    try:
        with pytest.raises(WeightsOnlyError, match=r"class nnscratch\.nn\.linear\.Flatten is"):
            ns.load(tmp_path / "model.pth", weights_only=True)  # torch's nn classes too
        with ns.serialization.safe_globals([nn.Flatten, nn.Sequential, nn.Linear, nn.ReLU]):
            assert isinstance(ns.load(tmp_path / "model.pth"), NeuralNetwork)
    finally:
        ns.serialization.clear_safe_globals()


def test_an_activation_function_must_be_allowed_too():
    layer = nn.TransformerEncoderLayer(4, 2, 8)
    buffer = io.BytesIO()
    ns.save(layer, buffer)
    classes = [nn.TransformerEncoderLayer, nn.MultiheadAttention, nn.Linear, nn.Dropout,
               nn.LayerNorm, type(layer.self_attn.out_proj)]  # fmt: skip
    with ns.serialization.safe_globals(classes):
        with pytest.raises(WeightsOnlyError, match=r"function nnscratch\.ops\.activation\.relu"):
            ns.load(io.BytesIO(buffer.getvalue()))
        with ns.serialization.safe_globals([F.relu]):
            assert ns.load(io.BytesIO(buffer.getvalue())).activation is F.relu


def test_torch_refuses_the_same_model_under_weights_only_and_both_agree_after_round_trips():
    torch = require_torch()
    TorchRNNModel = _rnn_model_class(torch, "TorchRNNModel")
    globals()["TorchRNNModel"] = TorchRNNModel  # where pickle looks the class up
    torch.manual_seed(0)
    theirs = TorchRNNModel("LSTM", 13, 6, 6, 2, tie=True).double().eval()
    ours = RNNModel("LSTM", 13, 6, 6, 2, tie=True).double().eval()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    buffers = {"torch": io.BytesIO(), "ns": io.BytesIO()}
    torch.save(theirs, buffers["torch"])
    ns.save(ours, buffers["ns"])
    errors = []
    for lib, buffer in ((torch, buffers["torch"]), (ns, buffers["ns"])):
        with pytest.raises(Exception, match="weights_only") as error:
            lib.load(io.BytesIO(buffer.getvalue()))
        errors.append(str(error.value))
    assert all("safe_globals" in e and "RNNModel" in e for e in errors)
    theirs = torch.load(io.BytesIO(buffers["torch"].getvalue()), weights_only=False)
    ours = ns.load(io.BytesIO(buffers["ns"].getvalue()), weights_only=False)
    data = np.arange(12).reshape(4, 3) % 13
    expected = theirs(torch.tensor(data), theirs.init_hidden(3))[0].detach().numpy()
    np.testing.assert_allclose(_numpy(ours(ns.tensor(data), ours.init_hidden(3))[0]), expected,
                               rtol=1e-12, atol=1e-12)  # fmt: skip


# ---- hostile files ----------------------------------------------------------------------------
def _tampered(model, change) -> io.BytesIO:
    """``model``'s file, its structure JSON passed through ``change`` (which edits in place)."""
    buffer = io.BytesIO()
    ns.save(model, buffer)
    arrays, metadata = safetensors.load_with_metadata(bytearray(buffer.getvalue()))
    structure = json.loads(metadata["structure"])
    changed = change(structure)  # edits in place, or returns a new structure
    structure = changed if isinstance(changed, dict) else structure
    metadata["structure"] = json.dumps(structure)
    return io.BytesIO(safetensors.save(arrays, metadata))


def _load_refused(model, change, match):
    with pytest.raises(FileFormatError, match=match):
        ns.load(_tampered(model, change), weights_only=False)


@pytest.mark.parametrize(
    "cls", [["os", "system"], ["builtins", "eval"], ["collections", "OrderedDict"],
            ["builtins", "object"], ["nnscratch.nn.module", "Module.__reduce__"],
            ["mypkg.models", "Net"], ["nnscratch.nn.linear", "linear"], "os.system", ["a"]],
    ids=str,
)  # fmt: skip
def test_a_class_that_is_not_a_defined_module_subclass_is_refused(cls, monkeypatch):
    monkeypatch.setattr(os, "system", lambda *a: pytest.fail("os.system ran"))

    def change(s):
        s["module"]["class"] = cls

    _load_refused(nn.Linear(2, 2), change, r"class|import or define it")


@pytest.mark.parametrize(
    "name", ["__class__", "__dict__", "forward", "__reduce__", "__setstate__", "_parameters",
             "state_dict", "training", "", 7],
    ids=str,
)  # fmt: skip
def test_attribute_names_that_would_hide_internals_are_refused(name):
    def change(s):
        s["module"]["attributes"].append([name, 1])

    _load_refused(nn.Linear(2, 2), change, "a name that hides nothing|a new, short name")


def test_functions_other_than_nnscratch_ops_are_refused():
    def change(s):
        s["module"]["attributes"].append(["act", {"function": ["builtins", "eval"]}])

    _load_refused(nn.Linear(2, 2), change, "nnscratch's functions.*builtins.eval")


@pytest.mark.parametrize(
    "node, match",
    [({"ref": 5}, "a reference in"), ({"ref": 0}, "reference to a Parameter"),
     ({"tensor": "weight", "requires_grad": True}, "Parameter node"),
     ({"parameter": "nope", "requires_grad": True}, "name of a tensor"),
     ({"parameter": "weight", "requires_grad": "yes"}, "true or false"),
     ({"module": {"class": ["x", "y"]}}, "Parameter node")],
    ids=str,
)  # fmt: skip
def test_malformed_parameter_nodes_are_refused(node, match):
    def change(s):
        s["module"]["parameters"][0][1] = node

    _load_refused(nn.Linear(2, 2), change, match)


@pytest.mark.parametrize(
    "change, match",
    [(lambda s: s["module"].pop("training"), "module node with the keys"),
     (lambda s: s["module"].update(training=1), "training as true or false"),
     (lambda s: s["module"].update(non_persistent=["weight"]), "names of buffers"),
     (lambda s: s["module"].update(non_persistent=[[1]]), "names of buffers"),
     (lambda s: s["module"]["parameters"].append(["weight", None]), "a new, short name"),
     (lambda s: s["module"].update(modules=[["x", {"dtype": "float32"}]]), "as a module node"),
     (lambda s: s["module"]["attributes"].append(["d", {"dtype": "object"}]), "dtype name"),
     (lambda s: s["module"]["attributes"].append(["d", {"device": "gpu9"}]), "device name"),
     (lambda s: s["module"].update(extra=1), "module node with the keys")],
    ids=["no training", "training int", "non persistent", "unhashable", "duplicate", "child",
         "dtype", "device", "extra key"],
)  # fmt: skip
def test_malformed_module_nodes_are_refused(change, match):
    _load_refused(nn.Linear(2, 2), change, match)


def test_deeply_nested_modules_are_refused():
    def change(s):
        node = s
        for _ in range(150):  # the file nests 600 deep: JSON reads it, the decoder stops
            node = {"module": {**s["module"], "modules": [["m", node]]}}
        return node

    _load_refused(nn.ReLU(), change, "nested at most 100 deep")


def test_a_module_may_refer_to_itself_and_nothing_runs_while_loading():
    calls = []

    class Loud(nn.Module):
        def __setattr__(self, name, value):
            calls.append(name)
            super().__setattr__(name, value)

    model = Loud()
    calls.clear()
    model_file = _tampered(model, lambda s: s["module"]["modules"].append(["me", {"ref": 0}]))
    loaded = ns.load(model_file, weights_only=False)
    assert loaded.me is loaded and calls == []
