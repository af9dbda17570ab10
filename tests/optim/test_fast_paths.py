"""The fast paths of the training loops against the general paths they shortcut, and torch.

Each fast path promises the very same numbers as the slow one (bit for bit, as each element
goes through the same operations), so these tests compare them exactly: the dense op with a
fused activation, the one-unit binary cross-entropy, the flat optimizer steps (torch-style
and Keras-style), the callback dispatch that skips empty hooks, and the metrics' mean.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from parity import check, require_torch

import nnscratch as ns
from nnscratch import keras, optim
from nnscratch.keras.metrics.base import _mean
from nnscratch.keras.models.callback_list import CallbackList
from nnscratch.ops.linalg import dense, linear

RNG = np.random.default_rng(0)
SHAPES = [(10, 2), (10,), (10, 10), (10,), (1, 10), (1,)]  # a 2-10-10-1 MLP's parameters


# ---- dense: linear's op on a Keras kernel, with the activation in the same node --------------
@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3)])
def test_dense_matches_torch(activation, x_shape):
    torch = require_torch()
    acts = {None: lambda t: t, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}

    def fn(lib, x, kernel, bias):
        if lib is ns:
            return dense(x, kernel, bias, activation=activation)
        return acts[activation](x @ kernel + bias)

    check(fn, RNG.normal(size=x_shape), RNG.normal(size=(3, 4)), RNG.normal(size=4))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_dense_is_bitwise_the_composition(activation):
    arrays = [RNG.normal(size=s).astype(np.float32) for s in [(4, 3), (3, 5), (5,)]]
    fused = [ns.tensor(a, requires_grad=True) for a in arrays]
    apart = [ns.tensor(a, requires_grad=True) for a in arrays]
    y1 = dense(*fused, activation=activation)
    y2 = getattr(ns, activation)(linear(apart[0], apart[1].T, apart[2]))
    upstream = ns.tensor(RNG.normal(size=y1.shape).astype(np.float32))
    y1.backward(upstream)
    y2.backward(upstream)
    assert np.array_equal(y1.detach().numpy(), y2.detach().numpy())
    for a, b in zip(fused, apart):
        assert np.array_equal(a.grad.numpy(), b.grad.numpy())


def test_dense_errors_name_the_op():
    x, kernel = ns.ones(4, 3), ns.ones(3, 5)
    with pytest.raises(ValueError, match="dense: activation must be None or one of"):
        dense(x, kernel, activation="softmax")
    with pytest.raises(ValueError, match=r"dense: input shape \(4, 2\) does not fit"):
        dense(ns.ones(4, 2), kernel)
    with pytest.raises(TypeError, match="dense: expected one floating dtype"):
        dense(x, ns.ones(3, 5, dtype=ns.float64))


# ---- the one-unit binary cross-entropy -----------------------------------------------------------
@pytest.mark.parametrize("n", [1, 4, 33])
@pytest.mark.parametrize("options", [{}, {"from_logits": True}, {"label_smoothing": 0.1}])
def test_one_unit_bce_is_bitwise_the_general_path(n, options):
    p = RNG.random((n, 1)).astype(np.float32)
    if options.get("from_logits"):
        p = RNG.normal(size=(n, 1)).astype(np.float32)
    y = ns.tensor((RNG.random(n) > 0.5).astype(np.int64))
    loss = keras.losses.BinaryCrossentropy(**options)
    fast, slow = ns.tensor(p, requires_grad=True), ns.tensor(p, requires_grad=True)
    value = loss(y, fast)
    general = keras.losses.reduce_weighted_values(loss.call(y, slow))  # what the fast path skips
    value.backward()
    general.backward()
    assert value.item() == general.item()
    assert np.array_equal(fast.grad.numpy(), slow.grad.numpy())


def test_one_unit_bce_leaves_other_cases_to_the_general_path():
    two_units = keras.losses.BinaryCrossentropy()(ns.tensor([[0.0, 1.0]]), ns.tensor([[0.6, 0.4]]))
    assert two_units.item() == pytest.approx(-np.log(0.4), rel=1e-6)  # by hand
    weighted = keras.losses.BinaryCrossentropy()(
        ns.tensor([[0.0], [1.0]]), ns.tensor([[0.2], [0.6]]), sample_weight=np.array([1.0, 0.0])
    )
    assert weighted.item() == pytest.approx(-np.log(0.8) / 2, rel=1e-6)  # sum / 2 samples


# ---- flat optimizer steps ----------------------------------------------------------------------
TORCH_STYLE = [
    ("Adam", {"amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("AdamW", {}),
    ("RMSprop", {"momentum": 0.9, "centered": True}),
    ("Adagrad", {"lr_decay": 0.01}),
    ("Adadelta", {}),
    ("Adamax", {}),
    ("NAdam", {"decoupled_weight_decay": True, "weight_decay": 0.1}),
]


def _torch_style_run(name, options, grads, per_parameter: bool, reload_at=None):
    params = [ns.nn.Parameter(ns.tensor(a.copy())) for a in grads[0]]
    opt = getattr(optim, name)(params, **options)
    for step, arrays in enumerate(grads[1:]):
        for p, g in zip(params, arrays):
            p.grad = ns.tensor(g)
        if step == 6:
            params[2].grad = None  # a parameter without gradient: its step count falls behind
        if step == reload_at:
            fresh = getattr(optim, name)(params, **options)
            fresh.load_state_dict(copy.deepcopy(opt.state_dict()))
            opt = fresh
        if per_parameter:
            with ns.no_grad():
                for p in params:
                    if p.grad is not None:
                        opt._apply(0, [p], [p.grad._data], opt.param_groups[0])
        else:
            opt.step()
    return [p.detach().numpy().copy() for p in params], opt.state_dict()["state"]


@pytest.mark.parametrize(("name", "options"), TORCH_STYLE)
def test_torch_style_flat_step_is_bitwise_the_per_parameter_one(name, options):
    grads = [[RNG.normal(size=s).astype(np.float32) for s in SHAPES] for _ in range(10)]
    flat, flat_state = _torch_style_run(name, options, grads, False, reload_at=4)
    apart, apart_state = _torch_style_run(name, options, grads, True)
    for a, b in zip(flat, apart):
        assert np.array_equal(a, b)
    for index, state in apart_state.items():
        for key, value in state.items():
            assert np.array_equal(flat_state[index][key], value), (index, key)


def test_torch_style_flat_step_survives_a_copy_of_the_optimizer():
    params = [ns.nn.Parameter(ns.tensor(RNG.normal(size=s).astype(np.float32))) for s in SHAPES]
    opt = optim.Adam(params, lr=0.1)
    optimizers = [opt]
    for step in range(3):
        for o in optimizers:
            for p in o.param_groups[0]["params"]:
                p.grad = ns.ones(*p.shape)
            o.step()
        if step == 0:
            optimizers.append(copy.deepcopy(opt))  # its state arrays are its own, not views
    twin = optimizers[1]
    for a, b in zip(params, twin.param_groups[0]["params"]):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())
        for key in ("step", "exp_avg", "exp_avg_sq"):
            assert np.array_equal(opt.state[a][key], twin.state[b][key]), key


KERAS_STYLE = ["SGD", "Adam", "AdamW", "Adamax", "Nadam", "Lion", "RMSprop", "Adagrad", "Adadelta"]


def _keras_style_run(name, grads, per_variable: bool):
    cls = base = getattr(keras.optimizers, name)
    if per_variable:

        def _update(self, *args):  # without @elementwise: one call per variable
            base._update(self, *args)

        cls = type(name, (base,), {"_update": _update})
    weights = [ns.nn.Parameter(ns.tensor(a.copy())) for a in grads[0]]
    opt = cls(learning_rate=0.05)
    for arrays in grads[1:]:
        opt.apply_gradients([(ns.tensor(g), w) for g, w in zip(arrays, weights)])
    assert (opt._flat_groups.get(0) is None) == per_variable
    return [w.detach().numpy().copy() for w in weights], [v.copy() for v in opt.variables]


@pytest.mark.parametrize("name", KERAS_STYLE)
def test_keras_style_fused_step_is_bitwise_the_per_variable_one(name):
    grads = [[RNG.normal(size=s).astype(np.float32) for s in SHAPES] for _ in range(6)]
    fused, fused_state = _keras_style_run(name, grads, False)
    apart, apart_state = _keras_style_run(name, grads, True)
    for a, b in zip(fused + fused_state, apart + apart_state):
        assert np.array_equal(a, b)


def test_keras_style_large_variables_step_one_by_one_without_copies():
    """Past ~16k elements a variable, the flat step's copies cost more than the calls saved."""
    weights = [ns.nn.Parameter(ns.ones(300, 300)), ns.nn.Parameter(ns.ones(300))]
    opt = keras.optimizers.Adam(learning_rate=0.01)
    opt.apply_gradients([(ns.ones(*w.shape), w) for w in weights])
    assert opt._flat_groups[0] is None
    for w in weights:  # Adam's first step moves each weight by lr against its gradient's sign
        np.testing.assert_allclose(w.detach().numpy(), 1 - 0.01, rtol=1e-6)


def test_torch_style_large_parameters_step_one_by_one_without_copies():
    """The same size rule (``flat.worth_flattening``) holds for the torch-style optimizers."""
    params = [ns.nn.Parameter(ns.ones(300, 300)), ns.nn.Parameter(ns.ones(300))]
    opt = ns.optim.Adam(params, lr=0.01)
    for p in params:
        p.grad = ns.ones(*p.shape)
    opt.step()
    assert opt._flat_groups[0] is None
    for p in params:
        np.testing.assert_allclose(p.detach().numpy(), 1 - 0.01, rtol=1e-6)


def test_keras_style_slots_are_views_that_save_and_load():
    weights = [ns.nn.Parameter(ns.ones(*s)) for s in SHAPES]
    opt = keras.optimizers.Adam(learning_rate=0.1)
    opt.apply_gradients([(ns.ones(*w.shape), w) for w in weights])
    assert all(opt.state[w]["momentum"].base is not None for w in weights)  # flat views
    store: dict = {}
    opt.save_own_variables(store)
    other = keras.optimizers.Adam(learning_rate=0.1)
    other.build(weights)
    other.load_own_variables(store)
    for mine, theirs in zip(opt.variables, other.variables):
        assert np.array_equal(mine, theirs)
    momentum = sum(other.state[w]["momentum"].sum() for w in weights)
    assert momentum == pytest.approx(0.1 * sum(w.numel() for w in weights))


# ---- callbacks and metrics ---------------------------------------------------------------------
def test_callback_list_skips_empty_hooks_and_calls_the_rest():
    calls = []

    class OnBatch(keras.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):  # reached through on_train_batch_end
            calls.append(("batch", batch))

    lambda_callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: calls.append(e))
    hooks = CallbackList([OnBatch(), lambda_callback, keras.callbacks.History()], None, {})
    hooks.on_train_batch_end(3, {})
    hooks.on_epoch_end(7)
    assert calls == [("batch", 3), 7]
    assert not hooks.listens("on_train_batch_begin") and not hooks.listens("on_test_end")
    assert hooks.listens("on_train_begin")  # History's


@pytest.mark.parametrize("shape", [(4, 1), (4, 3), (2, 3, 5), (3, 1, 1)])
def test_metric_mean_is_ndarray_mean(shape):
    values = RNG.random(shape).astype(np.float32)
    axes = tuple(range(1, len(shape)))
    expected = values.mean(axes, dtype=np.float32)
    assert np.array_equal(_mean(values, axes, np.float32), expected)
