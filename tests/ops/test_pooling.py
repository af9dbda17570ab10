"""Max, average and adaptive average pooling against torch (values, gradients, float64 finite
differences), torch's choice among tied maxima and NaNs, return_indices, and the errors."""

import numpy as np
import pytest
from parity import check, require_torch

import nnscratch as ns
from nnscratch.ops import pooling
from nnscratch.ops.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)

OURS = {
    f.__name__: f
    for f in (
        max_pool1d,
        max_pool2d,
        avg_pool1d,
        avg_pool2d,
        adaptive_avg_pool1d,
        adaptive_avg_pool2d,
    )  # fmt: skip
}


def _op(name, *args, **kwargs):
    def fn(lib, x):
        op = OURS[name] if lib is ns else getattr(lib.nn.functional, name)
        return op(x, *args, **kwargs)

    return fn


WINDOWS_2D = [  # kernel_size, stride, padding, ceil_mode: shared by max and average pooling
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 1},  # overlapping windows (the wide grid)
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 1)},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"kernel_size": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 0), "ceil_mode": True},
]


@pytest.mark.parametrize("kwargs", WINDOWS_2D)
def test_max_pool2d_matches_torch(rng, kwargs):
    shape = [(1, 2, 5, 6), (3, 1, 7, 5)][WINDOWS_2D.index(kwargs) % 2]  # batches of 1 and 3
    check(_op("max_pool2d", **kwargs), rng.standard_normal(shape))


@pytest.mark.parametrize(
    ("name", "shape", "args"),
    [
        ("max_pool2d", (2, 3, 6, 8), (2,)),
        ("max_pool2d", (1, 2, 4, 9), ((2, 3),)),
        ("max_pool1d", (2, 3, 8), (2,)),
    ],
)
def test_max_pool_windows_that_tile_the_image(rng, name, shape, args):
    """Stride = kernel and sizes that divide exactly: the tiled gradient (a masked copy a tap)."""
    check(_op(name, *args), rng.standard_normal(shape))


def test_tiled_max_pool_passes_an_infinite_gradient_only_to_the_winner():
    x = ns.tensor(np.array([[[[1.0, 2.0], [0.0, -1.0]]]]), requires_grad=True)
    y = max_pool2d(x, 2)
    (y * np.inf).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0.0, np.inf], [0.0, 0.0]]]])


@pytest.mark.parametrize("dilation", [2, (1, 2), (2, 1)])
def test_max_pool2d_dilation(rng, dilation):
    check(_op("max_pool2d", 2, 1, 1, dilation), rng.standard_normal((2, 2, 6, 7)))


@pytest.mark.parametrize("kwargs", WINDOWS_2D)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_matches_torch(rng, kwargs, count_include_pad):
    x = rng.standard_normal((3, 1, 7, 6) if count_include_pad else (1, 2, 6, 7))
    check(_op("avg_pool2d", count_include_pad=count_include_pad, **kwargs), x)


@pytest.mark.parametrize("divisor", [1, 5])
def test_avg_pool2d_divisor_override(rng, divisor):
    x = rng.standard_normal((1, 2, 5, 5))
    check(_op("avg_pool2d", 3, 2, 1, True, divisor_override=divisor), x)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("max_pool1d", {"kernel_size": 2}),
        ("max_pool1d", {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2}),
        ("max_pool1d", {"kernel_size": 2, "stride": 2, "ceil_mode": True}),
        ("avg_pool1d", {"kernel_size": 3, "stride": 1}),
        ("avg_pool1d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
        ("avg_pool1d", {"kernel_size": 2, "padding": 1, "ceil_mode": True}),
    ],
)
def test_pool1d_matches_torch(rng, name, kwargs):
    shape = (3, 2, 9) if kwargs["kernel_size"] == 3 else (2, 8)  # batched and unbatched
    check(_op(name, **kwargs), rng.standard_normal(shape))


@pytest.mark.parametrize("output_size", [1, 2, 3, (2, 5), (None, 3), (4, None), (9, 1)])
def test_adaptive_avg_pool2d_matches_torch(rng, output_size):
    check(_op("adaptive_avg_pool2d", output_size), rng.standard_normal((2, 2, 7, 6)))


@pytest.mark.parametrize("output_size", [1, 3, 4, 7, 10])
def test_adaptive_avg_pool1d_matches_torch(rng, output_size):
    shape = (2, 3, 7) if output_size % 2 else (3, 7)  # batched and unbatched
    check(_op("adaptive_avg_pool1d", output_size), rng.standard_normal(shape))


def test_adaptive_bins_are_torchs():
    """Bin i covers [floor(i * n / out), ceil((i + 1) * n / out)): 5 into 3 overlaps."""
    np.testing.assert_allclose(
        pooling._bins(5, 3, np.float64),
        [[1 / 2, 1 / 2, 0, 0, 0], [0, 1 / 3, 1 / 3, 1 / 3, 0], [0, 0, 0, 1 / 2, 1 / 2]],
    )


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"])
def test_channels_last_views(rng, name):
    """A permuted (non-contiguous) input, as Keras's channels-last layers pass one."""
    x = rng.standard_normal((2, 6, 5, 3)).transpose(0, 3, 1, 2)
    check(_op(name, 2), x, gradcheck=False)  # gradcheck nudges a contiguous copy


def test_unbatched_2d_inputs(rng):
    x = rng.standard_normal((3, 5, 6))
    check(_op("max_pool2d", 2, 1), x)
    check(_op("avg_pool2d", 3, 2, 1), x)
    check(_op("adaptive_avg_pool2d", (2, 3)), x)


@pytest.mark.parametrize(
    "name", ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "max_pool1d", "avg_pool1d"]
)
def test_float32_stays_float32(rng, name):
    shape = (4, 6, 12, 12) if name.endswith("2d") else (4, 6, 12)
    x = rng.standard_normal(shape).astype(np.float32)
    args = (3,) if name.startswith("adaptive") else (2,)
    check(_op(name, *args), x, atol=1e-6, rtol=1e-5)
    t = ns.tensor(x, requires_grad=True)
    out = OURS[name](t, *args)
    out.sum().backward()
    assert out.dtype == t.grad.dtype == np.float32


# ---- torch's choice of maximum -------------------------------------------------------------


def test_max_pool_ties_go_to_the_first_maximum():
    """Flat plateaus: torch sends each window's gradient to its first maximum (row-major)."""
    x = np.array([[[[1, 1, 0, 2], [1, 1, 2, 2], [3, 0, 3, 3], [0, 3, 3, 3]]]], dtype=float)
    check(_op("max_pool2d", 2), x, gradcheck=False)
    check(_op("max_pool2d", 3, 1), x, gradcheck=False)  # overlapping windows share winners
    check(_op("max_pool2d", 2, 1, 1), x, gradcheck=False)
    check(_op("max_pool1d", 3, 1), np.ones((1, 2, 6)), gradcheck=False)


def test_max_pool_nan_wins_as_in_torch():
    """A NaN is the maximum of its window, and a later NaN beats an earlier one."""
    nan = np.nan
    x = np.array([[[[1.0, nan, 5.0, 2.0], [nan, 1.0, 0.0, nan], [7.0, 8.0, nan, nan]]]])
    check(_op("max_pool2d", 2, 1), x, gradcheck=False)
    check(_op("max_pool1d", 3, 1), x[0], gradcheck=False)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("max_pool2d", (2,)),
        ("max_pool2d", (3, 2, 1)),
        ("max_pool2d", ((2, 3), (1, 2), (1, 1), (2, 1), True)),
        ("max_pool1d", (3, 2, 1, 2)),
    ],
)
def test_return_indices_match_torch(rng, name, args):
    torch = require_torch()
    x = rng.standard_normal((2, 3, 7, 6) if name.endswith("2d") else (2, 3, 9))
    out, idx = OURS[name](ns.tensor(x), *args, return_indices=True)
    ref, ref_idx = getattr(torch.nn.functional, name)(torch.tensor(x), *args, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())
    assert idx.dtype == np.int64


def test_max_pool_on_integers_gives_values():
    torch = require_torch()
    x = np.arange(20).reshape(1, 1, 4, 5) % 7
    ours = max_pool2d(ns.tensor(x), 2, 1, 1).numpy()
    np.testing.assert_array_equal(ours, torch.nn.functional.max_pool2d(torch.tensor(x), 2, 1, 1))


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"])
def test_empty_batch_and_reused_scratch_memory(rng, name):
    """No images in, none out; and a later call leaves earlier results (and grads) alone."""
    torch = require_torch()
    op, ref_op = OURS[name], getattr(torch.nn.functional, name)
    empty = ns.zeros(0, 2, 6, 6, requires_grad=True)
    op(empty, 2).sum().backward()
    assert op(empty, 2).shape == tuple(ref_op(torch.zeros(0, 2, 6, 6), 2).shape)
    xs = [rng.standard_normal((2, 3, 6, 6)) for _ in range(2)]
    results = []
    for x in xs:
        xt = ns.tensor(x, requires_grad=True)
        y = op(xt, 2)
        y.backward(ns.ones(*y.shape))
        results.append((y.detach().numpy(), xt.grad.numpy()))
    for x, (y, g) in zip(xs, results):
        xt = torch.tensor(x, requires_grad=True)
        ref = ref_op(xt, 2)
        ref.backward(torch.ones_like(ref))
        np.testing.assert_allclose(y, ref.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(g, xt.grad.numpy(), atol=1e-12)


def test_top_level_and_functional_names():
    for name, op in OURS.items():
        assert getattr(ns.nn.functional, name) is op
    for name in ["max_pool1d", "max_pool2d", "avg_pool1d", "adaptive_avg_pool1d"]:
        assert getattr(ns, name) is OURS[name]  # as torch.max_pool2d; torch has no avg_pool2d


# ---- errors --------------------------------------------------------------------------------


def _x(*shape):
    return ns.zeros(*shape)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: max_pool2d(_x(2, 3), 2), ValueError,
         r"max_pool2d: expected a 3-D \(unbatched\) or 4-D \(batched\) input, received shape "
         r"\(2, 3\)"),
        (lambda: avg_pool1d(_x(1, 2, 3, 4), 2), ValueError,
         r"avg_pool1d: expected a 2-D \(unbatched\) or 3-D \(batched\) input"),
        (lambda: max_pool2d(_x(1, 1, 2, 2), 3), ValueError,
         r"max_pool2d: the output size \(0, 0\) is too small: input shape \(1, 1, 2, 2\), "
         r"kernel_size \(3, 3\)"),
        (lambda: max_pool1d(_x(1, 1, 4), 3, 1, 0, 2), ValueError,
         r"max_pool1d: the output size \(0,\) is too small: input shape \(1, 1, 4\), "
         r"kernel_size \(3,\), dilation \(2,\)"),
        (lambda: max_pool2d(_x(1, 1, 9, 9), 3, padding=2), ValueError,
         r"max_pool2d: padding \(2, 2\) must be at most half the kernel size \(3, 3\)"),
        (lambda: avg_pool2d(_x(1, 1, 9, 9), (2, 4), padding=(1, 3)), ValueError,
         r"avg_pool2d: padding \(1, 3\) must be at most half the kernel size \(2, 4\)"),
        (lambda: max_pool2d(_x(1, 1, 9, 9), 0), ValueError,
         r"max_pool2d: kernel_size must be a positive int or a tuple of 2 positive ints, "
         r"received 0"),
        (lambda: max_pool2d(_x(1, 1, 9, 9), 2, stride=(1, 0)), ValueError,
         r"max_pool2d: stride must be a positive int or a tuple of 2 positive ints"),
        (lambda: avg_pool2d(_x(1, 1, 9, 9), 2, padding=-1), ValueError,
         r"avg_pool2d: padding must be a non-negative int"),
        (lambda: max_pool2d(_x(1, 1, 9, 9), 2, dilation=0), ValueError,
         r"max_pool2d: dilation must be a positive int"),
        (lambda: avg_pool2d(_x(1, 1, 4, 4), 2, divisor_override=0), ValueError,
         r"avg_pool2d: divisor_override must be a non-zero int, received 0"),
        (lambda: avg_pool2d(ns.tensor([[[[1, 2], [3, 4]]]]), 2), TypeError,
         r"avg_pool2d: expected a floating point input, received int64"),
        (lambda: max_pool2d(np.zeros((1, 1, 4, 4)), 2), TypeError,
         r"max_pool2d: expected input to be a Tensor, received ndarray"),
        (lambda: adaptive_avg_pool2d(_x(1, 1, 4, 4), (2, 2, 2)), ValueError,
         r"adaptive_avg_pool2d: output_size must be a non-negative int \(or None\) or a tuple "
         r"of 2 of them, received \(2, 2, 2\)"),
        (lambda: adaptive_avg_pool1d(_x(1, 1, 4), -1), ValueError,
         r"adaptive_avg_pool1d: output_size must be a non-negative int"),
        (lambda: adaptive_avg_pool2d(_x(4, 4), 2), ValueError,
         r"adaptive_avg_pool2d: expected a 3-D \(unbatched\) or 4-D \(batched\) input"),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
