"""Keras 2's ``input_shape=``, ``input_dim=`` and ``batch_input_shape=`` on a layer: Keras 3
accepts them on a model's first layer with a warning to use ``Input(shape)`` instead, and so
does nnscratch."""

from __future__ import annotations

import warnings

__all__ = ["pop_input_shape"]


def pop_input_shape(class_name: str, kwargs: dict) -> tuple | None:
    """Keras 2's ``input_shape=`` / ``input_dim=`` on a first layer: accepted, with a warning."""
    shape = kwargs.pop("input_shape", None)
    dim = kwargs.pop("input_dim", None)
    batch_shape = kwargs.pop("batch_input_shape", None)
    if shape is None and dim is None and batch_shape is None:
        return None
    warnings.warn(
        f"Do not pass an `input_shape`/`input_dim` argument to a layer ({class_name}). When "
        "using Sequential models, prefer using an `Input(shape)` object as the first layer in "
        "the model instead.",
        UserWarning,
        stacklevel=3,
    )
    if batch_shape is not None:
        return tuple(batch_shape)
    return (None, *(tuple(shape) if shape is not None else (dim,)))
