"""nnscratch.keras.optimizers against real Keras 3 (torch backend): same weights, same 30
gradients, same variables afterwards; schedules, configs and ``get``."""

import os
import warnings

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
# Keras's torch backend converts through a deprecated numpy path; that is not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SHAPES = [(3, 4), (4,), (2, 3, 2)]
STEPS = 30
RTOL = 1e-6  # relative to the array's largest magnitude (float32 rounding differs by backend)


def _assert_close(ours, theirs, rtol: float = RTOL) -> None:
    """max |ours - theirs| <= rtol * max |theirs|: elementwise relative error would blame the
    ulp-level rounding (torch fuses a + alpha * b into one FMA; NumPy rounds twice) on entries
    near zero, and momentum magnifies it; both sit equally far from a float64 run."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    error, scale = np.abs(ours.astype(np.float64) - theirs).max(initial=0), np.abs(theirs).max()
    assert error <= rtol * max(scale, np.finfo(np.float32).tiny), (error, scale)


def _problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(STEPS)]
    return weights, grads


def _run_keras(make, weights, grads):
    variables = [keras.Variable(w.copy()) for w in weights]
    opt = make(keras.optimizers, variables)
    for step in grads:
        opt.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in step], variables))
    state = [np.asarray(keras.ops.convert_to_numpy(v)) for v in opt.variables]
    return [np.asarray(v.numpy()) for v in variables], state


def _run_ours(make, weights, grads):
    variables = [ns.nn.Parameter(ns.tensor(w.copy())) for w in weights]
    opt = make(nk.optimizers, variables)
    for i, step in enumerate(grads):
        # gradients as Tensors on even steps, as arrays on odd ones: both are accepted
        step = [ns.tensor(g) for g in step] if i % 2 == 0 else step
        opt.apply_gradients(zip(step, variables))
    return [v.detach().numpy() for v in variables], opt.variables


def _check(make, seed: int = 0):
    weights, grads = _problem(seed)
    theirs, their_state = _run_keras(make, weights, grads)
    ours, our_state = _run_ours(make, weights, grads)
    for a, b in zip(ours, theirs):
        assert a.dtype == np.float32
        _assert_close(a, b)
    assert len(our_state) == len(their_state)  # iterations, learning rate, slots: Keras's order
    for a, b in zip(our_state, their_state):
        _assert_close(a, b)
    assert not np.allclose(ours[0], weights[0])  # the weights did move


CASES = {
    "sgd": lambda o, v: o.SGD(learning_rate=0.05),
    "sgd_momentum": lambda o, v: o.SGD(learning_rate=0.05, momentum=0.9),
    "sgd_nesterov": lambda o, v: o.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "adam": lambda o, v: o.Adam(learning_rate=0.01),
    "adam_defaults": lambda o, v: o.Adam(),
    "adam_amsgrad": lambda o, v: o.Adam(learning_rate=0.01, amsgrad=True, beta_2=0.9),
    "adamw": lambda o, v: o.AdamW(learning_rate=0.01, weight_decay=0.1),
    "adamw_defaults": lambda o, v: o.AdamW(),
    "rmsprop": lambda o, v: o.RMSprop(learning_rate=0.01),
    "rmsprop_momentum": lambda o, v: o.RMSprop(learning_rate=0.01, momentum=0.9),
    "rmsprop_centered": lambda o, v: o.RMSprop(learning_rate=0.01, centered=True),
    "rmsprop_centered_momentum": lambda o, v: o.RMSprop(0.01, momentum=0.5, centered=True),
    "adagrad": lambda o, v: o.Adagrad(learning_rate=0.05),
    "adadelta": lambda o, v: o.Adadelta(learning_rate=1.0),
    "adadelta_defaults": lambda o, v: o.Adadelta(),
    "adamax": lambda o, v: o.Adamax(learning_rate=0.01),
    "nadam": lambda o, v: o.Nadam(learning_rate=0.01),
    "lion": lambda o, v: o.Lion(learning_rate=0.01),
    "lion_betas": lambda o, v: o.Lion(learning_rate=0.01, beta_1=0.5, beta_2=0.9),
    # a large epsilon makes its placement (inside/outside the root, before/after the bias
    # correction) visible: these fail with torch's formulas
    "adam_epsilon": lambda o, v: o.Adam(learning_rate=0.01, epsilon=0.5),
    "adamax_epsilon": lambda o, v: o.Adamax(learning_rate=0.01, epsilon=0.5),
    "nadam_epsilon": lambda o, v: o.Nadam(learning_rate=0.01, epsilon=0.5),
    "rmsprop_epsilon": lambda o, v: o.RMSprop(learning_rate=0.01, epsilon=0.5, centered=True),
    "adagrad_epsilon": lambda o, v: o.Adagrad(learning_rate=0.05, epsilon=0.5),
    "adadelta_epsilon": lambda o, v: o.Adadelta(learning_rate=1.0, epsilon=0.5),
    "clipnorm": lambda o, v: o.SGD(learning_rate=0.1, momentum=0.5, clipnorm=1.0),
    "clipvalue": lambda o, v: o.Adam(learning_rate=0.01, clipvalue=0.5),
    "global_clipnorm": lambda o, v: o.SGD(learning_rate=0.1, global_clipnorm=2.0),
    "global_clipnorm_adam": lambda o, v: o.Adam(learning_rate=0.01, global_clipnorm=1.0),
    "weight_decay_sgd": lambda o, v: o.SGD(learning_rate=0.1, weight_decay=0.05),
    "weight_decay_rmsprop": lambda o, v: o.RMSprop(learning_rate=0.01, weight_decay=0.1),
    "loss_scale": lambda o, v: o.SGD(learning_rate=0.1, loss_scale_factor=8.0),
    "exponential_decay": lambda o, v: o.SGD(
        learning_rate=o.schedules.ExponentialDecay(0.1, decay_steps=7, decay_rate=0.5)
    ),
    "exponential_staircase": lambda o, v: o.Adam(
        learning_rate=o.schedules.ExponentialDecay(0.01, 5, 0.3, staircase=True)
    ),
    "piecewise": lambda o, v: o.SGD(
        learning_rate=o.schedules.PiecewiseConstantDecay([5, 12, 20], [0.1, 0.05, 0.02, 0.01]),
        momentum=0.9,
    ),
    "cosine": lambda o, v: o.Adam(learning_rate=o.schedules.CosineDecay(0.01, 20, alpha=0.1)),
    "cosine_warmup": lambda o, v: o.AdamW(
        learning_rate=o.schedules.CosineDecay(0.0, 15, warmup_target=0.02, warmup_steps=10),
        weight_decay=0.5,
    ),
    "polynomial": lambda o, v: o.SGD(learning_rate=o.schedules.PolynomialDecay(0.1, 20)),
    "inverse_time": lambda o, v: o.SGD(learning_rate=o.schedules.InverseTimeDecay(0.1, 3, 0.5)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras(case):
    _check(CASES[case])


def test_exclude_from_weight_decay_matches_keras():
    def make(o, variables):
        opt = o.AdamW(learning_rate=0.01, weight_decay=0.5)
        opt.exclude_from_weight_decay(var_list=[variables[1]])
        return opt

    _check(make, seed=3)


def test_learning_rate_set_between_steps_matches_keras():
    weights, grads = _problem(1)
    results = []
    for lib, make_var, wrap in (
        (keras.optimizers, lambda w: keras.Variable(w.copy()), keras.ops.convert_to_tensor),
        (nk.optimizers, lambda w: ns.nn.Parameter(ns.tensor(w.copy())), ns.tensor),
    ):
        variables = [make_var(w) for w in weights]
        opt = lib.RMSprop(learning_rate=0.01, momentum=0.5)
        for i, step in enumerate(grads):
            if i == 10:
                opt.learning_rate = 0.003  # as ReduceLROnPlateau does
            opt.apply_gradients(zip([wrap(g) for g in step], variables))
        results.append([np.array(v.detach() if isinstance(v, ns.Tensor) else v) for v in variables])
        assert float(opt.learning_rate) == pytest.approx(0.003)
    for a, b in zip(*results):
        _assert_close(a, b)


SCHEDULES = {
    "exponential": lambda s: s.ExponentialDecay(0.1, decay_steps=7, decay_rate=0.96),
    "exponential_staircase": lambda s: s.ExponentialDecay(0.3, 4, 0.5, staircase=True),
    "piecewise": lambda s: s.PiecewiseConstantDecay([3, 10, 11], [1.0, 0.5, 0.25, 0.1]),
    "cosine": lambda s: s.CosineDecay(0.1, decay_steps=30),
    "cosine_alpha": lambda s: s.CosineDecay(0.1, decay_steps=25, alpha=0.2),
    "cosine_warmup": lambda s: s.CosineDecay(0.0, 20, warmup_target=0.1, warmup_steps=8),
    "cosine_warmup_from": lambda s: s.CosineDecay(0.01, 20, 0.1, warmup_target=0.1, warmup_steps=5),
    "polynomial": lambda s: s.PolynomialDecay(0.1, 20, end_learning_rate=0.01, power=2.0),
    "polynomial_cycle": lambda s: s.PolynomialDecay(0.1, 9, power=0.5, cycle=True),
    "inverse_time": lambda s: s.InverseTimeDecay(0.1, 5, 0.5),
    "inverse_time_staircase": lambda s: s.InverseTimeDecay(0.1, 5, 0.5, staircase=True),
}


@pytest.mark.parametrize("case", sorted(SCHEDULES))
def test_schedule_values_match_keras(case):
    theirs = SCHEDULES[case](keras.optimizers.schedules)
    ours = SCHEDULES[case](nk.optimizers.schedules)
    for step in range(45):
        expected = float(keras.ops.convert_to_numpy(theirs(step)))
        assert float(ours(step)) == pytest.approx(expected, rel=1e-6, abs=1e-9), step
    assert ours.get_config() == theirs.get_config()


def test_schedule_errors_match_keras():
    with pytest.raises(ValueError, match="decay_steps` must be > 0"):
        nk.optimizers.schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        nk.optimizers.schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])


NAMES = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "lion"]


@pytest.mark.parametrize("name", NAMES)
def test_defaults_and_config_match_keras(name):
    theirs = keras.optimizers.get(name).get_config()
    ours = nk.optimizers.get(name).get_config()
    theirs["name"] = ours["name"] = "x"
    assert ours == pytest.approx(theirs)
    assert set(ours) == set(theirs)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSPROP", "adamW"])
def test_get_is_case_insensitive_like_keras(name):
    assert type(nk.optimizers.get(name)).__name__ == type(keras.optimizers.get(name)).__name__


def test_get_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="Unknown optimizer 'adamm'") as info:
        nk.optimizers.get("adamm")
    for name in NAMES:
        assert repr(name) in str(info.value)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        nk.optimizers.get(42)


def test_get_instance_none_and_keras_config_dict():
    opt = nk.optimizers.SGD()
    assert nk.optimizers.get(opt) is opt
    assert nk.optimizers.get(None) is None
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
    config = keras.optimizers.serialize(keras.optimizers.Adam(learning_rate=schedule, beta_1=0.8))
    ours = nk.optimizers.get(config)
    assert isinstance(ours, nk.optimizers.Adam) and ours.beta_1 == 0.8
    assert isinstance(ours._learning_rate, nk.optimizers.schedules.ExponentialDecay)
    again = nk.optimizers.get(nk.optimizers.serialize(ours))
    assert again.get_config() == ours.get_config()


def test_constructor_errors_match_keras():
    for lib in (keras.optimizers, nk.optimizers):
        with pytest.raises(ValueError, match="Only one of `clipnorm`"):
            lib.SGD(clipnorm=1.0, clipvalue=1.0)
        with pytest.raises(ValueError, match="should be float"):
            lib.SGD(learning_rate=1)
        with pytest.raises(ValueError, match="momentum"):
            lib.SGD(momentum=2.0)
        with pytest.raises(ValueError, match="Argument\\(s\\) not recognized"):
            lib.Adam(betas=(0.9, 0.99))
    schedule = nk.optimizers.schedules.CosineDecay(0.1, 10)
    with pytest.raises(TypeError, match="not settable"):
        nk.optimizers.Adam(learning_rate=schedule).learning_rate = 0.1


def test_missing_gradient_is_skipped_with_a_warning():
    w = ns.nn.Parameter(ns.tensor([1.0, 2.0]))
    b = ns.nn.Parameter(ns.tensor([0.5]))
    opt = nk.optimizers.SGD(learning_rate=0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        opt.apply_gradients([(ns.tensor([1.0, 1.0]), w), (None, b)])
    assert "Gradients do not exist" in str(caught[0].message)
    assert w.tolist() == [0.5, 1.5] and b.tolist() == [0.5]
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, w)])


def test_apply_without_variables_and_callable_learning_rate():
    w = ns.nn.Parameter(ns.tensor([1.0]))
    opt = nk.optimizers.SGD(learning_rate=lambda: 0.25)
    with pytest.raises(ValueError, match="must already be built"):
        opt.apply([ns.tensor([1.0])])
    opt.build([w])
    opt.apply([ns.tensor([2.0])])
    assert w.item() == 0.5 and opt.iterations == 1


def test_update_invalidates_graphs_recorded_before_it():
    w = ns.nn.Parameter(ns.tensor([1.0, 2.0]))
    loss = (w * w).sum()
    nk.optimizers.Adam().apply_gradients([(ns.tensor([1.0, 1.0]), w)])
    with pytest.raises(RuntimeError):
        loss.backward()


def test_state_round_trips_through_keras_layout():
    weights, grads = _problem(2)
    variables = [ns.nn.Parameter(ns.tensor(w)) for w in weights]
    opt = nk.optimizers.Nadam(learning_rate=0.01)
    for step in grads[:5]:
        opt.apply_gradients(zip(step, variables))
    store = {}
    opt.save_own_variables(store)
    fresh = nk.optimizers.Nadam(learning_rate=0.01)
    fresh.build(variables)
    fresh.load_own_variables(store)
    assert fresh.iterations == 5
    for a, b in zip(fresh.variables, opt.variables):
        np.testing.assert_array_equal(a, b)
