"""The convolution and pooling layers against torch's: parameters, state_dict, default init,
repr, forward and backward from copied weights, a LeNet-5 step, and the layers' errors."""

import math

import numpy as np
import pytest
from parity import copy_torch_state, module_pair, require_torch

import nnscratch as ns

nn = ns.nn


def _forward_backward(torch, ours, theirs, x, rng, atol=1e-10, **call):
    """Same input and upstream gradient through both; outputs, input and parameter gradients
    must agree."""
    xo, xt = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo, **call), theirs(xt, **call)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), atol=atol)
    g = rng.standard_normal(tuple(yt.shape)).astype(x.dtype)
    yo.backward(ns.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), atol=atol)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=atol, err_msg=name)


CONV_LAYERS = [  # (layer, args, kwargs, input shape)
    ("Conv2d", (3, 6, 5), {}, (2, 3, 9, 8)),
    ("Conv2d", (4, 6, (3, 2)), {"stride": 2, "padding": 1, "groups": 2, "bias": False},
     (1, 4, 7, 6)),
    ("Conv2d", (2, 3, 3), {"padding": "same", "dilation": 2}, (2, 6, 5)),  # unbatched
    ("Conv2d", (2, 3, 4), {"padding": "valid", "stride": (1, 2)}, (2, 2, 6, 7)),
    ("Conv1d", (2, 4, 3), {"padding": 1}, (3, 2, 8)),
    ("Conv1d", (4, 4, 2), {"groups": 4, "stride": 2, "dilation": 2, "bias": False}, (4, 9)),
    ("ConvTranspose2d", (4, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1},
     (2, 4, 4, 3)),
    ("ConvTranspose2d", (4, 6, (2, 3)), {"groups": 2, "dilation": (2, 1), "bias": False},
     (4, 3, 3)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), CONV_LAYERS)
def test_conv_layers_match_torch(rng, name, args, kwargs, shape):
    torch = require_torch()
    ours, theirs = module_pair(name, *args, **kwargs)
    assert repr(ours) == repr(theirs)
    _forward_backward(torch, ours, theirs, rng.standard_normal(shape), rng)


def test_conv_transpose2d_output_size_picks_the_output_padding(rng):
    torch = require_torch()
    ours, theirs = module_pair("ConvTranspose2d", 2, 3, 3, stride=3, padding=1)
    for size in [(8, 11), (1, 2, 9, 12), None]:
        _forward_backward(torch, ours, theirs, rng.standard_normal((1, 2, 3, 4)), rng,
                          output_size=size)  # fmt: skip
    message = r"requested an output size of \(11, 11\), but valid sizes range from \(7, 10\) to"
    with pytest.raises(ValueError, match=rf"ConvTranspose2d: {message} \(9, 12\)"):
        ours(ns.zeros(1, 2, 3, 4, dtype=ns.float64), output_size=(11, 11))


@pytest.mark.parametrize(
    ("name", "args", "fan_in"),
    [("Conv2d", (6, 16, 5), 150), ("Conv1d", (8, 4, 3, 1, 0, 1, 2), 12),
     ("ConvTranspose2d", (16, 8, 3), 72)],
)  # fmt: skip
def test_default_init_is_torchs_range_and_repeatable(name, args, fan_in):
    """kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias too."""
    ns.manual_seed(0)
    layer = getattr(nn, name)(*args)
    bound = 1 / math.sqrt(fan_in)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.dtype == b.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.9 * bound and abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound
    ns.manual_seed(0)
    np.testing.assert_array_equal(getattr(nn, name)(*args).weight.detach().numpy(), w)


def test_init_spread_matches_torch_statistically():
    torch = require_torch()
    torch.manual_seed(0)
    ns.manual_seed(0)
    for name, args in [("Conv2d", (6, 16, 5)), ("ConvTranspose2d", (16, 8, 3))]:
        ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        for a, b in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
            a, b = a.detach().numpy(), b.detach().numpy()
            assert abs(np.abs(a).max() - np.abs(b).max()) < 0.1 * np.abs(b).max()
            assert abs(a.std() - b.std()) < 0.3 * b.std()


ATTRIBUTES = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
              "transposed", "output_padding", "groups", "padding_mode"]  # fmt: skip


def test_conv_attributes_are_torchs():
    torch = require_torch()
    for name, args, kwargs in [("Conv2d", (3, 6, 5), {"padding": "same"}),
                               ("ConvTranspose2d", (3, 6, 3), {"output_padding": 0})]:  # fmt: skip
        ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
        for attr in ATTRIBUTES:
            assert getattr(ours, attr) == getattr(theirs, attr), attr


POOL_LAYERS = [  # (layer, args, kwargs, input shape)
    ("MaxPool2d", (2,), {}, (2, 3, 8, 7)),
    ("MaxPool2d", ((3, 2),), {"stride": 1, "padding": 1, "dilation": (1, 2), "ceil_mode": True},
     (3, 6, 5)),
    ("MaxPool1d", (3, 2, 1), {}, (2, 3, 9)),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 2, 7, 6)),
    ("AvgPool2d", (2,), {"ceil_mode": True, "divisor_override": 3}, (1, 2, 5, 5)),
    ("AvgPool1d", (2,), {}, (2, 3, 7)),
    ("AvgPool1d", (3, 1, 1), {"ceil_mode": True, "count_include_pad": False}, (3, 7)),
    ("AdaptiveAvgPool2d", ((2, None),), {}, (2, 3, 5, 4)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 5, 4)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 7)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), POOL_LAYERS)
def test_pool_layers_match_torch(rng, name, args, kwargs, shape):
    torch = require_torch()
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert ours.state_dict() == {} and not list(ours.parameters())
    _forward_backward(torch, ours, theirs, rng.standard_normal(shape), rng)


def test_max_pool2d_layer_returns_indices_like_torch(rng):
    torch = require_torch()
    x = rng.standard_normal((2, 3, 6, 6))
    (out, idx), (ref, ref_idx) = (
        lib.nn.MaxPool2d(3, 2, 1, return_indices=True)(lib.tensor(x)) for lib in (ns, torch)
    )
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())


def _lenet(lib):
    n = lib.nn
    return n.Sequential(
        n.Conv2d(1, 6, 5, padding=2), n.ReLU(), n.MaxPool2d(2),
        n.Conv2d(6, 16, 5), n.ReLU(), n.MaxPool2d(2), n.Flatten(),
        n.Linear(400, 120), n.ReLU(), n.Linear(120, 84), n.ReLU(), n.Linear(84, 10),
    )  # fmt: skip


def test_lenet5_training_step_matches_torch_in_float32(rng):
    """The benchmark's model: one cross-entropy forward and backward, float32 end to end."""
    torch = require_torch()
    ours, theirs = _lenet(ns), _lenet(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_torch_state(ours, theirs)
    x = rng.standard_normal((8, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 8)
    loss_o = nn.functional.cross_entropy(ours(ns.tensor(x)), ns.tensor(y))
    loss_t = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
    np.testing.assert_allclose(loss_o.item(), loss_t.item(), rtol=1e-5)
    loss_o.backward()
    loss_t.backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert p.grad.dtype == np.float32
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=2e-5, err_msg=name)


# ---- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.Conv2d(3, 6, 3)(ns.zeros(2, 4, 8, 8)), ValueError,
         r"Conv2d expects input with 3 channels, received shape \(2, 4, 8, 8\)"),
        (lambda: nn.Conv2d(3, 6, 3)(ns.zeros(3, 8)), ValueError,
         r"Conv2d expects a 3-D \(unbatched\) or 4-D \(batched\) input, received shape \(3, 8\)"),
        (lambda: nn.Conv1d(2, 4, 3)(ns.zeros(1, 3, 8)), ValueError,
         r"Conv1d expects input with 2 channels, received shape \(1, 3, 8\)"),
        (lambda: nn.ConvTranspose2d(2, 4, 3)(ns.zeros(4, 5, 5)), ValueError,
         r"ConvTranspose2d expects input with 2 channels, received shape \(4, 5, 5\)"),
        (lambda: nn.Conv2d(3, 6, 5)(ns.zeros(1, 3, 4, 4)), ValueError,
         r"conv2d: kernel size \(5, 5\) \(dilated\) is larger than the padded input \(4, 4\)"),
        (lambda: nn.Conv2d(3, 6, 3, groups=2), ValueError,
         r"Conv2d: in_channels=3 must be divisible by groups=2"),
        (lambda: nn.Conv2d(4, 6, 3, groups=4), ValueError,
         r"Conv2d: out_channels=6 must be divisible by groups=4"),
        (lambda: nn.Conv2d(3, 6, 3, groups=0), ValueError,
         r"Conv2d: groups must be a positive int, received 0"),
        (lambda: nn.Conv2d(0, 6, 3), ValueError,
         r"Conv2d: in_channels must be a positive int, received 0"),
        (lambda: nn.Conv2d(3, 6, 0), ValueError,
         r"Conv2d: kernel_size must be a positive int or a tuple of 2 positive ints"),
        (lambda: nn.Conv2d(3, 6, 3, stride=2, padding="same"), ValueError,
         r"Conv2d: padding='same' is not supported for strided convolutions \(stride \(2, 2\)\)"),
        (lambda: nn.Conv2d(3, 6, 3, padding="full"), ValueError,
         r"Conv2d: padding must be 'valid', 'same', an int or a tuple of 2 ints"),
        (lambda: nn.Conv1d(3, 6, 3, padding=(1, 1)), ValueError,
         r"Conv1d: padding must be a non-negative int or a tuple of 1 non-negative ints"),
        (lambda: nn.Conv2d(3, 6, 3, padding_mode="reflect"), NotImplementedError,
         r"Conv2d: padding_mode='reflect' is not supported, only 'zeros'"),
        (lambda: nn.Conv2d(3, 6, 3, padding_mode="mirror"), ValueError,
         r"Conv2d: padding_mode must be one of \('zeros', 'reflect', 'replicate', 'circular'\)"),
        (lambda: nn.ConvTranspose2d(3, 6, 3, padding="same"), ValueError,
         r"ConvTranspose2d: padding must be a non-negative int"),
        (lambda: nn.MaxPool2d(3)(ns.zeros(1, 1, 2, 2)), ValueError,
         r"max_pool2d: the output size \(0, 0\) is too small"),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
