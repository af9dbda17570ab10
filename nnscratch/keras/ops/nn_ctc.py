"""``keras.ops`` nn part: connectionist temporal classification (Graves et al., 2006).

``ctc_loss`` runs the forward (alpha) recursion in log space over the label sequence with a
blank between labels and at both ends, one time step at a time, for the whole batch at once;
each step is a few differentiable ops, so the gradient comes from autograd. Impossible paths
hold a large negative number instead of ``-inf``, which keeps every gradient finite.
``ctc_decode`` decodes greedily (the most likely class per step, repeats merged, blanks
dropped). Both compute in float32 for float64 inputs, as Keras's own type promotion does.

>>> import numpy as np
>>> from nnscratch.keras import ops
>>> logits = np.log(np.array([[[0.1, 0.9], [0.1, 0.9]]]))
>>> loss = ops.ctc_loss(np.array([[1]]), logits, np.array([1]), np.array([2]))
>>> round(float(np.exp(-loss.item())), 6)  # "11", "01" and "10" all read "1"
0.99
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.dtypes import to_dtype
from nnscratch.autograd.tensor import Tensor

from .arguments import float_tensor, tensor_arg
from .dtype_rules import result_type
from .symbolic import symbolic

__all__ = ["ctc_loss", "ctc_decode"]

_IMPOSSIBLE = -1e30  # log-probability of a path that cannot happen (finite: no NaN gradients)


def _extended_labels(target: np.ndarray, blank: int) -> np.ndarray:
    """Each label sequence with ``blank`` before, between and after its labels."""
    batch, length = target.shape
    extended = np.full((batch, 2 * length + 1), blank, dtype=np.int64)
    extended[:, 1::2] = target
    return extended


def _skip_allowed(extended: np.ndarray, blank: int) -> np.ndarray:
    """Where a path may jump two places: onto a label that differs from the one two back."""
    allowed = np.zeros(extended.shape, dtype=bool)
    allowed[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
    return allowed


def _shift(alpha: Tensor, k: int) -> Tensor:
    """``alpha`` moved ``k`` places right along the labels, impossible values coming in."""
    pad = ns.full((alpha.shape[0], k), _IMPOSSIBLE, dtype=alpha.dtype)
    return ns.cat([pad, alpha[:, :-k]], dim=1)


@symbolic
def ctc_loss(target, output, target_length, output_length, mask_index=0) -> Tensor:
    """The negative log-likelihood of each ``target`` label sequence (``(batch, max_labels)``,
    padded) under the per-step class ``output`` logits (``(batch, steps, classes)``), summed
    over every alignment; ``mask_index`` is the blank class."""
    output = float_tensor(output, "ctc_loss", "output")
    labels = tensor_arg(target, "ctc_loss", "target").numpy().astype(np.int64)
    label_len = tensor_arg(target_length, "ctc_loss", "target_length").numpy().astype(np.int64)
    steps = tensor_arg(output_length, "ctc_loss", "output_length").numpy().astype(np.int64)
    if output.ndim != 3 or labels.ndim != 2 or labels.shape[0] != output.shape[0]:
        raise ValueError(
            f"keras.ops.ctc_loss: expected output (batch, steps, classes) and target "
            f"(batch, labels), received {tuple(output.shape)} and {labels.shape}"
        )
    log_p = ns.log_softmax(output.to(to_dtype(result_type(output.dtype, "float32"))), dim=-1)
    extended = _extended_labels(labels, mask_index)
    index = ns.from_numpy(extended)
    skip = ns.from_numpy(_skip_allowed(extended, mask_index))
    positions = np.arange(extended.shape[1])
    start = ns.from_numpy(np.broadcast_to(positions < 2, extended.shape).copy())
    impossible = ns.full(extended.shape, _IMPOSSIBLE, dtype=log_p.dtype)
    alpha = ns.where(start, ns.take_along_dim(log_p[:, 0], index, dim=1), impossible)
    for t in range(1, output.shape[1]):
        paths = ns.stack([alpha, _shift(alpha, 1), ns.where(skip, _shift(alpha, 2), impossible)])
        stepped = ns.logsumexp(paths, dim=0) + ns.take_along_dim(log_p[:, t], index, dim=1)
        running = ns.from_numpy((t < steps)[:, None])
        alpha = ns.where(running, stepped, alpha)  # a shorter sequence keeps its last alpha
    ends = np.stack([2 * label_len, 2 * label_len - 1], axis=1)
    final = ns.take_along_dim(alpha, ns.from_numpy(np.maximum(ends, 0)), dim=1)
    final = ns.where(ns.from_numpy(ends >= 0), final, ns.full_like(final, _IMPOSSIBLE))
    return -ns.logsumexp(final, dim=1)


def _greedy(best: np.ndarray, lengths: np.ndarray, merge_repeated: bool, blank: int):
    """Per sequence: the best class per step within its length, repeats merged, blanks
    dropped, moved to the front and padded with -1."""
    batch, steps = best.shape
    best = np.where(np.arange(steps)[None, :] < lengths[:, None], best, blank)
    if merge_repeated:
        repeat = np.zeros_like(best, dtype=bool)
        repeat[:, 1:] = best[:, 1:] == best[:, :-1]
        best = np.where(repeat, blank, best)
    decoded = np.full((batch, steps), -1, dtype=np.int32)
    for b in range(batch):
        kept = best[b][best[b] != blank]
        decoded[b, : len(kept)] = kept
    return decoded


@symbolic
def ctc_decode(
    inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
    merge_repeated=True, mask_index=0,
):  # fmt: skip
    """Greedy CTC decoding of ``(batch, steps, classes)`` scores: ``(decoded, scores)`` with
    ``decoded`` of shape ``(1, batch, steps)`` (-1 padded, int32) and ``scores`` the negated
    sum of each step's best score, ``(batch, 1)``."""
    if strategy == "beam_search":
        raise NotImplementedError("keras.ops.ctc_decode: strategy='beam_search' is not built")
    if strategy != "greedy":
        raise ValueError(f"keras.ops.ctc_decode: strategy must be 'greedy', received {strategy!r}")
    x = float_tensor(inputs, "ctc_decode", "inputs")
    x = x.to(to_dtype(result_type(x.dtype, "float32")))
    lengths = tensor_arg(sequence_lengths, "ctc_decode", "sequence_lengths").numpy()
    best = x.detach().numpy().argmax(axis=-1)
    blank = mask_index if mask_index is not None else x.shape[-1] - 1
    inside = ns.from_numpy(np.arange(x.shape[1])[None, :] < lengths[:, None])
    top = x.amax(dim=-1)
    scores = -ns.where(inside, top, ns.zeros_like(top)).sum(dim=1, keepdim=True)
    decoded = _greedy(best, lengths.astype(np.int64), merge_repeated, blank)
    return ns.from_numpy(decoded[None]), scores
