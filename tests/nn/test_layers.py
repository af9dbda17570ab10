"""The fused linear op, Linear, Identity, Flatten, Dropout, the activation layers and gradient
clipping, against torch (same weights copied across), finite differences and hand counts."""

import math

import numpy as np
import pytest
from parity import check, copy_torch_state, require_torch
from tolerance import assert_close

import nnscratch as ns
from nnscratch.ops.linalg import linear

nn = ns.nn
F = nn.functional


def _lin(lib):
    return lib.nn.functional.linear if lib is not ns else linear


# ---- the linear op ------------------------------------------------------------------------


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3), (3,), (2, 1, 4, 3), (0, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_op_matches_torch_with_any_leading_dims(rng, x_shape, bias):
    arrays = [rng.standard_normal(x_shape), rng.standard_normal((2, 3))]
    if bias:
        arrays.append(rng.standard_normal(2))
    check(lambda lib, x, w, *b: _lin(lib)(x, w, *b), *arrays)


def test_linear_op_on_a_transposed_input_and_float32(rng):
    x = rng.standard_normal((3, 6)).T  # non-contiguous (6, 3)
    check(lambda lib, x, w, b: _lin(lib)(x, w, b), x, rng.standard_normal((4, 3)),
          rng.standard_normal(4))  # fmt: skip
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((5, 3), (2, 3), (2,))]
    check(lambda lib, x, w, b: _lin(lib)(x, w, b), *arrays, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("bias_shape", [(), (1,)])
def test_linear_op_broadcast_bias(rng, bias_shape):
    arrays = [rng.standard_normal((2, 4, 3)), rng.standard_normal((5, 3))]
    check(lambda lib, x, w, b: _lin(lib)(x, w, b), *arrays, rng.standard_normal(bias_shape))


def test_the_fused_op_equals_its_composition(rng):
    """DESIGN 3.4: a fused op is proved equal to the chain it replaces."""
    x, w, b = (
        ns.tensor(rng.standard_normal(s), requires_grad=True) for s in ((3, 2, 4), (5, 4), (5,))
    )
    fused = linear(x, w, b)
    composed = x @ w.T + b
    assert_close(fused.detach().numpy(), composed.detach().numpy())
    g = rng.standard_normal(fused.shape)
    grads = []
    for out in (fused, composed):
        for t in (x, w, b):
            t.grad = None
        out.backward(ns.tensor(g))
        grads.append([t.grad.numpy().copy() for t in (x, w, b)])
    for a, c in zip(*grads):
        assert_close(a, c)
    assert fused.grad_fn.name() == "LinearBackward"


def test_linear_op_errors():
    w = ns.zeros(2, 3)
    with pytest.raises(ValueError, match=r"input shape \(4, 2\).*weight shape \(2, 3\)"):
        linear(ns.zeros(4, 2), w)
    with pytest.raises(TypeError, match="input=float64, weight=float32"):
        linear(ns.zeros(4, 3, dtype=ns.float64), w)
    with pytest.raises(ValueError, match="bias shape \\(3,\\)"):
        linear(ns.zeros(4, 3), w, ns.zeros(3))
    with pytest.raises(TypeError, match="weight to be a Tensor"):
        linear(ns.zeros(4, 3), np.zeros((2, 3)))
    assert F.linear is linear


# ---- Linear ------------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_linear_layer_matches_torch_with_copied_weights(rng, bias):
    torch = require_torch()
    theirs = torch.nn.Linear(4, 3, bias=bias, dtype=torch.float64)
    ours = nn.Linear(4, 3, bias=bias, dtype=ns.float64)
    copy_torch_state(ours, theirs)  # (asserts torch's names and shapes first)
    x = rng.standard_normal((2, 5, 4))
    xo, xt = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    assert_close(yo.detach().numpy(), yt.detach().numpy())
    g = rng.standard_normal(yo.shape)
    yo.backward(ns.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(xo.grad.numpy(), xt.grad.numpy())
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert_close(p.grad.numpy(), q.grad.numpy(), err_msg=name)


def test_linear_default_init_is_torchs_range_and_repeatable():
    ns.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) and the bias rule
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound  # U(-a, a) has std a / sqrt(3)
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(b).max() > 0.9 * bound  # the bias spans the range too, not a smaller one
    ns.manual_seed(0)
    np.testing.assert_array_equal(nn.Linear(400, 300).weight.detach().numpy(), w)


def test_linear_init_spread_matches_torchs_statistically():
    torch = require_torch()
    torch.manual_seed(0)
    ns.manual_seed(0)
    for shape in ((7, 500), (500, 3)):
        ours, theirs = nn.Linear(*shape), torch.nn.Linear(*shape)
        for a, b in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
            a, b = a.detach().numpy(), b.detach().numpy()
            assert abs(np.abs(a).max() - np.abs(b).max()) < 0.05 * np.abs(b).max()
            assert abs(a.std() - b.std()) < 0.15 * b.std()


def test_linear_shapes_dtype_and_repr():
    torch = require_torch()
    layer = nn.Linear(3, 2, bias=False, dtype=ns.float64)
    assert layer.bias is None and layer.weight.dtype == ns.float64
    assert repr(layer) == repr(torch.nn.Linear(3, 2, bias=False))
    assert layer(ns.zeros(3, dtype=ns.float64)).shape == (2,)
    with pytest.warns(UserWarning, match="zero-element"):  # as torch: nothing to initialise
        empty = nn.Linear(0, 2)
    assert empty(ns.zeros(4, 0)).tolist() == [[0.0, 0.0]] * 4


def test_linear_wrong_input_names_the_layer_and_shapes():
    layer = nn.Linear(10, 5)
    message = (
        r"Linear\(in_features=10, out_features=5, bias=True\) expects inputs with last "
        r"dimension 10, received shape \(4, 3\)"
    )
    with pytest.raises(ValueError, match=message):
        layer(ns.zeros(4, 3))
    with pytest.raises(ValueError, match="received shape \\(\\)"):
        layer(ns.tensor(1.0))
    with pytest.raises(ValueError, match="in_features must be a non-negative int"):
        nn.Linear(-1, 2)


# ---- Identity and Flatten ----------------------------------------------------------------


def test_identity_and_flatten_match_torch(rng):
    torch = require_torch()
    x = rng.standard_normal((2, 3, 4, 5))
    for args in ((), (0,), (1, 2), (2, -1), (-3, -2)):
        check(lambda lib, x, args=args: lib.nn.Flatten(*args)(x), x, gradcheck=False)
        assert repr(nn.Flatten(*args)) == repr(torch.nn.Flatten(*args))
    check(lambda lib, x: lib.nn.Identity(3, k=4)(x) * 2, x, gradcheck=False)
    assert repr(nn.Identity()) == repr(torch.nn.Identity())


# ---- Dropout -----------------------------------------------------------------------------


def test_dropout_in_eval_mode_or_with_p_zero_is_the_identity():
    x = ns.randn(5, 4)
    layer = nn.Dropout(0.7).eval()
    assert layer(x) is x
    assert F.dropout(x, 0.7, training=False) is x
    assert nn.Dropout(0.0)(x) is x


def test_dropout_zeroes_a_fraction_p_and_scales_the_rest():
    ns.manual_seed(0)
    n, p = 200_000, 0.3
    x = ns.ones(n, dtype=ns.float64) * 2.0
    y = nn.Dropout(p)(x).numpy()
    zeros = np.mean(y == 0)
    assert abs(zeros - p) < 4 * math.sqrt(p * (1 - p) / n)  # four standard errors
    assert_close(y[y != 0], 2.0 / (1 - p))
    assert abs(y.mean() - 2.0) < 0.02  # unbiased: E[y] = x


def test_dropout_gradient_is_the_scaled_mask(rng):
    x = ns.tensor(rng.standard_normal((50, 40)) + 5, requires_grad=True)  # no zeros in x
    g = rng.standard_normal((50, 40))
    y = F.dropout(x, p=0.4)
    y.backward(ns.tensor(g))
    kept = y.detach().numpy() != 0
    assert 0.5 < kept.mean() < 0.7
    assert_close(x.grad.numpy(), g * kept / 0.6)


def test_dropout_with_p_one_gives_zeros_and_zero_gradients():
    x = ns.ones(3, 3, requires_grad=True)
    y = F.dropout(x, 1.0)
    y.sum().backward()
    assert not y.detach().numpy().any() and not x.grad.numpy().any()


def test_dropout_is_repeatable_keeps_float32_and_prints_like_torch():
    torch = require_torch()
    ns.manual_seed(5)
    a = F.dropout(ns.ones(100), 0.5)
    ns.manual_seed(5)
    b = F.dropout(ns.ones(100), 0.5)
    assert a.tolist() == b.tolist() and a.dtype == ns.float32
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))
    assert repr(nn.Dropout()) == repr(torch.nn.Dropout())


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5"])
def test_dropout_rejects_bad_probabilities(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout probability"):
        F.dropout(ns.ones(2), p)


# ---- activation layers -------------------------------------------------------------------

ACTIVATIONS = [
    ("ReLU", {}), ("ReLU", {"inplace": True}), ("LeakyReLU", {}),
    ("LeakyReLU", {"negative_slope": 0.2}), ("ELU", {}), ("ELU", {"alpha": 0.5}), ("SELU", {}),
    ("GELU", {}), ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("Sigmoid", {}), ("Tanh", {}),
    ("Softplus", {}), ("Softplus", {"beta": 2.0, "threshold": 5.0}), ("Softmax", {"dim": 1}),
    ("Softmax", {"dim": -1}), ("LogSoftmax", {"dim": 0}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kwargs"), ACTIVATIONS)
def test_activation_layers_match_torch(rng, name, kwargs):
    torch = require_torch()
    x = rng.standard_normal((4, 5)) * 3
    check(lambda lib, x: getattr(lib.nn, name)(**kwargs)(x.clone() if lib is torch else x), x)
    assert repr(getattr(nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
def test_softmax_without_dim_warns_and_picks_torchs_dim(rng, name, ndim):
    torch = require_torch()
    x = rng.standard_normal((2, 3, 4, 5)[:ndim])
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        ours = getattr(nn, name)()(ns.tensor(x))
    with pytest.warns(UserWarning):
        theirs = getattr(torch.nn, name)()(torch.tensor(x))
    assert_close(ours.numpy(), theirs.numpy())
    assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)())


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="'tanh'"):
        nn.GELU("fast")


# ---- gradient clipping --------------------------------------------------------------------


def _models_with_grads(rng):
    """The same small model and gradients in both libraries (float64)."""
    torch = require_torch()
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2))
    theirs = theirs.double()
    ours = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)).double()
    copy_torch_state(ours, theirs)
    x = rng.standard_normal((8, 4)) * 3
    (ours(ns.tensor(x)) ** 2).sum().backward()
    (theirs(torch.tensor(x)) ** 2).sum().backward()
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(rng, norm_type, max_norm):
    torch = require_torch()
    ours, theirs = _models_with_grads(rng)
    total_ours = nn.utils.clip_grad_norm_(ours.parameters(), max_norm, norm_type)
    total_theirs = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type)
    assert total_ours.shape == () and total_ours.dtype == ns.float64
    np.testing.assert_allclose(total_ours.item(), total_theirs.item(), rtol=1e-12)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert_close(p.grad.numpy(), q.grad.numpy())


def test_clip_grad_norm_edge_cases():
    w = ns.zeros(2, requires_grad=True)
    assert nn.utils.clip_grad_norm_([w], 1.0).item() == 0.0  # no gradients at all
    w.grad = ns.tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(w, 1.0, error_if_nonfinite=True)
    v = ns.zeros(2, requires_grad=True)
    v.grad = ns.tensor([3.0, 4.0])  # float32 in, float32 norm out
    assert nn.utils.clip_grad_norm_(v, 10.0).dtype == ns.float32
    assert v.grad.tolist() == [3.0, 4.0]


def test_clip_grad_value_matches_torch(rng):
    torch = require_torch()
    ours, theirs = _models_with_grads(rng)
    nn.utils.clip_grad_value_(ours.parameters(), 0.3)
    torch.nn.utils.clip_grad_value_(theirs.parameters(), 0.3)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert_close(p.grad.numpy(), q.grad.numpy())
    assert max(np.abs(p.grad.numpy()).max() for p in ours.parameters()) == 0.3
