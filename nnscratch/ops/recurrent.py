"""Recurrences as fused ops: one layer of RNN, LSTM or GRU over a whole sequence is one node.

Each op first projects the input of every time step at once, ``x W_ih^T + b_ih`` as one matmul
over (T * B) rows, then loops over time only, doing per step one matmul ``h W_hh^T`` and the
cell's pointwise update in place in preallocated buffers. Its backward runs back through time
once and forms the weight gradients with one matmul each over all steps. (A node per step would
cost a dozen ops per step, and give every step a full-size gradient of the projections.)

Weights pack the gates along their first dimension in torch's order: LSTM ``(i, f, g, o)``,
GRU ``(r, z, n)``. Shapes: ``input`` (T, B, I); ``h0``, ``c0`` (B, H); ``w_ih`` (G*H, I);
``w_hh`` (G*H, H); ``b_ih``, ``b_hh`` (G*H,), for G gates, hidden size H, T steps, batch B.
Inside, gate values are kept gate-major, (G, T, B, H), so that each gate of each step is one
contiguous (B, H) block: NumPy runs elementwise ops on those about twice as fast as on the
column slices of a (B, G*H) array. Backward writes the pre-activation gradients batch-major,
(T, B, G*H): each step's row block is the left operand of one matmul with W_hh, and over all
steps they give each weight gradient in one matmul, already in torch's packed layout.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import blas
from .checks import check_float_dtypes, check_tensors
from .gates import (
    _activation_slopes,
    _bias_sum,
    _by_gate,
    _gate_columns,
    _gate_view,
    _grads,
    _project,
    _reciprocal_one_plus_exp_,
    _rows_of,
    _sigmoid_,
    _states,
)
from .workspace import empty, scratch

__all__ = ["rnn_sequence", "lstm_sequence", "gru_sequence"]


# ---- the ops -----------------------------------------------------------------------------------


class RNNSequence(Function):
    """h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act = tanh or relu;  returns h_1..h_T.
    Backward: d pre_t = (dL/dh_t + d pre_{t+1} W_hh) act'(pre_t),  dW_hh = sum_t d pre_t^T h_{t-1}.
    Replaces per step: two matmuls, three adds and a tanh (or relu)."""

    @staticmethod
    def forward(ctx, relu, x, h0, w_ih, w_hh, b_ih, b_hh):
        rows, pre = _project(x, w_ih, _bias_sum(b_ih, b_hh), 1)
        hs = np.concatenate((h0[None], pre[0]))  # the states, filled in step by step
        w_t, hw = w_hh.T, np.empty_like(h0)
        with blas.threads_for(_rows_of(h0), *w_hh.shape):
            for t in range(len(x)):
                h = hs[t + 1]
                h += np.dot(hs[t], w_t, out=hw)
                if relu:
                    np.maximum(h, 0, out=h)
                else:
                    np.tanh(h, out=h)
        ctx.save_for_backward(rows, w_ih, hs, w_hh)
        ctx.relu = relu
        return hs[1:].copy()  # a copy: the states stay ours even if the output is edited

    @staticmethod
    def backward(ctx, grad):
        rows, w_ih, hs, w_hh = ctx.saved_tensors
        out = hs[1:]
        d_pre = (out > 0).astype(out.dtype) if ctx.relu else np.subtract(1, out * out)
        dh = np.zeros_like(hs[0])
        with blas.threads_for(_rows_of(dh), *w_hh.shape):
            for t in reversed(range(len(out))):
                dh += grad[t]
                d_pre[t] *= dh
                np.dot(d_pre[t], w_hh, out=dh)
        return None, *_grads(ctx.needs_input_grad[1:], rows, w_ih, d_pre, hs, d_pre, (dh,))


class LSTMSequence(Function):
    """c_t = f c_{t-1} + i g,  h_t = o tanh(c_t), with (i, f, g, o) = (sigmoid, sigmoid, tanh,
    sigmoid) of x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh;  returns h_1..h_T, c_T as (T + 1, B, H).
    Backward: dc_t += dh_t o (1 - tanh(c_t)**2),  d(i, f, g, o) = (dc_t g, dc_t c_{t-1},
    dc_t i, dh_t tanh(c_t)) times the gates' slopes,  dc_{t-1} = dc_t f.
    Replaces per step: two matmuls, three adds, three sigmoids, two tanhs, three muls, an add."""

    @staticmethod
    @np.errstate(over="ignore")
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        # One exp per step serves all four gates: sigmoid(x) = 1 / (1 + e**-x) and tanh(x) =
        # 2 sigmoid(2x) - 1, so the pre-activations are wanted times -1 (-2 for g); scaling
        # the weights and bias does it for every step at once. (NumPy's tanh costs twice exp.)
        scale = np.array([-1, -1, -2, -1], w_hh.dtype).repeat(len(w_hh) // 4)[:, None]
        bias = _bias_sum(b_ih, b_hh)
        bias = None if bias is None else bias * scale[:, 0]
        scaled = np.multiply(w_ih, scale, out=scratch("w_ih", w_ih.shape, w_ih.dtype))
        rows, acts = _project(x, scaled, bias, 4)  # pre-activations, then gates in place
        w_t = _gate_columns(w_hh, 4, scale)  # h @ w_t: (4, B, H), one per gate
        hs, cs = _states(h0, len(x)), _states(c0, len(x))
        tanh_c, hw = empty(hs[1:].shape, hs.dtype), np.empty_like(acts[:, 0])
        with blas.threads_for(_rows_of(h0), w_hh.shape[1], w_hh.shape[1]):
            for t in range(len(x)):
                a = acts[:, t]
                a += np.matmul(hs[t], w_t, out=hw)
                _reciprocal_one_plus_exp_(a)
                _lstm_cell(*a, cs[t], cs[t + 1], tanh_c[t], hs[t + 1])
        ctx.save_for_backward(rows, w_ih, acts, hs, cs, tanh_c, w_hh)
        out = empty((len(hs), *hs.shape[1:]), hs.dtype)
        return np.concatenate((hs[1:], cs[-1:]), out=out)

    @staticmethod
    def backward(ctx, grad):
        rows, w_ih, acts, hs, cs, tanh_c, w_hh = ctx.saved_tensors
        slopes = _activation_slopes(acts)
        i, f, g, o = acts
        dc_dh = np.multiply(tanh_c, tanh_c, out=scratch("dc_dh", tanh_c.shape, tanh_c.dtype))
        np.subtract(1, dc_dh, out=dc_dh)
        dc_dh *= o  # d c_t / d h_t through h = o tanh(c)
        d_pre = scratch("d_pre", (len(tanh_c), *hs.shape[1:-1], len(w_hh)), hs.dtype)
        d_pre_by_gate, d_acts = _gate_view(d_pre, 4), np.empty_like(acts[:, 0])
        dh, dc, tmp = np.zeros_like(hs[0]), grad[-1].copy(), np.empty_like(hs[0])
        with blas.threads_for(_rows_of(dh), *w_hh.shape):
            for t in reversed(range(len(tanh_c))):
                dh += grad[t]
                dc += np.multiply(dh, dc_dh[t], out=tmp)
                _lstm_cell_backward(i[t], f[t], g[t], cs[t], tanh_c[t], dh, dc, d_acts)
                np.multiply(slopes[:, t], d_acts, out=d_pre_by_gate[:, t])
                np.dot(d_pre[t], w_hh, out=dh)  # the gradient reaching h_{t-1}
        return _grads(ctx.needs_input_grad, rows, w_ih, d_pre, hs, d_pre, (dh, dc))


def _lstm_cell(i, f, g, o, c_prev, c, tanh_c, h) -> None:
    """g <- 2 g - 1 (tanh from sigmoid(2x));  c = f c_prev + i g;  h = o tanh(c).
    (``h`` doubles as scratch.)"""
    g *= 2
    g -= 1
    np.multiply(f, c_prev, out=c)
    c += np.multiply(i, g, out=h)
    np.tanh(c, out=tanh_c)
    np.multiply(o, tanh_c, out=h)


def _lstm_cell_backward(i, f, g, c_prev, tanh_c, dh, dc, d_acts) -> None:
    """d_acts <- dL/d(i, f, g, o), given dL/dh_t and dL/dc_t;  dc <- dL/dc_{t-1}."""
    di, df, dg, do = d_acts
    np.multiply(dh, tanh_c, out=do)
    np.multiply(dc, g, out=di)
    np.multiply(dc, c_prev, out=df)
    np.multiply(dc, i, out=dg)
    dc *= f


class GRUSequence(Function):
    """r, z = sigmoid(xw_rz + gh_rz),  n = tanh(xw_n + r gh_n),  h_t = n + z (h_{t-1} - n),
    with xw = x_t W_ih^T + b_ih and gh = h_{t-1} W_hh^T + b_hh;  returns h_1..h_T.
    Backward: dn = dh (1 - z),  dz = dh (h_{t-1} - n),  dr = dn tanh' gh_n,  dh_{t-1} = dh z +
    d gh W_hh with d gh = (dr sigmoid', dz sigmoid', dn tanh' r).
    Replaces per step: two matmuls, four adds, two sigmoids, a tanh, three muls and two subs."""

    @staticmethod
    @np.errstate(over="ignore")
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh):
        rows, acts = _project(x, w_ih, b_ih, 3)  # x W_ih^T + b_ih, then the gates in place
        w_t = _gate_columns(w_hh, 3)
        b = None if b_hh is None else _by_gate(b_hh, 3)[:, None]
        hs, gh_n = _states(h0, len(x)), empty((len(x), *h0.shape), h0.dtype)
        gh = np.empty_like(acts[:, 0])
        with blas.threads_for(_rows_of(h0), w_hh.shape[1], w_hh.shape[1]):
            for t in range(len(x)):
                np.matmul(hs[t], w_t, out=gh)
                if b is not None:
                    gh += b
                _gru_cell(acts[:, t], gh, hs[t], hs[t + 1])
                gh_n[t] = gh[2]
        ctx.save_for_backward(rows, w_ih, acts, gh_n, hs, w_hh)
        return hs[1:].copy()

    @staticmethod
    def backward(ctx, grad):
        rows, w_ih, acts, gh_n, hs, w_hh = ctx.saved_tensors
        slopes = _activation_slopes(acts)
        shape = (len(gh_n), *hs.shape[1:-1], len(w_hh))  # batch-major (T, B, 3H)
        d_xw, d_gh = scratch("d_xw", shape, hs.dtype), scratch("d_gh", shape, hs.dtype)
        d_xw_by_gate, d_gh_by_gate = _gate_view(d_xw, 3), _gate_view(d_gh, 3)
        d_acts = np.empty_like(acts[:, 0])
        dh, dh_z = np.zeros_like(hs[0]), np.empty_like(hs[0])
        with blas.threads_for(_rows_of(dh), *w_hh.shape):
            for t in reversed(range(len(gh_n))):
                dh += grad[t]
                d_step = d_acts, dh_z, d_xw_by_gate[:, t], d_gh_by_gate[:, t]
                _gru_cell_backward(acts[:, t], slopes[:, t], gh_n[t], hs[t], dh, *d_step)
                np.dot(d_gh[t], w_hh, out=dh)
                dh += dh_z
        return _grads(ctx.needs_input_grad, rows, w_ih, d_xw, hs, d_gh, (dh,))


def _gru_cell(a, gh, h_prev, h) -> None:
    """``a``: xw in, gates (r, z, n) out;  h = n + z (h_prev - n)."""
    rz, r, z, n = a[:2], *a
    rz += gh[:2]
    _sigmoid_(rz)
    n += np.multiply(r, gh[2], out=h)
    np.tanh(n, out=n)
    np.subtract(h_prev, n, out=h)
    h *= z
    h += n


def _gru_cell_backward(a, slopes, gh_n, h_prev, dh, d_acts, dh_z, d_xw, d_gh) -> None:
    """d_xw <- dL/d xw;  d_gh <- dL/d gh;  dh_z <- dh z, the part of dL/dh_{t-1} that skips
    W_hh. (``slopes``: the gates' d act / d pre-activation.)"""
    r, z, n = a
    dr, dz, dn = d_acts
    np.multiply(dh, z, out=dh_z)
    np.subtract(dh, dh_z, out=dn)
    np.subtract(h_prev, n, out=dz)
    dz *= dh
    np.multiply(slopes[1:], d_acts[1:], out=d_xw[1:])  # the pre-activation gradients of z, n
    np.multiply(d_xw[2], gh_n, out=dr)
    np.multiply(slopes[0], dr, out=d_xw[0])
    d_gh[:2] = d_xw[:2]
    np.multiply(d_xw[2], r, out=d_gh[2])


# ---- the functions -----------------------------------------------------------------------------


def rnn_sequence(
    input: Tensor,
    h0: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> tuple[Tensor, Tensor]:
    """One Elman RNN layer over a sequence; returns (output h_1..h_T, h_T).

    ``input`` (T, B, I); ``h0`` (B, H) or None for zeros; ``w_ih`` (H, I); ``w_hh`` (H, H).

    >>> import nnscratch as ns
    >>> x, w_ih, w_hh = ns.ones(3, 1, 2), ns.eye(2), ns.zeros(2, 2)
    >>> out, h = rnn_sequence(x, None, w_ih, w_hh, nonlinearity="relu")
    >>> out.shape, h.tolist()
    ((3, 1, 2), [[1.0, 1.0]])
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(
            f"rnn_sequence: nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}"
        )
    (h0,) = _check("rnn_sequence", 1, input, (h0,), w_ih, w_hh, b_ih, b_hh)
    out = RNNSequence.apply(nonlinearity == "relu", input, h0, w_ih, w_hh, b_ih, b_hh)
    return out, out[-1]


def lstm_sequence(
    input: Tensor,
    h0: Tensor | None,
    c0: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """One LSTM layer over a sequence; returns (output h_1..h_T, h_T, c_T).

    ``input`` (T, B, I); ``h0``, ``c0`` (B, H) or None for zeros; ``w_ih`` (4H, I) and
    ``w_hh`` (4H, H) with gates ordered (i, f, g, o).

    >>> import nnscratch as ns
    >>> out, h, c = lstm_sequence(ns.ones(5, 2, 4), None, None, ns.zeros(12, 4), ns.zeros(12, 3))
    >>> out.shape, h.shape, c.tolist()[0]  # all gates 1/2 and g = 0: the cell stays empty
    ((5, 2, 3), (2, 3), [0.0, 0.0, 0.0])
    """
    h0, c0 = _check("lstm_sequence", 4, input, (h0, c0), w_ih, w_hh, b_ih, b_hh)
    packed = LSTMSequence.apply(input, h0, c0, w_ih, w_hh, b_ih, b_hh)
    steps = input.shape[0]
    return packed[:steps], packed[steps - 1], packed[steps]


def gru_sequence(
    input: Tensor,
    h0: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One GRU layer over a sequence; returns (output h_1..h_T, h_T).

    ``input`` (T, B, I); ``h0`` (B, H) or None for zeros; ``w_ih`` (3H, I) and ``w_hh``
    (3H, H) with gates ordered (r, z, n). As torch, ``b_hh``'s n part sits inside the reset
    gate: ``n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn))``.

    >>> import nnscratch as ns
    >>> out, h = gru_sequence(ns.zeros(4, 2, 1), ns.ones(2, 3), ns.zeros(9, 1), ns.zeros(9, 3))
    >>> out.shape, h.tolist()[0]  # r = z = 1/2, n = 0: h halves at every step
    ((4, 2, 3), [0.0625, 0.0625, 0.0625])
    """
    (h0,) = _check("gru_sequence", 3, input, (h0,), w_ih, w_hh, b_ih, b_hh)
    out = GRUSequence.apply(input, h0, w_ih, w_hh, b_ih, b_hh)
    return out, out[-1]


def _check(name: str, gates: int, input, states: tuple, w_ih, w_hh, b_ih, b_hh) -> list:
    """Check types, shapes and dtypes; return the states with None replaced by zeros."""
    named = {"input": input, "w_ih": w_ih, "w_hh": w_hh, "b_ih": b_ih, "b_hh": b_hh}
    named.update(zip(("h0", "c0"), states))
    check_tensors(name, **named)
    if w_hh.ndim != 2 or w_hh.shape[0] != gates * w_hh.shape[1]:
        raise ValueError(
            f"{name}: w_hh must have shape ({gates} * hidden, hidden), received {w_hh.shape}"
        )
    if w_ih.ndim != 2 or w_ih.shape[0] != w_hh.shape[0]:
        raise ValueError(
            f"{name}: w_ih must have shape ({w_hh.shape[0]}, input_size), received {w_ih.shape}"
        )
    if input.ndim != 3 or input.shape[0] == 0 or input.shape[2] != w_ih.shape[1]:
        raise ValueError(
            f"{name}: expected input of shape (steps >= 1, batch, {w_ih.shape[1]}) to fit w_ih "
            f"of shape {w_ih.shape}, received {input.shape}"
        )
    shapes = dict.fromkeys(("b_ih", "b_hh"), w_hh.shape[:1])
    shapes.update(dict.fromkeys(("h0", "c0"), (input.shape[1], w_hh.shape[1])))
    for arg, shape in shapes.items():
        if named.get(arg) is not None and named[arg].shape != shape:
            raise ValueError(
                f"{name}: expected {arg} of shape {shape}, received {named[arg].shape}"
            )
    check_float_dtypes(name, **named)
    return [np.zeros(shapes["h0"], input.dtype) if s is None else s for s in states]
