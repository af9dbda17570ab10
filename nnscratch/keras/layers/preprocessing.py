"""``Rescaling`` and ``Normalization``: preprocessing of numbers that runs inside the model.

``Normalization`` learns its statistics before training, with ``adapt(data)`` (not by
gradient): ``mean`` and ``variance`` are non-trainable weights, as Keras saves them, and the
layer computes ``(x - mean) / max(sqrt(variance), 1e-7)`` (or its inverse).
"""

from __future__ import annotations

import math

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...ops import maximum
from .layer import Layer, Shape

__all__ = ["Normalization", "Rescaling"]

_EPSILON = 1e-7  # the smallest standard deviation divided by (Keras's backend.epsilon())


class Rescaling(Layer):
    """``inputs * scale + offset``, in the layer's dtype (e.g. ``scale=1 / 255`` for pixels).

    ``scale`` and ``offset`` are numbers or arrays that broadcast against the inputs.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Rescaling(0.5, offset=-1.0)(ns.tensor([[0.0, 4.0]])).tolist()
    [[-1.0, 1.0]]
    """

    supports_masking = True
    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def __init__(self, scale, offset=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self._factors = tuple(np.asarray(v, dtype=self._dtype) for v in (scale, offset))
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        scale, offset = self._factors
        return inputs * Tensor(scale) + Tensor(offset)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """Standardize features: ``(x - mean) / sqrt(variance)`` per position of ``axis``.

    ``axis`` (an int, a tuple, or None for one statistic over everything) lists the axes that
    keep their own mean and variance; the others are averaged over. Give ``mean`` and
    ``variance`` directly, or call ``adapt(data)`` on an array (or a list / iterable of
    batches) before training. ``invert=True`` undoes the normalization instead.

    >>> import numpy as np
    >>> from nnscratch import keras
    >>> layer = keras.layers.Normalization()
    >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> layer.mean.tolist(), layer.variance.tolist()
    ([1.0, 20.0], [1.0, 100.0])
    >>> layer(np.array([[1.0, 30.0]])).tolist()
    [[0.0, 1.0]]
    """

    supports_masking = True
    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        self.axis = (axis,) if isinstance(axis, int) else tuple(axis)
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        if (mean is None) != (variance is None):
            raise ValueError(
                f"Normalization '{self.name}': give both `mean` and `variance`, or neither; "
                f"received mean={mean} and variance={variance}"
            )
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError(
                f"Normalization '{self.name}': `mean` and `variance` must have the same shape, "
                f"received shapes {np.shape(mean)} and {np.shape(variance)}"
            )
        if mean is not None and np.ndim(mean) > len(self.axis):
            raise ValueError(
                f"Normalization '{self.name}': `mean` may have at most {len(self.axis)} dims "
                f"(one per axis of axis={self.axis}), received shape {np.shape(mean)}"
            )

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(
                f"Normalization '{self.name}': every axis must lie in [-{ndim}, {ndim}) for "
                f"inputs of shape {tuple(input_shape)}, received axis={self.axis}"
            )
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        if any(input_shape[a] is None for a in self._keep):
            raise ValueError(
                f"Normalization '{self.name}': the kept axes {self._keep} must have known "
                f"sizes, received input shape {tuple(input_shape)}"
            )
        self._reduce = tuple(a for a in range(ndim) if a not in self._keep)
        self._broadcast = tuple(input_shape[a] if a in self._keep else 1 for a in range(ndim))
        stats_shape = tuple(input_shape[a] for a in self._keep)
        if self.input_mean is None:
            self.add_weight(stats_shape, "zeros", trainable=False, name="mean")
            self.add_weight(stats_shape, "ones", trainable=False, name="variance")
            self.add_weight((), "zeros", dtype="int32", trainable=False, name="count")
        else:
            self._given = tuple(
                Tensor(self._broadcast_given(v, stats_shape))
                for v in (self.input_mean, self.input_variance)
            )
        super().build(input_shape)

    def _broadcast_given(self, value, stats_shape) -> np.ndarray:
        """A given mean or variance, its dims matched to the last kept axes, broadcast."""
        value = np.asarray(value, dtype=self._dtype)
        expanded = [1] * len(self._broadcast)
        for axis, size in zip(self._keep[::-1], value.shape[::-1]):
            expanded[axis] = size
        return np.broadcast_to(value.reshape(expanded), self._broadcast).copy()

    def call(self, inputs: Tensor) -> Tensor:
        if self.input_mean is None:
            mean = self.mean.reshape(*self._broadcast)
            variance = self.variance.reshape(*self._broadcast)
        else:
            mean, variance = self._given
        std = maximum(variance.sqrt(), Tensor(np.asarray(_EPSILON, dtype=variance.dtype)))
        return mean + inputs * std if self.invert else (inputs - mean) / std

    def adapt(self, data) -> None:
        """Set ``mean`` and ``variance`` from ``data``: one array (statistics over all of
        it), or a list / iterable of batches (merged batch by batch, as Keras)."""
        if self.input_mean is not None:
            raise ValueError(
                f"Normalization '{self.name}' was given `mean` and `variance`; adapt() would "
                "ignore its result"
            )
        whole = isinstance(data, (np.ndarray, Tensor))
        batches = [_array(data)] if whole else [_array(b) for b in _batches(self.name, data)]
        if not self.built:
            self.build((None, *batches[0].shape[1:]))
        for batch in batches:
            self._check_adapt_shape(batch.shape)
        if whole:
            mean, var = batches[0].mean(axis=self._reduce), batches[0].var(axis=self._reduce)
        else:
            mean, var = self._merged(batches)
        with no_grad():
            self.mean.copy_(np.asarray(mean, dtype=self.mean.dtype))
            self.variance.copy_(np.asarray(var, dtype=self.variance.dtype))

    def _check_adapt_shape(self, shape: tuple) -> None:
        if len(shape) != len(self._broadcast) or any(
            shape[a] != self._broadcast[a] for a in self._keep
        ):
            raise ValueError(
                f"Normalization '{self.name}' was built for inputs of shape "
                f"{self._build_shape}, but adapt() received data of shape {shape}"
            )

    def _merged(self, batches) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance over all batches, each batch merged into the running pair with
        its share of the count (the law of total variance), in the layer's dtype."""
        mean = var = np.zeros(self.mean.shape, self._dtype)
        count = 0
        for batch in batches:
            batch = batch.astype(self._dtype, copy=False)
            size = math.prod(batch.shape[a] for a in self._reduce)
            count += size
            share = size / count
            b_mean, b_var = batch.mean(axis=self._reduce), batch.var(axis=self._reduce)
            new_mean = mean * (1.0 - share) + b_mean * share
            var = (var + (mean - new_mean) ** 2) * (1.0 - share) + (
                b_var + (b_mean - new_mean) ** 2
            ) * share
            mean = new_mean
        return mean, var

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": _listed(self.input_mean),
            "variance": _listed(self.input_variance),
        }


def _array(value) -> np.ndarray:
    return value.detach().numpy() if isinstance(value, Tensor) else np.asarray(value)


def _batches(name: str, data) -> list:
    """The batches of an iterable given to ``adapt`` (``(x, y)`` pairs give their ``x``)."""
    if not hasattr(data, "__iter__"):
        raise TypeError(
            f"Normalization '{name}'.adapt() expects an array, a Tensor or an iterable of "
            f"batches, received {type(data).__name__}"
        )
    batches = [b[0] if isinstance(b, tuple) else b for b in data]
    if not batches:
        raise ValueError(f"Normalization '{name}'.adapt() received no batches")
    return batches


def _listed(value):
    return None if value is None else np.asarray(value).tolist()
