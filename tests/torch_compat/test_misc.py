"""torch's odds and ends: save/load's keywords, serialization, testing.assert_close,
determinism and print options, the stub modules, and distributions against torch."""

import io

import numpy as np
import pytest
from parity import require_torch
from tolerance import assert_close

import nnscratch as ns
from nnscratch.errors import DeviceError

torch = require_torch()


# ---- save / load --------------------------------------------------------------------------------
def _checkpoint():
    model = ns.nn.Sequential(ns.nn.Linear(3, 4), ns.nn.ReLU(), ns.nn.Linear(4, 2))
    optimizer = ns.optim.Adam(model.parameters(), lr=1e-3)
    model(ns.randn(5, 3)).sum().backward()
    optimizer.step()
    return (
        model,
        optimizer,
        {
            "epoch": 5,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": 0.3,
        },
    )


def test_the_usual_checkpoint_dict_round_trips(tmp_path):
    model, optimizer, checkpoint = _checkpoint()
    ns.save(checkpoint, tmp_path / "ckpt.pt")
    loaded = ns.load(tmp_path / "ckpt.pt", map_location="cpu", weights_only=True)
    assert loaded["epoch"] == 5 and loaded["loss"] == 0.3
    fresh = ns.nn.Sequential(ns.nn.Linear(3, 4), ns.nn.ReLU(), ns.nn.Linear(4, 2))
    fresh.load_state_dict(loaded["model_state_dict"])
    for (name, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), name
    again = ns.optim.Adam(fresh.parameters(), lr=1e-3)
    again.load_state_dict(loaded["optimizer_state_dict"])
    assert again.state_dict()["param_groups"] == optimizer.state_dict()["param_groups"]


def test_save_and_load_take_file_objects():
    buffer = io.BytesIO()
    ns.save({"w": ns.arange(3)}, buffer)
    buffer.seek(0)
    assert ns.load(buffer)["w"].tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "map_location",
    ["cpu", ns.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage, None],
    ids=["str", "device", "dict", "callable", "none"],
)
def test_load_map_location_to_the_cpu(tmp_path, map_location):
    ns.save({"w": ns.ones(2)}, tmp_path / "w.pt")
    loaded = ns.load(tmp_path / "w.pt", map_location=map_location, weights_only=False, mmap=True)
    assert loaded["w"].tolist() == [1.0, 1.0]


def test_load_map_location_callable_is_applied_to_each_tensor(tmp_path):
    ns.save({"w": ns.ones(2), "b": [ns.zeros(1)]}, tmp_path / "w.pt")
    loaded = ns.load(tmp_path / "w.pt", map_location=lambda t, loc: t + 1)
    assert loaded["w"].tolist() == [2.0, 2.0] and loaded["b"][0].tolist() == [1.0]


@pytest.mark.parametrize(
    "map_location", ["cuda", "cuda:1", ns.device("cuda"), {"cpu": "cuda:0"}], ids=str
)
def test_load_map_location_naming_a_gpu_raises_device_error(tmp_path, map_location):
    ns.save({"w": ns.ones(2)}, tmp_path / "w.pt")
    with pytest.raises(DeviceError, match="cuda"):
        ns.load(tmp_path / "w.pt", map_location=map_location)


def test_saving_a_whole_optimizer_says_to_save_its_state_dict(tmp_path):
    # A whole nn.Module saves since tests/io/test_module_save.py; an optimizer stays refused.
    _, optimizer, _ = _checkpoint()
    with pytest.raises(TypeError, match=r"never pickles.*optimizer\.state_dict\(\)"):
        ns.save({"opt": optimizer}, tmp_path / "opt.pt")
    assert not (tmp_path / "opt.pt").exists()


def test_serialization_allow_lists_are_kept_as_torch_keeps_them():
    ns.serialization.add_safe_globals([np.dtype])
    with ns.serialization.safe_globals([np.ndarray]):
        assert ns.serialization.get_safe_globals() == [np.dtype, np.ndarray]
    assert ns.serialization.get_safe_globals() == [np.dtype]
    ns.serialization.clear_safe_globals()
    assert ns.serialization.get_safe_globals() == []
    assert ns.serialization.save is ns.save and ns.serialization.load is ns.load


# ---- testing.assert_close ---------------------------------------------------------------------
def _pair(lib, a, b, a_dtype="float32", b_dtype=None):
    dtype = getattr(lib, a_dtype)
    other = getattr(lib, b_dtype or a_dtype)
    return lib.tensor(a, dtype=dtype), lib.tensor(b, dtype=other)


CASES = {
    "equal": ([1.0, 2.0], [1.0, 2.0], {}),
    "float32-within": ([1.0, 2.0], [1.0, 2.0 + 2e-6], {}),
    "float32-outside": ([1.0, 2.0], [1.0, 2.01], {}),
    "float64-outside": ([1.0], [1.0 + 1e-6], {"a_dtype": "float64"}),
    "int-differs": ([1, 2], [1, 3], {"a_dtype": "int64"}),
    "dtype-differs": ([1.0], [1.0], {"b_dtype": "float64"}),
    "shape-differs": ([1.0, 2.0], [1.0, 2.0, 3.0], {}),
    "nan": ([float("nan")], [float("nan")], {}),
}


@pytest.mark.parametrize("case", CASES)
def test_assert_close_passes_and_fails_where_torch_does(case):
    a, b, kwargs = CASES[case]
    outcomes = []
    for lib in (ns, torch):
        actual, expected = _pair(lib, a, b, **kwargs)
        try:
            lib.testing.assert_close(actual, expected)
            outcomes.append("pass")
        except AssertionError as error:
            outcomes.append(str(error).splitlines()[0].replace("torch.", ""))
    assert outcomes[0] == outcomes[1].replace("Size([", "(").replace("])", ",)")


def test_assert_close_options_and_containers():
    nan = ns.tensor([float("nan"), 1.0])
    ns.testing.assert_close(nan, nan, equal_nan=True)
    ns.testing.assert_close(ns.tensor([1.0]), ns.tensor([1.1]), rtol=0.2, atol=0.0)
    ns.testing.assert_close(ns.tensor([1.0]), ns.tensor([1.0], dtype=ns.float64), check_dtype=False)
    ns.testing.assert_close({"a": [1, 2.0]}, {"a": [1, 2.0]})
    with pytest.raises(AssertionError, match=r"Greatest absolute difference: 0\.5 at index \(1,\)"):
        ns.testing.assert_close(ns.tensor([1.0, 2.0]), ns.tensor([1.0, 2.5]))
    with pytest.raises(AssertionError, match=r"The failure occurred for item \['b'\]\[1\]"):
        ns.testing.assert_close({"b": [1.0, 2.0]}, {"b": [1.0, 3.0]})
    with pytest.raises(AssertionError, match="^custom$"):
        ns.testing.assert_close(ns.tensor([1.0]), ns.tensor([2.0]), msg="custom")
    with pytest.raises(ValueError, match="atol"):
        ns.testing.assert_close(ns.tensor([1.0]), ns.tensor([1.0]), rtol=1e-3)
    with pytest.raises(TypeError, match="Tensor and float"):
        ns.testing.assert_close(ns.tensor(1.0), 1.0)


# ---- determinism, print options ---------------------------------------------------------------
def test_deterministic_algorithms_switch():
    assert ns.are_deterministic_algorithms_enabled() is False
    try:
        ns.use_deterministic_algorithms(True, warn_only=True)
        assert ns.are_deterministic_algorithms_enabled() is True
        assert ns.is_deterministic_algorithms_warn_only_enabled() is True
    finally:
        ns.use_deterministic_algorithms(False)
    with pytest.raises(TypeError, match="bool"):
        ns.use_deterministic_algorithms(1)


@pytest.mark.parametrize(
    "options, values",
    [
        ({"precision": 2}, [1.0, 2.5]),
        ({"precision": 2, "sci_mode": False}, [1.0, 2.5, 1e-5]),
        ({"sci_mode": True}, [1.0, 2.5]),
    ],
)
def test_set_printoptions_prints_as_torch(options, values):
    before = repr(ns.tensor([1.0, 2.5]))
    try:
        ns.set_printoptions(**options)
        torch.set_printoptions(**options)
        assert repr(ns.tensor(values)) == repr(torch.tensor(values))
    finally:
        ns.set_printoptions(profile="default")
        torch.set_printoptions(profile="default", sci_mode=None)
    assert repr(ns.tensor([1.0, 2.5])) == before  # profile="default" undoes the options


def test_set_printoptions_threshold_and_bad_profile():
    try:
        ns.set_printoptions(threshold=5, edgeitems=1)
        assert "..." in repr(ns.arange(10))
    finally:
        ns.set_printoptions(profile="default")
    assert "..." not in repr(ns.arange(10))
    with pytest.raises(ValueError, match="profile"):
        ns.set_printoptions(profile="long")


# ---- stubs --------------------------------------------------------------------------------------
def test_jit_script_and_trace_return_the_model_unchanged():
    model = ns.nn.Linear(2, 1)
    assert ns.jit.script(model) is model and ns.jit.trace(model, ns.ones(1, 2)) is model
    assert ns.jit.ignore(len) is len and ns.jit.ignore(drop=True)(len) is len
    assert ns.jit.export(len) is len and ns.jit.unused(len) is len
    assert not ns.jit.is_scripting() and not ns.jit.is_tracing()
    assert not isinstance(model, ns.jit.ScriptModule)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ns.jit.save(None, "m.pt"), "state_dict"),
        (lambda: ns.jit.load("m.pt"), "TorchScript"),
        (lambda: ns.jit.ScriptModule(), "eagerly"),
        (lambda: ns.onnx.export(None, None, "m.onnx"), "not yet supported"),
        (lambda: ns.onnx.dynamo_export(None), "not yet supported"),
        (lambda: ns.profiler.profile(activities=[ns.profiler.ProfilerActivity.CPU]), "cProfile"),
        (lambda: ns.autograd.profiler.profile(), "perf_counter"),
        (lambda: ns.profiler.schedule(wait=1), "no profiler"),
        (lambda: ns.utils.tensorboard.SummaryWriter("runs"), "TensorBoard"),
        (lambda: ns.quantization.quantize_dynamic(None), "float32"),
        (lambda: ns.quantization.QuantStub(), "quantized"),
        (lambda: ns.hub.load("pytorch/vision", "resnet18"), "safetensors"),
        (lambda: ns.hub.load_state_dict_from_url("http://x"), "download"),
    ],
)
def test_unsupported_features_raise_not_implemented_naming_a_way_around(call, match):
    with pytest.raises(NotImplementedError, match=match):
        call()


def test_record_function_is_a_silent_label():
    with ns.profiler.record_function("forward") as label:
        assert label.name == "forward"

    @ns.autograd.profiler.record_function("decorated")
    def double(x):
        return 2 * x

    assert double(3) == 6
    assert not ns.onnx.is_in_onnx_export()


# ---- distributions ------------------------------------------------------------------------------
def _leaf(lib, array):
    return lib.tensor(np.asarray(array, np.float64), requires_grad=True)


def _compare(make, value, params):
    """log_prob and entropy values, and the gradient of their sum, against torch's."""
    results = []
    for lib in (ns, torch):
        leaves = [_leaf(lib, p) for p in params]
        dist = make(lib.distributions, *leaves)
        v = lib.tensor(np.asarray(value))
        out = dist.log_prob(v).sum() + dist.entropy().sum()
        out.backward()
        pieces = [dist.log_prob(v), dist.entropy(), *[leaf.grad for leaf in leaves]]
        results.append([p.detach().numpy() for p in pieces])
    for ours, theirs in zip(*results):
        assert ours.shape == theirs.shape
        assert_close(ours, theirs)


def test_normal_log_prob_entropy_and_gradients_match_torch():
    _compare(
        lambda d, loc, scale: d.Normal(loc, scale),
        [[0.3, -1.0], [2.0, 0.1]],
        [[0.0, 1.0], [0.5, 2.0]],
    )


def test_categorical_matches_torch_from_probs_and_logits():
    probs = [[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]]
    _compare(lambda d, p: d.Categorical(probs=p), [2, 0], [probs])
    _compare(lambda d, x: d.Categorical(logits=x), [[1, 0], [2, 2]], [np.log(probs) + 1.0])


def test_bernoulli_matches_torch_from_probs_and_logits():
    _compare(lambda d, p: d.Bernoulli(probs=p), [1.0, 0.0, 1.0], [[0.2, 0.6, 0.9]])
    _compare(lambda d, x: d.Bernoulli(logits=x), [1.0, 0.0, 1.0], [[-1.0, 0.5, 3.0]])


def test_multinomial_log_prob_matches_torch():
    results = []
    for lib in (ns, torch):
        p = _leaf(lib, [0.2, 0.3, 0.5])
        dist = lib.distributions.multinomial.Multinomial(6, p)
        log_prob = dist.log_prob(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64))
        log_prob.backward()
        results.append([log_prob.detach().numpy(), p.grad.numpy(), dist.mean.detach().numpy()])
    for ours, theirs in zip(*results):
        assert_close(ours, theirs)


def test_samples_have_torchs_shapes_and_plausible_values():
    ns.manual_seed(0)
    fair = ns.ones(6) / 6
    counts = ns.distributions.multinomial.Multinomial(1000, fair).sample((4,))
    assert counts.shape == (4, 6) and counts.sum(-1).tolist() == [1000.0] * 4
    normal = ns.distributions.Normal(ns.tensor([0.0, 10.0]), ns.tensor([1.0, 0.1]))
    draws = normal.sample((5000,))
    assert draws.shape == (5000, 2) and not draws.requires_grad
    # 5,000 draws: the standard error of each mean is 1/70 and 0.1/70; 0.1 and 0.01 are 7 of them.
    assert (np.abs(draws.numpy().mean(0) - [0.0, 10.0]) < [0.1, 0.01]).all()
    assert normal.stddev.tolist() == pytest.approx([1.0, 0.1])
    classes = ns.distributions.Categorical(probs=ns.tensor([0.0, 0.3, 0.7])).sample((2000,))
    assert classes.dtype == ns.int64 and set(classes.tolist()) == {1, 2}
    flips = ns.distributions.Bernoulli(probs=ns.tensor(0.25)).sample((4000,))
    assert abs(flips.numpy().mean() - 0.25) < 0.04  # standard error 0.007


def test_distribution_argument_errors():
    with pytest.raises(ValueError, match="either `probs` or `logits`"):
        ns.distributions.Categorical()
    with pytest.raises(ValueError, match="scale > 0"):
        ns.distributions.Normal(0.0, -1.0)
