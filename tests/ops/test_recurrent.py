"""The fused recurrence ops (RNN tanh/relu, LSTM, GRU over a whole sequence) against the chain of
elementary ops they replace, built step by step on nnscratch and on torch; float64 gradcheck;
saturated gates; dtypes; a second backward; errors."""

import numpy as np
import pytest
from parity import check

import nnscratch as ns
from nnscratch.ops.recurrent import gru_sequence, lstm_sequence, rnn_sequence

KINDS = ["tanh", "relu", "lstm", "gru"]
ORDER = ("x", "h0", "c0", "w_ih", "w_hh", "b_ih", "b_hh")  # the ops' arguments
GATES = {"tanh": 1, "relu": 1, "lstm": 4, "gru": 3}


def fused(kind, x, h0, c0, *weights):
    if kind == "lstm":
        return lstm_sequence(x, h0, c0, *weights)
    if kind == "gru":
        return gru_sequence(x, h0, *weights)
    return rnn_sequence(x, h0, *weights, kind)


def composed(lib, kind, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    """The per-step chain a fused op replaces, from elementary ops (on nnscratch or torch)."""
    size = w_hh.shape[1]
    zeros = lib.zeros(x.shape[1], size, dtype=x.dtype)
    h, c = (zeros if s is None else s for s in (h0, c0))
    outputs = []
    for t in range(x.shape[0]):
        xw = x[t] @ w_ih.T + (0 if b_ih is None else b_ih)
        hw = h @ w_hh.T + (0 if b_hh is None else b_hh)
        pre = [xw[:, k * size : (k + 1) * size] for k in range(GATES[kind])]
        rec = [hw[:, k * size : (k + 1) * size] for k in range(GATES[kind])]
        if kind == "lstm":
            i, f, g, o = (p + r for p, r in zip(pre, rec))
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
        elif kind == "gru":
            r, z = (pre[0] + rec[0]).sigmoid(), (pre[1] + rec[1]).sigmoid()
            n = (pre[2] + r * rec[2]).tanh()
            h = (1 - z) * n + z * h
        else:
            h = (pre[0] + rec[0]).tanh() if kind == "tanh" else (pre[0] + rec[0]).relu()
        outputs.append(h)
    return (lib.stack(outputs), h, c) if kind == "lstm" else (lib.stack(outputs), h)


def arrays(rng, kind, steps=3, batch=2, size=4, states=True, bias=True, dtype=np.float64):
    """The op's inputs as arrays: x, w_ih, w_hh, and optionally biases, h0 (and c0)."""
    width, features = GATES[kind] * size, 3
    out = {"x": rng.standard_normal((steps, batch, features))}
    out["w_ih"] = rng.standard_normal((width, features)) / 2
    out["w_hh"] = rng.standard_normal((width, size)) / 2
    if bias:
        out["b_ih"], out["b_hh"] = rng.standard_normal(width), rng.standard_normal(width)
    if states:
        out["h0"] = rng.standard_normal((batch, size))
        if kind == "lstm":
            out["c0"] = rng.standard_normal((batch, size))
    return {k: v.astype(dtype) for k, v in out.items()}


def call(kind, names):
    """fn(lib, *tensors) for parity.check: ours fused on nnscratch, composed on torch."""

    def fn(lib, *tensors):
        given = dict(zip(names, tensors))
        args = [given.get(k) for k in ORDER]
        if lib is ns:
            return fused(kind, *args)
        return composed(lib, kind, *args)

    return fn


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("states", "bias"), [(True, True), (False, True), (True, False)])
def test_matches_the_torch_composition_and_gradcheck(kind, states, bias, rng):
    a = arrays(rng, kind, states=states, bias=bias)
    check(call(kind, list(a)), *a.values(), atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("kind", KINDS)
def test_fused_op_equals_its_nnscratch_composition(kind, rng):
    """DESIGN 3.4: the fused op gives the values and gradients of the chain it replaces."""
    a = arrays(rng, kind)
    results = []
    for build in (lambda *xs: fused(kind, *xs), lambda *xs: composed(ns, kind, *xs)):
        inputs = {k: ns.tensor(v, requires_grad=True) for k, v in a.items()}
        outs = build(*(inputs.get(k) for k in ORDER))
        weights = [np.random.default_rng(1).standard_normal(o.shape) for o in outs]
        sum((o * ns.tensor(w)).sum() for o, w in zip(outs, weights)).backward()
        grads = [t.grad.numpy() for t in inputs.values()]
        results.append(([o.detach().numpy() for o in outs], grads))
    (ours, our_grads), (chain, chain_grads) = results
    for x, y in zip(ours + our_grads, chain + chain_grads):
        np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)
    name = {"lstm": "LSTM", "gru": "GRU"}.get(kind, "RNN")
    fused_outs = fused(
        kind, *(ns.tensor(a[k], requires_grad=True) if k in a else None for k in ORDER)
    )
    assert f"{name}SequenceBackward" in _node_names(fused_outs[0])  # one node does it all
    assert not {"SigmoidBackward", "TanhBackward", "MulBackward"} & _node_names(fused_outs[0])
    quiet = fused(kind, *(ns.tensor(a[k]) if k in a else None for k in ORDER))
    assert quiet[0].grad_fn is None  # nothing recorded when no input needs a gradient


def _node_names(t) -> set[str]:
    """The names of every recorded op that ``t`` was made by."""
    names, todo = set(), [t]
    while todo:
        ctx = todo.pop().grad_fn
        if ctx is not None:
            names.add(ctx.name())
            todo += [x for x in ctx.inputs if isinstance(x, ns.Tensor)]
    return names


@pytest.mark.parametrize("kind", KINDS)
def test_saturated_gates_stay_finite_and_exact(kind, rng):
    """Pre-activations of +-200 overflow e**x in float32: no warning, no NaN, limits as torch."""
    a = arrays(rng, kind, dtype=np.float32)
    a["b_ih"] = np.sign(a["b_ih"]) * np.float32(200)
    check(call(kind, list(a)), *a.values(), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", KINDS)
def test_float32_stays_float32(kind, rng):
    a = arrays(rng, kind, dtype=np.float32)
    a = {k: ns.tensor(v, requires_grad=True) for k, v in a.items()}
    outs = fused(kind, *(a.get(k) for k in ORDER))
    assert all(o.dtype == np.float32 for o in outs)
    outs[0].sum().backward()
    assert all(t.grad.dtype == np.float32 for t in a.values())


@pytest.mark.parametrize("kind", KINDS)
def test_backward_twice_with_retain_graph(kind, rng):
    """The op works in its own buffers: the arrays saved for backward survive a first backward."""
    a = {k: ns.tensor(v, requires_grad=True) for k, v in arrays(rng, kind).items()}
    loss = fused(kind, *(a.get(k) for k in ORDER))[0].sum()
    loss.backward(retain_graph=True)
    first = [t.grad.numpy().copy() for t in a.values()]
    loss.backward()
    for t, g in zip(a.values(), first):
        np.testing.assert_allclose(t.grad.numpy(), 2 * g, rtol=1e-12)


def test_shapes_of_results_and_a_hand_computed_step():
    w_ih = ns.tensor([[1.0], [0.0], [0.0], [0.0]])  # only the input gate sees x
    out, h, c = lstm_sequence(ns.zeros(1, 1, 1), None, ns.ones(1, 1), w_ih, ns.zeros(4, 1))
    # all pre-activations 0: i = f = o = 1/2, g = 0, so c = 1/2 * 1 and h = 1/2 tanh(1/2)
    assert c.item() == pytest.approx(0.5) and h.item() == pytest.approx(0.5 * np.tanh(0.5))
    assert out.shape == (1, 1, 1)
    out, h = rnn_sequence(ns.ones(2, 3, 2), None, ns.eye(2), ns.zeros(2, 2))
    np.testing.assert_allclose(out.numpy(), np.tanh(np.ones((2, 3, 2))), rtol=1e-6)


def test_errors():
    x, w_ih, w_hh = ns.zeros(3, 2, 5), ns.zeros(8, 5), ns.zeros(8, 2)
    with pytest.raises(ValueError, match=r"w_hh must have shape \(4 \* hidden, hidden\)"):
        lstm_sequence(x, None, None, w_ih, ns.zeros(8, 3))
    with pytest.raises(ValueError, match=r"w_ih must have shape \(8, input_size\)"):
        lstm_sequence(x, None, None, ns.zeros(6, 5), w_hh)
    with pytest.raises(ValueError, match=r"expected input of shape \(steps >= 1, batch, 5\)"):
        lstm_sequence(ns.zeros(3, 2, 6), None, None, w_ih, w_hh)
    with pytest.raises(ValueError, match=r"steps >= 1"):
        lstm_sequence(ns.zeros(0, 2, 5), None, None, w_ih, w_hh)
    with pytest.raises(ValueError, match=r"expected c0 of shape \(2, 2\), received \(3, 2\)"):
        lstm_sequence(x, None, ns.zeros(3, 2), w_ih, w_hh)
    with pytest.raises(ValueError, match=r"expected b_hh of shape \(8,\)"):
        lstm_sequence(x, None, None, w_ih, w_hh, None, ns.zeros(4))
    with pytest.raises(TypeError, match="gru_sequence: expected one floating dtype for all "
                       "operands, received input=float32, w_ih=float32, w_hh=float32, "
                       "h0=float64"):  # fmt: skip
        gru_sequence(x, ns.zeros(2, 2, dtype=ns.float64), ns.zeros(6, 5), ns.zeros(6, 2))
    with pytest.raises(TypeError, match="expected h0 to be a Tensor"):
        rnn_sequence(x, np.zeros((2, 2)), ns.zeros(2, 5), ns.zeros(2, 2))
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        rnn_sequence(x, None, ns.zeros(2, 5), ns.zeros(2, 2), nonlinearity="sigmoid")
