"""pytorch/examples word_language_model (data.py, model.py, main.py), walked with torch and
with nnscratch on a tiny corpus: the recurrent models (LSTM, GRU, RNN with tanh and relu,
tied weights) trained by hand-written SGD with gradient clipping, and the Transformer model
(``nn.Transformer`` subclassed, a positional-encoding buffer, a causal mask from
``log(tril(ones))``) compared in eval mode, where its dropout is off.

Training runs are in float64 and compared to rtol 1e-10: a few SGD steps carry each step's
summation-order rounding forward, far below what a wrong formula would show.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from script_pairs import rnn_model_class, run_both, start_from, state_of

TRAINING = {"rtol": 1e-10, "atol": 1e-10}  # float64, a few steps (module docstring)
TEXT = {
    "train": "the cat sat on the mat\nthe dog sat on the log\na cat and a dog\n" * 2,
    "valid": "the dog sat on the mat\na cat sat\n",
}


def _corpus(torch, folder):
    """Follows data.py: a dictionary of words, and each file as one int64 tensor of ids."""
    words = {}
    ids = {}
    for name, text in TEXT.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf8")
        lines = []
        with open(folder / f"{name}.txt", encoding="utf8") as f:
            for line in f:
                tokens = [words.setdefault(w, len(words)) for w in line.split() + ["<eos>"]]
                lines.append(torch.tensor(tokens).type(torch.int64))
        ids[name] = torch.cat(lines)
    return words, ids


def _rnn_model(torch, rnn_type, ntoken, ninp=6, nhid=6, nlayers=2, dropout=0.0, tie=False):
    return rnn_model_class(torch)(rnn_type, ntoken, ninp, nhid, nlayers, dropout, tie)


def _batchify(torch, data, bsz, device):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous().to(device)


def _repackage_hidden(torch, h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(_repackage_hidden(torch, v) for v in h)


def _get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i : i + seq_len], source[i + 1 : i + 1 + seq_len].view(-1)


def _walk_rnn_language_model(torch, folder, rnn_type, tie=False, start=None, bptt=5):
    """Follows word_language_model/main.py with an RNN model (model.py's RNNModel)."""
    torch.manual_seed(1111)
    device = torch.device("cpu")
    words, ids = _corpus(torch, folder)
    train_data = _batchify(torch, ids["train"], 3, device)
    val_data = _batchify(torch, ids["valid"], 2, device)
    ntokens = len(words)
    model = _rnn_model(torch, rnn_type, ntokens, tie=tie).double().to(device)
    seen = {"start": start_from(torch, model, start), "shapes": tuple(train_data.shape)}
    seen["n parameters"] = len(list(model.parameters()))
    criterion = torch.nn.NLLLoss()
    lr, best_val_loss, seen["train"], seen["valid"] = 4.0, None, [], []

    def evaluate(data_source):
        model.eval()
        total_loss = 0.0
        hidden = model.init_hidden(2)
        with torch.no_grad():
            for i in range(0, data_source.size(0) - 1, bptt):
                data, targets = _get_batch(data_source, i, bptt)
                output, hidden = model(data, hidden)
                hidden = _repackage_hidden(torch, hidden)
                total_loss += len(data) * criterion(output, targets).item()
        return total_loss / (len(data_source) - 1)

    for _ in range(2):
        model.train()
        hidden = model.init_hidden(3)
        for _, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
            data, targets = _get_batch(train_data, i, bptt)
            model.zero_grad()
            hidden = _repackage_hidden(torch, hidden)
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            seen["train"].append((loss.item(), norm))
        val_loss = evaluate(val_data)
        seen["valid"].append((val_loss, math.exp(val_loss)))
        if not best_val_loss or val_loss < best_val_loss:
            with open(folder / f"{torch.__name__}-model.pt", "wb") as f:
                torch.save(model.state_dict(), f)
            best_val_loss = val_loss
        else:
            lr /= 4.0
    safe = [torch.nn.modules.rnn.LSTM, torch.nn.modules.rnn.GRU, torch.nn.modules.rnn.RNN]
    safe += [torch.nn.modules.sparse.Embedding, torch.nn.modules.linear.Linear]
    with open(folder / f"{torch.__name__}-model.pt", "rb") as f:
        with torch.serialization.safe_globals(safe + [torch.nn.modules.dropout.Dropout]):
            model.load_state_dict(torch.load(f))
    model.rnn.flatten_parameters()
    seen["reloaded"] = (evaluate(val_data), state_of(model), lr)
    return seen


@pytest.mark.parametrize("rnn_type", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
def test_rnn_language_model(tmp_path, rnn_type):
    run_both(_walk_rnn_language_model, tmp_path, rnn_type, **TRAINING)


def test_rnn_language_model_with_tied_weights(tmp_path):
    ours, _ = run_both(_walk_rnn_language_model, tmp_path, "LSTM", tie=True, **TRAINING)
    assert ours["n parameters"] == 1 + 8 + 1  # the tied weight is listed once


def _transformer_model(torch, ntoken, ninp=8, nhead=2, nhid=12, nlayers=2, dropout=0.5):
    nn, F = torch.nn, torch.nn.functional

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model, dropout=0.1, max_len=50):
            super().__init__()
            self.dropout = nn.Dropout(p=dropout)
            pe = torch.zeros(max_len, d_model)
            position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
            scale = -math.log(10000.0) / d_model
            div_term = torch.exp(torch.arange(0, d_model, 2).float() * scale)
            pe[:, 0::2] = torch.sin(position * div_term)
            pe[:, 1::2] = torch.cos(position * div_term)
            self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

        def forward(self, x):
            return self.dropout(x + self.pe[: x.size(0), :])

    class TransformerModel(nn.Transformer):
        def __init__(self):
            super().__init__(
                d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers
            )
            self.src_mask = None
            self.pos_encoder = PositionalEncoding(ninp, dropout)
            self.input_emb = nn.Embedding(ntoken, ninp)
            self.ninp = ninp
            self.decoder = nn.Linear(ninp, ntoken)
            nn.init.uniform_(self.input_emb.weight, -0.1, 0.1)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

        def forward(self, src, has_mask=True):
            if has_mask:
                if self.src_mask is None or self.src_mask.size(0) != len(src):
                    size = len(src)
                    self.src_mask = torch.log(torch.tril(torch.ones(size, size))).to(src.device)
            else:
                self.src_mask = None
            src = self.pos_encoder(self.input_emb(src) * math.sqrt(self.ninp))
            output = self.encoder(src, mask=self.src_mask)
            return F.log_softmax(self.decoder(output), dim=-1)

    return TransformerModel()


def _walk_transformer_language_model(torch, folder, start=None, bptt=4):
    """Follows word_language_model/main.py and model.py with ``--model Transformer``, in
    eval mode (the model's dropout draws are random in train mode)."""
    words, ids = _corpus(torch, folder)
    train_data = _batchify(torch, ids["train"], 3, torch.device("cpu"))
    ntokens = len(words)
    model = _transformer_model(torch, ntokens).double()
    seen = {
        "start": start_from(torch, model, start),
        "buffers": [n for n, _ in model.named_buffers()],
    }
    model.eval()
    criterion = torch.nn.NLLLoss()
    seen["losses"] = []
    for i in range(0, 2 * bptt, bptt):
        data, targets = _get_batch(train_data, i, bptt)
        model.zero_grad()
        output = model(data).view(-1, ntokens)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        for p in model.parameters():
            if p.grad is not None:
                p.data.add_(p.grad, alpha=-1.0)
        seen["losses"].append(loss.item())
    seen["mask"] = model.src_mask
    seen["unmasked"] = model(data, has_mask=False)
    seen["end"] = state_of(model)
    return seen


def test_transformer_language_model(tmp_path):
    ours, _ = run_both(_walk_transformer_language_model, tmp_path, **TRAINING)
    assert ours["buffers"] == ["pos_encoder.pe"]
    assert np.isneginf(ours["mask"].numpy()[0, 1])
