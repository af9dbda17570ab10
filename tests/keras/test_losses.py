"""nnscratch.keras.losses against real Keras 3 (torch backend): values and gradients.

Every loss runs on the same random inputs in both libraries; Keras's gradient w.r.t. y_pred
comes from torch autograd through Keras's own ops. Functions keep float64 inputs in float64
in both (checked to 1e-12 where Keras keeps float64 precision); the classes compute in float32
by default (checked to 1e-6).
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


# ---- inputs -------------------------------------------------------------------------------------
def _probs(rng, shape=SHAPE):
    p = rng.uniform(0.01, 0.99, shape)
    p.flat[:2] = [0.0, 1.0]  # outside the clip: value and gradient follow Keras's clip
    return p


def _soft(rng, shape=SHAPE):
    return rng.uniform(0, 1, shape)


def _binary(rng, shape=SHAPE):
    return (rng.uniform(size=shape) > 0.5).astype(np.float64)


def _logits(rng, shape=SHAPE):
    return 3 * rng.standard_normal(shape)


def _labels(rng, shape=SHAPE):
    return rng.integers(0, shape[-1], shape[:-1])


def _signs(rng, shape=SHAPE):
    return np.where(rng.uniform(size=shape) > 0.5, 1.0, -1.0)


# name, kwargs, y_true maker, y_pred maker
FUNCTION_CASES = [
    ("binary_crossentropy", {}, _binary, _probs),
    ("binary_crossentropy", {"label_smoothing": 0.2}, _soft, _probs),
    ("binary_crossentropy", {"from_logits": True}, _binary, _logits),
    ("binary_crossentropy", {"from_logits": True, "label_smoothing": 0.1}, _soft, _logits),
    ("categorical_crossentropy", {}, _soft, _probs),
    ("categorical_crossentropy", {"label_smoothing": 0.1}, _soft, _probs),
    ("categorical_crossentropy", {"from_logits": True}, _soft, _logits),
    ("categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.3}, _soft, _logits),
    ("sparse_categorical_crossentropy", {}, _labels, _probs),
    ("sparse_categorical_crossentropy", {"from_logits": True}, _labels, _logits),
    ("sparse_categorical_crossentropy", {"ignore_class": 1}, _labels, _probs),
    ("sparse_categorical_crossentropy", {"ignore_class": 2, "from_logits": True}, _labels, _logits),
    ("mean_squared_error", {}, _soft, _logits),
    ("mean_absolute_error", {}, _soft, _logits),
    ("huber", {}, _soft, _logits),
    ("huber", {"delta": 0.3}, _soft, _logits),
    ("hinge", {}, _signs, _logits),
    ("hinge", {}, _binary, _logits),  # {0, 1} labels become {-1, 1}
    ("kl_divergence", {}, _soft, _probs),
]


KERAS_MEAN_IN_FLOAT32 = {
    "binary_crossentropy", "mean_squared_error", "mean_absolute_error", "huber", "hinge",
}  # fmt: skip


def _case_id(case) -> str:
    name, kwargs, y_maker, _ = case
    extras = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{name}[{extras}]-{y_maker.__name__.strip('_')}"


# ---- the two sides ------------------------------------------------------------------------------
def _ours(fn, y, p, upstream, **kwargs):
    p = ns.tensor(p, requires_grad=True)
    out = fn(y, p, **kwargs)
    (out * ns.tensor(upstream.astype(out.dtype)) if out.ndim else out).sum().backward()
    return out.detach().numpy(), p.grad.numpy()


def _keras(fn, y, p, upstream, **kwargs):
    p = torch.tensor(p, requires_grad=True)
    y = torch.tensor(y)
    out = fn(y, p, **kwargs)
    (out * torch.tensor(upstream).to(out.dtype) if out.ndim else out).sum().backward()
    return out.detach().numpy(), p.grad.numpy()


def _compare(ours, theirs, dtype, same_dtype=True):
    """Values and gradients, to the tolerance policy's for ``dtype`` (the precision Keras
    computes in); atol scales with the largest entry, as round-off in a renormalisation
    (p / sum p) cancels at that scale."""
    (v1, g1), (v2, g2) = ours, theirs
    assert v1.shape == v2.shape and (v1.dtype == v2.dtype or not same_dtype)
    assert_close(v1, v2, dtype=dtype)
    assert_close(g1, g2, dtype=dtype)


# ---- functions ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", FUNCTION_CASES, ids=_case_id)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_function_matches_keras(case, dtype, rng):
    name, kwargs, y_maker, p_maker = case
    y, p = y_maker(rng), p_maker(rng).astype(dtype)
    y = y if y.dtype.kind == "i" else y.astype(dtype)
    upstream = rng.standard_normal(SHAPE[:-1])
    ours = _ours(getattr(nk.losses, name), y, p, upstream, **kwargs)
    theirs = _keras(getattr(keras.losses, name), y, p, upstream, **kwargs)
    # Keras's ops.mean computes a float64 mean in float32, so only its sums keep float64's digits
    precise = dtype == "float64" and name not in KERAS_MEAN_IN_FLOAT32
    # Keras's hinge returns float32 for float64 inputs (its max(x, 0.0) promotes to floatx)
    _compare(ours, theirs, dtype if precise else "float32", same_dtype=name != "hinge")


@pytest.mark.parametrize("from_logits", [False, True])
def test_crossentropy_along_another_axis(from_logits, rng):
    shape = (3, 5, 4)  # classes on axis 1
    make = _logits if from_logits else _probs
    p, y, labels = make(rng, shape), _soft(rng, shape), rng.integers(0, 5, (3, 4))
    upstream = rng.standard_normal((3, 4))
    for name, target in [
        ("categorical_crossentropy", y),
        ("sparse_categorical_crossentropy", labels),
    ]:
        args = (target, p, upstream)
        ours = _ours(getattr(nk.losses, name), *args, from_logits=from_logits, axis=1)
        theirs = _keras(getattr(keras.losses, name), *args, from_logits=from_logits, axis=1)
        _compare(ours, theirs, "float64")


def test_aliases_are_the_functions():
    assert nk.losses.mse is nk.losses.mean_squared_error
    assert nk.losses.mae is nk.losses.mean_absolute_error
    assert nk.losses.bce is nk.losses.binary_crossentropy
    assert nk.losses.kld is nk.losses.kl_divergence


# ---- classes: Keras's weighted reduction ------------------------------------------------------
# class name, kwargs, y_true maker, y_pred maker
CLASS_CASES = [
    ("BinaryCrossentropy", {}, _binary, _probs),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, _binary, _logits),
    ("CategoricalCrossentropy", {}, _soft, _probs),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, _soft, _logits),
    ("SparseCategoricalCrossentropy", {}, _labels, _probs),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, _labels, _logits),
    ("SparseCategoricalCrossentropy", {"ignore_class": 0}, _labels, _probs),
    ("SparseCategoricalCrossentropy", {"ignore_class": 3, "from_logits": True}, _labels, _logits),
    ("MeanSquaredError", {}, _soft, _logits),
    ("MeanAbsoluteError", {}, _soft, _logits),
    ("Huber", {"delta": 0.5}, _soft, _logits),
    ("Hinge", {}, _signs, _logits),
    ("KLDivergence", {}, _soft, _probs),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None]
WEIGHTS = {
    "none": lambda rng: None,
    "per-sample": lambda rng: rng.uniform(0, 2, SHAPE[0]),
    "column": lambda rng: rng.uniform(0, 2, (SHAPE[0], 1)),
    "scalar": lambda rng: 0.7,
}


def _class_case_id(case) -> str:
    name, kwargs, y_maker, _ = case
    return f"{name}[{','.join(f'{k}={v}' for k, v in kwargs.items())}]-{y_maker.__name__[1:]}"


def _call_class(lib, case, reduction, y, p, weight, upstream):
    name, kwargs = case[:2]
    loss = getattr(lib.losses, name)(reduction=reduction, **kwargs)
    return (_ours if lib is nk else _keras)(
        lambda a, b: loss(a, b, sample_weight=weight), y, p, upstream
    )


# Keras itself fails to merge a scalar sample_weight with the ignore_class mask: not compared.
_CLASS_WEIGHT_CASES = [
    pytest.param(case, weight, id=f"{_class_case_id(case)}-{weight}")
    for case in CLASS_CASES
    for weight in WEIGHTS
    if not (weight == "scalar" and "ignore_class" in case[1])
]


@pytest.mark.parametrize("case,weight", _CLASS_WEIGHT_CASES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_matches_keras(case, reduction, weight, rng):
    y, p = case[2](rng), case[3](rng).astype(np.float32)
    y = y if y.dtype.kind == "i" else y.astype(np.float32)
    w, upstream = WEIGHTS[weight](rng), rng.standard_normal(SHAPE[0])
    ours = _call_class(nk, case, reduction, y, p, w, upstream)
    theirs = _call_class(keras, case, reduction, y, p, w, upstream)
    _compare(ours, theirs, "float32")


def test_article_shapes_labels_as_a_vector_against_a_column(rng):
    """The article's fit: y_train of shape (4,), a Dense(1, sigmoid) output of shape (4, 1)."""
    y, p, w = (
        np.array([0, 0, 0, 1]),
        rng.uniform(size=(4, 1)).astype(np.float32),
        rng.uniform(size=4),
    )
    from keras.src.losses import LossFunctionWrapper as keras_wrapper

    for name in ["binary_crossentropy", "mean_squared_error", "hinge"]:
        ours = nk.losses.LossFunctionWrapper(getattr(nk.losses, name))
        theirs = keras_wrapper(getattr(keras.losses, name))
        _compare(
            _ours(lambda a, b, f=ours: f(a, b, sample_weight=w), y, p, None),
            _keras(lambda a, b, f=theirs: f(a, b, sample_weight=w), y, p, None),
            "float32",
        )


def test_float64_class_divides_in_float32_like_keras(rng):
    """Keras's mean reduction computes its division in floatx even for dtype='float64'."""
    y, p = _soft(rng), _logits(rng)
    ours = nk.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")
    theirs = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")
    assert ours(y, p).dtype == np.float32 and theirs(y, p).dtype == torch.float32
    assert_close(ours(y, p).numpy(), theirs(y, p).numpy())  # its float64 terms may differ by 1 ulp
    ours.reduction = theirs.reduction = None
    assert ours(y, p).dtype == np.float64
    assert_close(ours(y, p).numpy(), theirs(y, p).numpy())


# ---- get, names, logits -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
     "mean_squared_error", "mean_absolute_error", "huber", "hinge", "kl_divergence",
     "mse", "MSE", "mae", "MAE", "bce", "BCE", "kld", "KLD", "BinaryCrossentropy",
     "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "MeanSquaredError",
     "MeanAbsoluteError", "Huber", "Hinge", "KLDivergence"],
)  # fmt: skip
def test_get_resolves_every_keras_name_like_keras(name, rng):
    ours, theirs = nk.losses.get(name), keras.losses.get(name)
    assert isinstance(ours, nk.losses.Loss) == isinstance(theirs, keras.losses.Loss)
    assert type(ours).__name__ == type(theirs).__name__ or ours.__name__ == theirs.__name__
    y, p = _soft(rng), _probs(rng).astype(np.float32)
    y = _labels(rng) if "parse" in name else y.astype(np.float32)
    assert_close(ours(y, p).numpy(), theirs(y, p).numpy())


def test_get_passes_instances_and_callables_through():
    loss = nk.losses.Huber(delta=2.0)
    assert nk.losses.get(loss) is loss
    assert nk.losses.get(len) is len
    assert nk.losses.get(None) is None
    assert isinstance(nk.losses.get(nk.losses.Hinge), nk.losses.Hinge)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown loss 'binary_crossentropyy'") as info:
        nk.losses.get("binary_crossentropyy")
    for valid in ["binary_crossentropy", "mse", "MAE", "CategoricalCrossentropy", "kld"]:
        assert valid in str(info.value)
    with pytest.raises(ValueError, match="expected a loss name"):
        nk.losses.get(3)


def test_unknown_reduction_lists_the_valid_ones():
    with pytest.raises(ValueError, match="sum_over_batch_size"):
        nk.losses.MeanSquaredError(reduction="average")


def test_bad_labels_are_named():
    p = np.full((2, 3), 1 / 3, np.float32)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        nk.losses.sparse_categorical_crossentropy(np.array([0, 3]), p)
    with pytest.raises(ValueError, match="same shape"):
        nk.losses.binary_crossentropy(np.zeros((2, 2)), p)


@pytest.mark.parametrize(
    "name,activation,y_maker",
    [("binary_crossentropy", "sigmoid", _binary), ("BinaryCrossentropy", "sigmoid", _binary),
     ("categorical_crossentropy", "softmax", _soft),
     ("SparseCategoricalCrossentropy", "softmax", _labels)],
)  # fmt: skip
def test_logits_form_is_keras_from_logits(name, activation, y_maker, rng):
    y, x = y_maker(rng), _logits(rng).astype(np.float32)
    y = y if y.dtype.kind == "i" else y.astype(np.float32)
    ours = nk.losses.logits_form(nk.losses.get(name), activation)
    theirs = getattr(keras.losses, type(ours).__name__)(from_logits=True)
    upstream = np.ones(())
    _compare(_ours(ours, y, x, upstream), _keras(theirs, y, x, upstream), "float32")
    # on a mild batch, the probability path agrees with it to the clip's precision
    probs = getattr(keras.activations, activation)(torch.tensor(x / 10)).numpy()
    plain = nk.losses.get(name)(y, probs)
    np.testing.assert_allclose(plain.numpy().mean(), ours(y, x / 10).item(), rtol=1e-5)


def test_logits_form_declines_what_has_none():
    assert nk.losses.logits_form(nk.losses.get("mse"), "sigmoid") is None
    assert nk.losses.logits_form(nk.losses.get("binary_crossentropy"), "softmax") is None
    on_logits = nk.losses.BinaryCrossentropy(from_logits=True)
    assert nk.losses.logits_form(on_logits, "sigmoid") is None


def test_nan_predictions_give_a_nan_loss():
    """A diverged model's NaN output is a NaN loss (for TerminateOnNaN to see), as Keras's
    formula and its TensorFlow and JAX backends give; the other samples keep their values.
    (Keras on torch raises instead: torch's BCE refuses the NaN its clip lets through.)"""
    y = np.array([[1.0], [0.0]], np.float32)
    p = np.array([[np.nan], [0.3]], np.float32)
    ours = nk.losses.BinaryCrossentropy(reduction=None)(y, ns.tensor(p)).numpy()
    assert np.isnan(ours[0])
    assert ours[1] == pytest.approx(-np.log(0.7), rel=1e-6)
