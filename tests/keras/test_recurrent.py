"""SimpleRNN, LSTM, GRU and Bidirectional against real Keras 3 (torch backend): outputs and
states from copied weights for every return_sequences / return_state / go_backwards
combination, with and without masks (padding at either end, holes, empty rows); initial
states; weight layouts and parameter counts; training from the same weights; configs Keras
reads; finite differences through the masked path; and the errors."""

import json
import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.keras.saving import serialize_layer

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

X = np.random.default_rng(0).standard_normal((4, 5, 2)).astype(np.float32)
MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 0], [0, 0, 0, 0, 0], [0, 1, 1, 1, 1]], bool)
COMBOS = [
    {"return_sequences": s, "return_state": r, "go_backwards": g}
    for s in (False, True) for r in (False, True) for g in (False, True)
]  # fmt: skip
FEW = [COMBOS[0], COMBOS[-1]]  # enough for the variants of one layer
KINDS = {  # name -> (layer class name, arguments): fused ops and step-by-step paths
    "lstm": ("LSTM", {}),
    "lstm_other_activations": ("LSTM", {"activation": "relu", "recurrent_activation": "sigmoid"}),
    "lstm_hard_sigmoid": ("LSTM", {"recurrent_activation": "hard_sigmoid"}),
    "gru": ("GRU", {}),
    "gru_reset_before": ("GRU", {"reset_after": False}),
    "gru_other_activation": ("GRU", {"activation": "softsign"}),
    "gru_no_bias": ("GRU", {"use_bias": False}),
    "simple_rnn": ("SimpleRNN", {}),
    "simple_rnn_relu": ("SimpleRNN", {"activation": "relu"}),
    "simple_rnn_sigmoid": ("SimpleRNN", {"activation": "sigmoid", "use_bias": False}),
    "lstm_no_forget_bias": ("LSTM", {"unit_forget_bias": False, "bias_initializer": "ones"}),
}  # fmt: skip


def _np(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, ns.Tensor) else keras.ops.convert_to_numpy(x)


def _leaves(out) -> list:
    return [_np(o) for o in out] if isinstance(out, (list, tuple)) else [_np(out)]


def _twins(make, shape=X.shape):
    """``make(lib)`` built in Keras and nnscratch, ours holding Keras's weights."""
    theirs, ours = make(keras.layers), make(nk.layers)
    theirs.build(shape)
    ours.build(shape)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


def _assert_same(theirs, ours, x=X, mask=None, **kwargs):
    kmask = None if mask is None else keras.ops.convert_to_tensor(mask)
    expected, got = _leaves(theirs(x, mask=kmask, **kwargs)), _leaves(ours(x, mask=mask, **kwargs))
    assert len(got) == len(expected)
    for a, b in zip(expected, got):
        assert b.shape == a.shape
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)


# ---- outputs ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_outputs_and_states_equal_keras(kind):
    name, args = KINDS[kind]
    for combo in COMBOS if kind in ("lstm", "gru", "gru_reset_before", "simple_rnn") else FEW:
        theirs, ours = _twins(lambda L, combo=combo: getattr(L, name)(3, **args, **combo))
        _assert_same(theirs, ours)
        _assert_same(theirs, ours, mask=MASK)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_equals_keras(merge_mode):
    # go_backwards=False: Keras's Bidirectional refuses True
    for combo in COMBOS[::2] if merge_mode == "concat" else COMBOS[::6]:

        def make(L, combo=combo):
            return L.Bidirectional(L.GRU(3, **combo), merge_mode=merge_mode)

        theirs, ours = _twins(make)
        assert ours.forward_layer.name.startswith("forward_gru")
        assert ours.backward_layer.go_backwards and ours.backward_layer.name.startswith("backward")
        _assert_same(theirs, ours)
        _assert_same(theirs, ours, mask=MASK)


def test_bidirectional_with_a_given_backward_layer_equals_keras():
    def make(L):
        backward = L.SimpleRNN(3, return_sequences=True, go_backwards=True, activation="relu")
        return L.Bidirectional(L.LSTM(3, return_sequences=True), backward_layer=backward)

    theirs, ours = _twins(make)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    _assert_same(theirs, ours, mask=MASK)


def test_initial_states_equal_keras():
    rng = np.random.default_rng(1)
    h, c = (rng.standard_normal((4, 3)).astype(np.float32) for _ in range(2))
    for name, states in (("LSTM", [h, c]), ("GRU", [h]), ("SimpleRNN", [h])):
        theirs, ours = _twins(lambda L, name=name: getattr(L, name)(3, return_sequences=True))
        _assert_same(theirs, ours, initial_state=states)
        _assert_same(theirs, ours, mask=MASK, initial_state=states)  # all-masked row keeps them
    theirs, ours = _twins(lambda L: L.Bidirectional(L.LSTM(3, return_state=True)))
    _assert_same(theirs, ours, initial_state=[h, c, c, h])


# ---- weights, counts, configs -------------------------------------------------------------------
def _stack(lib):
    L = lib.layers
    return lib.Sequential([
        lib.Input(shape=(6,)), L.Embedding(10, 4, mask_zero=True),
        L.Bidirectional(L.LSTM(3, return_sequences=True)), L.GRU(5, return_sequences=True),
        L.GRU(2, reset_after=False, return_sequences=True), L.SimpleRNN(4), L.Dense(1),
    ])  # fmt: skip


def test_weight_layout_and_summary_param_counts_equal_keras():
    keras.utils.clear_session()
    nk.utils.clear_session()
    theirs, ours = _stack(keras), _stack(nk)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [la.count_params() for la in ours.layers] == [la.count_params() for la in theirs.layers]
    printed = {}
    for lib, model in (("keras", theirs), ("ours", ours)):
        lines = []
        model.summary(print_fn=lambda line, *args, lines=lines, **kwargs: lines.append(line))
        printed[lib] = [line for line in "\n".join(lines).splitlines() if "params:" in line]
    assert printed["ours"] == printed["keras"]
    assert f"Total params: {theirs.count_params()}" in printed["ours"][0]
    lstm = ours.layers[1].forward_layer.cell
    assert _np(lstm.bias)[3:6].tolist() == [1.0, 1.0, 1.0]  # unit_forget_bias, as Keras


def test_weight_regularizers_add_keras_penalties():
    def make(L):
        regs = {f"{w}_regularizer": "l2" for w in ("kernel", "recurrent", "bias")}
        return L.Bidirectional(L.GRU(3, bias_initializer="ones", **regs))

    theirs, ours = _twins(make)
    theirs(X)
    expected = sum(float(_np(loss)) for loss in theirs.losses)
    assert len(ours.losses) == 6 and expected > 0
    np.testing.assert_allclose(sum(float(_np(loss)) for loss in ours.losses), expected, rtol=1e-5)


def test_bidirectional_config_holds_the_layers_as_keras_has_them():
    ours = nk.layers.Bidirectional(nk.layers.LSTM(3, dropout=0.25), merge_mode="mul")
    config = json.loads(json.dumps(serialize_layer(ours)))
    theirs = keras.layers.deserialize(config)
    assert theirs.merge_mode == "mul" and theirs.forward_layer.dropout == 0.25
    for key in ("layer", "backward_layer"):
        mine, keras_own = config["config"][key], theirs.get_config()[key]
        assert mine["class_name"] == keras_own["class_name"] == "LSTM"
        for name, value in mine["config"].items():
            if name != "dtype" and not name.endswith("_initializer"):
                assert json.dumps(keras_own["config"][name]) == json.dumps(value), (key, name)


# ---- training -----------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Layer 'flatten'")  # Flatten drops the mask, as in Keras
@pytest.mark.parametrize("kind", ["gru", "gru_reset_before", "simple_rnn", "bidirectional"])
def test_training_from_the_same_weights_follows_keras(kind):
    """Gradients through the gate reordering, the step-by-step path and the masked pieces."""
    ids = np.array([[3, 5, 2, 0], [0, 1, 4, 4], [2, 0, 3, 0], [0, 0, 0, 0], [6, 1, 1, 2]] * 2)
    y = np.random.default_rng(2).standard_normal((len(ids), 1)).astype(np.float32)

    def make(lib):
        L = lib.layers
        recurrent = {
            "gru": lambda: L.GRU(3),
            "gru_reset_before": lambda: L.GRU(3, reset_after=False),
            "simple_rnn": lambda: L.SimpleRNN(3, return_sequences=True, go_backwards=True),
            "bidirectional": lambda: L.Bidirectional(L.LSTM(2), merge_mode="sum"),
        }[kind]()
        tail = [L.Flatten()] if kind == "simple_rnn" else []
        embed = L.Embedding(7, 2, mask_zero=True)
        return lib.Sequential([lib.Input(shape=(4,)), embed, recurrent, *tail, L.Dense(1)])

    keras.utils.clear_session()
    theirs, ours = make(keras), make(nk)
    ours.set_weights(theirs.get_weights())
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        model.fit(ids, y, batch_size=2, epochs=2, shuffle=False, verbose=0)  # 10 steps
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_masked_path_gradients_match_finite_differences():
    layer = nk.layers.LSTM(2, return_sequences=True, return_state=True, dtype="float64")
    layer.build((None, 5, 2))
    x = ns.tensor(X.astype(np.float64), requires_grad=True)
    h0 = ns.tensor(np.full((4, 2), 0.3), requires_grad=True)

    def outputs(x, h0):
        out, h, c = layer(x, mask=MASK, initial_state=[h0, h0 * 2])
        return out.sum(dim=1) * 2 + h * c

    assert ns.autograd.gradcheck(outputs, (x, h0))


def test_input_dropout_uses_one_mask_per_sequence():
    layer = nk.layers.SimpleRNN(3, activation=None, use_bias=False, dropout=0.5)
    layer.build((None, 4, 3))
    layer.set_weights([np.eye(3, dtype=np.float32), np.zeros((3, 3), np.float32)])
    x = ns.ones(64, 4, 3)
    ns.manual_seed(0)
    dropped = _np(layer(x, training=True))
    assert set(np.unique(dropped)) == {0.0, 2.0}  # kept inputs scaled by 1 / (1 - 0.5)
    layer.return_sequences = True
    seq = _np(layer(x, training=True))
    assert (seq == seq[:, :1]).all()  # the same features dropped at every step
    np.testing.assert_array_equal(_np(layer(x)), np.ones((64, 4, 3)))  # inference: none


# ---- errors -------------------------------------------------------------------------------------
def test_errors_name_the_layer_and_what_was_received():
    lstm = nk.layers.LSTM(3, name="enc")
    with pytest.raises(ValueError, match=r"LSTM 'enc' expects inputs of rank 3 .* \(4, 2\)"):
        lstm(ns.ones(4, 2))
    with pytest.raises(ValueError, match=r"expects inputs of rank 3 .*\(None, 2\)"):
        nk.Sequential([nk.Input(shape=(2,)), nk.layers.GRU(2)])
    lstm(ns.ones(2, 4, 5))
    with pytest.raises(ValueError, match=r"last dimension 5, received shape \(2, 4, 3\)"):
        lstm(ns.ones(2, 4, 3))
    with pytest.raises(ValueError, match=r"mask of shape \(2, 4\).*received shape \(2, 3\)"):
        lstm(ns.ones(2, 4, 5), mask=np.ones((2, 3), bool))
    with pytest.raises(ValueError, match=r"expects 2 initial state\(s\), received 1"):
        lstm(ns.ones(2, 4, 5), initial_state=[ns.zeros(2, 3)])
    with pytest.raises(ValueError, match=r"initial states of shape \(2, 3\), received .*\(2, 4\)"):
        lstm(ns.ones(2, 4, 5), initial_state=[ns.zeros(2, 4), ns.zeros(2, 3)])
    with pytest.raises(NotImplementedError, match="stateful=True is not supported"):
        nk.layers.GRU(2, stateful=True)
    with pytest.raises(NotImplementedError, match="kernel_constraint not supported"):
        nk.layers.SimpleRNN(2, kernel_constraint="non_neg")
    with pytest.raises(ValueError, match="`units`.*positive integer, got 0"):
        nk.layers.LSTM(0)
    with pytest.raises(ValueError, match="Invalid merge mode"):
        nk.layers.Bidirectional(nk.layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="different `go_backwards`"):
        nk.layers.Bidirectional(nk.layers.LSTM(2, go_backwards=True))


def test_unsupported_uses_say_so():
    layer = nk.layers.LSTM(2, recurrent_dropout=0.2)
    layer(ns.ones(1, 3, 2))  # inference: recurrent dropout does nothing, so it runs
    with pytest.raises(NotImplementedError, match="recurrent_dropout=0.2 is not supported"):
        layer(ns.ones(1, 3, 2), training=True)
    inputs, state = nk.Input(shape=(3, 2)), nk.Input(shape=(2,))
    with pytest.raises(NotImplementedError, match="`initial_state` or `mask` given as symbolic"):
        nk.layers.GRU(2)(inputs, initial_state=[state])
