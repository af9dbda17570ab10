"""nnscratch.optim against torch.optim: same weights, same batches, same trajectory.

A 3-5-2 tanh MLP is written with tensor ops (no nn), trained for 25 steps from the same
float64 weights on the same batches in both libraries; every parameter must match torch's.
State dicts are checked in torch's layout, in both directions, and errors by torch's wording.
"""

from __future__ import annotations

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
import nnscratch.optim as optim

torch = require_torch()

RTOL, ATOL = 1e-10, 1e-12  # float64; observed differences are ~1e-15
_rng = np.random.default_rng(0)
WEIGHTS = [_rng.normal(size=s) for s in [(5, 3), (5,), (2, 5), (2,)]]
BATCHES = [(_rng.normal(size=(8, 3)), _rng.normal(size=(8, 2))) for _ in range(25)]

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.8, "dampening": 0.3, "maximize": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.2}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "betas": (0.3, 0.6), "maximize": True}),  # lerp's other formula
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.3}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9, "maximize": True}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "maximize": True}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adadelta", {}),
    ("Adadelta", {"rho": 0.5, "weight_decay": 0.1, "lr": 0.5, "maximize": True}),
    ("Adamax", {"lr": 0.05}),
    ("Adamax", {"lr": 0.05, "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {"lr": 0.05}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("NAdam", {"lr": 0.05, "momentum_decay": 0.01, "maximize": True}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for name, kw in CASES]
# One representative per optimizer, with its state-heaviest options, for the state-dict tests.
STATEFUL = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adadelta", {}),
    ("Adamax", {"lr": 0.05}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1}),
]


def make_params(lib, weights=WEIGHTS, dtype=np.float64) -> list:
    params = [lib.from_numpy(np.array(w, dtype=dtype)) for w in weights]
    return [p.requires_grad_(True) for p in params]


def loss_fn(lib, params, x, y, maximize: bool = False):
    w1, b1, w2, b2 = params
    out = (x @ w1.T + b1).tanh() @ w2.T + b2
    loss = ((out - y) ** 2).mean()
    return -loss if maximize else loss  # maximize=True then still descends the MSE


def train(lib, opt, params, batches, maximize=False, dtype=np.float64) -> None:
    for x, y in batches:
        x, y = lib.from_numpy(x.astype(dtype)), lib.from_numpy(y.astype(dtype))
        opt.zero_grad()
        loss_fn(lib, params, x, y, maximize).backward()
        opt.step()


def optimizer(lib, name: str, params, kwargs: dict):
    return getattr(lib.optim if lib is torch else optim, name)(params, **kwargs)


def arrays(params) -> list[np.ndarray]:
    return [p.detach().numpy().copy() for p in params]


def assert_params_equal(ours, theirs, rtol=RTOL, atol=ATOL) -> None:
    for k, (a, b) in enumerate(zip(arrays(ours), arrays(theirs))):
        assert a.dtype == b.dtype, f"parameter {k}: dtype {a.dtype}, torch {b.dtype}"
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"parameter {k}")


def run_both(name, kwargs, steps=25, dtype=np.float64):
    maximize = kwargs.get("maximize", False)
    results = []
    for lib in (ns, torch):
        params = make_params(lib, dtype=dtype)
        opt = optimizer(lib, name, params, kwargs)
        train(lib, opt, params, BATCHES[:steps], maximize, dtype)
        results.append((params, opt))
    return results


# ---- trajectories ---------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_trajectory_matches_torch(name, kwargs):
    (ours, _), (theirs, _) = run_both(name, kwargs)
    moved = max(np.abs(a - w).max() for a, w in zip(arrays(theirs), WEIGHTS))
    assert moved > 1e-2, "the run barely moved the weights; the comparison would prove little"
    assert_params_equal(ours, theirs)


@pytest.mark.parametrize(("name", "kwargs"), STATEFUL, ids=[n for n, _ in STATEFUL])
def test_float32_stays_float32(name, kwargs):
    (ours, opt), (theirs, _) = run_both(name, kwargs, steps=10, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in ours)
    for state in opt.state.values():
        for key, value in state.items():
            if key not in ("step", "mu_product"):  # torch keeps these scalars in float32 too
                assert value.dtype == np.float32, f"state {key!r} is {value.dtype}"
    assert_params_equal(ours, theirs, rtol=1e-4, atol=1e-5)


def test_param_groups_with_their_own_options():
    results = []
    for lib in (ns, torch):
        params = make_params(lib)
        groups = [
            {"params": params[:2], "lr": 0.2, "momentum": 0.5},
            {"params": params[2:], "weight_decay": 0.1},
        ]
        opt = optimizer(lib, "SGD", groups, {"lr": 0.05, "momentum": 0.9})
        train(lib, opt, params, BATCHES)
        results.append((params, opt))
    (ours, opt), (theirs, torch_opt) = results
    assert_params_equal(ours, theirs)
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.05]
    assert opt.param_groups[1]["momentum"] == 0.9  # filled from the defaults
    theirs_groups = torch_opt.state_dict()["param_groups"]
    assert _plain(opt.state_dict()["param_groups"]) == _plain(theirs_groups)


def test_add_param_group_and_parameters_without_grad_are_skipped():
    results = []
    for lib in (ns, torch):
        params = make_params(lib)
        frozen = lib.from_numpy(np.ones(3)).requires_grad_(True)  # never gets a gradient
        opt = optimizer(lib, "Adam", params[:2] + [frozen], {"lr": 0.05})
        opt.add_param_group({"params": params[2:], "lr": 0.01, "amsgrad": True})
        train(lib, opt, params, BATCHES[:5])
        results.append((params, opt, frozen))
    (ours, opt, frozen), (theirs, torch_opt, _) = results
    assert_params_equal(ours, theirs)
    assert frozen not in opt.state and np.array_equal(frozen.detach().numpy(), np.ones(3))
    assert sorted(opt.state_dict()["state"]) == sorted(torch_opt.state_dict()["state"])


# ---- zero_grad, step(closure) -----------------------------------------------------------------
def test_zero_grad_to_none_and_in_place():
    params = make_params(ns)
    opt = optim.SGD(params, lr=0.1)
    x, y = (ns.from_numpy(a) for a in BATCHES[0])
    loss_fn(ns, params, x, y).backward()
    grads = [p.grad for p in params]
    opt.zero_grad(set_to_none=False)
    for p, g in zip(params, grads):
        assert p.grad is g and not g.numpy().any(), "zeroed in place, same tensor"
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_zero_grad_in_place_then_accumulate_matches_torch():
    results = []
    for lib in (ns, torch):
        params = make_params(lib)
        opt = optimizer(lib, "SGD", params, {"lr": 0.1, "momentum": 0.9})
        for x, y in BATCHES[:5]:
            opt.zero_grad(set_to_none=False)
            loss_fn(lib, params, lib.from_numpy(x), lib.from_numpy(y)).backward()
            opt.step()
        results.append(params)
    assert_params_equal(*results)


def test_step_with_closure_returns_its_loss():
    losses = []
    for lib in (ns, torch):
        params = make_params(lib)
        opt = optimizer(lib, "Adam", params, {"lr": 0.05})
        x, y = (lib.from_numpy(a) for a in BATCHES[0])

        def closure(lib=lib, params=params, opt=opt, x=x, y=y):
            opt.zero_grad()
            loss = loss_fn(lib, params, x, y)
            loss.backward()
            return loss

        with lib.no_grad():  # the closure still records a graph: step enables grad for it
            values = [opt.step(closure).item() for _ in range(3)]
        losses.append(values)
    np.testing.assert_allclose(losses[0], losses[1], rtol=RTOL)
    assert optim.SGD(make_params(ns)).step() is None


def test_step_invalidates_a_graph_recorded_before_it():
    """Like torch, backward through values that a step overwrote raises (no silent reuse)."""
    for lib in (ns, torch):
        (w,) = make_params(lib, [np.array([1.0, 2.0])])
        opt = optimizer(lib, "SGD", [w], {"lr": 0.1})
        y = (w * w).sum()
        y.backward(retain_graph=True)
        opt.step()
        with pytest.raises(RuntimeError, match="in-?place"):
            y.backward()


# ---- state dicts ------------------------------------------------------------------------------
def _plain(groups: list[dict]) -> list[dict]:
    """Torch's param groups without the options nnscratch does not have (foreach, fused...)."""
    extra = {"foreach", "fused", "capturable", "differentiable"}
    return [{k: v for k, v in g.items() if k not in extra} for g in groups]


def _to_numpy_state(state_dict: dict) -> dict:
    state = {
        i: {k: (v.numpy().copy() if torch.is_tensor(v) else v) for k, v in s.items()}
        for i, s in state_dict["state"].items()
    }
    return {"state": state, "param_groups": state_dict["param_groups"]}


def _to_torch_state(state_dict: dict) -> dict:
    def convert(v):
        return torch.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v

    state = {i: {k: convert(v) for k, v in s.items()} for i, s in state_dict["state"].items()}
    return {"state": state, "param_groups": state_dict["param_groups"]}


@pytest.mark.parametrize(("name", "kwargs"), STATEFUL, ids=[n for n, _ in STATEFUL])
def test_state_dict_has_torchs_layout(name, kwargs):
    (_, opt), (_, torch_opt) = run_both(name, kwargs, steps=10)
    ours, theirs = opt.state_dict(), torch_opt.state_dict()
    assert _plain(ours["param_groups"]) == _plain(theirs["param_groups"])
    assert list(ours["state"]) == list(theirs["state"]) == [0, 1, 2, 3]
    for i, state in theirs["state"].items():
        assert list(ours["state"][i]) == list(state), f"state keys of parameter {i}"
        for key, value in state.items():
            np.testing.assert_allclose(ours["state"][i][key], value.numpy(), rtol=1e-6)
            assert np.asarray(ours["state"][i][key]).dtype == value.numpy().dtype, key


@pytest.mark.parametrize(("name", "kwargs"), STATEFUL, ids=[n for n, _ in STATEFUL])
def test_state_dict_round_trip_resumes_the_run(name, kwargs):
    params = make_params(ns)
    opt = optimizer(ns, name, params, kwargs)
    train(ns, opt, params, BATCHES[:10])
    saved = opt.state_dict()
    resumed = make_params(ns, arrays(params))
    fresh = optimizer(ns, name, resumed, {"lr": 123.0})  # options come from the state dict
    fresh.load_state_dict(saved)
    train(ns, opt, params, BATCHES[10:])  # the original goes on too: the states are not shared
    train(ns, fresh, resumed, BATCHES[10:])
    (_, _), (theirs, _) = run_both(name, kwargs)
    assert_params_equal(resumed, theirs)
    assert_params_equal(params, theirs)


@pytest.mark.parametrize(("name", "kwargs"), STATEFUL, ids=[n for n, _ in STATEFUL])
def test_load_torch_state_dict_and_back(name, kwargs):
    (_, _), (theirs, torch_opt) = run_both(name, kwargs, steps=10)
    # torch -> nnscratch: continue torch's run from its weights and optimizer state
    ours = make_params(ns, arrays(theirs))
    opt = optimizer(ns, name, ours, {})
    opt.load_state_dict(_to_numpy_state(torch_opt.state_dict()))
    train(ns, opt, ours, BATCHES[10:])
    (reference, _), (_, _) = run_both(name, kwargs)
    assert_params_equal(ours, reference)
    # nnscratch -> torch: the same state, handed back, continues torch's run
    (ours, opt), (_, _) = run_both(name, kwargs, steps=10)
    back = make_params(torch, arrays(ours))
    torch_back = optimizer(torch, name, back, {})
    torch_back.load_state_dict(_to_torch_state(opt.state_dict()))
    train(torch, torch_back, back, BATCHES[10:])
    assert_params_equal(reference, back)


def test_adagrad_state_exists_before_the_first_step():
    ours = optim.Adagrad(make_params(ns), initial_accumulator_value=0.5).state_dict()
    theirs = torch.optim.Adagrad(make_params(torch), initial_accumulator_value=0.5).state_dict()
    assert list(ours["state"]) == list(theirs["state"])
    np.testing.assert_array_equal(ours["state"][0]["sum"], theirs["state"][0]["sum"].numpy())


def test_load_state_dict_checks_group_sizes():
    opt = optim.SGD(make_params(ns))
    other = optim.SGD([{"params": make_params(ns)[:1]}, {"params": make_params(ns)[1:]}])
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(other.state_dict())
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(optim.SGD(make_params(ns)[:2]).state_dict())


# ---- validation -------------------------------------------------------------------------------
INVALID = [
    ("SGD", {"lr": -0.1}),
    ("SGD", {"momentum": -0.5}),
    ("SGD", {"weight_decay": -1.0}),
    ("SGD", {"nesterov": True}),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("Adam", {"lr": -0.1}),
    ("Adam", {"eps": -1.0}),
    ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, -0.1)}),
    ("Adam", {"weight_decay": -0.1}),
    ("AdamW", {"betas": (0.9, 1.0)}),
    ("RMSprop", {"alpha": -0.1}),
    ("RMSprop", {"momentum": -0.1}),
    ("RMSprop", {"eps": -0.1}),
    ("Adagrad", {"lr_decay": -0.1}),
    ("Adagrad", {"initial_accumulator_value": -0.1}),
    ("Adadelta", {"rho": 1.5}),
    ("Adadelta", {"lr": -1.0}),
    ("Adamax", {"betas": (-0.1, 0.9)}),
    ("NAdam", {"momentum_decay": -0.1}),
    ("NAdam", {"betas": (0.9, 1.5)}),
]


@pytest.mark.parametrize(("name", "kwargs"), INVALID, ids=[f"{n}-{k}" for n, k in INVALID])
def test_invalid_options_raise_torchs_error(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        optimizer(torch, name, make_params(torch), kwargs)
    with pytest.raises(ValueError) as ours:
        optimizer(ns, name, make_params(ns), kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, ps: [],
        lambda lib, ps: [5],
        lambda lib, ps: [ps[0] * 2],
        lambda lib, ps: [{"params": ps[:2]}, {"params": ps[1:]}],
        lambda lib, ps: [{"params": {ps[0]}}],
        lambda lib, ps: [("w", ps[0]), ps[1]],
    ],
    ids=["empty", "not-a-tensor", "non-leaf", "shared", "set", "half-named"],
)
def test_invalid_params_raise_torchs_error(make):
    errors = []
    for lib in (torch, ns):
        with pytest.raises((TypeError, ValueError)) as info:
            optimizer(lib, "SGD", make(lib, make_params(lib)), {})
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def test_a_tensor_instead_of_a_list_is_refused():
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        optim.SGD(make_params(ns)[0])


def test_named_parameters_keep_their_names():
    sds = []
    for lib in (ns, torch):
        params = make_params(lib)
        opt = optimizer(lib, "SGD", [(f"p{i}", p) for i, p in enumerate(params)], {"lr": 0.1})
        sds.append(opt.state_dict()["param_groups"])
    assert _plain(sds[0]) == _plain(sds[1])
    assert sds[0][0]["param_names"] == ["p0", "p1", "p2", "p3"]


ZERO_D_OPTIMIZERS = {
    "SGD momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}),
    "SGD nesterov": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    "Adam": ("Adam", {"lr": 0.1}),
    "AdamW": ("AdamW", {"lr": 0.1}),
    "RMSprop momentum": ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    "Adagrad": ("Adagrad", {"lr": 0.1}),
    "Adadelta": ("Adadelta", {"lr": 1.0}),
}


@pytest.mark.parametrize("name", sorted(ZERO_D_OPTIMIZERS))
def test_a_scalar_parameter_used_twice_trains_as_in_torch(name):
    """A 0-d parameter that reaches the loss twice gets its two gradients summed; NumPy makes
    the sum of 0-d arrays a scalar, which kept an optimizer's in-place state from moving
    (dynamic_net, found by running the tutorial)."""
    torch = require_torch()
    kind, options = ZERO_D_OPTIMIZERS[name]
    trajectories = []
    for lib in (ns, torch):
        w = lib.nn.Parameter(lib.tensor(1.0, dtype=lib.float64))
        optimizer = getattr(lib.optim, kind)([w], **options)
        for _ in range(5):
            optimizer.zero_grad()
            (w * w * 1.5 + w * 0.5).backward()
            optimizer.step()
            trajectories.append(w.item())
    ours, theirs = trajectories[:5], trajectories[5:]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_gradients_of_a_scalar_stay_arrays_across_uses_and_backward_calls():
    w = ns.tensor(2.0, requires_grad=True)
    (w * 3 + w * 4).backward()
    (w * 5).backward()
    assert type(w.grad.numpy()) is np.ndarray and w.grad.item() == 12.0
