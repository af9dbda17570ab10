"""Geometry shared by the convolution and pooling layers: argument checks, Keras's 'same'
padding rule, output lengths, and the channels-last <-> channels-first moves around the ops.

The ops (``nnscratch.ops.conv``, ``nnscratch.ops.pooling``) are torch's: channels first, and
symmetric padding only. Keras's layers default to channels last, and its 'same' padding puts
the odd extra pixel at the end (bottom/right), so the layers move axes and pad here.
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.movement import Permute
from ...ops.padding import pad

__all__ = [
    "check_fits",
    "check_rank",
    "conv_length",
    "normalize_data_format",
    "normalize_padding",
    "normalize_tuple",
    "pad_spatial",
    "same_pads",
    "spatial_dims",
    "to_channels_first",
    "to_channels_last",
    "view_permuted",
]

_AXES = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)"}
_AXES_FIRST = {1: "(batch, channels, steps)", 2: "(batch, channels, height, width)"}


def normalize_tuple(value, rank: int, name: str, owner: str, minimum: int = 1) -> tuple[int, ...]:
    """An int or a sequence of ``rank`` ints (at least ``minimum``), as a tuple; ``owner``
    names the layer.

    >>> normalize_tuple(3, 2, "kernel_size", "Conv2D")
    (3, 3)
    """
    values = (value,) * rank if _is_int(value) else value
    if not isinstance(values, (tuple, list)) or len(values) != rank:
        raise ValueError(
            f"{owner}: `{name}` must be an int or a tuple of {rank} ints, received {name}={value!r}"
        )
    if not all(_is_int(v) and v >= minimum for v in values):
        raise ValueError(
            f"{owner}: `{name}` must hold ints >= {minimum}, received {name}={value!r}"
        )
    return tuple(int(v) for v in values)


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def normalize_data_format(value, owner: str) -> str:
    """``None`` means 'channels_last' (Keras's default image data format)."""
    value = "channels_last" if value is None else str(value).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{owner}: `data_format` must be 'channels_last' or 'channels_first', "
            f"received {value!r}"
        )
    return value


def normalize_padding(value, owner: str, allowed=("valid", "same")) -> str:
    padding = str(value).lower()
    if padding not in allowed:
        names = " or ".join(repr(a) for a in allowed)
        raise ValueError(f"{owner}: `padding` must be {names}, received padding={value!r}")
    return padding


def spatial_dims(shape, data_format: str) -> tuple:
    """The spatial sizes of a (batch, ..., channels) or (batch, channels, ...) shape."""
    return tuple(shape[1:-1]) if data_format == "channels_last" else tuple(shape[2:])


def check_rank(owner: str, shape, rank: int, data_format: str) -> None:
    """Refuse an input that is not (batch, spatial..., channels) with ``rank`` spatial dims."""
    if len(shape) != rank + 2:
        axes = (_AXES if data_format == "channels_last" else _AXES_FIRST)[rank]
        raise ValueError(
            f"{owner} expects {rank + 2}-D inputs {axes}, received shape {tuple(shape)}"
        )


def same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """Keras's 'same' padding of one dim, ``(before, after)``: enough for ``ceil(size /
    stride)`` windows, the odd pixel after.

    >>> same_pads(5, 3, 2), same_pads(6, 3, 2), same_pads(4, 4, 1)
    ((1, 1), (0, 1), (1, 2))
    """
    span = dilation * (kernel - 1) + 1
    total = max((-(-size // stride) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def conv_length(size, kernel: int, stride: int, dilation: int, padding: str):
    """The output length of a convolution or pooling along one dim (``None`` stays ``None``).

    >>> conv_length(7, 3, 2, 1, "valid"), conv_length(7, 3, 2, 1, "same")
    (3, 4)
    """
    if size is None:
        return None
    if padding != "valid":  # 'same' and 'causal' both pad the dilated kernel's span - 1
        return -(-size // stride)
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def to_channels_first(x: Tensor, rank: int, data_format: str) -> Tensor:
    """(batch, spatial..., channels) -> (batch, channels, spatial...), a view."""
    if data_format == "channels_first":
        return x
    return view_permuted(x, (0, rank + 1, *range(1, rank + 1)))


def to_channels_last(y: Tensor, rank: int, data_format: str) -> Tensor:
    """(batch, channels, spatial...) -> (batch, spatial..., channels), a view."""
    if data_format == "channels_first":
        return y
    return view_permuted(y, (0, *range(2, rank + 2), 1))


def view_permuted(x: Tensor, dims: tuple) -> Tensor:
    """``permute`` without its argument checks (a layer's dims are right by construction),
    which cost more than the view itself on small inputs."""
    return Permute.apply(x, dims)


def pad_spatial(x: Tensor, pads, value: float = 0.0) -> Tensor:
    """Pad (positive) or crop (negative) the trailing spatial dims of a channels-first tensor
    by ``pads``, one ``(before, after)`` pair per spatial dim."""
    flat = [p for before_after in reversed(pads) for p in before_after]
    if not any(flat):
        return x
    return pad(x, flat, value=value)


def check_fits(owner: str, what: str, kernel, dilation, sizes, input_shape) -> None:
    """Refuse a (dilated) window larger than the known input sizes ('valid' padding)."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(n is not None and s > n for s, n in zip(span, sizes)):
        dilated = f" (dilated to {span})" if span != tuple(kernel) else ""
        raise ValueError(
            f"{owner} {what} {tuple(kernel)}{dilated} is larger than the input "
            f"{tuple(sizes)}: input shape {tuple(input_shape)} with padding='valid'; use "
            "padding='same', a smaller kernel or a larger input"
        )
