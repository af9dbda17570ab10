"""``ZeroPadding1D/2D`` and ``Cropping1D/2D``: add zeros around, or cut rows off, the
spatial axes of each sample.

Both are one ``pad`` op on the channels-first view (a crop is a negative pad), so the
gradient of a crop is the gradient padded back with zeros, and the other way round.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.checks import is_int
from .conv_utils import (
    check_rank,
    normalize_data_format,
    pad_spatial,
    spatial_dims,
    to_channels_first,
    to_channels_last,
)
from .layer import Layer, Shape

__all__ = ["Cropping1D", "Cropping2D", "ZeroPadding1D", "ZeroPadding2D"]


def _pair(value, what: str, owner: str) -> tuple[int, int]:
    """An int ``n`` as ``(n, n)``, or a pair of non-negative ints as a tuple."""
    pair = (value, value) if is_int(value) else value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(map(is_int, pair))):
        raise ValueError(
            f"{owner}: `{what}` must be an int or a tuple of 2 ints, received {value!r}"
        )
    if min(pair) < 0:
        raise ValueError(f"{owner}: `{what}` must hold ints >= 0, received {value!r}")
    return int(pair[0]), int(pair[1])


def _pairs(value, name: str, owner: str) -> tuple:
    """An int, ``(rows, cols)`` (each symmetric) or ``((top, bottom), (left, right))``."""
    if is_int(value):
        value = (value, value)
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise ValueError(
            f"{owner}: `{name}` must be an int, a tuple of 2 ints or a tuple of 2 tuples of 2 "
            f"ints ((top, bottom), (left, right)), received {name}={value!r}"
        )
    return (
        _pair(value[0], f"1st entry of {name}", owner),
        _pair(value[1], f"2nd entry of {name}", owner),
    )


class _Spatial(Layer):
    """Pads (``sign`` +1) or crops (-1) ``rank`` spatial axes by ``self.amounts``."""

    rank = 1
    sign = 1
    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    @property
    def _owner(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def call(self, inputs: Tensor) -> Tensor:
        self.compute_output_shape(inputs.shape)  # rank and crop size checks
        x = to_channels_first(inputs, self.rank, self.data_format)
        pads = [(self.sign * a, self.sign * b) for a, b in self.amounts]
        return to_channels_last(pad_spatial(x, pads), self.rank, self.data_format)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(self._owner, input_shape, self.rank, self.data_format)
        sizes = spatial_dims(input_shape, self.data_format)
        if self.sign < 0 and any(
            n is not None and a + b >= n for n, (a, b) in zip(sizes, self.amounts)
        ):
            raise ValueError(
                f"{self._owner}: the cropping {self.amounts} must leave at least one element "
                f"of each spatial axis, received inputs of shape {tuple(input_shape)}"
            )
        new = tuple(
            None if n is None else n + self.sign * (a + b) for n, (a, b) in zip(sizes, self.amounts)
        )
        if self.data_format == "channels_last":
            return (input_shape[0], *new, input_shape[-1])
        return (input_shape[0], input_shape[1], *new)


class ZeroPadding1D(_Spatial):
    """Zeros before and after the steps: ``padding`` is an int or ``(before, after)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.ZeroPadding1D((1, 2))(ns.ones(1, 2, 1))[0, :, 0].tolist()
    [0.0, 1.0, 1.0, 0.0, 0.0]
    """

    def __init__(self, padding=1, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = _pair(padding, "padding", self._owner)
        self.data_format = normalize_data_format(data_format, self._owner)
        self.amounts = (self.padding,)
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding2D(_Spatial):
    """Zeros around images: ``padding`` is an int, ``(rows, cols)`` or
    ``((top, bottom), (left, right))``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.ZeroPadding2D(((1, 0), (0, 2)))(ns.ones(1, 3, 3, 2)).shape
    (1, 4, 5, 2)
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding", self._owner)
        self.data_format = normalize_data_format(data_format, self._owner)
        self.amounts = self.padding
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping1D(_Spatial):
    """Cut steps off the start and the end: ``cropping`` is an int or ``(start, end)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Cropping1D((1, 2))(ns.arange(5.0).reshape(1, 5, 1))[0, :, 0].tolist()
    [1.0, 2.0]
    """

    sign = -1
    data_format = "channels_last"  # (Keras's Cropping1D has no data_format)

    def __init__(self, cropping=(1, 1), **kwargs) -> None:
        super().__init__(**kwargs)
        self.cropping = _pair(cropping, "cropping", self._owner)
        self.amounts = (self.cropping,)
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(_Spatial):
    """Cut rows and columns off images: ``cropping`` is an int, ``(rows, cols)`` or
    ``((top, bottom), (left, right))``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Cropping2D(((1, 0), (1, 1)))(ns.ones(1, 4, 5, 2)).shape
    (1, 3, 3, 2)
    """

    rank = 2
    sign = -1

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, "cropping", self._owner)
        self.data_format = normalize_data_format(data_format, self._owner)
        self.amounts = self.cropping
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
