"""Running a recurrence over masked sequences with the whole-sequence ops, exactly as Keras steps.

Keras skips a masked step: the states carry over unchanged, and the output repeats the one
before (zeros before the first kept step, or zeros at every masked step with
``zero_output_for_mask``). Skipping steps is the same as running each row on its kept steps
only, moved to the front ("compacted"), then reading each step's output from the row's latest
kept step. So one run of the whole-sequence op over the compacted batch gives every output,
and the final output state (the output at each row's last kept step): gathers put them back in
the rows' and steps' places, differentiably, through the existing indexing and joining ops.

A state that is not an output (an LSTM's c) exists only at the end of a run. For it
(``split``), the rows are sorted from longest to shortest, so the rows still running at a step
are a prefix of the batch; the sequence is cut where some row ends, and each piece runs on the
rows still running, from the states the piece before left: one run per distinct length, every
kept step computed once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.creation import zeros
from ...ops.movement import cat

__all__ = ["run_masked"]

Runner = Callable[[Tensor, list], tuple]  # (x (T, B, I), states) -> (outputs (T, B, H), finals)


def run_masked(
    run: Runner,
    x: Tensor,
    states: list[Tensor],
    mask: np.ndarray,
    zero_output: bool = False,
    last_only: bool = False,
    split: bool = False,
) -> tuple[Tensor, list]:
    """``run`` over time-major ``x`` (T, B, I) from ``states`` (each (B, H), the output's
    first) with the boolean ``mask`` (B, T) (True: keep the step); returns the outputs (T, B,
    H), or (1, B, H) for the last step only with ``last_only``, and the final states: all of
    them with ``split``, else the first only (the others None).

    >>> import nnscratch as ns
    >>> def running_sum(x, states):  # a toy recurrence: h_t = h_{t-1} + x_t
    ...     outs, h = [], states[0]
    ...     for t in range(len(x)):
    ...         h = h + x[t]
    ...         outs.append(h)
    ...     return ns.stack(outs), [h]
    >>> x = ns.tensor([[[1.0], [10.0]], [[2.0], [20.0]], [[3.0], [30.0]]])  # T=3, B=2
    >>> mask = np.array([[True, False, True], [False, True, False]])
    >>> out, (h,) = run_masked(running_sum, x, [ns.ones(2, 1)], mask)
    >>> out[:, :, 0].tolist(), h[:, 0].tolist()
    ([[2.0, 0.0], [2.0, 21.0], [5.0, 21.0]], [5.0, 21.0])
    """
    batch = mask.shape[0]
    counts = mask.sum(axis=1)
    order = np.argsort(-counts, kind="stable")  # the longest rows first
    lengths = counts[order]
    if split:
        ends = np.unique(lengths[lengths > 0])  # each piece runs up to one of these
        running = [int(np.count_nonzero(lengths >= end)) for end in ends]
    else:
        ends, running = lengths[:1][lengths[:1] > 0], [batch]
    xc = _compacted(x, mask, order, int(lengths[0]))
    pieces, finals = _run_pieces(run, xc, [s[order] for s in states], ends, running)
    zero = zeros(1, states[0].shape[-1], dtype=states[0].dtype)  # the output before any step
    table = cat([zero] + [p.reshape(-1, zero.shape[1]) for p in pieces] + [states[0]])
    latest = _output_rows(mask, order, ends, running)  # (B, T): each step's row of table
    rows = np.where(mask, latest, 0) if zero_output else latest
    rows = rows[:, -1:] if last_only else rows
    outputs = table[rows.T.ravel()].reshape(rows.shape[1], batch, zero.shape[1])
    if split:
        return outputs, _gather_finals(finals, states, order, running)
    starts = len(table) - batch + np.arange(batch)  # a row keeping no step keeps its state
    last = table[np.where(counts > 0, latest[:, -1], starts)]
    return outputs, [last] + [None] * (len(states) - 1)


def _compacted(x: Tensor, mask: np.ndarray, order: np.ndarray, longest: int) -> Tensor:
    """(longest, B, I): row s (the s-th longest) holds its kept steps first, in order."""
    steps, batch, features = x.shape
    kept_first = np.argsort(~mask[order], axis=1, kind="stable")[:, :longest]  # (B, longest)
    rows = (kept_first * batch + order[:, None]).T.ravel()
    return x.reshape(steps * batch, features)[rows].reshape(longest, batch, features)


def _run_pieces(run: Runner, xc: Tensor, states: list, ends, running: list) -> tuple:
    """Each piece: steps [previous end, end) of the rows still running; returns the pieces'
    outputs and, per piece, the final states of the rows that end there."""
    pieces, finals, start = [], [], 0
    for j, (end, rows) in enumerate(zip(ends, running)):
        out, states = run(xc[start:end, :rows], [s[:rows] for s in states])
        pieces.append(out)
        after = running[j + 1] if j + 1 < len(running) else 0
        finals.append([s[after:] for s in states])  # rows [after, rows) end in this piece
        start = int(end)
    return pieces, finals


def _output_rows(mask, order, ends, running) -> np.ndarray:
    """(B, T): the row of the output table holding the output of each row's latest kept step
    (0, the zero output, before the first)."""
    if not len(ends):
        return np.zeros(mask.shape, np.intp)
    step = np.cumsum(mask, axis=1) - 1  # the compacted step whose output each step shows
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))  # each row's place in the sorted batch
    running = np.asarray(running)
    starts = np.concatenate(([0], ends[:-1]))
    offsets = 1 + np.concatenate(([0], np.cumsum((ends - starts) * running)[:-1]))
    piece = np.minimum(np.searchsorted(ends, step, side="right"), len(ends) - 1)
    rows = offsets[piece] + (step - starts[piece]) * running[piece] + rank[:, None]
    return np.where(step >= 0, rows, 0)


def _gather_finals(finals: list, states: list, order: np.ndarray, running: list) -> list:
    """The final states in the batch's row order: a row's states where its last piece ended,
    the initial states for a row that keeps no step."""
    first = running[0] if running else 0
    unsort = np.argsort(order)
    out = []
    for k, start in enumerate(states):
        parts = [piece[k] for piece in reversed(finals)]  # the longest rows end last
        if first < len(order):
            parts.append(start[order[first:]])
        out.append(cat(parts)[unsort] if len(parts) > 1 else parts[0][unsort])
    return out
