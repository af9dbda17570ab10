"""``keras.ops.image`` ops that move pixels without mixing them: cropping, padding and cutting
images into patches. All are differentiable (slices, zero padding and a convolution).

Crop and pad take, per spatial axis, exactly two of three numbers (``top``, ``bottom``,
``target_height``; the same for the width) and work out the third. ``extract_patches``
convolves with an identity kernel: output channel ``(i * pw + j) * C + c`` is pixel
``(i, j)`` of channel ``c`` in each ``(ph, pw)`` window.

>>> import numpy as np
>>> image = np.arange(16.0).reshape(4, 4, 1)
>>> crop_images(image, 1, 1, target_height=2, target_width=2)[..., 0].tolist()
[[5.0, 6.0], [9.0, 10.0]]
>>> pad_images(np.ones((1, 2, 1)), 1, 0, 0, 1).shape
(2, 3, 1)
"""

from __future__ import annotations

import numpy as np

from nnscratch.autograd.tensor import Tensor

from .arguments import data_format_arg, tensor_arg
from .nn_conv import conv
from .shaping import pad
from .symbolic import symbolic

__all__ = ["crop_images", "pad_images", "extract_patches"]


def _images(images, name: str) -> Tensor:
    x = tensor_arg(images, f"image.{name}", "images")
    if x.ndim not in (3, 4):
        raise ValueError(
            f"keras.ops.image.{name}: expected images of rank 3 (one image) or 4 (a batch), "
            f"received shape {tuple(x.shape)}"
        )
    return x


def _spatial_axes(x: Tensor, data_format) -> tuple[int, int]:
    """The (height, width) axes of ``x``, counted from the end."""
    last = data_format_arg(data_format, "image") == "channels_last"
    return (x.ndim - 3, x.ndim - 2) if last else (x.ndim - 2, x.ndim - 1)


def _two_of_three(name: str, before: str, after: str, values: tuple) -> None:
    """Exactly one of ``(before, after, target)`` is None, and the others are non-negative."""
    labels = (f"{before}", f"{after}", "target_" + ("height" if "top" in before else "width"))
    if [v is None for v in values].count(True) != 1:
        given = ", ".join(f"{k}={v}" for k, v in zip(labels, values))
        raise ValueError(f"keras.ops.image.{name}: give exactly two of {given}")
    for label, value in zip(labels, values):
        if value is not None and value < 0:
            raise ValueError(f"keras.ops.image.{name}: {label} must be >= 0, received {value}")


@symbolic
def crop_images(
    images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
    target_height=None, target_width=None, data_format=None,
) -> Tensor:  # fmt: skip
    """``images`` cut to a ``target_height`` x ``target_width`` window whose top-left corner is
    ``(top_cropping, left_cropping)``; a missing corner or size is worked out from the
    bottom/right cropping."""
    x = _images(images, "crop_images")
    _two_of_three("crop_images", "top_cropping", "bottom_cropping",
                  (top_cropping, bottom_cropping, target_height))  # fmt: skip
    _two_of_three("crop_images", "left_cropping", "right_cropping",
                  (left_cropping, right_cropping, target_width))  # fmt: skip
    h_axis, w_axis = _spatial_axes(x, data_format)
    top, height = _window(x.shape[h_axis], top_cropping, bottom_cropping, target_height)
    left, width = _window(x.shape[w_axis], left_cropping, right_cropping, target_width)
    if top < 0 or left < 0 or height < 0 or width < 0:
        raise ValueError(
            f"keras.ops.image.crop_images: cropping {top}, {left} with size {height}x{width} "
            f"does not fit images of shape {tuple(x.shape)}"
        )
    key = [slice(None)] * x.ndim
    key[h_axis], key[w_axis] = slice(top, top + height), slice(left, left + width)
    return x[tuple(key)]


def _window(size: int, start, end, target) -> tuple[int, int]:
    """``(start, length)`` of the kept window along one axis of ``size``."""
    if start is None:
        start = size - target - end
    if target is None:
        target = size - end - start
    return int(start), int(target)


@symbolic
def pad_images(
    images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
    target_height=None, target_width=None, data_format=None,
) -> Tensor:  # fmt: skip
    """``images`` with zero rows above and below and zero columns left and right, as many as
    given or as make up ``target_height`` / ``target_width``."""
    x = _images(images, "pad_images")
    _two_of_three("pad_images", "top_padding", "bottom_padding",
                  (top_padding, bottom_padding, target_height))  # fmt: skip
    _two_of_three("pad_images", "left_padding", "right_padding",
                  (left_padding, right_padding, target_width))  # fmt: skip
    h_axis, w_axis = _spatial_axes(x, data_format)
    rows = _margins(x.shape[h_axis], top_padding, bottom_padding, target_height)
    cols = _margins(x.shape[w_axis], left_padding, right_padding, target_width)
    if min(*rows, *cols) < 0:
        raise ValueError(
            f"keras.ops.image.pad_images: padding {rows} x {cols} is negative: the target "
            f"is smaller than images of shape {tuple(x.shape)}"
        )
    widths = [(0, 0)] * x.ndim
    widths[h_axis], widths[w_axis] = rows, cols
    return pad(x, widths)


def _margins(size: int, before, after, target) -> tuple[int, int]:
    """``(before, after)`` padding along one axis of ``size``."""
    if before is None:
        before = target - after - size
    if after is None:
        after = target - before - size
    return int(before), int(after)


@symbolic
def extract_patches(
    images, size, strides=None, dilation_rate=1, padding="valid", data_format=None
) -> Tensor:
    """Each ``size = (ph, pw)`` window of ``images`` (``strides`` apart, default ``size``)
    flattened into the channel axis: ``(N, H', W', ph * pw * C)`` for channels_last."""
    if not isinstance(size, (int, np.integer)) and len(size) == 3:
        raise NotImplementedError(
            "keras.ops.image.extract_patches: 3-D patches (extract_patches_3d) are not built"
        )
    ph, pw = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
    x = _images(images, "extract_patches")
    last = data_format_arg(data_format, "image.extract_patches") == "channels_last"
    channels = x.shape[-1] if last else x.shape[-3]
    out_dim = ph * pw * channels
    kernel = np.eye(out_dim, dtype=x.dtype).reshape(ph, pw, channels, out_dim)
    single = x.ndim == 3
    x = x.unsqueeze(0) if single else x
    fmt = "channels_last" if last else "channels_first"
    patches = conv(x, kernel, strides or size, padding, fmt, dilation_rate)
    return patches.squeeze(0) if single else patches
