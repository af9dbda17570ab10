"""Connectionist temporal classification (Graves et al., 2006), composed from nnscratch ops.

``y_pred`` holds logits of shape ``(batch, time, classes)``; ``y_true`` integer labels of
shape ``(batch, max_length)``, packed at the front of each row and padded with 0, which is
also the blank class (Keras's ``mask_index``). The loss of a row is ``-log`` of the total
probability of every frame-by-frame path that collapses (merge repeats, drop blanks) to its
labels, summed by the forward recursion in log space over the labels with blanks between
them. Each step is a log-sum-exp of at most three predecessors, so the gradient comes from
the ops' own derivatives. A row whose labels cannot fit in ``time`` frames gets ``inf``.

>>> import numpy as np, nnscratch as ns
>>> logits = ns.tensor(np.zeros((1, 2, 2)))  # two frames, uniform over {blank, 1}
>>> round(ctc([[1]], logits).item(), 4)  # paths "1 1", "1 -", "- 1": -log(3/4)
0.2877
"""

from __future__ import annotations

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from .functions import _float_tensor
from .loss import Loss, LossFunctionWrapper

__all__ = ["ctc", "CTC"]

_NONE = -1e30  # log of "no path": exp underflows to exactly 0, and sums stay finite


def _extended(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's labels with blanks around and between them (``- a - b -``), padded with
    blanks to the longest; the allowed skips (over a blank, between different labels); and
    each row's extended length ``2 L + 1``."""
    lengths = (labels != 0).sum(-1)
    ext = np.zeros((len(labels), 2 * labels.shape[1] + 1), np.int64)
    ext[:, 1::2] = labels
    previous = np.concatenate([np.zeros_like(ext[:, :2]), ext[:, :-2]], 1)
    skip = (ext != 0) & (ext != previous)
    skip[:, :2] = False
    return ext, skip, 2 * lengths + 1


def _shift(x: Tensor, by: int) -> Tensor:
    """``x`` moved ``by`` places right along the last axis, "no path" coming in."""
    return ops.pad(x, (by, 0), value=_NONE)[..., : x.shape[-1]]


def ctc(y_true, y_pred) -> Tensor:
    """The CTC loss of each row (see the module docstring), as Keras's ``ctc``."""
    y_pred = _float_tensor(y_pred)
    labels = np.asarray(y_true).astype(np.int64)
    if labels.ndim != 2 or y_pred.ndim != 3:
        raise ValueError(
            "ctc expects y_true of shape (batch_size, max_length) and y_pred of shape "
            f"(batch_size, time, num_classes), received y_true.shape={labels.shape} and "
            f"y_pred.shape={y_pred.shape}"
        )
    ext, skip, lengths = _extended(labels)
    log_p = ops.log_softmax(y_pred, -1)
    index = np.broadcast_to(ext[:, None, :], (y_pred.shape[0], y_pred.shape[1], ext.shape[1]))
    emit = ops.take_along_dim(log_p, Tensor(np.ascontiguousarray(index)), 2)  # (B, T, S)
    start = np.full(ext.shape, _NONE, y_pred.dtype)
    start[:, :2] = 0.0
    alpha = emit[:, 0] + start
    for t in range(1, y_pred.shape[1]):
        two_back = ops.where(skip, _shift(alpha, 2), _NONE)
        alpha = ops.logsumexp(ops.stack([alpha, _shift(alpha, 1), two_back], -1), -1)
        alpha = alpha + emit[:, t]
    ends = np.stack([lengths - 1, np.maximum(lengths - 2, 0)], 1)
    last = ops.take_along_dim(alpha, Tensor(ends), 1)
    last = ops.where(np.stack([lengths > 0, lengths > 1], 1), last, _NONE)
    loss = -ops.logsumexp(last, 1)
    return ops.where(loss._data > -_NONE / 2, np.inf, loss)


class CTC(LossFunctionWrapper):
    """The CTC loss (see ``ctc``)."""

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction=reduction, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
