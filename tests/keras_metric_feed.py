"""Feeding one metric of nnscratch and its twin from real Keras the same data, for the metric
parity tests (tests/keras/test_metrics*.py): the same batches, or the same values at three
scales, then the results compared."""

from __future__ import annotations

import re

import numpy as np
from tolerance import assert_close

# (values, sample_weight) for Mean and Sum: weights per element, per row, a scalar, none
VALUES_AND_WEIGHTS = [
    (np.arange(5.0), None),
    (np.arange(5.0), np.array([1.0, 0.0, 2.0, 0.5, 1.0])),
    (np.arange(12.0).reshape(4, 3), np.array([1.0, 2.0, 0.0, 1.0])),
    (np.arange(12.0).reshape(4, 3), np.arange(12.0).reshape(4, 3) % 2),
    (np.arange(6.0).reshape(3, 2), 0.5),
    (np.float32(3.0), None),
]


def feed_scaled(metrics, values, weight) -> None:
    """Updates each metric with ``values`` times 1, -2 and 0.5, all with the same weight."""
    for scale in (1.0, -2.0, 0.5):
        for metric in metrics:
            metric.update_state(values * scale, sample_weight=weight)


def feed(metric, batches) -> np.ndarray:
    """Updates ``metric`` with each ``(y_true, y_pred, weight)`` batch and returns its result."""
    for y_true, y_pred, weight in batches:
        metric.update_state(y_true, y_pred, sample_weight=weight)
    return np.asarray(metric.result().numpy())


def case_id(case) -> str:
    """A readable test id for ``(metric name, kwargs, input maker)``."""
    name, kwargs, make = case
    return f"{name}[{','.join(f'{k}={v}' for k, v in kwargs.items())}]-{make.__name__}"


def assert_matches_twice(ours, theirs, new_batches, *, same_shape_and_dtype=False) -> None:
    """``ours`` has Keras's name and Keras's result on the batches ``new_batches()`` gives, and,
    after ``reset_state``, Keras's fresh result on fresh batches (it really starts over)."""
    assert ours.name == re.sub(r"_\d+$", "", theirs.name)  # Keras numbers unnamed repeats
    batches = new_batches()
    expected = feed(theirs, batches)
    got = feed(ours, batches)
    if same_shape_and_dtype:
        assert got.shape == expected.shape and got.dtype == expected.dtype
    assert_close(got, expected)
    ours.reset_state(), theirs.reset_state()
    batches = new_batches()
    assert_close(feed(ours, batches), feed(theirs, batches))
