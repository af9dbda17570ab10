"""Keras's pooling layers: max and average pooling in 1-D and 2-D, and their global forms.

Windowed pooling runs the channels-first ops of ``nnscratch.ops.pooling`` (channels-last
inputs are moved there by a ``permute`` view). 'same' padding follows Keras: ``ceil(size /
strides)`` windows, any odd padding pixel at the end, padding that never wins a maximum and
never counts in a mean (each window's mean is over its pixels inside the input). The ops pad
symmetrically only, so uneven padding is added beforehand with ``pad``: ``-inf`` for max
pooling; zeros for average pooling, whose means are then rescaled by ``taps / inside``.
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from ...ops.reduce import amax, mean
from .conv_utils import (
    check_fits,
    check_rank,
    conv_length,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
    pad_spatial,
    same_pads,
    spatial_dims,
    to_channels_first,
    to_channels_last,
)
from .layer import Layer, Shape

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPooling1D",
    "MaxPooling2D",
]


class BasePooling(Layer):
    """Pooling over windows of ``pool_size``, ``strides`` apart (default: ``pool_size``)."""

    rank = 2

    def __init__(
        self,
        pool_size,
        strides=None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        owner = self._owner
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size", owner)
        given = self.pool_size if strides is None else strides
        self.strides = normalize_tuple(given, self.rank, "strides", owner)
        self.padding = normalize_padding(padding, owner)
        self.data_format = normalize_data_format(data_format, owner)
        self.built = True

    @property
    def _owner(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        check_rank(self._owner, inputs.shape, self.rank, self.data_format)
        if self.padding == "valid":  # the only padding a window can outgrow
            self.compute_output_shape(inputs.shape)
        x = to_channels_first(inputs, self.rank, self.data_format)
        pads = self._pads(x.shape[2:])
        if all(before == after for before, after in pads):
            y = self._pool(x, tuple(before for before, _ in pads))
        else:
            y = self._pool_padded(x, pads)
        return to_channels_last(y, self.rank, self.data_format)

    def _pads(self, sizes: tuple) -> list[tuple[int, int]]:
        if self.padding == "valid":
            return [(0, 0)] * self.rank
        return [same_pads(n, k, s) for n, k, s in zip(sizes, self.pool_size, self.strides)]

    def _pool(self, x: Tensor, padding: tuple) -> Tensor:
        """The op, on channels-first ``x`` with symmetric ``padding`` that does not count."""
        raise NotImplementedError

    def _pool_padded(self, x: Tensor, pads: list) -> Tensor:
        """The op after uneven padding ``pads``, which must not count either."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(self._owner, input_shape, self.rank, self.data_format)
        sizes = spatial_dims(input_shape, self.data_format)
        if self.padding == "valid":
            ones = (1,) * self.rank
            check_fits(self._owner, "pool size", self.pool_size, ones, sizes, input_shape)
        spatial = tuple(
            conv_length(n, k, s, 1, self.padding)
            for n, k, s in zip(sizes, self.pool_size, self.strides)
        )
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, input_shape[-1])
        return (*input_shape[:2], *spatial)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


class _MaxPooling(BasePooling):
    _op = None

    def _pool(self, x: Tensor, padding: tuple) -> Tensor:
        return self._op(x, self.pool_size, self.strides, padding)

    def _pool_padded(self, x: Tensor, pads: list) -> Tensor:
        return self._op(pad_spatial(x, pads, value=-np.inf), self.pool_size, self.strides)


class _AveragePooling(BasePooling):
    _op = None

    def _pool(self, x: Tensor, padding: tuple) -> Tensor:
        # with no padding the divisor is the window size: torch's flag keeps the op's fast path
        exclude = any(padding)
        return self._op(x, self.pool_size, self.strides, padding, count_include_pad=not exclude)

    def _pool_padded(self, x: Tensor, pads: list) -> Tensor:
        y = self._op(pad_spatial(x, pads), self.pool_size, self.strides)
        return y * Tensor(self._rescale(x.shape[2:], pads, y.shape[2:], x.dtype))

    def _rescale(self, sizes, pads, out, dtype) -> np.ndarray:
        """``taps / inside`` per output position: the op divided each window's sum by all its
        taps, Keras by the taps inside the input. One factor per dim, multiplied."""
        factor = np.ones((), dtype)
        for n, k, s, (before, _), o in zip(sizes, self.pool_size, self.strides, pads, out):
            start = np.arange(o) * s - before
            inside = np.minimum(start + k, n) - np.maximum(start, 0)
            factor = np.multiply.outer(factor, (k / inside).astype(dtype))
        return factor


class MaxPooling1D(_MaxPooling):
    """The maximum over windows of ``pool_size`` steps, ``strides`` apart (default
    ``pool_size``); inputs ``(batch, steps, channels)`` or channels first.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.MaxPooling1D()(ns.tensor([[[1.0], [3.0], [2.0], [0.0]]])).tolist()
    [[[3.0], [2.0]]]
    """

    rank = 1
    _op = staticmethod(max_pool1d)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_MaxPooling):
    """The maximum over windows of ``pool_size``, ``strides`` apart (default ``pool_size``);
    inputs ``(batch, height, width, channels)`` or channels first.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.MaxPooling2D(padding="same")(ns.ones(2, 5, 5, 3)).shape
    (2, 3, 3, 3)
    """

    rank = 2
    _op = staticmethod(max_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_AveragePooling):
    """The mean over windows of ``pool_size`` steps; with 'same' padding, over the steps of
    each window inside the input.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> x = ns.tensor([[[1.0], [3.0], [2.0]]])
    >>> keras.layers.AveragePooling1D(2, padding="same")(x).tolist()
    [[[2.0], [2.0]]]
    """

    rank = 1
    _op = staticmethod(avg_pool1d)


class AveragePooling2D(_AveragePooling):
    """The mean over windows of ``pool_size``; with 'same' padding, over the pixels of each
    window inside the input.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.AveragePooling2D(2)(ns.ones(2, 4, 6, 3)).shape
    (2, 2, 3, 3)
    """

    rank = 2
    _op = staticmethod(avg_pool2d)


class BaseGlobalPooling(Layer):
    """A reduction over every spatial dim; ``keepdims`` keeps them with size 1."""

    rank = 2
    _reduce = None

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)
        self.built = True

    def _axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        check_rank(
            f"{type(self).__name__} '{self.name}'", inputs.shape, self.rank, self.data_format
        )
        return self._reduce(inputs, dim=self._axes(), keepdim=self.keepdims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(f"{type(self).__name__} '{self.name}'", input_shape, self.rank, self.data_format)
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(BaseGlobalPooling):
    """The mean over steps: ``(batch, steps, channels)`` -> ``(batch, channels)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.GlobalAveragePooling1D()(ns.tensor([[[1.0], [3.0]]])).tolist()
    [[2.0]]
    """

    rank = 1
    _reduce = staticmethod(mean)
    supports_masking = True  # it averages over the kept steps only, and consumes the mask

    call_takes_training = False  # call(inputs, mask)
    call_mask_arguments = ("mask",)

    def call(self, inputs: Tensor, mask=None) -> Tensor:
        if mask is None:
            return super().call(inputs)
        steps = self._axes()[0]
        keep = np.asarray(getattr(mask, "_data", mask), dtype=inputs.dtype)
        weights = Tensor(np.expand_dims(keep, 2 if steps == 1 else 1))
        total = (inputs * weights).sum(dim=steps, keepdim=self.keepdims)
        return total / weights.sum(dim=steps, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(BaseGlobalPooling):
    """The mean over height and width: ``(batch, h, w, channels)`` -> ``(batch, channels)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.GlobalAveragePooling2D(keepdims=True)(ns.ones(2, 4, 4, 3)).shape
    (2, 1, 1, 3)
    """

    rank = 2
    _reduce = staticmethod(mean)


class GlobalMaxPooling1D(BaseGlobalPooling):
    """The maximum over steps: ``(batch, steps, channels)`` -> ``(batch, channels)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.GlobalMaxPooling1D()(ns.tensor([[[1.0], [3.0]]])).tolist()
    [[3.0]]
    """

    rank = 1
    _reduce = staticmethod(amax)


class GlobalMaxPooling2D(BaseGlobalPooling):
    """The maximum over height and width: ``(batch, h, w, channels)`` -> ``(batch, channels)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.GlobalMaxPooling2D(data_format="channels_first")(ns.ones(2, 3, 4, 4)).shape
    (2, 3)
    """

    rank = 2
    _reduce = staticmethod(amax)
