"""The device model against torch built for the CPU: what code asks, what it gets back.

torch here is a CPU wheel, so every answer it gives about GPUs is the answer nnscratch owes.
Where torch fails on a GPU request (an AssertionError or RuntimeError), nnscratch raises its
``DeviceError``, a ``RuntimeError`` that says it computes on the CPU with NumPy.
"""

from __future__ import annotations

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
from nnscratch.errors import DeviceError

torch = require_torch()

CREATORS = {
    "tensor": lambda lib, device: lib.tensor([1.0, 2.0], device=device),
    "zeros": lambda lib, device: lib.zeros(2, 3, device=device),
    "ones": lambda lib, device: lib.ones(2, device=device),
    "empty": lambda lib, device: lib.empty(2, device=device),
    "full": lambda lib, device: lib.full((2,), 7.0, device=device),
    "arange": lambda lib, device: lib.arange(4, device=device),
    "linspace": lambda lib, device: lib.linspace(0, 1, 5, device=device),
    "eye": lambda lib, device: lib.eye(3, device=device),
    "rand": lambda lib, device: lib.rand(2, device=device),
    "randn": lambda lib, device: lib.randn(2, device=device),
    "randint": lambda lib, device: lib.randint(0, 5, (3,), device=device),
    "zeros_like": lambda lib, device: lib.zeros_like(lib.ones(2), device=device),
    "ones_like": lambda lib, device: lib.ones_like(lib.ones(2), device=device),
    "full_like": lambda lib, device: lib.full_like(lib.ones(2), 3.0, device=device),
    "rand_like": lambda lib, device: lib.rand_like(lib.ones(2), device=device),
    "randn_like": lambda lib, device: lib.randn_like(lib.ones(2), device=device),
    "randint_like": lambda lib, device: lib.randint_like(lib.ones(2), 5, device=device),
}


@pytest.mark.parametrize("name", sorted(CREATORS))
@pytest.mark.parametrize("device", ["cpu", "cpu:0", "device"])
def test_every_creation_function_takes_a_cpu_device(name, device):
    make = CREATORS[name]
    ours_device = ns.device("cpu") if device == "device" else device
    theirs_device = torch.device("cpu") if device == "device" else device
    ours, theirs = make(ns, ours_device), make(torch, theirs_device)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert str(ours.device) == str(theirs.device) == "cpu"


@pytest.mark.parametrize("name", sorted(CREATORS))
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps"])
def test_every_creation_function_refuses_a_gpu_and_says_why(name, device):
    with pytest.raises(DeviceError, match=rf"{name}: device '{device}' is not available.*CPU"):
        CREATORS[name](ns, device)


def test_device_objects_read_and_compare_like_torchs():
    for args in [("cpu",), ("cpu", 0), ("cpu:0",), ("cuda",), ("cuda:1",), ("mps",)]:
        ours, theirs = ns.device(*args), torch.device(*args)
        assert repr(ours) == repr(theirs)
        assert str(ours) == str(theirs)
        assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert ns.device(ns.device("cpu", 0)) == ns.device("cpu", 0)
    # torch: an index makes a different device, and a string is not a device
    assert (ns.device("cpu:0") == ns.device("cpu")) is (
        torch.device("cpu:0") == torch.device("cpu")
    )
    assert (ns.device("cpu") == "cpu") is (torch.device("cpu") == "cpu") is False
    assert len({ns.device("cpu"), ns.device("cpu"), ns.device("cpu", 0)}) == 2


@pytest.mark.parametrize("bad", ["gpu", "cpu:x", "cuda:-1", "cpu:0:1"])
def test_a_malformed_device_string_is_refused_as_torch_refuses_it(bad):
    with pytest.raises(RuntimeError):
        torch.device(bad)
    with pytest.raises(DeviceError, match=repr(bad.partition(":")[0]) + "|invalid device"):
        ns.device(bad)


def test_an_integer_device_names_a_gpu_and_is_refused():
    with pytest.raises(RuntimeError):
        torch.device(0)  # torch: "no accelerator is available"
    with pytest.raises(DeviceError, match="integer names a GPU"):
        ns.device(0)


def test_tensor_device_attributes_match_torch():
    ours, theirs = ns.ones(2), torch.ones(2)
    assert repr(ours.device) == repr(theirs.device)
    assert (ours.is_cpu, ours.is_cuda, ours.get_device()) == (
        theirs.is_cpu,
        theirs.is_cuda,
        theirs.get_device(),
    )
    assert ours.pin_memory() is ours and not ours.is_pinned()


def _to_forms(lib, x, other):
    return {
        "device": x.to("cpu"),
        "device object": x.to(lib.device("cpu")),
        "dtype": x.to(lib.float64),
        "device and dtype": x.to("cpu", lib.float64),
        "keywords": x.to(device="cpu", dtype=lib.float64),
        "other tensor": x.to(other),
        "non_blocking": x.to("cpu", non_blocking=True),
        "copy": x.to("cpu", copy=True),
        "dtype and copy": x.to(lib.float32, copy=True),
        "cpu()": x.cpu(),
    }


def test_the_forms_of_to_return_what_torchs_return():
    x, other = ns.ones(2), ns.zeros(1, dtype=ns.float64)
    tx, tother = torch.ones(2), torch.zeros(1, dtype=torch.float64)
    ours, theirs = _to_forms(ns, x, other), _to_forms(torch, tx, tother)
    for form in ours:
        assert str(ours[form].dtype) == str(theirs[form].dtype).removeprefix("torch."), form
        assert (ours[form] is x) is (theirs[form] is tx), form
        np.testing.assert_array_equal(ours[form].numpy(), theirs[form].numpy())


def test_to_keeps_the_graph_through_a_dtype_change():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("cpu", ns.float64)
    (y * y).sum().backward()
    assert y.grad_fn is not None and x.grad.dtype == ns.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_a_copy_made_by_to_is_a_new_array():
    x = ns.ones(2)
    y = x.to("cpu", copy=True)
    y.numpy()[0] = 5.0
    assert x.numpy()[0] == 1.0


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps", ns.device("cuda")])
def test_moving_a_tensor_to_a_gpu_raises(device):
    with pytest.raises(DeviceError, match="Tensor.to: device .* is not available"):
        ns.ones(2).to(device)
    with pytest.raises(DeviceError, match="Tensor.to"):
        ns.ones(2).to(device, ns.float64)


def test_cuda_raises_where_torch_without_cuda_does():
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        torch.ones(2).cuda()
    with pytest.raises(DeviceError, match="Tensor.cuda: .*CPU with NumPy"):
        ns.ones(2).cuda()
    with pytest.raises(DeviceError, match="Linear.cuda"):
        ns.nn.Linear(2, 2).cuda()


def test_to_refuses_arguments_torch_refuses():
    with pytest.raises(TypeError):
        torch.ones(2).to("cpu", torch.float64, "extra")
    with pytest.raises(TypeError, match="Tensor.to"):
        ns.ones(2).to("cpu", ns.float64, "extra")
    with pytest.raises(TypeError, match="unexpected keyword"):
        ns.ones(2).to(devce="cpu")


def test_module_to_takes_torchs_forms_and_keeps_its_parameters():
    layer = ns.nn.Linear(3, 2)
    weight = layer.weight
    assert layer.to("cpu") is layer and layer.weight is weight
    assert layer.to(ns.device("cpu"), ns.float64).weight.dtype == ns.float64
    assert layer.to(device="cpu", dtype=ns.float32).weight.dtype == ns.float32
    assert layer.to(ns.zeros(1, dtype=ns.float64)).weight.dtype == ns.float64
    assert layer.cpu() is layer and layer.weight is weight
    with pytest.raises(DeviceError, match="Linear.to: device 'cuda'"):
        layer.to("cuda")


def test_tensor_type_names_and_casts_match_torch():
    for dtype in [
        "float16",
        "float32",
        "float64",
        "int8",
        "uint8",
        "int16",
        "int32",
        "int64",
        "bool",
    ]:
        ours = ns.zeros(1, dtype=getattr(ns, dtype if dtype != "bool" else "bool_"))
        theirs = torch.zeros(1, dtype=getattr(torch, dtype))
        assert ours.type() == theirs.type()
        name = theirs.type()
        assert str(ns.ones(1).type(name).dtype) == str(torch.ones(1).type(name).dtype)[6:]
    assert ns.ones(1).type(ns.float64).dtype == ns.float64
    with pytest.raises(TypeError, match="torch.cuda.FloatTensor.*CPU"):
        ns.ones(1).type("torch.cuda.FloatTensor")


def test_default_device_is_the_cpu_and_cannot_become_a_gpu():
    assert repr(ns.get_default_device()) == repr(torch.get_default_device())
    ns.set_default_device("cpu")
    ns.set_default_device(ns.device("cpu"))
    ns.set_default_device(None)
    assert ns.get_default_device() == ns.device("cpu")
    with pytest.raises(DeviceError, match="set_default_device: device 'cuda'"):
        ns.set_default_device("cuda")
    assert ns.zeros(1).device == ns.device("cpu")


def test_cuda_module_answers_as_torch_built_for_cpu():
    assert ns.cuda.is_available() is torch.cuda.is_available() is False
    assert ns.cuda.device_count() == torch.cuda.device_count() == 0
    assert ns.cuda.is_initialized() is torch.cuda.is_initialized()
    for name in ["manual_seed", "manual_seed_all"]:
        assert getattr(ns.cuda, name)(0) is None and getattr(torch.cuda, name)(0) is None
    ns.cuda.empty_cache()
    ns.cuda.seed()
    ns.cuda.seed_all()


@pytest.mark.parametrize("name", ["synchronize", "current_device", "get_device_name", "set_device"])
def test_what_needs_a_gpu_in_torch_cuda_raises_a_device_error(name):
    with pytest.raises(DeviceError, match=f"cuda.{name}"):
        getattr(ns.cuda, name)()
    with pytest.raises(AttributeError, match="no attribute 'not_a_thing'"):
        ns.cuda.not_a_thing  # noqa: B018
    assert not hasattr(ns.cuda, "not_a_thing")


def test_backends_and_accelerator_match_torch():
    assert ns.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert ns.backends.mps.is_built() is torch.backends.mps.is_built()
    assert ns.backends.cudnn.is_available() is torch.backends.cudnn.is_available()
    ns.backends.cudnn.benchmark = True  # scripts set these; nothing changes on the CPU
    ns.backends.cudnn.deterministic = True
    assert ns.accelerator.is_available() is torch.accelerator.is_available() is False
    assert ns.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert ns.accelerator.device_count() == torch.accelerator.device_count() == 0
    for name in ["current_device_index", "synchronize"]:
        with pytest.raises(RuntimeError):
            getattr(torch.accelerator, name)()
        with pytest.raises(DeviceError, match=f"accelerator.{name}: no accelerator"):
            getattr(ns.accelerator, name)()


def test_the_usual_device_line_picks_the_cpu_and_runs_a_step():
    device = ns.device("cuda" if ns.cuda.is_available() else "cpu")
    quick = ns.accelerator.current_accelerator().type if ns.accelerator.is_available() else "cpu"
    mps = "mps" if ns.backends.mps.is_available() else "cpu"
    assert str(device) == quick == mps == "cpu"
    model = ns.nn.Linear(3, 1).to(device)
    x, y = ns.randn(4, 3, device=device), ns.zeros(4, 1).to(device)
    loss = ns.nn.functional.mse_loss(model(x), y)
    loss.backward()
    assert model.weight.grad.device == device


def test_generator_device_is_checked():
    assert ns.Generator("cpu").device == ns.device("cpu")
    with pytest.raises(DeviceError, match="Generator: device 'cuda'"):
        ns.Generator("cuda")
