"""Tampered checkpoints and state dicts are refused whole, with nnscratch's own errors (issue 18).

Each kind of tampering (a missing key, a wrong type, a wrong shape, an extra group, a bad
random state, a bad scheduler field) raises a ``FileFormatError`` from ``load_checkpoint`` (an
``InputError`` from ``load_state_dict`` given the dict directly), and the model, optimizer,
scheduler and global random state are exactly as they were before the call.
"""

import copy

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import nn, optim
from nnscratch.errors import (
    FileFormatError,
    InputError,
    InputTypeError,
    NnscratchError,
    StateMismatchError,
)
from nnscratch.random import get_rng_state, set_rng_state
from nnscratch.utils.checkpoint import load_checkpoint, save_checkpoint


def _objects(seed: int = 0, scheduler=None) -> dict:
    """A model, an Adam with state after two steps, and a scheduler that has stepped."""
    ns.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    make = scheduler or (lambda opt: optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    objects = {"model": model, "optimizer": optimizer, "scheduler": make(optimizer)}
    for _ in range(2):
        optimizer.zero_grad()
        model(ns.randn(5, 3)).pow(2).sum().backward()
        optimizer.step()
        plateau = isinstance(objects["scheduler"], optim.lr_scheduler.ReduceLROnPlateau)
        objects["scheduler"].step(*([1.0] if plateau else []))
    return objects


def _snapshot(objects: dict) -> dict:
    """Deep copies of everything a load may change, to compare with afterwards."""
    return {
        "model": {k: v.numpy().copy() for k, v in objects["model"].state_dict().items()},
        "optimizer": copy.deepcopy(objects["optimizer"].state_dict()),
        "scheduler": copy.deepcopy(objects["scheduler"].state_dict()),
        "rng": get_rng_state(),
    }


def _assert_same(a, b, where: str = "") -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    else:
        assert type(a) is type(b) and a == b, where


def _tampered(tmp_path, change) -> str:
    """A checkpoint of other objects (seed 1), with ``change`` applied to its contents."""
    path = str(tmp_path / "tampered.safetensors")
    save_checkpoint(path, epoch=3, **_objects(seed=1))
    checkpoint = ns.load(path)
    change(checkpoint)
    ns.save(checkpoint, path)
    return path


def _set(*keys, value):
    def change(checkpoint):
        node = checkpoint
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return change


def _drop(*keys):
    def change(checkpoint):
        node = checkpoint
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return change


def _extra_group(checkpoint):
    groups = checkpoint["optimizer"]["param_groups"]
    groups.append({**groups[0], "params": [10, 11]})


OPTIMIZER_TAMPERING = {
    "optimizer missing param_groups": _drop("optimizer", "param_groups"),
    "optimizer missing state": _drop("optimizer", "state"),
    "optimizer not a dict": _set("optimizer", value=[1, 2]),
    "param_groups not a list": _set("optimizer", "param_groups", value={"a": 1}),
    "group not a dict": _set("optimizer", "param_groups", 0, value="group"),
    "group missing params": _drop("optimizer", "param_groups", 0, "params"),
    "group params not ints": _set("optimizer", "param_groups", 0, "params", value=["a"] * 4),
    "group params repeated": _set("optimizer", "param_groups", 0, "params", value=[0, 0, 1, 2]),
    "group too small": _set("optimizer", "param_groups", 0, "params", value=[0, 1]),
    "extra group": _extra_group,
    "lr a string": _set("optimizer", "param_groups", 0, "lr", value="fast"),
    "lr None": _set("optimizer", "param_groups", 0, "lr", value=None),
    "betas one number": _set("optimizer", "param_groups", 0, "betas", value=[0.9]),
    "betas strings": _set("optimizer", "param_groups", 0, "betas", value=["a", "b"]),
    "amsgrad a string": _set("optimizer", "param_groups", 0, "amsgrad", value="yes"),
    "unknown option nested": _set("optimizer", "param_groups", 0, "x", value={"a": [1]}),
    "state key not an id": _set("optimizer", "state", "weights", value={}),
    "state key out of range": _set("optimizer", "state", 99, value={}),
    "state entry not a dict": _set("optimizer", "state", 0, value=[1.0]),
    "state missing exp_avg": _drop("optimizer", "state", 0, "exp_avg"),
    "exp_avg wrong shape": _set("optimizer", "state", 0, "exp_avg", value=np.zeros(3)),
    "exp_avg integers": _set("optimizer", "state", 0, "exp_avg", value=np.zeros((4, 3), int)),
    "exp_avg a list": _set("optimizer", "state", 0, "exp_avg", value=[[0.0] * 3] * 4),
    "exp_avg a string": _set("optimizer", "state", 0, "exp_avg", value="zeros"),
    "step an array": _set("optimizer", "state", 1, "step", value=np.zeros(4, np.float32)),
    "step a string": _set("optimizer", "state", 1, "step", value="2"),
    "step beyond float32": _set("optimizer", "state", 1, "step", value=-1e308),
    "lr beyond a float": _set("optimizer", "param_groups", 0, "lr", value=10**400),
    "momentum buffer of other shape": _set(
        "optimizer", "state", 2, "momentum_buffer", value=np.zeros(7)
    ),
}
SCHEDULER_TAMPERING = {
    "last_epoch a string": _set("scheduler", "last_epoch", value="2"),
    "last_epoch a float": _set("scheduler", "last_epoch", value=2.5),
    "step_count None": _set("scheduler", "_step_count", value=None),
    "gamma a list": _set("scheduler", "gamma", value=[0.5]),
    "base_lrs two groups": _set("scheduler", "base_lrs", value=[0.1, 0.1]),
    "base_lrs strings": _set("scheduler", "base_lrs", value=["0.1"]),
    "is_initial a number": _set("scheduler", "_is_initial", value=1),
    "key naming a method": _set("scheduler", "step", value=1),
    "key naming the optimizer": _set("scheduler", "optimizer", value={}),
    "unknown key holding a dict": _set("scheduler", "extra", value={"a": 1}),
}
OTHER_TAMPERING = {
    "scheduler not a dict": _set("scheduler", value=3),
    "model missing key": _drop("model", "0.bias"),
    "model extra key": _set("model", "2.weight", value=ns.ones(2)),
    "model wrong shape": _set("model", "0.weight", value=ns.ones(3, 4)),
    "model value a string": _set("model", "0.bias", value="zeros"),
    "model value a list": _set("model", "1.bias", value=[0.0, 0.0]),
    "model not a dict": _set("model", value=[1]),
    # the random state
    "rng missing": _drop("rng_state"),
    "rng state a string": _set("rng_state", "state", value="no"),
    "rng unknown generator": _set("rng_state", "bit_generator", value="os.system"),
    "rng flag out of range": _set("rng_state", "has_uint32", value=7),
    "rng state negative": _set("rng_state", "state", "state", value=-1),
    "rng extra key": _set("rng_state", "extra", value=0),
}
TAMPERING = {**OPTIMIZER_TAMPERING, **SCHEDULER_TAMPERING, **OTHER_TAMPERING}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_a_tampered_checkpoint_is_refused_and_changes_nothing(tmp_path, name):
    path = _tampered(tmp_path, TAMPERING[name])
    objects = _objects(seed=2)
    before = _snapshot(objects)
    with pytest.raises(FileFormatError) as info:
        load_checkpoint(path, **objects)
    assert path in str(info.value)
    _assert_same(_snapshot(objects), before)


def test_a_model_that_does_not_fit_is_a_runtime_error_as_in_torch(tmp_path):
    path = _tampered(tmp_path, _set("model", "0.weight", value=ns.ones(3, 4)))
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight") as info:
        load_checkpoint(path, **_objects(seed=2))
    assert isinstance(info.value, StateMismatchError)


def test_a_float_into_an_integer_buffer_is_refused(tmp_path):
    path = tmp_path / "norm.safetensors"
    save_checkpoint(path, model=nn.BatchNorm1d(2))
    checkpoint = ns.load(path)
    checkpoint["model"]["num_batches_tracked"] = ns.tensor(2.5)
    ns.save(checkpoint, path)
    model = nn.BatchNorm1d(2)
    with pytest.raises(StateMismatchError, match="dtype mismatch for num_batches_tracked"):
        load_checkpoint(path, model=model)
    assert model.num_batches_tracked.item() == 0


def test_a_bad_random_state_alone_leaves_model_and_optimizer_untouched(tmp_path):
    """The case of issue 18: the model and optimizer used to be loaded before the random
    state was refused."""
    path = _tampered(tmp_path, _set("rng_state", "state", "inc", value="x"))
    objects = _objects(seed=2)
    before = _snapshot(objects)
    with pytest.raises(FileFormatError, match="random state"):
        load_checkpoint(path, **objects)
    _assert_same(_snapshot(objects), before)
    load_checkpoint(path, **objects, restore_rng=False)  # the rest of the file is good
    reference = _objects(seed=1)
    for ours, theirs in zip(objects["model"].parameters(), reference["model"].parameters()):
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


class _FailingScheduler:
    """An object without check_state_dict whose load fails: the loads before it are undone."""

    def __init__(self):
        self.count = 0

    def state_dict(self):
        return {"count": self.count}

    def load_state_dict(self, state):
        raise RuntimeError("cannot load")


def test_a_load_that_fails_late_is_undone(tmp_path):
    path = str(tmp_path / "late.safetensors")
    source = _objects(seed=1)
    save_checkpoint(path, **{**source, "scheduler": _FailingScheduler()})
    objects = {**_objects(seed=2), "scheduler": _FailingScheduler()}
    model = {k: v.numpy().copy() for k, v in objects["model"].state_dict().items()}
    optimizer = copy.deepcopy(objects["optimizer"].state_dict())
    rng = get_rng_state()
    with pytest.raises(FileFormatError, match="cannot load"):
        load_checkpoint(path, **objects)
    _assert_same({k: v.numpy() for k, v in objects["model"].state_dict().items()}, model)
    _assert_same(objects["optimizer"].state_dict(), optimizer)
    assert get_rng_state() == rng


def test_a_good_checkpoint_still_loads_everything(tmp_path):
    path = tmp_path / "good.safetensors"
    source = _objects(seed=1)
    expected = _snapshot(source)
    save_checkpoint(path, **source)
    objects = _objects(seed=2)
    load_checkpoint(path, **objects)
    _assert_same(_snapshot(objects), expected)


# ---- state dicts given directly ----------------------------------------------------------------
def _direct_cases(name: str, tampering: dict, words: str):
    """``(name, the entry name of a good checkpoint changed as each of tampering changes it,
    the words its error must hold)``."""
    good = _objects(seed=1)[name].state_dict()
    for case, change in tampering.items():
        checkpoint = {name: copy.deepcopy(good)}
        change(checkpoint)
        yield pytest.param(name, checkpoint[name], words, id=f"{name}-{case}")


_DIRECT = [
    *_direct_cases("optimizer", OPTIMIZER_TAMPERING, "load_state_dict|parameter group"),
    *_direct_cases("scheduler", SCHEDULER_TAMPERING, "StepLR.load_state_dict expects"),
]


@pytest.mark.parametrize("name,state_dict,words", _DIRECT)
def test_load_state_dict_refuses_a_tampered_dict_and_changes_nothing(name, state_dict, words):
    target = _objects(seed=2)[name]
    before = copy.deepcopy(target.state_dict())
    with pytest.raises(InputError, match=words):
        target.load_state_dict(state_dict)
    _assert_same(target.state_dict(), before)
    assert callable(target.step)


def test_optimizer_group_count_and_size_errors_keep_torchs_words():
    optimizer = _objects(seed=2)["optimizer"]
    good = optimizer.state_dict()
    extra = {**good, "param_groups": good["param_groups"] * 2}
    with pytest.raises(InputError, match="^loaded state dict has a different number of parameter"):
        optimizer.load_state_dict(extra)
    small = {**good, "param_groups": [{**good["param_groups"][0], "params": [0]}], "state": {}}
    with pytest.raises(InputError, match="^loaded state dict contains a parameter group that"):
        optimizer.load_state_dict(small)


SCHEDULERS = {
    "plateau mode": (
        lambda opt: optim.lr_scheduler.ReduceLROnPlateau(opt),
        {"mode": "sideways"},
    ),
    "one-cycle phase name": (
        lambda opt: optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10),
        {
            "_schedule_phases": [
                {
                    "end_step": 2.0,
                    "start_lr": "optimizer",
                    "end_lr": "max_lr",
                    "start_momentum": "max_momentum",
                    "end_momentum": "base_momentum",
                }
            ]
            * 2
        },
    ),  # fmt: skip
    "one-cycle anneal": (
        lambda opt: optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10),
        {"_anneal_func_type": "exp"},
    ),
    "milestones": (
        lambda opt: optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3]),
        {"milestones": {"1": "x"}},
    ),
    "lambda fields": (
        lambda opt: optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1.0),
        {"lr_lambdas": [None, None]},
    ),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_each_scheduler_checks_its_own_fields(name):
    make, change = SCHEDULERS[name]
    scheduler = _objects(seed=2, scheduler=make)["scheduler"]
    before = copy.deepcopy(scheduler.state_dict())
    with pytest.raises(InputError, match="load_state_dict expects"):
        scheduler.load_state_dict({**scheduler.state_dict(), **change})
    _assert_same(scheduler.state_dict(), before)


def _multistep(optimizer):
    return optim.lr_scheduler.MultiStepLR(optimizer, milestones=[1, 1, 3], gamma=0.5)


def test_multistep_milestones_read_from_a_file_still_give_the_closed_form(tmp_path):
    path = tmp_path / "multistep.safetensors"
    make = _multistep
    save_checkpoint(path, **_objects(seed=1, scheduler=make))
    objects = _objects(seed=2, scheduler=make)
    load_checkpoint(path, **objects)
    with pytest.warns(UserWarning, match="epoch parameter"):
        objects["scheduler"].step(3)  # the closed form counts the milestones
    assert objects["scheduler"].get_last_lr() == [0.05 * 0.5**3]


# ---- the global random state -------------------------------------------------------------------
def _mt_state(**change):
    state = np.random.MT19937(0).state
    state["state"] = {**state["state"], **change}
    return state


@pytest.mark.parametrize(
    "bad",
    [_mt_state(pos=625), _mt_state(pos=10**6), _mt_state(key=np.zeros(3, np.uint32)),
     _mt_state(key=np.zeros(624)), {**np.random.PCG64(0).state, "has_uint32": 5},
     {**np.random.PCG64(0).state, "state": {"state": 2**128, "inc": 1}},
     {**np.random.SFC64(0).state, "state": {"state": [1, 2, 3, -4]}},
     {**np.random.Philox(0).state, "buffer_pos": 5}],
    ids=["pos 625", "pos 1e6", "short key", "float key", "flag 5", "state 2**128",
         "negative word", "buffer_pos 5"],
)  # fmt: skip
def test_set_rng_state_checks_every_field_itself(bad):
    before = get_rng_state()
    with pytest.raises(InputError, match=r"^set_rng_state expects '[a-z_.0-9]+' to be"):
        set_rng_state(bad)
    assert get_rng_state() == before


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"])
def test_set_rng_state_takes_every_generators_own_state(name):
    state = getattr(np.random, name)(7).state
    set_rng_state(state)
    first = ns.rand(3).numpy()
    set_rng_state(state)
    assert np.array_equal(ns.rand(3).numpy(), first)


def test_manual_seed_takes_torchs_range():
    ns.manual_seed(-1)
    negative = ns.rand(3).numpy()
    ns.manual_seed(2**64 - 1)  # torch reads -1 as its two's complement, 2**64 - 1
    assert np.array_equal(ns.rand(3).numpy(), negative)
    ns.manual_seed(-(2**63))
    for seed in (2**64, -(2**63) - 1, 10**5000):
        with pytest.raises(InputError, match=r"manual_seed expects an int in \[-0x8"):
            ns.manual_seed(seed)
    for seed in (1.5, "3", None, True):
        with pytest.raises(InputTypeError, match="manual_seed expects an int"):
            ns.manual_seed(seed)
    assert issubclass(InputTypeError, (NnscratchError, TypeError))
