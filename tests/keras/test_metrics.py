"""nnscratch.keras.metrics against real Keras 3 (torch backend).

Each stateful metric sees the same three batches (of different sizes, with and without sample
weights) in both libraries; the results agree to float32 round-off. ConfusionMatrix, ours, is
checked against the confusion matrix Keras's MeanIoU accumulates, and against Keras's counts.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from keras_metric_feed import VALUES_AND_WEIGHTS, assert_matches_twice, case_id, feed, feed_scaled

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

SIZES = (5, 7, 4)
C = 4  # classes


# ---- inputs: (y_true, y_pred) for a batch of n ---------------------------------------------------
def binary_column(rng, n):
    return (rng.uniform(size=(n, 1)) > 0.5).astype(np.float32), rng.uniform(size=(n, 1))


def binary_vector_vs_column(rng, n):  # the article: y_train (n,), a Dense(1) output (n, 1)
    return rng.integers(0, 2, n), rng.uniform(size=(n, 1)).astype(np.float32)


def binary_odd_labels(rng, n):  # labels 0, 1 and 2 (never matched), predictions tied at 0.5
    return rng.integers(0, 3, (n, 1)), np.round(rng.uniform(size=(n, 1)), 1).astype(np.float32)


def binary_matrix(rng, n):
    y = (rng.uniform(size=(n, 3)) > 0.5).astype(np.float32)
    p = np.round(rng.uniform(size=(n, 3)), 2)  # ties with the thresholds happen
    return y, p.astype(np.float32)


def one_hot(rng, n):
    return np.eye(C, dtype=np.float32)[rng.integers(0, C, n)], rng.uniform(size=(n, C))


def one_hot_wide(rng, n):  # more classes than the default k = 5
    return np.eye(8, dtype=np.float32)[rng.integers(0, 8, n)], rng.uniform(size=(n, 8))


def one_hot_ties(rng, n):
    return one_hot(rng, n)[0], np.round(rng.uniform(size=(n, C)), 1).astype(np.float32)


def sparse(rng, n):
    return rng.integers(0, C, n), rng.uniform(size=(n, C)).astype(np.float32)


def sparse_column(rng, n):
    return rng.integers(0, C, (n, 1)), rng.uniform(size=(n, C)).astype(np.float32)


def integers(rng, n):
    return rng.integers(0, 3, (n, 2)), rng.integers(0, 3, (n, 2))


def regression(rng, n):
    return rng.standard_normal((n, 3)), rng.standard_normal((n, 3)).astype(np.float32)


def probabilities(rng, n):
    return rng.uniform(size=(n, C)).astype(np.float32), rng.uniform(size=(n, C))


def logits_binary(rng, n):
    return (rng.uniform(size=(n, 1)) > 0.5).astype(np.float32), 3 * rng.standard_normal((n, 1))


CASES = [
    ("BinaryAccuracy", {}, binary_column),
    ("BinaryAccuracy", {}, binary_vector_vs_column),
    ("BinaryAccuracy", {}, binary_odd_labels),
    ("BinaryAccuracy", {"threshold": 0.7}, binary_matrix),
    ("Accuracy", {}, integers),
    ("CategoricalAccuracy", {}, one_hot),
    ("CategoricalAccuracy", {}, one_hot_ties),
    ("SparseCategoricalAccuracy", {}, sparse),
    ("SparseCategoricalAccuracy", {}, sparse_column),
    ("TopKCategoricalAccuracy", {}, one_hot_wide),
    ("TopKCategoricalAccuracy", {"k": 2}, one_hot),
    ("TopKCategoricalAccuracy", {"k": 2}, one_hot_ties),
    ("Precision", {}, binary_column),
    ("Precision", {}, binary_vector_vs_column),
    ("Precision", {"thresholds": [0.3, 0.5, 0.8]}, binary_matrix),
    ("Precision", {"thresholds": [0.0, 0.5, 1.0]}, binary_matrix),  # evenly spaced: buckets
    ("Precision", {"top_k": 2}, one_hot),
    ("Precision", {"class_id": 1}, one_hot),
    ("Recall", {}, binary_column),
    ("Recall", {"thresholds": [0.3, 0.5, 0.8]}, binary_matrix),
    ("Recall", {"top_k": 1}, one_hot),
    ("Recall", {"class_id": 2, "thresholds": 0.3}, one_hot),
    ("AUC", {}, binary_column),
    ("AUC", {}, binary_matrix),
    ("AUC", {"num_thresholds": 7}, binary_matrix),
    ("AUC", {"curve": "PR"}, binary_column),
    ("AUC", {"curve": "PR", "summation_method": "minoring"}, binary_matrix),
    ("AUC", {"summation_method": "majoring"}, binary_column),
    ("AUC", {"thresholds": [0.1, 0.35, 0.5, 0.9]}, binary_matrix),
    ("AUC", {"from_logits": True}, logits_binary),
    ("MeanSquaredError", {}, regression),
    ("MeanAbsoluteError", {}, regression),
    ("Hinge", {}, regression),
    ("KLDivergence", {}, probabilities),
    ("BinaryCrossentropy", {}, binary_matrix),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, logits_binary),
    ("CategoricalCrossentropy", {}, one_hot),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, regression),
    ("SparseCategoricalCrossentropy", {}, sparse),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, sparse),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 0}, sparse_column),
]


def _batches(make, rng, weighted):
    batches = []
    for n in SIZES:
        y_true, y_pred = make(rng, n)
        batches.append((y_true, y_pred, rng.uniform(0, 2, n) if weighted else None))
    return batches


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_stateful_metric_matches_keras(case, weighted, rng):
    name, kwargs, make = case
    ours, theirs = getattr(nk.metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    assert_matches_twice(ours, theirs, lambda: _batches(make, rng, weighted))


@pytest.mark.parametrize("values,weight", VALUES_AND_WEIGHTS)
def test_mean_matches_keras(values, weight):
    ours, theirs = nk.metrics.Mean(), keras.metrics.Mean()
    feed_scaled([ours, theirs], values, weight)
    np.testing.assert_allclose(ours.result().numpy(), theirs.result().numpy(), rtol=1e-6)


def test_empty_metrics_give_zero_like_keras():
    for name in ["Mean", "BinaryAccuracy", "Precision", "Recall", "AUC"]:
        ours, theirs = getattr(nk.metrics, name)(), getattr(keras.metrics, name)()
        assert ours.result().item() == theirs.result().item() == 0.0


@pytest.mark.parametrize(
    "name,make,kwargs",
    [
        ("binary_accuracy", binary_column, {}),
        ("binary_accuracy", binary_vector_vs_column, {"threshold": 0.3}),
        ("categorical_accuracy", one_hot, {}),
        ("sparse_categorical_accuracy", sparse, {}),
        ("sparse_categorical_accuracy", sparse_column, {}),
        ("top_k_categorical_accuracy", one_hot_ties, {"k": 2}),
        ("top_k_categorical_accuracy", one_hot_wide, {}),
    ],
)
def test_metric_function_matches_keras(name, make, kwargs, rng):
    y_true, y_pred = make(rng, 9)
    ours = getattr(nk.metrics, name)(y_true, y_pred, **kwargs)
    theirs = getattr(keras.metrics, name)(y_true, y_pred, **kwargs).numpy()
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


def test_metrics_read_tensors_in_a_graph(rng):
    import nnscratch as ns

    y, p = binary_column(rng, 6)
    out = ns.tensor(p.astype(np.float32), requires_grad=True) * 1.0
    m = nk.metrics.BinaryAccuracy()
    m.update_state(ns.tensor(y), out)
    np.testing.assert_allclose(m.result().numpy(), keras.metrics.binary_accuracy(y, p).mean())


# ---- ConfusionMatrix (ours): Keras's MeanIoU keeps the same matrix ------------------------------
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("make,sparse_true", [(one_hot, False), (sparse, True)])
def test_confusion_matrix_matches_keras_mean_iou_counts(make, sparse_true, weighted, rng):
    ours = nk.metrics.ConfusionMatrix(C)
    theirs = keras.metrics.MeanIoU(
        C, sparse_y_true=sparse_true, sparse_y_pred=False, dtype="float32"
    )
    batches = _batches(make, rng, weighted)
    feed(theirs, batches)
    np.testing.assert_allclose(feed(ours, batches), theirs.total_cm.numpy(), rtol=1e-6)
    assert ours.result().shape == (C, C)


def test_binary_confusion_matrix_holds_keras_counts(rng):
    ours = nk.metrics.ConfusionMatrix(2)
    counts = {k: getattr(keras.metrics, k)() for k in
              ["TrueNegatives", "FalsePositives", "FalseNegatives", "TruePositives"]}  # fmt: skip
    for y, p, w in _batches(binary_vector_vs_column, rng, weighted=True):
        ours.update_state(y, p, sample_weight=w)
        for metric in counts.values():
            metric.update_state(y, p, sample_weight=w)
    expected = np.array([m.result().item() for m in counts.values()]).reshape(2, 2)
    np.testing.assert_allclose(ours.result().numpy(), expected, rtol=1e-6)
    ours.reset_state()
    assert ours.result().numpy().sum() == 0


def test_confusion_matrix_names_bad_classes():
    with pytest.raises(ValueError, match=r"y_true classes must be in \[0, 3\)"):
        nk.metrics.ConfusionMatrix(3).update_state([0, 3], [[1.0, 0, 0], [0, 1.0, 0]])


# ---- get ----------------------------------------------------------------------------------------
KERAS_NAMES = [
    "binary_accuracy", "BinaryAccuracy", "accuracy", "Accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "top_k_categorical_accuracy", "TopKCategoricalAccuracy",
    "precision", "Precision", "recall", "auc", "AUC", "mean", "Mean", "mse", "MSE", "mae",
    "mean_squared_error", "MeanAbsoluteError", "bce", "binary_crossentropy",
    "categorical_crossentropy", "SparseCategoricalCrossentropy", "hinge", "kl_divergence",
    "KLDivergence",
]  # fmt: skip


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_get_resolves_names_like_keras(name):
    ours, theirs = nk.metrics.get(name), keras.metrics.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.name == re.sub(r"_\d+$", "", theirs.name)


def test_get_passes_instances_and_callables_through():
    metric = nk.metrics.AUC()
    assert nk.metrics.get(metric) is metric
    assert nk.metrics.get(nk.metrics.binary_accuracy) is nk.metrics.binary_accuracy
    assert nk.metrics.get(None) is None


def test_unknown_metric_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown metric 'binary_acc'") as info:
        nk.metrics.get("binary_acc")
    for valid in ["binary_accuracy", "BinaryAccuracy", "auc", "mse", "top_k_categorical_accuracy"]:
        assert valid in str(info.value)


@pytest.mark.parametrize(
    "identifier,y_true,y_pred",
    [
        ("accuracy", (4,), (4, 1)),
        ("acc", (4, 1), (4, 3)),
        ("accuracy", (4,), (4, 3)),
        ("accuracy", (4, 3), (4, 3)),
        ("binary_accuracy", (4,), (4, 1)),
        ("mse", (4, 2), (4, 2)),
    ],
)
def test_get_for_output_is_what_keras_compile_builds(identifier, y_true, y_pred):
    from keras.src.trainers.compile_utils import get_metric

    ours = nk.metrics.get_for_output(identifier, y_true, y_pred)
    theirs = get_metric(identifier, np.zeros(y_true), np.zeros(y_pred))
    assert (type(ours).__name__, ours.name) == (type(theirs).__name__, theirs.name)


def test_get_for_output_wraps_plain_functions(rng):
    y, p = binary_column(rng, 8)
    metric = nk.metrics.get_for_output(nk.metrics.binary_accuracy, (8, 1), (8, 1))
    assert isinstance(metric, nk.metrics.MeanMetricWrapper) and metric.name == "binary_accuracy"
    metric.update_state(y, p)
    np.testing.assert_allclose(metric.result().numpy(), keras.metrics.binary_accuracy(y, p).mean())


@pytest.mark.parametrize(
    "name",
    [
        "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
        "TopKCategoricalAccuracy", "Precision", "Recall", "AUC", "MeanSquaredError",
        "MeanAbsoluteError", "BinaryCrossentropy", "SparseCategoricalCrossentropy",
    ],
)  # fmt: skip
def test_direction_for_callbacks_matches_keras(name):
    assert getattr(nk.metrics, name)()._direction == getattr(keras.metrics, name)()._direction


def test_fit_logs_a_mean_subclass_by_its_own_result():
    """A Mean whose result is not total / count (a root of the mean squared error) is logged
    by that result, as Keras logs it."""

    class RootMeanSquare(nk.metrics.MeanMetricWrapper):
        def __init__(self):
            super().__init__(nk.losses.mean_squared_error, name="rms")

        def result(self):
            return super().result() ** 0.5

    metric = RootMeanSquare()
    metric.update_state(np.zeros((2, 1)), np.full((2, 1), 2.0, np.float32))
    assert metric.float_result() == pytest.approx(2.0)  # by hand: sqrt(mean(2**2))
