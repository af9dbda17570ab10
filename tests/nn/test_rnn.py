"""RNN, LSTM, GRU and their cells against torch: torch's state_dict copied in, then outputs, final
states and the gradients of every parameter, the input and the initial states compared; names
and shapes, init, repr, dropout between layers, float64 gradcheck of the cells, errors."""

import math
import warnings

import numpy as np
import pytest
from parity import copy_torch_state, require_torch

import nnscratch as ns

nn = ns.nn
MODES = {  # name: (class name, extra constructor arguments)
    "rnn_tanh": ("RNN", {}),
    "rnn_relu": ("RNN", {"nonlinearity": "relu"}),
    "lstm": ("LSTM", {}),
    "gru": ("GRU", {}),
}
CONFIGS = [
    {},
    {"num_layers": 2},
    {"batch_first": True},
    {"bidirectional": True},
    {"bias": False},
    {"h0": True},
    {"unbatched": True},
    {"unbatched": True, "h0": True, "bidirectional": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True, "h0": True},
]
SEQ, BATCH, FEATURES, HIDDEN = 4, 3, 5, 6


def pair(mode, dtype="float64", **kwargs):
    """(ours, torch's) built alike, torch's weights copied into ours by state_dict name."""
    torch = require_torch()
    cls, extra = MODES[mode]
    theirs = getattr(torch.nn, cls)(FEATURES, HIDDEN, **extra, **kwargs).to(getattr(torch, dtype))
    ours = getattr(nn, cls)(FEATURES, HIDDEN, **extra, **kwargs).to(dtype=getattr(ns, dtype))
    copy_torch_state(ours, theirs)
    return ours, theirs


def inputs(rng, mode, config, dtype, directions_layers):
    """The input and, when asked, initial states as arrays, in the module's layout."""
    unbatched, batch_first = config.get("unbatched"), config.get("batch_first")
    shape = (SEQ, FEATURES) if unbatched else (SEQ, BATCH, FEATURES)
    if batch_first and not unbatched:
        shape = (BATCH, SEQ, FEATURES)
    arrays = [rng.standard_normal(shape)]
    if config.get("h0"):
        state = (directions_layers, HIDDEN) if unbatched else (directions_layers, BATCH, HIDDEN)
        arrays += [rng.standard_normal(state) for _ in range(2 if mode == "lstm" else 1)]
    return [a.astype(dtype) for a in arrays]


def run(lib, module, mode, arrays):
    """Forward with requires_grad inputs; returns (inputs, flat list of results)."""
    tensors = [lib.tensor(a, requires_grad=True) for a in arrays]
    x, *states = tensors
    hx = None if not states else (tuple(states) if mode == "lstm" else states[0])
    output, final = module(x) if hx is None else module(x, hx)
    finals = list(final) if mode == "lstm" else [final]
    return tensors, [output, *finals]


def compare(ours, theirs, mode, arrays, atol):
    """Outputs, finals, then gradients of inputs and every parameter for a random upstream."""
    torch = require_torch()
    our_in, our_out = run(ns, ours, mode, arrays)
    their_in, their_out = run(torch, theirs, mode, arrays)
    weights = [np.random.default_rng(7).standard_normal(tuple(t.shape)) for t in their_out]
    for k, (a, b) in enumerate(zip(our_out, their_out)):
        assert a.shape == tuple(b.shape), f"result {k}: shape {a.shape}, torch {tuple(b.shape)}"
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=atol, rtol=atol)
    sum((a * ns.tensor(w, dtype=a.dtype)).sum() for a, w in zip(our_out, weights)).backward()
    sum((b * torch.tensor(w, dtype=b.dtype)).sum() for b, w in zip(their_out, weights)).backward()
    for k, (a, b) in enumerate(zip(our_in, their_in)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol, rtol=atol,
                                   err_msg=f"gradient of input {k}")  # fmt: skip
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), their_params[name].grad.numpy(), atol=atol,
                                   rtol=atol, err_msg=f"gradient of {name}")  # fmt: skip


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(c) or "default")
def test_matches_torch(mode, config, rng):
    kwargs = {k: v for k, v in config.items() if k not in ("h0", "unbatched")}
    ours, theirs = pair(mode, **kwargs)
    count = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    compare(ours, theirs, mode, inputs(rng, mode, config, np.float64, count), atol=1e-10)


@pytest.mark.parametrize("mode", MODES)
def test_flatten_parameters_changes_nothing_and_outputs_still_match(mode, rng):
    """Scripts call ``flatten_parameters()`` before each forward (for cuDNN); it is a no-op."""
    ours, theirs = pair(mode, num_layers=2)
    before = {name: p.detach().numpy().copy() for name, p in ours.named_parameters()}
    ours.flatten_parameters()
    theirs.flatten_parameters()
    for name, p in ours.named_parameters():
        np.testing.assert_array_equal(p.detach().numpy(), before[name])
    compare(ours, theirs, mode, inputs(rng, mode, {}, np.float64, 2), atol=1e-10)


@pytest.mark.parametrize("mode", MODES)
def test_matches_torch_in_float32(mode, rng):
    ours, theirs = pair(mode, "float32", num_layers=2, bidirectional=True)
    compare(ours, theirs, mode, inputs(rng, mode, {"h0": True}, np.float32, 4), atol=2e-5)
    assert all(p.grad.dtype == np.float32 for p in ours.parameters())


@pytest.mark.parametrize("mode", MODES)
def test_eval_and_train_agree_without_dropout_and_eval_ignores_dropout(mode, rng):
    ours, theirs = pair(mode, num_layers=3, dropout=0.0)
    x = inputs(rng, mode, {}, np.float64, 3)
    compare(ours.eval(), theirs.eval(), mode, x, atol=1e-10)
    compare(ours.train(), theirs.train(), mode, x, atol=1e-10)
    ours, theirs = pair(mode, num_layers=2, dropout=0.5)
    compare(ours.eval(), theirs.eval(), mode, x, atol=1e-10)


@pytest.mark.parametrize("mode", MODES)
def test_dropout_one_zeroes_the_second_layers_input(mode, rng):
    """p = 1 is deterministic: the second layer sees zeros in training mode, as in torch."""
    ours, theirs = pair(mode, num_layers=2, dropout=1.0)
    compare(ours.train(), theirs.train(), mode, inputs(rng, mode, {}, np.float64, 2), atol=1e-10)


def test_dropout_statistics_between_layers():
    """A second relu layer that copies its input shows the mask: zeros with probability p,
    survivors scaled by 1 / (1 - p); fresh masks per call, repeatable under manual_seed."""
    p, size = 0.25, 64
    rnn = nn.RNN(size, size, num_layers=2, nonlinearity="relu", dropout=p)
    with ns.no_grad():
        rnn.weight_ih_l0.copy_(ns.tensor(np.eye(size)))
        rnn.weight_ih_l1.copy_(ns.tensor(np.eye(size)))
        for name in ("weight_hh_l0", "weight_hh_l1", "bias_ih_l0", "bias_hh_l0", "bias_ih_l1",
                     "bias_hh_l1"):  # fmt: skip
            getattr(rnn, name).zero_()
    x = ns.tensor(np.random.default_rng(0).uniform(1, 2, (50, 8, size)).astype(np.float32))
    ns.manual_seed(3)
    with ns.no_grad():  # (dropout acts in training mode, with or without autograd)
        out = rnn(x)[0].numpy()
        ratio = out / x.numpy()
        dropped = np.isclose(ratio, 0)
        assert abs(dropped.mean() - p) < 0.01  # 25,600 draws: the standard error is 0.0027
        np.testing.assert_allclose(ratio[~dropped], 1 / (1 - p), rtol=1e-6)
        ns.manual_seed(3)
        np.testing.assert_array_equal(rnn(x)[0].numpy(), out)
        assert not np.array_equal(rnn(x)[0].numpy(), out)
        np.testing.assert_allclose(rnn.eval()(x)[0].numpy(), x.numpy(), rtol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_empty_batch_and_sizes_of_one(mode, rng):
    ours, theirs = pair(mode)
    compare(ours, theirs, mode, [np.zeros((SEQ, 0, FEATURES))], atol=0)
    torch = require_torch()
    cls, extra = MODES[mode]
    theirs = getattr(torch.nn, cls)(1, 1, **extra, num_layers=2, bidirectional=True).double()
    ours = getattr(nn, cls)(1, 1, **extra, num_layers=2, bidirectional=True).double()
    copy_torch_state(ours, theirs)
    compare(ours, theirs, mode, [rng.standard_normal((1, 1, 1))], atol=1e-10)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"num_layers": 3, "bidirectional": True}, {"bias": False, "num_layers": 2}],
)
@pytest.mark.parametrize("mode", MODES)
def test_parameter_names_and_shapes_are_torchs(mode, kwargs):
    torch = require_torch()
    cls, extra = MODES[mode]
    theirs = getattr(torch.nn, cls)(FEATURES, HIDDEN, **extra, **kwargs)
    ours = getattr(nn, cls)(FEATURES, HIDDEN, **extra, **kwargs)
    assert [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()] == [
        (k, v.shape) for k, v in ours.state_dict().items()
    ]
    assert [[tuple(p.shape) for p in ws] for ws in theirs.all_weights] == [
        [p.shape for p in ws] for ws in ours.all_weights
    ]
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_init_is_uniform_within_one_over_sqrt_hidden_and_seeded(cls):
    hidden = 50
    ns.manual_seed(0)
    a = getattr(nn, cls)(30, hidden)
    ns.manual_seed(0)
    b = getattr(nn, cls)(30, hidden)
    bound = 1 / math.sqrt(hidden)
    values = np.concatenate([p.detach().numpy().ravel() for p in a.parameters()])
    assert values.dtype == np.float32 and np.abs(values).max() <= bound
    assert abs(values.std() - bound / math.sqrt(3)) < 0.01 * bound  # U(-b, b) has std b/sqrt(3)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


# ---- cells ---------------------------------------------------------------------------------

CELLS = {  # name: (class name, extra arguments, number of states)
    "rnn_tanh": ("RNNCell", {}, 1),
    "rnn_relu": ("RNNCell", {"nonlinearity": "relu"}, 1),
    "lstm": ("LSTMCell", {}, 2),
    "gru": ("GRUCell", {}, 1),
}


def cell_pair(name, **kwargs):
    torch = require_torch()
    cls, extra, _ = CELLS[name]
    theirs = getattr(torch.nn, cls)(FEATURES, HIDDEN, **extra, **kwargs).double()
    ours = getattr(nn, cls)(FEATURES, HIDDEN, **extra, **kwargs).double()
    copy_torch_state(ours, theirs)
    assert [k for k in ours.state_dict()] == [k for k in theirs.state_dict()]
    return ours, theirs


def cell_call(lib, cell, name, x, *states):
    hx = None if not states else (tuple(states) if CELLS[name][2] == 2 else states[0])
    out = cell(x) if hx is None else cell(x, hx)
    return list(out) if CELLS[name][2] == 2 else [out]


@pytest.mark.parametrize("name", CELLS)
@pytest.mark.parametrize(
    ("batched", "with_hx", "bias"),
    [(True, True, True), (True, False, True), (False, True, True), (False, False, False)],
)
def test_cells_match_torch(name, batched, with_hx, bias, rng):
    torch = require_torch()
    ours, theirs = cell_pair(name, bias=bias)
    lead = (BATCH,) if batched else ()
    arrays = [rng.standard_normal((*lead, FEATURES))]
    arrays += [rng.standard_normal((*lead, HIDDEN)) for _ in range(CELLS[name][2] * with_hx)]
    results = []
    for lib, cell in ((ns, ours), (torch, theirs)):
        tensors = [lib.tensor(a, requires_grad=True) for a in arrays]
        outs = cell_call(lib, cell, name, *tensors)
        weights = [np.random.default_rng(1).standard_normal(tuple(o.shape)) for o in outs]
        sum((o * lib.tensor(w)).sum() for o, w in zip(outs, weights)).backward()
        grads = [t.grad for t in tensors] + [p.grad for p in cell.parameters()]
        results.append([np.asarray(o.detach().numpy()) for o in outs + grads])
    for k, (a, b) in enumerate(zip(*results)):
        assert a.shape == b.shape, f"result {k}"
        np.testing.assert_allclose(a, b, atol=1e-10, rtol=1e-10, err_msg=f"result {k}")


@pytest.mark.parametrize("name", CELLS)
def test_cells_gradcheck(name, rng):
    cls, extra, count = CELLS[name]
    cell = getattr(nn, cls)(3, 2, **extra).double()
    x = ns.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    states = [ns.tensor(rng.standard_normal((2, 2)), requires_grad=True) for _ in range(count)]
    params = list(cell.parameters())

    def fn(x, *rest):
        outs = cell_call(ns, cell, name, x, *rest[:count])
        return outs[0] if count == 1 else outs[0] + 2 * outs[1]

    assert ns.autograd.gradcheck(fn, [x, *states, *params])


# ---- errors --------------------------------------------------------------------------------


def test_input_errors_name_the_layer_and_shapes():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"LSTM: expected input of 2 or 3 dimensions \(seq, "
                       r"batch, features\).*received shape \(5,\)"):  # fmt: skip
        lstm(ns.zeros(5))
    with pytest.raises(ValueError, match=r"\(batch, seq, features\).*shape \(1, 2, 3, 3\)"):
        nn.GRU(3, 4, batch_first=True)(ns.zeros(1, 2, 3, 3))
    with pytest.raises(RuntimeError, match=r"RNN: expected input with 3 features \(input_size\)"
                       r".*received shape \(5, 2, 2\)"):  # fmt: skip
        nn.RNN(3, 4)(ns.zeros(5, 2, 2))
    with pytest.raises(RuntimeError, match="sequence of length > 0"):
        lstm(ns.zeros(0, 2, 3))
    with pytest.raises(TypeError, match="LSTM: expected input of dtype float32.*float64"):
        lstm(ns.zeros(5, 2, 3, dtype=ns.float64))
    with pytest.raises(ValueError, match="received a list"):
        lstm([[1.0, 2.0, 3.0]])


def test_hidden_state_errors():
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = ns.zeros(5, 2, 3)
    expected = r"\(2, 2, 4\) \(num_layers \* num_directions, batch, hidden_size\)"
    with pytest.raises(RuntimeError, match=rf"LSTM: expected h0 of shape {expected}, received "
                       r"shape \(1, 2, 4\)"):  # fmt: skip
        lstm(x, (ns.zeros(1, 2, 4), ns.zeros(2, 2, 4)))
    with pytest.raises(RuntimeError, match=r"expected c0 of shape \(2, 2, 4\).*\(2, 3, 4\)"):
        lstm(x, (ns.zeros(2, 2, 4), ns.zeros(2, 3, 4)))
    with pytest.raises(TypeError, match=r"LSTM: expected hx as a tuple \(h0, c0\)"):
        lstm(x, ns.zeros(2, 2, 4))
    with pytest.raises(RuntimeError, match=r"GRU: expected hx of shape \(2, 4\) \(num_layers \* "
                       r"num_directions, hidden_size\) for unbatched input, received shape "
                       r"\(2, 1, 4\)"):  # fmt: skip
        nn.GRU(3, 4, bidirectional=True)(ns.zeros(5, 3), ns.zeros(2, 1, 4))
    with pytest.raises(TypeError, match="GRU: expected hx of dtype float32"):
        nn.GRU(3, 4)(x, ns.zeros(1, 2, 4, dtype=ns.float64))


def test_constructor_errors_and_warning():
    with pytest.raises(NotImplementedError, match="LSTM: proj_size=2.*not supported"):
        nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="RNN: unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="unknown nonlinearity 'sigmoid'"):
        nn.RNNCell(3, 4, nonlinearity="sigmoid")
    for bad in (1.5, -0.1, True):
        with pytest.raises(ValueError, match=r"dropout should be a number in range \[0, 1\]"):
            nn.GRU(3, 4, num_layers=2, dropout=bad)
    with pytest.raises(ValueError, match="LSTM: hidden_size must be an int >= 1, received 0"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match="num_layers must be an int >= 1"):
        nn.RNN(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="RNNBase: unrecognized mode 'ELMAN'"):
        nn.RNNBase("ELMAN", 3, 4)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.LSTM(3, 4, num_layers=2, dropout=0.5)


def test_cell_errors():
    cell = nn.LSTMCell(3, 4)
    with pytest.raises(ValueError, match=r"LSTMCell: expected input of 1 or 2 dimensions.*"
                       r"received shape \(1, 2, 3\)"):  # fmt: skip
        cell(ns.zeros(1, 2, 3))
    with pytest.raises(RuntimeError, match=r"LSTMCell: expected input with 3 features"):
        cell(ns.zeros(2, 5))
    with pytest.raises(RuntimeError, match=r"LSTMCell: expected h of shape \(2, 4\) \(batch, "
                       r"hidden_size\), received shape \(3, 4\)"):  # fmt: skip
        cell(ns.zeros(2, 3), (ns.zeros(3, 4), ns.zeros(3, 4)))
    with pytest.raises(TypeError, match=r"LSTMCell: expected hx as a tuple \(h, c\)"):
        cell(ns.zeros(2, 3), ns.zeros(2, 4))
    with pytest.raises(RuntimeError, match=r"GRUCell: expected hx of shape \(4,\) \(hidden_size,"
                       r"\) for unbatched input, received shape \(2, 4\)"):  # fmt: skip
        nn.GRUCell(3, 4)(ns.zeros(3), ns.zeros(2, 4))
