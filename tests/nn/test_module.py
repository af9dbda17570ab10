"""nn.Module, Parameter and the containers, against torch.nn on the same models.

Models are built in both libraries, weights are copied across through state_dict and NumPy
(both directions), and outputs, gradients, names, reprs and errors are compared.
"""

from collections import OrderedDict

import numpy as np
import pytest
from parity import require_torch
from tolerance import assert_close

import nnscratch as ns

nn = ns.nn


def _mlp(lib, dtype):
    """The same MLP in either library (layer for layer, so the state_dict keys agree)."""
    m = lib.nn
    return m.Sequential(
        m.Linear(5, 8, dtype=dtype), m.ReLU(), m.Linear(8, 8, dtype=dtype), m.Tanh(),
        m.Linear(8, 3, dtype=dtype),
    )  # fmt: skip


def _numpy_state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def _torch_state(torch, arrays: dict) -> dict:
    return {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}


def _populate(model, lib):
    """Give a model on either library every kind of registration."""
    m = lib.nn
    model.encoder = m.Sequential(
        OrderedDict(fc=m.Linear(4, 6), act=m.LeakyReLU(0.2), drop=m.Dropout(0.25))
    )
    model.blocks = m.ModuleList([m.Linear(6, 6) for _ in range(3)] + [m.ReLU()])
    model.heads = m.ModuleDict({"a": m.Linear(6, 2, bias=False), "b": m.Identity()})
    model.scale = m.Parameter(lib.ones(2))
    model.register_buffer("running", lib.zeros(2))
    model.register_buffer("scratch", lib.zeros(1), persistent=False)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        _populate(self, ns)


def _torch_net():
    """Net built on torch.nn (its class is named TNet)."""
    torch = require_torch()

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            _populate(self, torch)

    return TNet()


# ---- parity of a whole model ---------------------------------------------------------------


def test_mlp_torch_weights_give_torch_outputs_and_gradients(rng):
    torch = require_torch()
    theirs = _mlp(torch, torch.float64)
    ours = _mlp(ns, ns.float64)
    ours.load_state_dict(_numpy_state(theirs))
    x = rng.standard_normal((7, 5))
    w = rng.standard_normal((7, 3))
    out_ours, out_theirs = ours(ns.tensor(x)), theirs(torch.from_numpy(x))
    assert_close(out_ours.detach().numpy(), out_theirs.detach().numpy())
    (out_ours * ns.tensor(w)).sum().backward()
    (out_theirs * torch.from_numpy(w)).sum().backward()
    grads = {k: p.grad.numpy() for k, p in theirs.named_parameters()}
    assert [k for k, _ in ours.named_parameters()] == list(grads)
    for name, p in ours.named_parameters():
        assert_close(p.grad.numpy(), grads[name], err_msg=name)


def test_mlp_our_weights_load_into_torch(rng):
    torch = require_torch()
    ns.manual_seed(3)
    ours = _mlp(ns, ns.float64)
    theirs = _mlp(torch, torch.float64)
    assert repr(theirs.load_state_dict(_torch_state(torch, _numpy_state(ours)))) == repr(
        ours.load_state_dict(_numpy_state(ours))
    )
    x = rng.standard_normal((4, 5))
    assert_close(ours(ns.tensor(x)).detach().numpy(), theirs(torch.from_numpy(x)).detach().numpy())


def test_a_training_step_by_hand_matches_torch(rng):
    torch = require_torch()
    theirs, ours = _mlp(torch, torch.float64), _mlp(ns, ns.float64)
    ours.load_state_dict(_numpy_state(theirs))
    x, y = rng.standard_normal((6, 5)), rng.standard_normal((6, 3))
    for model, lib in ((ours, ns), (theirs, torch)):
        for _ in range(3):
            model.zero_grad()
            loss = ((model(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                for p in model.parameters():
                    p -= 0.1 * p.grad
    for key, value in _numpy_state(theirs).items():
        assert_close(ours.state_dict()[key].numpy(), value, rtol=1e-10)  # after 3 steps


# ---- names ------------------------------------------------------------------------------


def test_names_of_a_nested_model_equal_torchs():
    ours, theirs = Net(), _torch_net()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for method in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        assert [k for k, _ in getattr(ours, method)()] == [
            k for k, _ in getattr(theirs, method)()
        ], method
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert len(list(ours.children())) == len(list(theirs.children()))
    assert len(list(ours.buffers())) == len(list(theirs.buffers()))


def test_shared_parameters_are_listed_once_but_saved_under_each_name():
    torch = require_torch()
    names = {}
    for lib in (ns, torch):
        layer = lib.nn.Linear(3, 3)
        model = lib.nn.Sequential(layer, lib.nn.ReLU(), layer)
        names[lib] = (
            [k for k, _ in model.named_parameters()],
            list(model.state_dict()),
            [k for k, _ in model.named_modules()],
        )
    assert names[ns] == names[torch]
    assert names[ns][0] == ["0.weight", "0.bias"]


def test_non_recursive_and_prefixed_listings_match_torch():
    ours, theirs = Net(), _torch_net()
    assert [k for k, _ in ours.named_parameters(recurse=False)] == ["scale"]
    for kwargs in ({"prefix": "net"}, {"recurse": False}):
        assert [k for k, _ in ours.named_parameters(**kwargs)] == [
            k for k, _ in theirs.named_parameters(**kwargs)
        ]
    assert [k for k, _ in ours.named_modules(prefix="m")] == [
        k for k, _ in theirs.named_modules(prefix="m")
    ]
    assert ours.get_submodule("blocks.1") is ours.blocks[1]


# ---- state_dict -------------------------------------------------------------------------


def test_state_dict_values_are_detached_and_share_storage():
    model = nn.Linear(2, 2)
    state = model.state_dict()
    assert isinstance(state, OrderedDict)
    assert not state["weight"].requires_grad and not isinstance(state["weight"], nn.Parameter)
    with ns.no_grad():
        model.weight.zero_()
    assert not state["weight"].numpy().any()  # as torch: a view, not a copy
    assert model.state_dict(keep_vars=True)["weight"] is model.weight


def test_load_state_dict_copies_in_place_from_arrays_and_tensors(rng):
    model = nn.Linear(3, 2, dtype=ns.float64)
    weight = model.weight
    w, b = rng.standard_normal((2, 3)), rng.standard_normal(2)
    result = model.load_state_dict({"weight": w, "bias": ns.tensor(b)})
    assert repr(result) == "<All keys matched successfully>"
    assert model.weight is weight and model.weight.requires_grad
    np.testing.assert_array_equal(model.weight.detach().numpy(), w)
    w[:] = 0  # the model holds a copy
    assert model.weight.detach().numpy().any()
    np.testing.assert_array_equal(model.bias.detach().numpy(), b)


def test_load_state_dict_keeps_the_models_dtype(rng):
    model = nn.Linear(3, 2)
    model.load_state_dict({k: rng.standard_normal(v.shape) for k, v in model.state_dict().items()})
    assert model.weight.dtype == ns.float32


def test_load_state_dict_errors_read_like_torchs():
    torch = require_torch()
    bad = {"weight": np.ones((2, 2)), "bias": np.ones(3), "extra": np.ones(1)}
    with pytest.raises(RuntimeError) as ours:
        nn.Linear(2, 3).load_state_dict(bad)
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(2, 3).load_state_dict(_torch_state(torch, bad))
    assert str(ours.value) == str(theirs.value).replace("torch.Size([", "(").replace("])", ")")
    assert "size mismatch for weight" in str(ours.value) and "(2, 2)" in str(ours.value)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
        nn.Linear(2, 3).load_state_dict({"weight": np.ones((3, 2))})


def test_load_state_dict_not_strict_returns_the_keys_as_torch():
    torch = require_torch()
    state = {"weight": np.ones((3, 2)), "other": np.zeros(1)}
    ours = nn.Linear(2, 3).load_state_dict(state, strict=False)
    theirs = torch.nn.Linear(2, 3).load_state_dict(_torch_state(torch, state), strict=False)
    assert ours.missing_keys == theirs.missing_keys == ["bias"]
    assert ours.unexpected_keys == theirs.unexpected_keys == ["other"]
    assert repr(ours) == repr(theirs)
    with pytest.raises(RuntimeError, match="size mismatch for weight"):  # always an error
        nn.Linear(2, 3).load_state_dict({"weight": np.ones((2, 2))}, strict=False)


def test_load_state_dict_rejects_non_arrays():
    with pytest.raises(TypeError, match='parameter named "weight"'):
        nn.Linear(2, 3).load_state_dict({"weight": "abc", "bias": np.ones(3)})


def test_non_persistent_buffers_are_not_saved():
    model = Net()
    assert "running" in model.state_dict() and "scratch" not in model.state_dict()
    assert [k for k, _ in model.named_buffers()] == ["running", "scratch"]


# ---- repr -------------------------------------------------------------------------------


def test_repr_equals_torchs():
    assert repr(Net()) == repr(_torch_net()).replace("TNet", "Net")
    torch = require_torch()
    assert repr(_mlp(ns, None)) == repr(_mlp(torch, None))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"
    assert repr(nn.Module()) == repr(torch.nn.Module())


def test_extra_repr_with_children_and_several_lines():
    torch = require_torch()

    def build(lib):
        class Block(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(2, 2)

            def extra_repr(self):
                return "first line\nsecond line"

        return Block()

    assert repr(build(ns)) == repr(build(torch))


def test_parameter_repr_and_storage_sharing():
    torch = require_torch()
    t = ns.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert repr(nn.Parameter()) == repr(torch.nn.Parameter())
    with ns.no_grad():
        p += 1
    assert t.tolist() == [2.0, 3.0]  # shared, as torch
    assert isinstance(p, ns.Tensor) and p.is_leaf and p.requires_grad
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    y = p * 2
    assert type(y) is ns.Tensor  # ops on parameters give plain tensors


# ---- registration -----------------------------------------------------------------------


def test_setattr_registers_and_delattr_removes():
    model = nn.Module()
    model.w = nn.Parameter(ns.zeros(2))
    model.sub = nn.Linear(2, 2)
    model.plain = ns.zeros(2)  # a plain tensor is not a parameter
    assert [k for k, _ in model.named_parameters()] == ["w", "sub.weight", "sub.bias"]
    model.w = None  # a registered parameter may become None
    assert [k for k, _ in model.named_parameters()] == ["sub.weight", "sub.bias"]
    del model.sub
    assert list(model.named_parameters()) == [] and not hasattr(model, "sub")
    model.sub = nn.Parameter(ns.ones(1))  # a name moves between tables cleanly
    assert list(model.state_dict()) == ["sub"] and model.w is None
    layer = nn.Linear(2, 2)
    layer.weight = nn.Parameter(ns.zeros(2, 2))  # replaced where it stands, as torch
    assert (
        list(layer.state_dict()) == ["weight", "bias"] and not layer.weight.detach().numpy().any()
    )


def test_assignment_errors_match_torchs_kinds():
    torch = require_torch()
    for lib, error in ((ns, TypeError), (torch, TypeError)):
        layer = lib.nn.Linear(2, 2)
        with pytest.raises(error, match="weight"):
            layer.weight = lib.zeros(2, 2)  # a plain tensor in a parameter's place
    with pytest.raises(AttributeError, match="before Module.__init__"):

        class Early(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(ns.zeros(1))

        Early()
    with pytest.raises(KeyError, match="already exists"):
        nn.Linear(2, 2).register_buffer("forward", ns.zeros(1))
    with pytest.raises(KeyError, match='contain "."'):
        nn.Module().register_parameter("a.b", None)
    with pytest.raises(TypeError, match="Parameter or None"):
        nn.Module().register_parameter("a", ns.zeros(1))
    with pytest.raises(TypeError, match="not a Module"):
        nn.Module().add_module("a", 3)


def test_missing_attribute_and_missing_forward():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'weights'"):
        nn.Linear(2, 2).weights  # noqa: B018
    with pytest.raises(
        NotImplementedError, match='Module \\[Module\\] is missing the required "forward"'
    ):  # noqa: E501
        nn.Module()(ns.zeros(1))


def test_buffers_can_be_reassigned_with_tensors_only():
    model = Net()
    model.running = ns.ones(2)
    assert model.state_dict()["running"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="buffer 'running'"):
        model.running = 3


# ---- modes and bulk operations ----------------------------------------------------------


def test_train_and_eval_propagate_like_torch():
    ours, theirs = Net(), _torch_net()
    for call in ("eval", "train"):
        getattr(ours, call)()
        getattr(theirs, call)()
        assert [m.training for m in ours.modules()] == [m.training for m in theirs.modules()]
    ours.blocks.eval()
    assert ours.training and not ours.blocks[0].training and ours.heads["a"].training
    assert ours.train(False) is ours and not any(m.training for m in ours.modules())
    with pytest.raises(ValueError, match="boolean"):
        ours.train("yes")


def test_zero_grad_to_none_or_zeros():
    model = _mlp(ns, None)
    model(ns.ones(2, 5)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_apply_visits_modules_in_torchs_order():
    seen = {}
    for model in (Net(), _torch_net()):
        names = []
        model.apply(lambda m, names=names: names.append(type(m).__name__))
        seen[len(seen)] = [n.replace("TNet", "Net") for n in names]
    assert seen[0] == seen[1]


def test_requires_grad_freezes_every_parameter():
    model = Net().requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    assert all(p.requires_grad for p in model.requires_grad_().parameters())


def test_to_float64_keeps_the_parameter_objects():
    model = Net()
    model.register_buffer("steps", ns.zeros(1, dtype=ns.int64))
    params = list(model.parameters())
    values = [p.detach().numpy().copy() for p in params]
    model.blocks[0].weight.grad = ns.ones(6, 6)
    assert model.to(ns.float64) is model
    assert all(a is b for a, b in zip(model.parameters(), params))
    assert all(p.dtype == ns.float64 and p.requires_grad for p in model.parameters())
    for p, v in zip(params, values):
        np.testing.assert_array_equal(p.detach().numpy(), v)
    assert model.running.dtype == ns.float64 and model.steps.dtype == ns.int64
    assert model.blocks[0].weight.grad.dtype == ns.float64
    assert model.float().running.dtype == ns.float32 and model.double().scale.dtype == ns.float64
    assert model.to("cpu") is model and model.to(ns.zeros(1)).scale.dtype == ns.float32
    with pytest.raises(TypeError, match="floating point"):
        model.to(ns.int64)


def test_a_converted_model_trains_in_float64(rng):
    torch = require_torch()
    ours, theirs = _mlp(ns, None), _mlp(torch, None).double()
    ours.load_state_dict(_numpy_state(theirs))  # float64 values into float32 parameters
    ours.load_state_dict(_numpy_state(theirs.float()))
    ours.to(ns.float64)
    theirs.double()
    x = rng.standard_normal((3, 5))
    out = ours(ns.tensor(x))
    assert out.dtype == ns.float64
    np.testing.assert_allclose(out.detach().numpy(), theirs(torch.from_numpy(x)).detach().numpy())


# ---- containers -------------------------------------------------------------------------


def test_sequential_indexing_slicing_and_growth_match_torch():
    torch = require_torch()

    def build(lib):
        return lib.nn.Sequential(
            OrderedDict(a=lib.nn.Linear(2, 3), b=lib.nn.ReLU(), c=lib.nn.Linear(3, 1))
        )

    ours, theirs = build(ns), build(torch)
    assert repr(ours) == repr(theirs)
    assert type(ours[1:]) is nn.Sequential and repr(ours[1:]) == repr(theirs[1:])
    assert repr(ours[::2]) == repr(theirs[::2])
    assert ours[-1] is ours.c and len(ours) == 3 and list(ours) == [ours.a, ours.b, ours.c]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        ours[3]
    for model, lib in ((ours, ns), (theirs, torch)):
        model.append(lib.nn.Sigmoid())
        del model[1]
        model[0] = lib.nn.Linear(2, 3)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_sequential_runs_its_modules_in_order(rng):
    torch = require_torch()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4).double(), torch.nn.Sigmoid())
    ours = nn.Sequential(nn.Linear(3, 4, dtype=ns.float64), nn.Sigmoid())
    ours.load_state_dict(_numpy_state(theirs))
    x = rng.standard_normal((2, 3))
    np.testing.assert_allclose(
        ours(ns.tensor(x)).detach().numpy(), theirs(torch.from_numpy(x)).detach().numpy()
    )
    assert nn.Sequential()(x) is x  # an empty Sequential is the identity


def test_module_list_matches_torch():
    torch = require_torch()
    lists = []
    for lib in (ns, torch):
        layers = lib.nn.ModuleList([lib.nn.Linear(2, 2)])
        layers.append(lib.nn.ReLU())
        layers.extend([lib.nn.Tanh(), lib.nn.Tanh()])
        layers.insert(1, lib.nn.Identity())
        layers += [lib.nn.Sigmoid()]
        del layers[0]
        lists.append(layers)
    assert repr(lists[0]) == repr(lists[1])
    assert repr(lists[0][1:3]) == repr(lists[1][1:3]) and type(lists[0][1:3]) is nn.ModuleList
    assert len(lists[0]) == 5 and isinstance(lists[0][-1], nn.Sigmoid)
    with pytest.raises(NotImplementedError):
        lists[0](ns.zeros(1))


def test_module_dict_matches_torch():
    torch = require_torch()
    dicts = []
    for lib in (ns, torch):
        heads = lib.nn.ModuleDict({"x": lib.nn.Linear(2, 2)})
        heads["y"] = lib.nn.Linear(2, 1)
        heads.update([("z", lib.nn.ReLU())])
        heads.pop("x")
        dicts.append(heads)
    ours, theirs = dicts
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    assert list(ours) == list(theirs) == ["y", "z"] and "y" in ours and len(ours) == 2
    assert list(ours.keys()) == ["y", "z"] and list(ours.values())[0] is ours["y"]
