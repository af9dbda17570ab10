"""batch_norm, layer_norm and group_norm against torch (values, gradients, running statistics),
finite differences, the composition the fused op replaces, and their error messages."""

import numpy as np
import pytest
from parity import check, require_torch
from tolerance import assert_close

import nnscratch as ns
from nnscratch.ops.normalization import batch_norm, group_norm, layer_norm

F = ns.nn.functional


def _f(lib):
    return lib.nn.functional


def _stats(lib, mean, var):
    """Fresh running statistics for one library (each call of the lambda gets its own)."""
    if mean is None:
        return None, None
    make = ns.tensor if lib is ns else require_torch().tensor
    return make(mean.copy()), make(var.copy())


# ---- batch_norm -----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2), (2, 3, 2, 3)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_matches_torch(rng, shape, training, affine):
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5
    params = [rng.standard_normal(3), rng.standard_normal(3)] if affine else []

    def fn(lib, x, *wb):
        rm, rv = _stats(lib, mean, var)
        return _f(lib).batch_norm(x, rm, rv, *wb, training=training, momentum=0.2, eps=1e-3)

    check(fn, rng.standard_normal(shape) * 2 + 1, *params)


def test_batch_norm_weight_only_and_no_running_stats(rng):
    x, w = rng.standard_normal((6, 4, 3)), rng.standard_normal(4)
    check(lambda lib, x, w: _f(lib).batch_norm(x, None, None, w, training=True), x, w)
    b = rng.standard_normal(4)
    check(lambda lib, x, b: _f(lib).batch_norm(x, None, None, None, b, training=True), x, b)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 2, 2)])
def test_batch_norm_running_stats_follow_torch_over_steps(rng, shape):
    torch = require_torch()
    ours, theirs = _stats(ns, np.zeros(3), np.ones(3)), _stats(torch, np.zeros(3), np.ones(3))
    for step in range(4):
        x = rng.standard_normal(shape) * (step + 1) + step
        F.batch_norm(ns.tensor(x), *ours, training=True, momentum=0.3)
        torch.nn.functional.batch_norm(torch.tensor(x), *theirs, training=True, momentum=0.3)
    for a, b in zip(ours, theirs):
        assert_close(a.numpy(), b.numpy())
    x = rng.standard_normal(shape)  # eval mode now normalises with those statistics
    assert_close(
        F.batch_norm(ns.tensor(x), *ours).numpy(),
        torch.nn.functional.batch_norm(torch.tensor(x), *theirs).numpy(),
    )


def test_batch_norm_running_variance_is_unbiased_by_hand():
    x = ns.tensor([[1.0], [2.0], [6.0]], dtype=ns.float64)  # mean 3, unbiased variance 7
    mean, var = ns.zeros(1, dtype=ns.float64), ns.zeros(1, dtype=ns.float64)
    y = F.batch_norm(x, mean, var, training=True, momentum=1.0, eps=0.0)
    assert mean.item() == 3.0 and abs(var.item() - 7.0) < 1e-12
    biased_std = np.sqrt(14 / 3)  # the output is normalised with the biased variance
    np.testing.assert_allclose(y.numpy().ravel(), (np.array([1, 2, 6]) - 3) / biased_std)


def test_batch_norm_float32_stays_float32(rng):
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((8, 4, 3), (4,), (4,))]
    check(lambda lib, x, w, b: _f(lib).batch_norm(x, None, None, w, b, True), *arrays,
          atol=1e-5, rtol=1e-4)  # fmt: skip
    mean, var = ns.zeros(4), ns.ones(4)
    assert F.batch_norm(ns.tensor(arrays[0]), mean, var, training=True).dtype == ns.float32
    assert mean.dtype == var.dtype == ns.float32


def test_batch_norm_writes_date_the_running_stats():
    """The in-place update goes through the version clock, like Tensor's own in-place ops."""
    mean, var = ns.zeros(2), ns.ones(2)
    before = mean._version
    F.batch_norm(ns.randn(4, 2), mean, var, training=True)
    assert mean._version > before and var._version > before


# ---- layer_norm and group_norm --------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "normalized"), [((4, 5), (5,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((6,), [6])]
)
@pytest.mark.parametrize("params", [2, 0])  # weight and bias, or neither (weight alone: below)
def test_layer_norm_matches_torch(rng, shape, normalized, params):
    size = tuple(normalized)
    arrays = [rng.standard_normal(size) for _ in range(params)]
    check(lambda lib, x, *wb: _f(lib).layer_norm(x, normalized, *wb, eps=1e-4),
          rng.standard_normal(shape) * 3, *arrays)  # fmt: skip


@pytest.mark.parametrize(("shape", "groups"), [((2, 6, 4), 1), ((2, 6, 4), 3), ((2, 6, 4), 6),
                                               ((3, 4), 2), ((2, 4, 3, 3), 2)])  # fmt: skip
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_matches_torch(rng, shape, groups, affine):
    params = [rng.standard_normal(shape[1]), rng.standard_normal(shape[1])] if affine else []
    check(lambda lib, x, *wb: _f(lib).group_norm(x, groups, *wb, eps=1e-4),
          rng.standard_normal(shape) * 2 - 1, *params)  # fmt: skip


def test_top_level_names_match_torchs():
    torch = require_torch()
    assert ns.layer_norm is layer_norm and ns.group_norm is group_norm
    x = np.arange(12.0).reshape(2, 6)
    ours, theirs = ns.group_norm(ns.tensor(x), 3), torch.group_norm(torch.tensor(x), 3)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("kind", ["layer", "batch"])
def test_the_fused_op_equals_its_composition(rng, kind):
    """DESIGN 3.4: the fused op gives the values and gradients of the ops it replaces."""
    shapes = {"layer": ((3, 4, 5), (5,)), "batch": ((4, 5, 3), (5, 1))}[kind]
    x, w, b = (
        ns.tensor(rng.standard_normal(s), requires_grad=True) for s in (shapes[0], *shapes[1:] * 2)
    )
    dims = {"layer": -1, "batch": (0, 2)}[kind]
    if kind == "layer":
        fused = layer_norm(x, (5,), w, b, eps=1e-3)
    else:
        fused = batch_norm(x, None, None, w.reshape(5), b.reshape(5), training=True, eps=1e-3)
    mean = x.mean(dim=dims, keepdim=True)
    composed = (x - mean) / (x.var(dim=dims, correction=0, keepdim=True) + 1e-3).sqrt() * w + b
    assert_close(fused.detach().numpy(), composed.detach().numpy())
    g = ns.tensor(rng.standard_normal(fused.shape))
    grads = []
    for out in (fused, composed):
        for t in (x, w, b):
            t.grad = None
        out.backward(g)
        grads.append([t.grad.numpy().copy() for t in (x, w, b)])
    for a, c in zip(*grads):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)
    assert fused.grad_fn.name() == "NormalizeBackward"


def test_degenerate_sizes_match_torch(rng):
    """One channel, one normalised element, one channel per group: size-1 axes of the view."""
    check(lambda lib, x, w: _f(lib).batch_norm(x, None, None, w, training=True),
          rng.standard_normal((6, 1, 2)), rng.standard_normal(1))  # fmt: skip
    check(lambda lib, x, w, b: _f(lib).layer_norm(x, (1,), w, b),
          rng.standard_normal((4, 1)), rng.standard_normal(1), rng.standard_normal(1))  # fmt: skip
    check(lambda lib, x, w: _f(lib).group_norm(x, 3, w), rng.standard_normal((2, 3)),
          rng.standard_normal(3), atol=1e-6)  # fmt: skip


def test_layer_norm_with_a_weight_only(rng):
    check(lambda lib, x, w: _f(lib).layer_norm(x, (3, 4), w), rng.standard_normal((2, 3, 4)),
          rng.standard_normal((3, 4)))  # fmt: skip


def test_float32_layer_and_group_norm(rng):
    x = rng.standard_normal((4, 6, 5)).astype(np.float32)
    w, b = rng.standard_normal(6).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    check(lambda lib, x, w, b: _f(lib).group_norm(x, 2, w, b), x, w, b, atol=1e-5, rtol=1e-4)
    w5, b5 = w[:5], b[:5]
    check(lambda lib, x, w, b: _f(lib).layer_norm(x, (5,), w, b), x, w5, b5, atol=1e-5, rtol=1e-4)


# ---- errors ---------------------------------------------------------------------------------


def test_batch_norm_errors():
    x = ns.zeros(4, 3)
    with pytest.raises(ValueError, match=r"more than 1 value per channel.*\(1, 3\)"):
        batch_norm(ns.zeros(1, 3), None, None, training=True)
    with pytest.raises(RuntimeError, match="running_mean and running_var must be given in eval"):
        batch_norm(x, None, None)
    with pytest.raises(RuntimeError, match=r"running_mean should contain 3 elements.*\(4,\)"):
        batch_norm(x, ns.zeros(4), ns.ones(4))
    with pytest.raises(RuntimeError, match=r"weight should contain 3 elements.*received shape"):
        batch_norm(x, ns.zeros(3), ns.ones(3), weight=ns.ones(2))
    with pytest.raises(ValueError, match=r"input of shape \(N, C, \*\), received shape \(3,\)"):
        batch_norm(ns.zeros(3), ns.zeros(3), ns.ones(3))
    with pytest.raises(TypeError, match="expected weight to have the input's dtype float32"):
        batch_norm(x, None, None, ns.ones(3, dtype=ns.float64), training=True)
    with pytest.raises(TypeError, match="floating point Tensor, received a int64 tensor"):
        batch_norm(ns.tensor([[1, 2], [3, 4]]), None, None, training=True)


def test_layer_and_group_norm_errors():
    x = ns.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\].*\(\*, 4\).*\(2, 3\)"):
        layer_norm(x, (4,))
    with pytest.raises(RuntimeError, match=r"weight of shape normalized_shape \(3,\).*\(4,\)"):
        layer_norm(x, 3, weight=ns.ones(4))
    with pytest.raises(TypeError, match="normalized_shape must be an int or a sequence"):
        layer_norm(x, 3.0)
    with pytest.raises(RuntimeError, match=r"divisible by num_groups.*\(2, 6, 4\).*num_groups=4"):
        group_norm(ns.zeros(2, 6, 4), 4)
    with pytest.raises(RuntimeError, match=r"weight should contain 6 elements.*\(5,\)"):
        group_norm(ns.zeros(2, 6, 4), 3, weight=ns.ones(5))
    with pytest.raises(ValueError, match="eps must be a non-negative number"):
        layer_norm(x, 3, eps=-1.0)
