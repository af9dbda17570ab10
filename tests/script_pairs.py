"""Helpers for the script-walk tests (``tests/torch_compat/test_scripts_*.py``).

Each of those tests writes one function, ``walk(torch, ...)``, that makes the calls a public
tutorial script makes, in its order, on small data, with its module argument named ``torch``.
The function runs twice: once with real torch (the oracle), once with nnscratch. It returns
what the script would print or use (losses, shapes, dtypes, parameters) as a nested dict,
and :func:`assert_same` compares the two dicts.

Random draws cannot match torch's, so a walk never compares them: data comes from NumPy, and
a model's starting weights are torch's, handed to the nnscratch run (``start=``).
"""

from __future__ import annotations

import re

import numpy as np
from parity import require_torch
from tolerance import assert_close

import nnscratch as ns


def to_numpy(value) -> np.ndarray:
    """A tensor of either library as a NumPy array (a copy, so later in-place ops don't show)."""
    return np.array(value.detach().cpu().numpy(), copy=True)


def is_tensor(value) -> bool:
    return isinstance(value, ns.Tensor) or type(value).__module__.startswith("torch")


def dtype_name(dtype) -> str:
    """``torch.float64`` and nnscratch's ``float64`` both as ``"float64"``."""
    return str(dtype).removeprefix("torch.")


def node_name(grad_fn) -> str | None:
    """A graph node's name without torch's version digit: ``AddBackward0`` -> ``AddBackward``."""
    return None if grad_fn is None else re.sub(r"\d+$", "", grad_fn.name())


def shown(value) -> str:
    """What ``print`` shows for ``value``, with torch's spellings that nnscratch does not
    share taken out: the ``torch.`` of dtypes and the version digit of graph nodes. Used
    only on exactly representable values, whose printed digits cannot differ."""
    return re.sub(r"(Backward)\d+", r"\1", str(value).replace("torch.", ""))


def state_of(module) -> dict[str, np.ndarray]:
    return {k: to_numpy(v) for k, v in module.state_dict().items()}


def load_state(torch, module, state: dict[str, np.ndarray]) -> None:
    """Load a NumPy state dict into ``module`` of library ``torch`` (either one)."""
    module.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})


def start_from(torch, module, start):
    """The starting weights of a walk: torch's own (``start`` is None), recorded, or the
    recorded ones loaded into the nnscratch model. Returns the state used."""
    if start is not None:
        load_state(torch, module, start)
    return state_of(module)


def tensors(torch, *arrays, requires_grad: bool = False):
    """NumPy arrays as tensors of library ``torch``, copied (the two runs must not share)."""
    out = [torch.from_numpy(np.array(a, copy=True)) for a in arrays]
    if requires_grad:
        for t in out:
            t.requires_grad_(True)
    return out[0] if len(out) == 1 else out


def assert_same(ours, theirs, rtol=None, atol=None, path: str = "") -> None:
    """Recursively compare what two walks returned: tensors by shape, dtype and values (the
    suite's tolerance unless ``rtol``/``atol`` are given), floats by value, the rest by ``==``."""
    where = path or "result"
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), f"{where}: {type(ours).__name__}, torch gives a dict"
        assert list(ours) == list(theirs), f"{where}: keys {list(ours)} != {list(theirs)}"
        for key in theirs:
            assert_same(ours[key], theirs[key], rtol, atol, f"{path}.{key}" if path else key)
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), f"{where}: length {len(ours)} != {len(theirs)}"
        for k, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, rtol, atol, f"{where}[{k}]")
    elif is_tensor(theirs) or isinstance(theirs, np.ndarray):
        a = to_numpy(ours) if is_tensor(ours) else np.asarray(ours)
        b = to_numpy(theirs) if is_tensor(theirs) else theirs
        assert a.shape == b.shape, f"{where}: shape {a.shape}, torch {b.shape}"
        assert a.dtype == b.dtype, f"{where}: dtype {a.dtype}, torch {b.dtype}"
        if b.dtype.kind in "fc":
            assert_close(a, b, rtol=rtol, atol=atol, err_msg=f"{where} differs from torch")
        else:
            np.testing.assert_array_equal(a, b, err_msg=f"{where} differs from torch")
    elif isinstance(theirs, float):
        assert isinstance(ours, (float, int)), f"{where}: {type(ours).__name__}, torch a float"
        assert_close(ours, theirs, rtol=rtol, atol=atol, err_msg=f"{where} differs from torch")
    else:
        assert ours == theirs, f"{where}: {ours!r}, torch {theirs!r}"


def run_both(walk, *args, rtol=None, atol=None, **kwargs):
    """Walk with torch, then with nnscratch from torch's starting weights (the ``start`` that
    torch's walk returns, if any); compare. Returns (ours, theirs)."""
    torch = require_torch()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small work: torch's second thread only spins on a busy machine
    try:
        theirs = walk(torch, *args, **kwargs)
    finally:
        torch.set_num_threads(threads)
    if isinstance(theirs, dict) and "start" in theirs:
        kwargs["start"] = theirs["start"]
    ours = walk(ns, *args, **kwargs)
    assert_same(ours, theirs, rtol=rtol, atol=atol)
    return ours, theirs


def rnn_model_class(torch):
    """pytorch/examples word_language_model/model.py's ``RNNModel`` (its ``init_weights``
    included), for library ``torch`` (either one)."""
    nn, F = torch.nn, torch.nn.functional

    class RNNModel(nn.Module):
        def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie=False):
            super().__init__()
            self.ntoken = ntoken
            self.drop = nn.Dropout(dropout)
            self.encoder = nn.Embedding(ntoken, ninp)
            if rnn_type in ["LSTM", "GRU"]:
                self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
            else:
                nonlinearity = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[rnn_type]
                self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
            self.decoder = nn.Linear(nhid, ntoken)
            if tie:
                self.decoder.weight = self.encoder.weight
            self.init_weights()
            self.rnn_type, self.nhid, self.nlayers = rnn_type, nhid, nlayers

        def init_weights(self):
            nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

        def forward(self, input, hidden):
            emb = self.drop(self.encoder(input))
            output, hidden = self.rnn(emb, hidden)
            decoded = self.decoder(self.drop(output)).view(-1, self.ntoken)
            return F.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz):
            weight = next(self.parameters())
            if self.rnn_type == "LSTM":
                return (
                    weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid),
                )
            return weight.new_zeros(self.nlayers, bsz, self.nhid)

    return RNNModel
