"""Gate-packed weights and the array helpers shared by the RNN, LSTM and GRU sequence ops.

A recurrent layer packs its G gates along the first dimension of each weight and bias, as
torch does: (G*H, ...) for hidden size H. The ops in ``recurrent.py`` view them gate by gate,
project every time step's input at once, run each cell in place, and form the weight gradients
with one matmul each over all steps; these are the NumPy pieces of that, on arrays only.
"""

from __future__ import annotations

import numpy as np

from . import blas
from .workspace import empty, scratch


def _by_gate(w: np.ndarray, gates: int) -> np.ndarray:
    """A packed (G*H, ...) weight or bias as (G, H, ...), a view."""
    return w.reshape(gates, w.shape[0] // gates, *w.shape[1:])


def _rows_of(state: np.ndarray) -> int:
    """The batch rows of a (B, H) or (H,) state: the m of each step's (m, H) @ (H, n)."""
    return state.size // state.shape[-1]


def _project(x: np.ndarray, w_ih: np.ndarray, bias, gates: int) -> tuple[np.ndarray, np.ndarray]:
    """(x as (T*B, I) rows, x W_ih^T + bias gate-major as (G, T, B, H)): all steps at once."""
    steps, batch, features = x.shape
    rows, size = x.reshape(steps * batch, features), w_ih.shape[0] // gates  # (a copy only
    y = empty((gates, steps, batch, size), rows.dtype)  # of a non-contiguous x)
    flat = y.reshape(gates, steps * batch, size)  # (a view: y itself is what must live on)
    blas.matmul(rows, _by_gate(w_ih, gates).transpose(0, 2, 1), out=flat)  # one per gate
    if bias is not None:
        flat += _by_gate(bias, gates)[:, None]
    return rows, y


def _gate_columns(w: np.ndarray, gates: int, scale: np.ndarray | None = None) -> np.ndarray:
    """A packed (G*H, K) weight (times ``scale``, one factor per row) as (G, K, H), contiguous,
    in scratch memory: the right operand of ``h @ w`` per gate, each gate's result a contiguous
    (B, H) block. (One (B, K) @ (K, G*H) matmul is quicker by itself, but the cell's
    elementwise ops on its column slices lose more.)"""
    columns = _by_gate(w, gates).transpose(0, 2, 1)
    out = scratch("gate_columns", columns.shape, w.dtype)
    if scale is None:
        np.copyto(out, columns)
    else:
        np.multiply(columns, _by_gate(scale, gates).transpose(0, 2, 1), out=out)
    return out


def _gate_view(packed: np.ndarray, gates: int) -> np.ndarray:
    """Batch-major (..., G*H) values seen gate-major as (G, ..., H): a strided view."""
    *lead, width = packed.shape
    return np.moveaxis(packed.reshape(*lead, gates, width // gates), -2, 0)


def _bias_sum(b_ih, b_hh):
    """b_ih + b_hh (either may be None): RNN and LSTM add both to the same pre-activation."""
    return b_hh if b_ih is None else b_ih if b_hh is None else b_ih + b_hh


def _states(first: np.ndarray, steps: int) -> np.ndarray:
    """A (T + 1, B, H) buffer for a state over time, row 0 set to ``first`` (B, H)."""
    out = empty((steps + 1, *first.shape), first.dtype)
    out[0] = first
    return out


def _sigmoid_(a: np.ndarray) -> None:
    """a <- 1 / (1 + e**-a)."""
    np.negative(a, out=a)
    _reciprocal_one_plus_exp_(a)


def _reciprocal_one_plus_exp_(a: np.ndarray) -> None:
    """a <- 1 / (1 + e**a); e**a may overflow to inf, giving 0 (callers silence the warning)."""
    np.exp(a, out=a)
    a += 1
    np.reciprocal(a, out=a)


def _activation_slopes(acts: np.ndarray) -> np.ndarray:
    """d act / d pre-activation from gate-major activations: a (1 - a) for sigmoid gates and
    1 - a**2 for the third gate, a tanh. (In scratch memory: backward's own temporary.)"""
    slopes = np.subtract(1, acts, out=scratch("slopes", acts.shape, acts.dtype))
    for k, (slope, act) in enumerate(zip(slopes, acts)):
        if k == 2:
            np.multiply(act, act, out=slope)
            np.subtract(1, slope, out=slope)
        else:
            slope *= act
    return slopes


def _grads(needs, rows, w_ih, d_ih, hs, d_hh, d_states) -> tuple:
    """Gradients of (input, *states, w_ih, w_hh, b_ih, b_hh), as flagged by ``needs``, from
    the batch-major (T, B, G*H) pre-activation gradients of the input side ``d_ih`` and the
    recurrent side ``d_hh`` (one array for RNN and LSTM): one matmul each over all steps, whose
    weight gradients come out in torch's packed (G*H, K) layout."""
    steps, batch, width = d_ih.shape
    g_ih, g_hh = (d.reshape(steps * batch, width) for d in (d_ih, d_hh))
    h_prev = hs[:-1].reshape(steps * batch, hs.shape[2])
    need_x, need_w_ih, need_w_hh, need_b_ih, need_b_hh = needs[0], *needs[-4:]
    d_x = None
    if need_x:
        d_x = blas.dot(g_ih, w_ih, out=empty((steps * batch, w_ih.shape[1]), g_ih.dtype))
        d_x = d_x.reshape(steps, batch, w_ih.shape[1])
    d_w_ih = blas.dot(g_ih.T, rows) if need_w_ih else None
    d_w_hh = blas.dot(g_hh.T, h_prev) if need_w_hh else None
    d_b_ih = g_ih.sum(axis=0) if need_b_ih else None
    d_b_hh = (d_b_ih if need_b_ih and d_hh is d_ih else g_hh.sum(axis=0)) if need_b_hh else None
    return d_x, *d_states, d_w_ih, d_w_hh, d_b_ih, d_b_hh
