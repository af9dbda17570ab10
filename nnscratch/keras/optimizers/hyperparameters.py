"""The ranges of the Keras optimizers' hyper-parameters, checked when an optimizer is made.

Keras 3 takes ``Adam(learning_rate=-0.1)`` or ``SGD(learning_rate=float("nan"))`` without a
word, and training then climbs the loss or turns every weight into NaN; here each is a
``ValueError`` naming the optimizer, the argument, the range and the value received.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["HYPERPARAMETER_RANGES", "check_hyperparameter", "check_learning_rate"]


def check_learning_rate(learning_rate, owner: str) -> None:
    """A learning rate given as a number must be a float, finite and >= 0 (a schedule or a
    callable is taken before this check).

    >>> check_learning_rate(float("nan"), "SGD")
    Traceback (most recent call last):
    ...
    ValueError: Argument `learning_rate` of SGD must be a number >= 0 (finite), received nan
    """
    if not isinstance(learning_rate, (float, np.floating)) or isinstance(learning_rate, bool):
        raise ValueError(
            "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
            "or a callable (that takes in the current iteration value and returns the "
            f"corresponding learning rate value). Received instead: learning_rate={learning_rate!r}"
        )
    check_hyperparameter(owner, "learning_rate", learning_rate)


# The ranges Keras documents, or outside which the formulas break down: a beta of 1 divides by
# zero in Adam's bias correction, a negative epsilon or accumulator takes a root of a negative.
HYPERPARAMETER_RANGES: dict[str, tuple[float, bool]] = {  # name: (upper bound, bound included)
    "learning_rate": (math.inf, False),
    "weight_decay": (math.inf, False),
    "epsilon": (math.inf, False),
    "initial_accumulator_value": (math.inf, False),
    "beta_1": (1.0, False),
    "beta_2": (1.0, False),
    "rho": (1.0, True),
    "momentum": (1.0, True),
}


def check_hyperparameter(owner: str, name: str, value, ranges: dict | None = None) -> None:
    """``value`` is a finite number from 0 up to the bound ``HYPERPARAMETER_RANGES`` (or
    ``ranges``) gives ``name``, else a ``ValueError`` naming the optimizer and the argument.

    >>> check_hyperparameter("Adam", "beta_1", 1.0)
    Traceback (most recent call last):
    ...
    ValueError: Argument `beta_1` of Adam must be a number in [0, 1), received 1.0
    """
    high, closed = (ranges or HYPERPARAMETER_RANGES)[name]
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if real and 0 <= value and (value <= high if closed else value < high):
        return  # (NaN fails every comparison)
    interval = ">= 0 (finite)" if high == math.inf else f"in [0, {high:g}{']' if closed else ')'}"
    raise ValueError(
        f"Argument `{name}` of {owner} must be a number {interval}, received {value!r}"
    )
