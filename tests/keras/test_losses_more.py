"""The rest of Keras 3.15's losses (focal, hinge, regression, segmentation) against real
Keras (torch backend): values, gradients w.r.t. y_pred (torch autograd through Keras's own
ops), the weighted reductions, configs and string names.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
torch = pytest.importorskip("torch") if not os.environ.get("CI") else __import__("torch")

SHAPE = (6, 4)


def _probs(rng, shape=SHAPE):
    p = rng.uniform(0.01, 0.99, shape)
    p.flat[:2] = [0.0, 1.0]  # outside the clip: value and gradient follow Keras's clip
    return p


def _inner_probs(rng, shape=SHAPE):
    return rng.uniform(0.05, 0.95, shape)


def _soft(rng, shape=SHAPE):
    return rng.uniform(0, 1, shape)


def _binary(rng, shape=SHAPE):
    return (rng.uniform(size=shape) > 0.5).astype(np.float64)


def _one_hot(rng, shape=SHAPE):
    return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[0])]


def _logits(rng, shape=SHAPE):
    return 3 * rng.standard_normal(shape)


def _positive(rng, shape=SHAPE):
    return rng.uniform(0.1, 3.0, shape)


def _rates_with_zeros(rng, shape=SHAPE):
    p = rng.uniform(0.1, 3.0, shape)
    p.flat[::5] = 0.0  # a zero rate: Keras's log(p + 1e-7) keeps it finite
    return p


def _signs(rng, shape=SHAPE):
    return np.where(rng.uniform(size=shape) > 0.5, 1.0, -1.0)


def _labels(rng, shape=SHAPE):
    return rng.integers(0, shape[-1], shape[:-1])


# name, kwargs, y_true maker, y_pred maker
FUNCTION_CASES = [
    ("binary_focal_crossentropy", {}, _binary, _probs),
    ("binary_focal_crossentropy", {"apply_class_balancing": True, "alpha": 0.4}, _binary, _probs),
    ("binary_focal_crossentropy", {"gamma": 1.5, "label_smoothing": 0.2}, _soft, _probs),
    ("binary_focal_crossentropy", {"from_logits": True}, _binary, _logits),
    (
        "binary_focal_crossentropy",
        {"from_logits": True, "apply_class_balancing": True},
        _binary,
        _logits,
    ),  # fmt: skip
    ("categorical_focal_crossentropy", {}, _one_hot, _probs),
    (
        "categorical_focal_crossentropy",
        {"alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.1},
        _soft,
        _probs,
    ),  # fmt: skip
    ("categorical_focal_crossentropy", {"from_logits": True}, _one_hot, _logits),
    ("categorical_generalized_cross_entropy", {"q": 0.5}, _labels, _inner_probs),
    ("categorical_generalized_cross_entropy", {"q": 0.2}, _labels, _inner_probs),
    ("squared_hinge", {}, _signs, _logits),
    ("squared_hinge", {}, _binary, _logits),  # {0, 1} labels become {-1, 1}
    ("categorical_hinge", {}, _one_hot, _logits),
    ("mean_absolute_percentage_error", {}, _logits, _logits),
    ("mean_squared_logarithmic_error", {}, _positive, _positive),
    ("cosine_similarity", {}, _logits, _logits),
    ("cosine_similarity", {"axis": 0}, _logits, _logits),
    ("log_cosh", {}, _logits, _logits),
    ("poisson", {}, _positive, _positive),
    ("poisson", {}, _positive, _rates_with_zeros),
    ("dice", {}, _binary, _inner_probs),
    ("dice", {"axis": 1}, _binary, _inner_probs),
    ("tversky", {}, _binary, _inner_probs),
    ("tversky", {"alpha": 0.3, "beta": 0.7, "axis": -1}, _binary, _inner_probs),
]

# Keras computes float64 inputs partly in float32 (ops.mean, a float32 epsilon or zero, the
# smoothing constant): only these keep float64's digits end to end
KERAS_FLOAT64 = {"dice", "tversky"}


def _case_id(case) -> str:
    name, kwargs, y_maker, _ = case
    extras = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{name}[{extras}]-{y_maker.__name__.strip('_')}"


def _ours(fn, y, p, upstream):
    p = ns.tensor(p, requires_grad=True)
    out = fn(y, p)
    up = ns.tensor(np.broadcast_to(upstream, out.shape).astype(out.dtype).copy())
    (out * up).sum().backward()
    return out.detach().numpy(), p.grad.numpy()


def _keras(fn, y, p, upstream):
    p = torch.tensor(p, requires_grad=True)
    out = fn(torch.tensor(y), p)
    up = torch.tensor(np.broadcast_to(upstream, tuple(out.shape)).copy()).to(out.dtype)
    (out * up).sum().backward()
    return out.detach().numpy(), p.grad.numpy()


def _compare(ours, theirs, dtype):
    (v1, g1), (v2, g2) = ours, theirs
    assert v1.shape == v2.shape
    assert_close(v1, v2, dtype=dtype)
    assert_close(g1, g2, dtype=dtype)


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=_case_id)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_function_matches_keras(case, dtype, rng):
    name, kwargs, y_maker, p_maker = case
    y, p = y_maker(rng), p_maker(rng).astype(dtype)
    y = y if y.dtype.kind == "i" else y.astype(dtype)
    out_shape = tuple(getattr(keras.losses, name)(torch.tensor(y), torch.tensor(p), **kwargs).shape)
    upstream = rng.standard_normal(out_shape)
    ours = _ours(lambda a, b: getattr(nk.losses, name)(a, b, **kwargs), y, p, upstream)
    theirs = _keras(lambda a, b: getattr(keras.losses, name)(a, b, **kwargs), y, p, upstream)
    precise = dtype == "float64" and name in KERAS_FLOAT64
    _compare(ours, theirs, dtype if precise else "float32")


def test_focal_from_logits_is_finite_beyond_the_clip():
    """Keras clips sigmoid(logit) to [1e-7, 1 - 1e-7]; ours takes log-sigmoid, so a confident
    wrong logit of -40 costs its full (focal-weighted) 40 nats, with a gradient, not 16.1."""
    p = ns.tensor([[-40.0]], dtype="float64", requires_grad=True)
    loss = nk.losses.binary_focal_crossentropy([[1.0]], p, from_logits=True, gamma=0.0)
    loss.sum().backward()
    assert_close(loss.item(), 40.0, rtol=1e-12)
    assert_close(p.grad.item(), -1.0, rtol=1e-12)


# ---- classes: reductions, sample weights, configs -------------------------------------------
CLASS_CASES = [
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True}, _binary, _probs),
    ("BinaryFocalCrossentropy", {"from_logits": True, "gamma": 1.0}, _binary, _logits),
    ("CategoricalFocalCrossentropy", {}, _one_hot, _probs),
    (
        "CategoricalFocalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        _one_hot,
        _logits,
    ),  # fmt: skip
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.7}, _labels, _inner_probs),
    ("SquaredHinge", {}, _signs, _logits),
    ("CategoricalHinge", {}, _one_hot, _logits),
    ("MeanAbsolutePercentageError", {}, _logits, _logits),
    ("MeanSquaredLogarithmicError", {}, _positive, _positive),
    ("CosineSimilarity", {}, _logits, _logits),
    ("CosineSimilarity", {"axis": 0}, _logits, _logits),
    ("LogCosh", {}, _logits, _logits),
    ("Poisson", {}, _positive, _positive),
    ("Dice", {"axis": -1}, _binary, _inner_probs),
    ("Tversky", {"alpha": 0.2, "beta": 0.8, "axis": 1}, _binary, _inner_probs),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean_with_sample_weight", None]


def _class_id(case) -> str:
    name, kwargs, y_maker, _ = case
    return f"{name}[{','.join(f'{k}={v}' for k, v in kwargs.items())}]-{y_maker.__name__[1:]}"


@pytest.mark.parametrize("case", CLASS_CASES, ids=_class_id)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_class_matches_keras(case, reduction, weighted, rng):
    name, kwargs, y_maker, p_maker = case
    y, p = y_maker(rng), p_maker(rng).astype(np.float32)
    y = y if y.dtype.kind == "i" else y.astype(np.float32)
    w = rng.uniform(0, 2, SHAPE[0]) if weighted and kwargs.get("axis") != 0 else None
    theirs_loss = getattr(keras.losses, name)(reduction=reduction, **kwargs)
    ours_loss = getattr(nk.losses, name)(reduction=reduction, **kwargs)
    out_shape = tuple(theirs_loss(torch.tensor(y), torch.tensor(p), sample_weight=w).shape)
    upstream = rng.standard_normal(out_shape)
    ours = _ours(lambda a, b: ours_loss(a, b, sample_weight=w), y, p, upstream)
    theirs = _keras(lambda a, b: theirs_loss(a, b, sample_weight=w), y, p, upstream)
    _compare(ours, theirs, "float32")


CONFIG_CASES = [
    ("BinaryFocalCrossentropy", {}),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.1, "gamma": 3.0,
                                 "from_logits": True, "label_smoothing": 0.2, "axis": 0}),
    ("CategoricalFocalCrossentropy", {}),
    ("CategoricalFocalCrossentropy", {"alpha": 0.4, "from_logits": True, "name": "cf"}),
    ("CategoricalGeneralizedCrossEntropy", {}),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3, "reduction": "sum"}),
    ("SquaredHinge", {}), ("CategoricalHinge", {"reduction": None}),
    ("MeanAbsolutePercentageError", {}), ("MeanSquaredLogarithmicError", {}),
    ("CosineSimilarity", {"axis": 0}), ("LogCosh", {}), ("Poisson", {"name": "p"}),
    ("Dice", {}), ("Dice", {"axis": [1, 2]}), ("Tversky", {}),
    ("Tversky", {"alpha": 0.2, "beta": 0.9, "axis": 1}), ("Circle", {}),
    ("Circle", {"gamma": 32.0, "margin": 0.25, "remove_diagonal": False, "name": "c"}),
]  # fmt: skip


@pytest.mark.parametrize("name,kwargs", CONFIG_CASES)
def test_config_matches_keras_and_round_trips(name, kwargs):
    ours = getattr(nk.losses, name)(**kwargs)
    config = ours.get_config()
    assert config == getattr(keras.losses, name)(**kwargs).get_config()
    assert type(ours).from_config(config).get_config() == config
    again = nk.losses.deserialize(nk.losses.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == config


def test_generalized_cross_entropy_refuses_q_outside_the_interval():
    with pytest.raises(ValueError, match=r"CategoricalGeneralizedCrossEntropy: q must be in"):
        nk.losses.CategoricalGeneralizedCrossEntropy(q=1.0)


NEW_NAMES = [
    "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "CategoricalHinge",
    "SquaredHinge", "CosineSimilarity", "LogCosh",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Poisson", "Dice", "Tversky",
    "binary_focal_crossentropy", "categorical_focal_crossentropy", "categorical_hinge",
    "squared_hinge", "cosine_similarity", "log_cosh", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "poisson", "dice", "tversky", "mape", "MAPE", "msle",
    "MSLE", "Circle", "circle",
]  # fmt: skip


@pytest.mark.parametrize("name", NEW_NAMES)
def test_get_resolves_names_like_keras(name):
    ours, theirs = nk.losses.get(name), keras.losses.get(name)
    if isinstance(theirs, keras.losses.Loss):
        assert type(ours).__name__ == type(theirs).__name__
        assert ours.get_config() == theirs.get_config()
    else:
        assert ours.__name__ == theirs.__name__
        assert nk.losses.deserialize(nk.losses.serialize(ours)) is ours


def test_get_knows_the_generalized_cross_entropy_keras_get_does_not():
    """Keras 3.15 leaves CategoricalGeneralizedCrossEntropy out of its lookup table (only the
    class is exported); ours resolves it, and its function, like every other loss."""
    assert type(nk.losses.get("CategoricalGeneralizedCrossEntropy")).__name__ == (
        "CategoricalGeneralizedCrossEntropy"
    )
    fn = nk.losses.get("categorical_generalized_cross_entropy")
    assert fn is nk.losses.categorical_generalized_cross_entropy


def test_function_names_deserialize_from_strings():
    assert nk.losses.deserialize("mape") is nk.losses.mean_absolute_percentage_error
    assert type(nk.losses.deserialize("Dice")) is nk.losses.Dice


# ---- Circle: pairs of embeddings, a masked log-sum-exp, rows without positives masked -------
def _embeddings(rng, n=8, d=5, dtype="float32"):
    e = rng.standard_normal((n, d))
    return (e / np.linalg.norm(e, axis=1, keepdims=True)).astype(dtype)


CIRCLE_LABELS = np.array([0, 1, 0, 2, 1, 0, 3, 1])  # classes 2 and 3 have a single member


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"gamma": 10.0, "margin": 0.25}, {"remove_diagonal": False}],
    ids=["defaults", "gamma-margin", "diagonal-kept"],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_circle_function_matches_keras(kwargs, dtype, rng):
    e = _embeddings(rng, dtype=dtype)
    upstream = rng.standard_normal(len(e))
    ours = _ours(lambda a, b: nk.losses.circle(a, b, **kwargs), CIRCLE_LABELS, e, upstream)
    theirs = _keras(lambda a, b: keras.losses.circle(a, b, **kwargs), CIRCLE_LABELS, e, upstream)
    _compare(ours, theirs, "float32")  # Keras's -inf and int32 masks pass through float32


def test_circle_against_reference_embeddings_matches_keras(rng):
    e, ref = _embeddings(rng), _embeddings(rng, n=6)
    ref_labels = np.array([0, 1, 2, 0, 1, 3])
    upstream = rng.standard_normal(len(e))
    kwargs = {"ref_labels": ref_labels, "remove_diagonal": False, "gamma": 20}
    ours = _ours(
        lambda a, b: nk.losses.circle(a, b, ref_embeddings=ref, **kwargs),
        CIRCLE_LABELS, e, upstream,
    )  # fmt: skip
    theirs = _keras(
        lambda a, b: keras.losses.circle(a, b, ref_embeddings=torch.tensor(ref), **kwargs),
        CIRCLE_LABELS, e, upstream,
    )  # fmt: skip
    _compare(ours, theirs, "float32")


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean", None])
@pytest.mark.parametrize("weighted", [False, True])
def test_circle_class_masks_rows_without_positives_like_keras(reduction, weighted, rng):
    e = _embeddings(rng)
    w = rng.uniform(0, 2, len(e)) if weighted else None
    theirs_loss, ours_loss = (
        keras.losses.Circle(reduction=reduction),
        nk.losses.Circle(reduction=reduction),
    )
    out = theirs_loss(torch.tensor(CIRCLE_LABELS), torch.tensor(e), sample_weight=w)
    upstream = rng.standard_normal(tuple(out.shape))
    ours = _ours(lambda a, b: ours_loss(a, b, sample_weight=w), CIRCLE_LABELS, e, upstream)
    theirs = _keras(lambda a, b: theirs_loss(a, b, sample_weight=w), CIRCLE_LABELS, e, upstream)
    _compare(ours, theirs, "float32")
