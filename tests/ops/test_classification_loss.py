"""cross_entropy, nll_loss and kl_div against torch: values, gradients, gradcheck, errors."""

import numpy as np
import pytest
from parity import check, require_torch
from tolerance import assert_close

import nnscratch as ns
from nnscratch.ops import classification_loss

torch = require_torch()
REDUCTIONS = ["mean", "sum", "none"]
# input shape, index-target shape: batched, K-dimensional (1 and 2 extra dims), unbatched
SHAPES = [((5, 4), (5,)), ((3, 4, 2), (3, 2)), ((2, 3, 2, 2), (2, 2, 2)), ((4,), ())]


def _loss(lib, name):
    """Our function (not yet wired into nn.functional) or torch's."""
    return getattr(classification_loss, name) if lib is ns else getattr(lib.nn.functional, name)


def _weight(lib, w):
    return None if w is None else lib.tensor(w)


def _indices(rng, shape, classes, ignore_index=None):
    t = rng.integers(0, classes, shape).astype(np.int64)
    if ignore_index is not None and t.ndim:
        t.flat[::2] = ignore_index  # every other target ignored
    return t


def _probabilities(rng, shape):
    axis = 0 if len(shape) == 1 else 1
    e = np.exp(rng.standard_normal(shape))
    return e / e.sum(axis=axis, keepdims=True)


# ---- cross_entropy with class indices ---------------------------------------------------------
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape, target_shape", SHAPES)
def test_cross_entropy_indices_match_torch(
    shape, target_shape, reduction, weighted, smoothing, rng
):
    classes = shape[0 if len(shape) == 1 else 1]
    x, t = rng.standard_normal(shape) * 2, _indices(rng, target_shape, classes)
    w = rng.uniform(0.2, 2.0, classes) if weighted else None

    def f(lib, x, t):
        return _loss(lib, "cross_entropy")(
            x, t, weight=_weight(lib, w), reduction=reduction, label_smoothing=smoothing
        )

    check(f, x, t)


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("ignore_index", [-100, 1])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_ignore_index_matches_torch(
    reduction, weighted, ignore_index, smoothing, rng
):
    x, t = rng.standard_normal((3, 4, 2)), _indices(rng, (3, 2), 4, ignore_index)
    w = rng.uniform(0.2, 2.0, 4) if weighted else None

    def f(lib, x, t):
        return _loss(lib, "cross_entropy")(
            x, t, _weight(lib, w), ignore_index=ignore_index, reduction=reduction,
            label_smoothing=smoothing,
        )  # fmt: skip

    check(f, x, t)


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_all_ignored_batch_is_nan_with_zero_gradient_like_torch(name, smoothing, rng):
    x, t = rng.standard_normal((3, 4)), np.full(3, -100, np.int64)
    extra = {"label_smoothing": smoothing} if name == "cross_entropy" else {}
    check(lambda lib, x, t: _loss(lib, name)(x, t, **extra), x, t, gradcheck=False)
    x_ns = ns.tensor(x, requires_grad=True)
    loss = _loss(ns, name)(x_ns, ns.tensor(t), **extra)
    loss.backward()
    assert np.isnan(loss.item()) and not x_ns.grad.numpy().any()


def test_zero_weight_on_every_target_gives_torch_nans(rng):
    x, t, w = rng.standard_normal((3, 4)), np.array([0, 1, -100]), np.array([0.0, 0.0, 1.0, 1.0])
    f = lambda lib, x, t: _loss(lib, "cross_entropy")(x, t, weight=lib.tensor(w))  # noqa: E731
    check(f, x, t, gradcheck=False)  # nan rows where torch has them, zeros on the ignored row


def test_uint8_targets_are_accepted_like_torch(rng):
    x, t = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2], np.uint8)
    check(lambda lib, x, t: _loss(lib, "cross_entropy")(x, t), x, t)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_is_stable_for_huge_logits(reduction):
    x = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, -1e4]])
    t = np.array([0, 2, 1])
    f = lambda lib, x, t: _loss(lib, "cross_entropy")(x, t, reduction=reduction)  # noqa: E731
    check(f, x, t, gradcheck=False)
    p = _probabilities(np.random.default_rng(1), (3, 3))
    check(lambda lib, x, p: _loss(lib, "cross_entropy")(x, p), x, p, gradcheck=False)
    assert np.isfinite(classification_loss.cross_entropy(ns.tensor(x), ns.tensor(t)).item())


# ---- cross_entropy with class probabilities ---------------------------------------------------
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [s for s, _ in SHAPES])
def test_cross_entropy_probabilities_match_torch(shape, reduction, weighted, smoothing, rng):
    classes = shape[0 if len(shape) == 1 else 1]
    x, p = rng.standard_normal(shape) * 2, _probabilities(rng, shape)
    w = rng.uniform(0.2, 2.0, classes) if weighted else None

    def f(lib, x, p):  # p requires grad: its gradient is compared too
        return _loss(lib, "cross_entropy")(
            x, p, weight=_weight(lib, w), reduction=reduction, label_smoothing=smoothing
        )

    check(f, x, p)


@pytest.mark.parametrize("target", ["indices", "probabilities"])
def test_float32_stays_float32(target, rng):
    x = rng.standard_normal((6, 5)).astype(np.float32)
    t = _indices(rng, (6,), 5) if target == "indices" else _probabilities(rng, (6, 5))
    t = t.astype(np.float32) if target == "probabilities" else t
    f = lambda lib, x, t: _loss(lib, "cross_entropy")(x, t, label_smoothing=0.1)  # noqa: E731
    check(f, x, t, rtol=1e-5, atol=1e-6)


def test_deprecated_size_average_and_reduce_like_torch(rng):
    x, t = rng.standard_normal((3, 4)), _indices(rng, (3,), 4)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        check(lambda lib, x, t: _loss(lib, "cross_entropy")(x, t, None, False), x, t)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        check(lambda lib, x, t: _loss(lib, "nll_loss")(x, t, None, None, -100, False), x, t)


def test_fused_cross_entropy_equals_the_composition_it_replaces(rng):
    x_np, t_np, w = rng.standard_normal((5, 4)), _indices(rng, (5,), 4, -100), rng.uniform(1, 2, 4)
    e, results = 0.2, []
    for fused in (True, False):
        x, t, wt = ns.tensor(x_np, requires_grad=True), ns.tensor(t_np), ns.tensor(w)
        if fused:
            loss = classification_loss.cross_entropy(x, t, wt, label_smoothing=e)
        else:  # torch's composition, written with our ops
            logp = ns.log_softmax(x, dim=1)
            nll = classification_loss.nll_loss(logp, t, wt, reduction="sum")
            kept = ns.tensor((t_np != -100).astype(float))
            smooth = -((logp * wt).sum(dim=1) * kept).sum()
            loss = ((1 - e) * nll + e / 4 * smooth) / float(w[t_np[t_np != -100]].sum())
        loss.backward()
        results.append((loss.item(), x.grad.numpy()))
    for a, b in zip(*results):
        assert_close(a, b)


# ---- nll_loss ---------------------------------------------------------------------------------
@pytest.mark.parametrize("ignore_index", [None, 2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape, target_shape", SHAPES)
def test_nll_loss_matches_torch(shape, target_shape, reduction, weighted, ignore_index, rng):
    classes = shape[0 if len(shape) == 1 else 1]
    x, t = rng.standard_normal(shape), _indices(rng, target_shape, classes, ignore_index)
    w = rng.uniform(0.2, 2.0, classes) if weighted else None
    index = -100 if ignore_index is None else ignore_index

    def f(lib, x, t):
        return _loss(lib, "nll_loss")(
            x, t, _weight(lib, w), ignore_index=index, reduction=reduction
        )

    check(f, x, t)


# ---- kl_div -----------------------------------------------------------------------------------
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none"])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2), (5,)])
def test_kl_div_matches_torch(shape, reduction, log_target, rng):
    x = np.log(_probabilities(rng, shape))
    y = _probabilities(rng, shape)
    y = np.log(y) if log_target else y
    f = lambda lib, x, y: _loss(lib, "kl_div")(x, y, reduction=reduction, log_target=log_target)  # noqa: E731
    check(f, x, y)


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_mean_divides_by_numel_and_warns_like_torch(log_target, rng):
    x, y = np.log(_probabilities(rng, (4, 3))), _probabilities(rng, (4, 3))
    with pytest.warns(UserWarning, match="kl_div: reduction 'mean' divides the total loss"):
        classification_loss.kl_div(ns.tensor(x), ns.tensor(y))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        check(lambda lib, x, y: _loss(lib, "kl_div")(x, y, log_target=log_target), x, y)


def test_kl_div_zero_targets_count_zero_like_torch(rng):
    x, y = np.log(_probabilities(rng, (3, 4))), np.array([[0.0, 0.5, 0.5, 0.0]] * 3)
    # 0 log 0 = 0 in the value; the target gradient is nan there in torch too (xlogy's rule)
    f = lambda lib, x, y: _loss(lib, "kl_div")(x, y, reduction="none")  # noqa: E731
    check(f, x, y, gradcheck=False)
    out = classification_loss.kl_div(ns.tensor(x), ns.tensor(y), reduction="none")
    assert np.isfinite(out.numpy()).all() and (out.numpy()[:, [0, 3]] == 0).all()


def test_kl_div_batchmean_of_a_scalar_and_broadcasting_like_torch(rng):
    x, y = np.array(-0.5), np.array(0.3)
    check(lambda lib, x, y: _loss(lib, "kl_div")(x, y, reduction="batchmean"), x, y)
    x, y = np.log(_probabilities(rng, (3, 4))), _probabilities(rng, (4,))
    check(lambda lib, x, y: _loss(lib, "kl_div")(x, y, reduction="sum"), x, y)


# ---- errors -----------------------------------------------------------------------------------
def test_index_errors_name_the_index_and_the_classes(rng):
    x = ns.tensor(rng.standard_normal((3, 4)))
    for name in ("cross_entropy", "nll_loss"):
        with pytest.raises(IndexError, match=rf"{name}: target 5 is out of bounds for 4 classes"):
            _loss(ns, name)(x, ns.tensor([0, 5, 1]))
        with pytest.raises(IndexError, match=r"target -3 is out of bounds .* ignore_index=-100"):
            _loss(ns, name)(x, ns.tensor([0, -3, 1]))
        with pytest.raises(IndexError, match="target -100 is out of bounds"):
            _loss(ns, name)(x, ns.tensor([0, -100, 1]), ignore_index=0)


def test_target_errors_say_what_each_kind_of_target_must_be(rng):
    x = ns.tensor(rng.standard_normal((3, 4)))
    ce = classification_loss.cross_entropy
    expected = r"class indices \(int64, shape \(3,\)\), or class probabilities \(floating point"
    with pytest.raises(ValueError, match=expected + r".*received float32 with shape \(3, 5\)"):
        ce(x, ns.zeros(3, 5))  # probabilities of the wrong shape
    with pytest.raises(ValueError, match=expected + r".*received float32 with shape \(3,\)"):
        ce(x, ns.zeros(3))  # float indices
    with pytest.raises(ValueError, match=r"received int64 with shape \(2,\)"):
        ce(x, ns.tensor([0, 1]))  # indices for the wrong batch size
    with pytest.raises(TypeError, match=r"holds class probabilities and must be floating point"):
        ce(x, ns.zeros(3, 4, dtype=ns.int64))
    with pytest.raises(TypeError, match="class indices must be int64 .*received int32"):
        ce(x, ns.tensor(np.array([0, 1, 1], np.int32)))
    with pytest.raises(ValueError, match=r"nll_loss: .*class indices \(int64, shape \(3,\)\);"):
        classification_loss.nll_loss(x, ns.zeros(3, 4))


def test_argument_errors_follow_torch(rng):
    x, t = ns.tensor(rng.standard_normal((3, 4))), ns.tensor([0, 1, 1])
    ce = classification_loss.cross_entropy
    with pytest.raises(ValueError, match="for all 4 classes or no classes .* shape: \\(2,\\)"):
        ce(x, t, weight=ns.ones(2))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        ce(x, t, label_smoothing=1.5)
    with pytest.raises(ValueError, match="cross_entropy: reduction must be one of .*'avg'"):
        ce(x, t, reduction="avg")
    with pytest.raises(ValueError, match="received a 0-dim tensor"):
        ce(ns.tensor(1.0), ns.tensor(0))
    with pytest.raises(ValueError, match="kl_div: reduction must be one of .*'batchmean'"):
        classification_loss.kl_div(x, x, reduction="avg")
    with pytest.raises(TypeError, match="nll_loss: expected a floating point Tensor input"):
        classification_loss.nll_loss(t, t)
