"""The numbers ``fit`` takes besides its data, checked when the call starts.

Keras 3 runs ``fit(epochs=-1)`` as no training at all, ``initial_epoch=10, epochs=5`` likewise
(``epochs`` is the index of the last epoch, not a count of further ones), and
``validation_split=1.5`` as a split of more rows than there are, all without a word; here each
is an ``InputError`` (a ``ValueError``) naming the argument, what it expects and what it
received.
"""

from __future__ import annotations

import numpy as np

from ...errors import InputError

__all__ = ["check_count", "check_fit_arguments", "check_validation_split"]


def check_count(name: str, value, minimum: int) -> None:
    """``value`` is an integer (not a bool) and at least ``minimum``.

    >>> check_count("epochs", -1, 0)
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: Expected `epochs` to be an integer >= 0, received -1 (int)
    """
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not is_int or value < minimum:
        raise InputError(
            f"Expected `{name}` to be an integer >= {minimum}, received {value!r} "
            f"({type(value).__name__})"
        )


def check_validation_split(validation_split) -> None:
    """A fraction in [0, 1): the share of the samples held out for validation.

    >>> check_validation_split(1.5)
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: Expected `validation_split` to be a fraction in [0, 1) (the \
share of the samples held out for validation), received 1.5 (float)
    """
    real = isinstance(validation_split, (int, float, np.integer, np.floating))
    if real and not isinstance(validation_split, bool) and 0 <= validation_split < 1:
        return  # (NaN fails the comparison)
    raise InputError(
        "Expected `validation_split` to be a fraction in [0, 1) (the share of the samples held "
        f"out for validation), received {validation_split!r} ({type(validation_split).__name__})"
    )


def check_fit_arguments(
    epochs, initial_epoch, validation_split, validation_freq, validation_batch_size
) -> None:
    """``fit``'s loop arguments (``batch_size`` is checked where the batches are made)."""
    check_count("epochs", epochs, 0)  # 0 is allowed, as in Keras: nothing to train
    check_count("initial_epoch", initial_epoch, 0)
    if initial_epoch > epochs:
        raise InputError(
            f"Expected `initial_epoch` to be at most `epochs`, received initial_epoch="
            f"{initial_epoch} and epochs={epochs}: `epochs` is the index of the epoch to stop "
            f"at, not a number of more epochs (for {epochs} more, pass "
            f"epochs={initial_epoch + epochs})"
        )
    check_validation_split(validation_split)
    check_count("validation_freq", validation_freq, 1)
    if validation_batch_size is not None:
        check_count("validation_batch_size", validation_batch_size, 1)
