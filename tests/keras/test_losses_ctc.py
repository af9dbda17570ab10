"""keras.losses.ctc / CTC against real Keras 3 (torch backend), and, in float64 (which Keras
computes in float32), against torch's own CTC: values, gradients w.r.t. the logits (torch
autograd), reductions, sample weights, labels that cannot fit, the config and the names.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
torch = pytest.importorskip("torch") if not os.environ.get("CI") else __import__("torch")


def _ours(fn, y, p, upstream):
    p = ns.tensor(p, requires_grad=True)
    out = fn(y, p)
    (
        out * ns.tensor(np.broadcast_to(upstream, out.shape).astype(out.dtype).copy())
    ).sum().backward()
    return out.detach().numpy(), p.grad.numpy()


def _keras(fn, y, p, upstream):
    p = torch.tensor(p, requires_grad=True)
    out = fn(torch.tensor(y), p)
    up = torch.tensor(np.broadcast_to(upstream, tuple(out.shape)).copy()).to(out.dtype)
    (out * up).sum().backward()
    return out.detach().numpy(), p.grad.numpy()


# ---- CTC: the forward recursion over label alignments -----------------------------------------
CTC_LABELS = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [0, 0, 0, 0], [2, 3, 1, 3]])  # 0: padding


def _torch_ctc(y, p):
    """torch's own CTC in the input's dtype (Keras 3.15 computes float64 input in float32)."""
    log_p = torch.log_softmax(p, -1).transpose(0, 1)
    frames = torch.full((len(y),), p.shape[1], dtype=torch.long)
    return torch.nn.functional.ctc_loss(
        log_p, y, frames, (y != 0).sum(-1), blank=0, reduction="none"
    )


@pytest.mark.parametrize("frames", [8, 1], ids=["8-frames", "1-frame"])
def test_ctc_function_matches_keras(frames, rng):
    labels = CTC_LABELS if frames > 1 else CTC_LABELS[1:3, :1]  # one frame fits one label
    logits = (2 * rng.standard_normal((len(labels), frames, 4))).astype(np.float32)
    upstream = rng.standard_normal(len(labels))
    ours = _ours(nk.losses.ctc, labels, logits, upstream)
    theirs = _keras(keras.losses.ctc, labels, logits, upstream)
    # the recursion's log-sum-exps run in another order than torch's kernel: over T frames
    # and 2L + 1 states the float32 round-off reaches ~3e-6 of the loss
    (v1, g1), (v2, g2) = ours, theirs
    assert v1.dtype == v2.dtype == np.float32
    assert_close(v1, v2, rtol=1e-5)
    assert_close(g1, g2, rtol=1e-5)


@pytest.mark.parametrize("frames", [8, 1], ids=["8-frames", "1-frame"])
def test_ctc_keeps_float64_against_torch_ctc(frames, rng):
    """Keras casts float64 logits to float32 for its CTC; ours keeps float64, checked against
    torch's CTC in float64."""
    labels = CTC_LABELS if frames > 1 else CTC_LABELS[1:3, :1]
    logits = 2 * rng.standard_normal((len(labels), frames, 4))
    upstream = rng.standard_normal(len(labels))
    ours = _ours(nk.losses.ctc, labels, logits, upstream)
    theirs = _keras(_torch_ctc, labels, logits, upstream)
    assert ours[0].dtype == np.float64
    for a, b in zip(ours, theirs):
        assert_close(a, b)


def test_ctc_labels_that_cannot_fit_cost_inf_like_keras(rng):
    labels = np.array([[1, 1, 1], [2, 0, 0]])  # 1 1 1 needs 5 frames (blanks between repeats)
    logits = rng.standard_normal((2, 4, 3))
    ours = nk.losses.ctc(labels, ns.tensor(logits)).numpy()
    theirs = keras.losses.ctc(torch.tensor(labels), torch.tensor(logits)).numpy()
    assert np.isinf(ours[0]) and np.isinf(theirs[0])
    assert_close(ours[1], theirs[1])


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
@pytest.mark.parametrize("weighted", [False, True])
def test_ctc_class_matches_keras(reduction, weighted, rng):
    logits = rng.standard_normal((len(CTC_LABELS), 9, 4)).astype(np.float32)
    w = rng.uniform(0, 2, len(CTC_LABELS)) if weighted else None
    ours_loss, theirs_loss = nk.losses.CTC(reduction=reduction), keras.losses.CTC(reduction)
    out = theirs_loss(CTC_LABELS, logits, sample_weight=w)
    upstream = rng.standard_normal(tuple(out.shape))
    ours = _ours(lambda a, b: ours_loss(a, b, sample_weight=w), CTC_LABELS, logits, upstream)
    theirs = _keras(lambda a, b: theirs_loss(a, b, sample_weight=w), CTC_LABELS, logits, upstream)
    for a, b in zip(ours, theirs):  # float32 recursion in another order (see above)
        assert_close(a, b, rtol=1e-5)


def test_ctc_refuses_wrong_ranks():
    with pytest.raises(ValueError, match=r"ctc expects y_true of shape \(batch_size, max_len"):
        nk.losses.ctc(np.ones(3), np.zeros((3, 4, 2)))


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum", "name": "seq"}])
def test_ctc_config_matches_keras_and_round_trips(kwargs):
    ours = nk.losses.CTC(**kwargs)
    assert ours.get_config() == keras.losses.CTC(**kwargs).get_config()
    again = nk.losses.deserialize(nk.losses.serialize(ours))
    assert type(again) is nk.losses.CTC and again.get_config() == ours.get_config()


def test_ctc_names_resolve_like_keras():
    assert type(nk.losses.get("CTC")) is nk.losses.CTC
    assert nk.losses.get("ctc") is nk.losses.ctc
    assert keras.losses.get("ctc").__name__ == "ctc"
