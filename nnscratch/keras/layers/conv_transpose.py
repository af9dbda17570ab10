"""``Conv2DTranspose``: Keras's transposed convolution, on the ``conv_transpose2d`` op.

A transposed convolution stamps a weighted copy of the kernel at every input pixel, ``strides``
apart: the full result is ``(n - 1) * s + dk`` long per dim (``dk`` the dilated kernel). Keras
returns a window of it: 'valid' starts at 0 and runs ``max(dk, s) - dk`` (or
``output_padding``) past the end, zeros there; 'same' is ``n * s`` long (or
``(n - 1) * s + dk % 2 + output_padding``) and sits where the adjoint of a 'same'
convolution puts it: the padding ``s + dk - 2`` (resp. ``dk + dk % 2 - 2 + output_padding``)
split with the larger half first, at most ``dk - 1``. The op takes torch's
``padding`` / ``output_padding``; a window torch cannot express is cut with ``pad``.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.conv import conv_transpose2d
from .conv_utils import (
    check_rank,
    normalize_tuple,
    pad_spatial,
    spatial_dims,
    to_channels_first,
    to_channels_last,
    view_permuted,
)
from .convolutional import BaseConv
from .layer import Shape

__all__ = ["Conv2DTranspose"]


class Conv2DTranspose(BaseConv):
    """A 2-D transposed convolution (sometimes called deconvolution), Keras's semantics.

    Inputs are ``(batch, height, width, channels)`` (or channels first); the kernel is Keras's
    ``(kh, kw, filters, channels)``. With 'same' padding and no ``output_padding`` the output
    is ``strides`` times larger than the input; ``output_padding`` (each smaller than its
    stride) adds that many rows/columns at the end.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")
    >>> layer(ns.ones(2, 5, 5, 3)).shape, layer.kernel.shape
    ((2, 10, 10, 4), (3, 3, 4, 3))
    """

    rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=(1, 1),
        **kwargs,
    ) -> None:
        super().__init__(
            filters, kernel_size, strides, padding, data_format, dilation_rate, **kwargs
        )
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = _output_padding(output_padding, self.strides, self._owner)

    def build(self, input_shape: Shape) -> None:
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.input_channels = channels
        self._add_weights((*self.kernel_size, self.filters, channels))
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        self._check_call_input(inputs.shape, self.input_channels)
        x = to_channels_first(inputs, self.rank, self.data_format)
        plans = [self._window(n, i) for i, n in enumerate(x.shape[2:])]
        padding, extra, crops = (tuple(p[j] for p in plans) for j in range(3))
        # (kh, kw, filters, in) -> torch's (in, filters, kh, kw), a view
        kernel = view_permuted(self.kernel, (3, 2, 0, 1))
        y = conv_transpose2d(
            x, kernel, self.bias, self.strides, padding, extra, dilation=self.dilation_rate
        )
        y = pad_spatial(y, [(-before, -after) for before, after in crops])
        return self.activation(to_channels_last(y, self.rank, self.data_format))

    def _window(self, n: int, i: int) -> tuple[int, int, tuple[int, int]]:
        """Torch's (padding, output_padding) for dim ``i``, and what is left to crop after."""
        s, d = self.strides[i], self.dilation_rate[i]
        before, after = _crops(n, self.kernel_size[i], s, d, self.padding, self._extra(i))
        if 0 <= before - after < max(s, d):  # torch's window: [p, full - p + output_padding)
            return before, before - after, (0, 0)
        start = max(0, min(before, after))
        return start, 0, (before - start, after - start)

    def _extra(self, i: int) -> int | None:
        return None if self.output_padding is None else self.output_padding[i]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(self._owner, input_shape, self.rank, self.data_format)
        sizes = spatial_dims(input_shape, self.data_format)
        spatial = tuple(
            None if n is None else _length(n, k, s, d, self.padding, self._extra(i))
            for i, (n, k, s, d) in enumerate(
                zip(sizes, self.kernel_size, self.strides, self.dilation_rate)
            )
        )
        if any(n is not None and n < 1 for n in spatial):
            raise ValueError(
                f"{self._owner}: the output size {spatial} would be empty for input shape "
                f"{tuple(input_shape)} (kernel_size {self.kernel_size}, padding "
                f"{self.padding!r}, output_padding {self.output_padding})"
            )
        return self._with_output_channels(input_shape, spatial)

    def get_config(self) -> dict:
        config = super().get_config()
        return {**config, "output_padding": self.output_padding}


def _output_padding(value, strides: tuple, owner: str) -> tuple[int, ...]:
    """``output_padding`` as a tuple of non-negative ints, each smaller than its stride."""
    extra = normalize_tuple(value, len(strides), "output_padding", owner, minimum=0)
    if any(e >= s for e, s in zip(extra, strides)):
        raise ValueError(
            f"{owner}: strides must be greater than output padding, received "
            f"strides={strides} and output_padding={extra}"
        )
    return extra


def _length(n: int, k: int, s: int, d: int, padding: str, extra: int | None) -> int:
    """Keras's output length of a transposed convolution along one dim."""
    dk = d * (k - 1) + 1
    if padding == "valid":
        return (n - 1) * s + dk + (max(dk, s) - dk if extra is None else extra)
    return n * s if extra is None else (n - 1) * s + dk % 2 + extra


def _crops(n: int, k: int, s: int, d: int, padding: str, extra: int | None) -> tuple[int, int]:
    """How much of the full result to drop at each end (negative: zeros to add)."""
    dk = d * (k - 1) + 1
    full = (n - 1) * s + dk
    if padding == "valid":
        return 0, full - _length(n, k, s, d, padding, extra)
    total = s + dk - 2 if extra is None else dk + dk % 2 - 2 + extra
    before = dk - 1 - min(-(-total // 2), dk - 1)
    return before, full - before - _length(n, k, s, d, padding, extra)
