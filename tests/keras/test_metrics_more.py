"""The rest of Keras 3.15's metrics against real Keras 3 (torch backend): confusion counts,
rates at a constraint, F-scores, R2, RMSE, Sum, IoU, correlations and the means of losses.

Each stateful metric sees the same three batches (of different sizes, with and without sample
weights) in both libraries, then starts over after ``reset_state``; results agree to float32
round-off, with Keras's shapes and dtypes. Configs, string names and the function names that
``keras.metrics`` re-exports are checked against Keras too.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from keras_metric_feed import VALUES_AND_WEIGHTS, assert_matches_twice, case_id, feed_scaled
from tolerance import assert_close

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

SIZES = (5, 7, 4)
C = 4  # classes


# ---- inputs: (y_true, y_pred) for a batch of n ---------------------------------------------------
def binary_column(rng, n):
    return (rng.uniform(size=(n, 1)) > 0.5).astype(np.float32), rng.uniform(size=(n, 1))


def binary_vector_vs_column(rng, n):
    return rng.integers(0, 2, n), rng.uniform(size=(n, 1)).astype(np.float32)


def binary_matrix(rng, n):  # predictions on a 0.01 grid: ties with the thresholds happen
    y = (rng.uniform(size=(n, 3)) > 0.5).astype(np.float32)
    return y, np.round(rng.uniform(size=(n, 3)), 2).astype(np.float32)


def one_hot(rng, n):
    return np.eye(C, dtype=np.float32)[rng.integers(0, C, n)], rng.uniform(size=(n, C))


def one_hot_ties(rng, n):
    return one_hot(rng, n)[0], np.round(rng.uniform(size=(n, C)), 1).astype(np.float32)


def multi_label(rng, n):
    y = (rng.uniform(size=(n, C)) > 0.6).astype(np.float32)
    return y, rng.uniform(size=(n, C)).astype(np.float32)


def sparse(rng, n):
    return rng.integers(0, C, n), rng.uniform(size=(n, C)).astype(np.float32)


def sparse_wide(rng, n):  # more classes than the default k = 5 (Keras needs k <= classes)
    return rng.integers(0, 8, n), rng.uniform(size=(n, 8)).astype(np.float32)


def sparse_column(rng, n):
    return rng.integers(0, C, (n, 1)), np.round(rng.uniform(size=(n, C)), 1).astype(np.float32)


def sorted_ids(rng, n):
    return rng.integers(0, C, n), np.argsort(-rng.uniform(size=(n, C)), -1).astype(np.int32)


def class_ids(rng, n):  # with ids out of range (-1, C) that IoU leaves out
    return rng.integers(0, C, (n, 2)), rng.integers(-1, C + 1, (n, 2))


def one_hot_scores(rng, n):
    return np.eye(C, dtype=np.float32)[rng.integers(0, C, n)], rng.uniform(size=(n, C))


def one_hot_ids(rng, n):
    return np.eye(C, dtype=np.float32)[rng.integers(0, C, n)], rng.integers(0, C, n)


def regression(rng, n):
    return rng.standard_normal((n, 3)), rng.standard_normal((n, 3)).astype(np.float32)


def correlated(rng, n):
    y = rng.standard_normal((n, 5))
    return y, (y + 0.5 * rng.standard_normal((n, 5))).astype(np.float32)


def positive(rng, n):
    return rng.uniform(0.1, 3, (n, 3)), rng.uniform(0.1, 3, (n, 3)).astype(np.float32)


def signs(rng, n):
    return np.where(rng.uniform(size=(n, 3)) > 0.5, 1.0, -1.0), rng.standard_normal((n, 3))


CASES = [
    ("TruePositives", {}, binary_column),
    ("TruePositives", {"thresholds": [0.2, 0.5, 0.8]}, binary_matrix),
    ("TruePositives", {"thresholds": 0.25}, binary_vector_vs_column),
    ("FalsePositives", {}, binary_column),
    ("FalsePositives", {"thresholds": [0.0, 0.5, 1.0]}, binary_matrix),  # evenly spaced
    ("TrueNegatives", {}, binary_matrix),
    ("TrueNegatives", {"thresholds": [0.1, 0.75]}, binary_matrix),
    ("FalseNegatives", {}, binary_vector_vs_column),
    ("FalseNegatives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, binary_matrix),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, binary_matrix),
    ("SensitivityAtSpecificity", {"specificity": 0.8, "num_thresholds": 7}, binary_column),
    ("SensitivityAtSpecificity", {"specificity": 0.3, "class_id": 2}, one_hot),
    ("SpecificityAtSensitivity", {"sensitivity": 0.6}, binary_matrix),
    ("SpecificityAtSensitivity", {"sensitivity": 0.9}, binary_column),
    ("SpecificityAtSensitivity", {"sensitivity": 0.3, "num_thresholds": 1}, binary_matrix),
    ("PrecisionAtRecall", {"recall": 0.7}, binary_matrix),
    ("PrecisionAtRecall", {"recall": 0.4, "num_thresholds": 2}, binary_column),
    ("RecallAtPrecision", {"precision": 0.6}, binary_matrix),
    ("RecallAtPrecision", {"precision": 0.5, "class_id": 1, "num_thresholds": 11}, one_hot),
    ("F1Score", {}, one_hot_ties),
    ("F1Score", {"average": "micro", "threshold": 0.5}, multi_label),
    ("F1Score", {"average": "macro", "threshold": 0.3}, multi_label),
    ("F1Score", {"average": "weighted"}, one_hot),
    ("FBetaScore", {"beta": 2.0}, one_hot),
    ("FBetaScore", {"beta": 0.5, "average": "weighted", "threshold": 0.6}, multi_label),
    ("R2Score", {}, regression),
    ("R2Score", {"class_aggregation": None}, correlated),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, correlated),
    ("R2Score", {"num_regressors": 2}, correlated),
    ("RootMeanSquaredError", {}, regression),
    ("SparseTopKCategoricalAccuracy", {}, sparse_wide),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, sparse_column),
    ("SparseTopKCategoricalAccuracy", {"k": 2, "from_sorted_ids": True}, sorted_ids),
    ("CosineSimilarity", {}, regression),
    ("CosineSimilarity", {"axis": 0}, regression),
    ("LogCoshError", {}, regression),
    ("MeanAbsolutePercentageError", {}, regression),
    ("MeanSquaredLogarithmicError", {}, positive),
    ("Poisson", {}, positive),
    ("SquaredHinge", {}, signs),
    ("CategoricalHinge", {}, one_hot),
    ("PearsonCorrelation", {}, correlated),
    ("PearsonCorrelation", {"axis": 0}, correlated),
    ("ConcordanceCorrelation", {}, correlated),
    ("ConcordanceCorrelation", {"axis": 0}, correlated),
    ("IoU", {"num_classes": C, "target_class_ids": [0, 2]}, class_ids),
    ("IoU", {"num_classes": C, "target_class_ids": [1], "ignore_class": 3}, class_ids),
    (
        "IoU",
        {
            "num_classes": C,
            "target_class_ids": [0, 3],
            "sparse_y_true": False,
            "sparse_y_pred": False,
        },
        one_hot_scores,
    ),  # fmt: skip
    ("BinaryIoU", {}, binary_column),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, binary_matrix),
    ("MeanIoU", {"num_classes": C}, class_ids),
    ("MeanIoU", {"num_classes": C, "ignore_class": 0}, class_ids),
    ("OneHotIoU", {"num_classes": C, "target_class_ids": [1, 2]}, one_hot_scores),
    (
        "OneHotIoU",
        {"num_classes": C, "target_class_ids": [0], "sparse_y_pred": True},
        one_hot_ids,
    ),  # fmt: skip
    ("OneHotMeanIoU", {"num_classes": C}, one_hot_scores),
]
# Keras casts IoU weights to the int32 matrix: those get integer weights
INTEGER_WEIGHTS = {"IoU", "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU"}
ID_LABELS = {class_ids, binary_column, binary_matrix}
# Keras's axis=0 metrics reduce over the batch: weights per sample do not fit them
UNWEIGHTED = {("CosineSimilarity", 0), ("PearsonCorrelation", 0), ("ConcordanceCorrelation", 0)}


def _batches(name, make, rng, weighted):
    batches = []
    for n in SIZES:
        y_true, y_pred = make(rng, n)
        weight = None
        if weighted and name in INTEGER_WEIGHTS:  # one weight per id, as Keras flattens both
            weight = rng.integers(0, 3, np.shape(y_true) if make in ID_LABELS else n)
        elif weighted:
            weight = rng.uniform(0, 2, n)
        batches.append((y_true, y_pred, weight))
    return batches


_STATEFUL = [
    pytest.param(case, weighted, id=f"{'weighted' if weighted else 'unweighted'}-{case_id(case)}")
    for case in CASES
    for weighted in (False, True)
    if not (weighted and (case[0], case[1].get("axis")) in UNWEIGHTED)
]


@pytest.mark.parametrize("case,weighted", _STATEFUL)
def test_stateful_metric_matches_keras(case, weighted, rng):
    name, kwargs, make = case
    ours, theirs = getattr(nk.metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    assert_matches_twice(
        ours, theirs, lambda: _batches(name, make, rng, weighted), same_shape_and_dtype=True
    )


@pytest.mark.parametrize("values,weight", VALUES_AND_WEIGHTS)
def test_sum_matches_keras(values, weight):
    ours, theirs = nk.metrics.Sum(), keras.metrics.Sum()
    feed_scaled([ours, theirs], values, weight)
    assert_close(ours.result().numpy(), theirs.result().numpy())
    ours.reset_state()
    assert ours.result().item() == 0.0


def test_confusion_counts_by_hand():
    """Weighted counts of y_pred > t, one per threshold: the issue's example."""
    y, p, w = [1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.5], [1.0, 2.0, 3.0, 4.0, 5.0]
    expected = {"TruePositives": [8.0, 1.0], "FalsePositives": [3.0, 3.0],
                "TrueNegatives": [4.0, 4.0], "FalseNegatives": [0.0, 7.0]}  # fmt: skip
    for name, counts in expected.items():
        m = getattr(nk.metrics, name)(thresholds=[0.3, 0.5])
        m.update_state(y, p, sample_weight=w)
        assert m.result().tolist() == counts
        assert getattr(nk.metrics, name)()(y, p).dtype == np.float32


# ---- functions keras.metrics re-exports ----------------------------------------------------------
FUNCTION_CASES = [
    ("binary_crossentropy", binary_matrix, {}),
    ("categorical_crossentropy", one_hot, {"label_smoothing": 0.1}),
    ("sparse_categorical_crossentropy", sparse, {}),
    ("hinge", signs, {}),
    ("squared_hinge", signs, {}),
    ("categorical_hinge", one_hot, {}),
    ("huber", regression, {"delta": 0.5}),
    ("kl_divergence", multi_label, {}),
    ("log_cosh", regression, {}),
    ("mean_absolute_error", regression, {}),
    ("mean_absolute_percentage_error", regression, {}),
    ("mean_squared_error", regression, {}),
    ("mean_squared_logarithmic_error", positive, {}),
    ("poisson", positive, {}),
    ("sparse_top_k_categorical_accuracy", sparse_column, {"k": 2}),
    ("sparse_top_k_categorical_accuracy", sorted_ids, {"k": 1, "from_sorted_ids": True}),
    ("binary_focal_crossentropy", binary_matrix, {"gamma": 1.0}),
    ("categorical_focal_crossentropy", one_hot, {}),
    ("pearson_correlation", correlated, {}),
    ("pearson_correlation", correlated, {"axis": 0}),
    ("concordance_correlation", correlated, {}),
    ("concordance_correlation", correlated, {"axis": 0}),
]


@pytest.mark.parametrize("name,make,kwargs", FUNCTION_CASES)
def test_metric_function_matches_keras(name, make, kwargs, rng):
    y_true, y_pred = make(rng, 9)
    y_pred = y_pred.astype(np.float32)
    ours = getattr(nk.metrics, name)(y_true, y_pred, **kwargs)
    theirs = getattr(keras.metrics, name)(y_true, y_pred, **kwargs)
    ours = ours.numpy() if hasattr(ours, "numpy") else np.asarray(ours)
    theirs = theirs.numpy() if hasattr(theirs, "numpy") else np.asarray(theirs)
    assert ours.shape == theirs.shape
    assert_close(ours, theirs, dtype="float32")


# ---- configs, names, serialization ---------------------------------------------------------------
CONFIG_CASES = [(name, kwargs) for name, kwargs, _ in CASES] + [
    ("Sum", {}), ("Sum", {"name": "total", "dtype": "float64"}),
    ("TruePositives", {"thresholds": [0.1, 0.9], "name": "tp"}),
    ("F1Score", {"average": "macro", "threshold": 0.4}),
    ("MeanIoU", {"num_classes": 3, "dtype": "int64"}),
]  # fmt: skip


@pytest.mark.parametrize("name,kwargs", CONFIG_CASES)
def test_config_matches_keras_and_round_trips(name, kwargs):
    ours = getattr(nk.metrics, name)(**kwargs)
    config = ours.get_config()
    theirs = getattr(keras.metrics, name)(**kwargs).get_config()
    theirs["name"] = re.sub(r"_\d+$", "", theirs["name"])  # Keras numbers unnamed repeats
    assert config == theirs
    assert list(config) == list(theirs)  # Keras's order
    again = nk.metrics.deserialize(nk.metrics.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == config


NAMES = [
    "TruePositives", "true_positives", "FalsePositives", "false_positives", "TrueNegatives",
    "true_negatives", "FalseNegatives", "false_negatives", "F1Score", "f1_score", "FBetaScore",
    "f_beta_score", "R2Score", "r2_score", "RootMeanSquaredError", "root_mean_squared_error",
    "Sum", "sum", "SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy",
    "CosineSimilarity", "cosine_similarity", "LogCoshError", "log_cosh_error",
    "MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape", "MAPE",
    "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle", "MSLE",
    "Poisson", "poisson", "SquaredHinge", "squared_hinge", "CategoricalHinge",
    "categorical_hinge", "BinaryIoU", "binary_io_u", "PearsonCorrelation",
    "pearson_correlation", "ConcordanceCorrelation", "concordance_correlation",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_get_resolves_names_like_keras(name):
    ours, theirs = nk.metrics.get(name), keras.metrics.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    expected = theirs.get_config()
    expected["name"] = re.sub(r"_\d+$", "", expected["name"])  # Keras numbers repeats
    assert ours.get_config() == expected


@pytest.mark.parametrize(
    "name", ["SensitivityAtSpecificity", "PrecisionAtRecall", "IoU", "MeanIoU", "OneHotIoU",
             "OneHotMeanIoU", "specificity_at_sensitivity", "recall_at_precision"],
)  # fmt: skip
def test_names_of_metrics_with_required_arguments_fail_like_keras(name):
    with pytest.raises(TypeError):
        keras.metrics.get(name)
    with pytest.raises(TypeError):
        nk.metrics.get(name)


def test_compile_strings_name_the_metric_as_written():
    for name in ("mape", "msle", "root_mean_squared_error", "r2_score", "true_positives"):
        metric = nk.metrics.get_for_output(name, (4, 3), (4, 3))
        assert metric.name == name
        assert type(metric) is type(nk.metrics.get(name))


def test_functions_serialize_by_name():
    for name in ("sparse_top_k_categorical_accuracy", "pearson_correlation", "poisson"):
        fn = getattr(nk.metrics, name)
        assert nk.metrics.deserialize(nk.metrics.serialize(fn)) is fn


# ---- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: nk.metrics.TruePositives(thresholds=[0.5, 1.5]), r"threshold values must be in"),
        (lambda: nk.metrics.SensitivityAtSpecificity(1.5), r"SensitivityAtSpecificity: spec"),
        (lambda: nk.metrics.PrecisionAtRecall(0.5, num_thresholds=0), r"num_thresholds must"),
        (lambda: nk.metrics.FBetaScore(beta=1), r"FBetaScore: beta must be a Python float"),
        (lambda: nk.metrics.F1Score(average="sum"), r"F1Score: average must be one of"),
        (lambda: nk.metrics.F1Score(threshold=0.0), r"F1Score: threshold must be"),
        (lambda: nk.metrics.R2Score(class_aggregation="x"), r"R2Score: class_aggregation"),
        (lambda: nk.metrics.R2Score(num_regressors=-1), r"R2Score: num_regressors"),
        (lambda: nk.metrics.IoU(3, [0, 3]), r"IoU: target class id 3 is out of range"),
    ],
)
def test_bad_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_scores_want_two_dimensional_inputs():
    with pytest.raises(ValueError, match=r"F1Score expects 2D inputs.*\(4,\)"):
        nk.metrics.F1Score().update_state(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match=r"R2Score expects 2D inputs"):
        nk.metrics.R2Score().update_state(np.ones((2, 3, 4)), np.ones((2, 3, 4)))
