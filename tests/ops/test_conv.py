"""conv1d, conv2d, conv_transpose1d and conv_transpose2d against torch (values, gradients,
float64 finite differences), on both im2col grids, plus the adjoint identity and the errors."""

import numpy as np
import pytest
from parity import check, require_torch

import nnscratch as ns
from nnscratch.ops import im2col
from nnscratch.ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d

OURS = {
    "conv1d": conv1d,
    "conv2d": conv2d,
    "conv_transpose1d": conv_transpose1d,
    "conv_transpose2d": conv_transpose2d,
}


def _op(name, **kwargs):
    """``fn(lib, x, w, *bias)`` running our op or torch's with the same arguments."""

    def fn(lib, x, w, *bias):
        op = OURS[name] if lib is ns else getattr(lib.nn.functional, name)
        return op(x, w, *bias, **kwargs)

    return fn


@pytest.fixture(params=["plain", "wide"])
def grid(request, monkeypatch):
    """Force each of the two im2col grids (the wide one wherever the strides allow it).
    Finite differences (the slow part) run once a case, on the wide grid."""
    monkeypatch.setattr(im2col, "_WIDE_WASTE", 0.0 if request.param == "plain" else np.inf)
    return request.param


CONV2D = [  # (input shape, weight shape, keyword arguments)
    ((1, 2, 5, 6), (3, 2, 3, 3), {}),
    ((3, 1, 5, 7), (2, 1, 2, 3), {"stride": 2}),
    ((1, 3, 5, 5), (2, 3, 3, 2), {"stride": (2, 1), "padding": (1, 2)}),
    ((2, 2, 5, 5), (2, 2, 3, 3), {"padding": 1, "dilation": 2}),
    ((1, 2, 7, 6), (2, 2, 2, 3), {"stride": (1, 3), "dilation": (2, 1), "padding": 2}),
    ((2, 1, 5, 6), (2, 1, 4, 3), {"padding": "same"}),  # even kernel: the extra row goes last
    ((1, 2, 6, 5), (2, 2, 3, 2), {"padding": "same", "dilation": (1, 2)}),
    ((3, 2, 4, 5), (2, 2, 3, 3), {"padding": "valid"}),
    ((1, 4, 4, 5), (4, 2, 3, 3), {"groups": 2, "padding": 1}),
    ((1, 6, 4, 5), (3, 2, 2, 2), {"groups": 3, "stride": 2}),
    ((2, 3, 4, 4), (3, 1, 3, 3), {"groups": 3, "padding": "same"}),  # depthwise
    ((2, 3, 1, 1), (2, 3, 1, 1), {}),
    ((1, 2, 5, 4), (2, 2, 5, 4), {}),  # the kernel covers the whole input
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on its own speed
@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), CONV2D)
def test_conv2d_matches_torch(rng, grid, x_shape, w_shape, kwargs):
    bias = CONV2D.index((x_shape, w_shape, kwargs)) % 3 != 1  # a third go without
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if bias:
        arrays.append(rng.standard_normal(w_shape[0]))
    check(_op("conv2d", **kwargs), *arrays, atol=1e-10, gradcheck=grid == "wide")


CONV1D = [
    ((1, 2, 7), (3, 2, 3), {}),
    ((3, 2, 9), (2, 2, 4), {"stride": 2, "padding": 1}),
    ((2, 3, 8), (3, 3, 3), {"dilation": 2, "padding": "same"}),
    ((2, 4, 6), (2, 2, 2), {"groups": 2, "padding": "same"}),
    ((2, 2, 5), (4, 2, 2), {"padding": "valid", "stride": (3,)}),
]


@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), CONV1D)
def test_conv1d_matches_torch(rng, x_shape, w_shape, kwargs):
    bias = CONV1D.index((x_shape, w_shape, kwargs)) % 2 == 0
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if bias:
        arrays.append(rng.standard_normal(w_shape[0]))
    check(_op("conv1d", **kwargs), *arrays, atol=1e-10)


TRANSPOSE2D = [
    ((1, 2, 3, 4), (2, 3, 3, 3), {}),
    ((3, 2, 3, 3), (2, 2, 3, 2), {"stride": 2}),
    ((2, 2, 3, 4), (2, 2, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ((1, 3, 4, 3), (3, 2, 2, 3), {"stride": (1, 2), "padding": (1, 0), "dilation": (2, 1)}),
    ((1, 2, 3, 3), (2, 2, 3, 3), {"dilation": 3, "output_padding": 2}),  # op < dilation
    ((1, 4, 3, 3), (4, 1, 3, 3), {"groups": 2, "stride": 2, "output_padding": (1, 0)}),
]


@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), TRANSPOSE2D)
def test_conv_transpose2d_matches_torch(rng, grid, x_shape, w_shape, kwargs):
    bias = TRANSPOSE2D.index((x_shape, w_shape, kwargs)) % 2 == 0
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if bias:
        arrays.append(rng.standard_normal(w_shape[1] * kwargs.get("groups", 1)))
    check(_op("conv_transpose2d", **kwargs), *arrays, atol=1e-10, gradcheck=grid == "wide")


@pytest.mark.parametrize(
    "kwargs", [{}, {"stride": 3, "padding": 1, "output_padding": 2}, {"groups": 2, "dilation": 2}]
)
def test_conv_transpose1d_matches_torch(rng, kwargs):
    arrays = [rng.standard_normal((2, 4, 5)), rng.standard_normal((4, 3, 3))]
    bias = rng.standard_normal(3 * kwargs.get("groups", 1))
    check(_op("conv_transpose1d", **kwargs), *arrays, bias, atol=1e-10)


@pytest.mark.parametrize(
    ("name", "x_shape", "w_shape"),
    [
        ("conv2d", (2, 5, 6), (3, 2, 3, 3)),
        ("conv1d", (2, 7), (3, 2, 3)),
        ("conv_transpose2d", (2, 3, 4), (2, 3, 3, 3)),
        ("conv_transpose1d", (2, 4), (2, 3, 2)),
    ],
)
def test_unbatched_inputs(rng, name, x_shape, w_shape):
    check(_op(name, padding=1), rng.standard_normal(x_shape), rng.standard_normal(w_shape))


@pytest.mark.parametrize("name", ["conv2d", "conv_transpose2d"])
def test_channels_last_views(rng, name):
    """A permuted (non-contiguous) input, as Keras's channels-last layers pass one."""
    x = rng.standard_normal((2, 6, 5, 3)).transpose(0, 3, 1, 2)
    w = rng.standard_normal((3, 3, 3, 3))
    check(_op(name, padding=1), x, w, gradcheck=False)  # gradcheck nudges a contiguous copy


@pytest.mark.parametrize("name", ["conv2d", "conv_transpose2d"])
def test_float32_stays_float32(rng, name):
    x = rng.standard_normal((3, 4, 9, 8)).astype(np.float32)
    w = rng.standard_normal((4, 4, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    check(_op(name, stride=2, padding=1), x, w, b, atol=1e-4, rtol=1e-4)
    xt, wt = (ns.tensor(a, requires_grad=True) for a in (x, w))
    out = OURS[name](xt, wt, ns.tensor(b), padding=1)
    out.sum().backward()
    assert out.dtype == xt.grad.dtype == wt.grad.dtype == np.float32


@pytest.mark.parametrize("needs", ["input", "weight"])
def test_gradient_for_one_operand_only(rng, needs):
    """The backward pass skips what is not needed: the weight gradient alone (a first layer),
    or the input gradient alone (frozen weights, where no im2col matrix is kept)."""
    torch = require_torch()
    x, w = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))
    ours = [
        ns.tensor(x, requires_grad=needs == "input"),
        ns.tensor(w, requires_grad=needs == "weight"),
    ]
    theirs = [torch.tensor(x, requires_grad=needs == "input"),
              torch.tensor(w, requires_grad=needs == "weight")]  # fmt: skip
    conv2d(*ours, padding=1).sum().backward()
    torch.nn.functional.conv2d(*theirs, padding=1).sum().backward()
    k = 0 if needs == "input" else 1
    np.testing.assert_allclose(ours[k].grad.numpy(), theirs[k].grad.numpy(), atol=1e-10)
    assert ours[1 - k].grad is None


def test_conv_transpose_is_the_input_gradient_of_conv(rng):
    """<conv2d(x, w), g> = <x, conv_transpose2d(g, w)>: the adjoint, by a hand-made identity."""
    x = ns.tensor(rng.standard_normal((2, 4, 7, 8)), requires_grad=True)
    w = ns.tensor(rng.standard_normal((6, 2, 3, 2)))
    kwargs = {"stride": (2, 3), "padding": (1, 2), "dilation": (1, 2), "groups": 2}
    y = conv2d(x, w, **kwargs)
    g = ns.tensor(rng.standard_normal(y.shape))
    (y * g).sum().backward()
    extra = (x.shape[2] + 2 - 3) % 2, (x.shape[3] + 4 - 3) % 3  # back to the input size
    back = conv_transpose2d(g, w, output_padding=extra, **kwargs)
    np.testing.assert_allclose(back.numpy(), x.grad.numpy(), atol=1e-12)


def test_lenet_sized_layers_match_torch_in_float32(rng):
    x = rng.standard_normal((4, 1, 28, 28)).astype(np.float32)
    w = (0.2 * rng.standard_normal((6, 1, 5, 5))).astype(np.float32)
    b = np.zeros(6, np.float32)  # its gradient sums 3136 terms: float32 rounding shows
    check(_op("conv2d", padding=2), x, w, b, atol=1e-3, rtol=1e-4)
    x2 = rng.standard_normal((4, 6, 14, 14)).astype(np.float32)
    w2 = (0.1 * rng.standard_normal((16, 6, 5, 5))).astype(np.float32)
    check(_op("conv2d"), x2, w2, atol=1e-4, rtol=1e-4)


def test_results_do_not_share_the_reused_scratch_memory(rng):
    """Temporaries live in memory reused by the next call: earlier results must not change."""
    torch = require_torch()
    w = ns.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    xs = [rng.standard_normal((2, 3, 7, 6)) for _ in range(2)]
    outs, grads = [], []
    for x in xs:
        xt = ns.tensor(x, requires_grad=True)
        y = conv2d(xt, w, padding=1)
        y.backward(ns.ones(*y.shape))
        outs.append(y)
        grads.append(xt.grad)
    for x, y, g in zip(xs, outs, grads):
        xt = torch.tensor(x, requires_grad=True)
        ref = torch.nn.functional.conv2d(xt, torch.tensor(w.detach().numpy()), padding=1)
        ref.backward(torch.ones_like(ref))
        np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(g.numpy(), xt.grad.numpy(), atol=1e-12)


def test_kept_im2col_matrices_survive_other_calls_and_a_retained_graph(rng):
    """The matrices kept for backward live in recycled memory: two graphs alive at once, and
    a graph run backward twice, must still give torch's weight gradients."""
    torch = require_torch()
    xs = [rng.standard_normal((8, 3, 16, 16)) for _ in range(2)]  # im2col: 27 x 2288, recycled
    w_np = rng.standard_normal((4, 3, 3, 3))
    ours = [ns.tensor(w_np, requires_grad=True) for _ in xs]
    outs = [conv2d(ns.tensor(x), w, padding=1) for x, w in zip(xs, ours)]  # both graphs alive
    outs[1].sum().backward(retain_graph=True)
    outs[1].sum().backward()  # accumulates: twice the gradient
    outs[0].sum().backward()
    for x, w, times in zip(xs, ours, (1, 2)):
        wt = torch.tensor(w_np, requires_grad=True)
        torch.nn.functional.conv2d(torch.tensor(x), wt, padding=1).sum().backward()
        np.testing.assert_allclose(w.grad.numpy(), times * wt.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("name", ["conv2d", "conv_transpose2d"])
def test_empty_batch(name):
    """No images in, none out; lists and arrays as arguments too (torch takes them)."""
    torch = require_torch()
    w_shape = (2, 3, 3, 3) if "transpose" in name else (3, 2, 3, 3)
    x = ns.zeros(0, 2, 5, 5, requires_grad=True)
    y = OURS[name](x, ns.ones(*w_shape), stride=[2, 1], padding=np.array([1, 0]))
    ref = getattr(torch.nn.functional, name)(
        torch.zeros(0, 2, 5, 5), torch.ones(*w_shape), stride=[2, 1], padding=(1, 0)
    )
    y.sum().backward()
    assert y.shape == tuple(ref.shape) and x.grad.shape == x.shape


def test_top_level_and_functional_names():
    for name, op in OURS.items():
        assert getattr(ns, name) is op
        assert getattr(ns.nn.functional, name) is op


# ---- errors --------------------------------------------------------------------------------


def _zeros(*shape):
    return ns.zeros(*shape)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: conv2d(_zeros(1, 1, 3, 3), _zeros(1, 1, 5, 5)), ValueError,
         r"conv2d: kernel size \(5, 5\) \(dilated\) is larger than the padded input \(3, 3\)"),
        (lambda: conv2d(_zeros(1, 1, 5, 5), _zeros(1, 1, 3, 3), dilation=3), ValueError,
         r"kernel size \(7, 7\) \(dilated\) is larger than the padded input \(5, 5\)"),
        (lambda: conv1d(_zeros(1, 1, 3), _zeros(1, 1, 4), padding="valid"), ValueError,
         r"conv1d: kernel size \(4,\) \(dilated\) is larger than the padded input \(3,\)"),
        (lambda: conv2d(_zeros(2, 4, 8, 8), _zeros(6, 3, 3, 3)), ValueError,
         r"conv2d: expected input with 3 channels \(weight shape \(6, 3, 3, 3\), groups=1\), "
         r"received input shape \(2, 4, 8, 8\)"),
        (lambda: conv2d(_zeros(2, 3), _zeros(6, 3, 3, 3)), ValueError,
         r"conv2d: expected a 3-D \(unbatched\) or 4-D \(batched\) input, received shape \(2, 3\)"),
        (lambda: conv1d(_zeros(1, 2, 3, 4, 5), _zeros(1, 2, 3)), ValueError,
         r"conv1d: expected a 2-D \(unbatched\) or 3-D \(batched\) input"),
        (lambda: conv2d(_zeros(1, 3, 8, 8), _zeros(6, 3, 3)), ValueError,
         r"conv2d: weight must be 4-D \(out_channels, in_channels/groups, \*kernel_size\)"),
        (lambda: conv2d(_zeros(1, 4, 8, 8), _zeros(6, 2, 3, 3), groups=4), ValueError,
         r"conv2d: out_channels 6 \(weight shape \(6, 2, 3, 3\)\) is not divisible by groups=4"),
        (lambda: conv2d(_zeros(1, 4, 8, 8), _zeros(6, 2, 3, 3), groups=0), ValueError,
         r"conv2d: groups must be a positive int, received 0"),
        (lambda: conv2d(_zeros(1, 3, 8, 8), _zeros(6, 3, 3, 3), _zeros(5)), ValueError,
         r"conv2d: bias must have shape \(6,\) \(one per output channel\), received \(5,\)"),
        (lambda: conv2d(_zeros(1, 3, 8, 8), _zeros(6, 3, 3, 3), stride=0), ValueError,
         r"conv2d: stride must be a positive int or a tuple of 2 positive ints, received 0"),
        (lambda: conv2d(_zeros(1, 3, 8, 8), _zeros(6, 3, 3, 3), stride=(1, 2, 3)), ValueError,
         r"stride must be a positive int or a tuple of 2 positive ints, received \(1, 2, 3\)"),
        (lambda: conv2d(_zeros(1, 3, 8, 8), _zeros(6, 3, 3, 3), padding=-1), ValueError,
         r"conv2d: padding must be a non-negative int or a tuple of 2 non-negative ints"),
        (lambda: conv2d(_zeros(1, 3, 8, 8), _zeros(6, 3, 3, 3), padding="full"), ValueError,
         r"conv2d: padding must be 'valid', 'same', an int or a tuple of 2 ints, received 'full'"),
        (lambda: conv2d(_zeros(1, 3, 8, 8), _zeros(6, 3, 3, 3), padding="same", stride=2),
         ValueError, r"conv2d: padding='same' is not supported for strided convolutions"),
        (lambda: conv2d(_zeros(1, 3, 8, 8), _zeros(6, 3, 3, 3), dilation=(1, 0)), ValueError,
         r"conv2d: dilation must be a positive int"),
        (lambda: conv2d(_zeros(1, 3, 8, 8), np.zeros((6, 3, 3, 3))), TypeError,
         r"conv2d: expected weight to be a Tensor, received ndarray"),
        (lambda: conv2d(ns.zeros(1, 3, 8, 8, dtype=ns.float64), _zeros(6, 3, 3, 3)), TypeError,
         r"conv2d: expected one floating dtype for all operands, received input=float64, "
         r"weight=float32"),
        (lambda: conv_transpose2d(_zeros(1, 3, 4, 4), _zeros(2, 3, 3, 3)), ValueError,
         r"conv_transpose2d: expected input with 2 channels \(weight shape \(2, 3, 3, 3\)\), "
         r"received input shape \(1, 3, 4, 4\)"),
        (lambda: conv_transpose2d(_zeros(1, 3, 4, 4), _zeros(3, 2, 3, 3), groups=2), ValueError,
         r"conv_transpose2d: in_channels 3 \(weight shape \(3, 2, 3, 3\)\) is not divisible"),
        (lambda: conv_transpose2d(_zeros(1, 2, 4, 4), _zeros(2, 2, 3, 3), stride=2,
                                  output_padding=2), ValueError,
         r"conv_transpose2d: output_padding must be smaller than either stride or dilation, "
         r"received output_padding=\(2, 2\), stride=\(2, 2\), dilation=\(1, 1\)"),
        (lambda: conv_transpose2d(_zeros(1, 2, 1, 1), _zeros(2, 2, 3, 3), padding=2), ValueError,
         r"conv_transpose2d: the output size \(-1, -1\) is not positive"),
        (lambda: conv_transpose1d(_zeros(1, 2, 4), _zeros(2, 2, 3), padding="same"), ValueError,
         r"conv_transpose1d: padding must be a non-negative int"),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
