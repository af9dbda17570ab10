"""``keras.ops.image``: image resizing (bilinear or nearest), as products with interpolation
matrices, so gradients flow to the pixels. The namespace also gathers cropping, padding and
patches (``image_geometry.py``), colour conversions (``image_color.py``) and the functions
not built, which raise ``NotImplementedError`` (``unsupported.py``).

Resizing a length ``n`` to ``m`` reads output pixel ``j`` at source position
``(j + 0.5) n / m - 0.5`` (pixel centres aligned, torch's ``align_corners=False``): bilinear
mixes the two nearest source pixels, "nearest" takes ``floor((j + 0.5) n / m)``. A resize is
``M_h @ image @ M_w^T`` with one such ``(m, n)`` matrix per spatial axis.

>>> import numpy as np
>>> resize(np.arange(4.0).reshape(1, 2, 2, 1), (4, 4))[0, 0, :, 0].tolist()
[0.0, 0.25, 0.75, 1.0]
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .arguments import data_format_arg, tensor_arg
from .image_color import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv
from .image_geometry import crop_images, extract_patches, pad_images
from .symbolic import symbolic
from .unsupported import (
    affine_transform,
    elastic_transform,
    extract_patches_3d,
    gaussian_blur,
    map_coordinates,
    perspective_transform,
    scale_and_translate,
    sobel_edges,
    ssim,
)

__all__ = [
    "resize", "crop_images", "pad_images", "extract_patches", "rgb_to_grayscale", "rgb_to_hsv",
    "hsv_to_rgb", "affine_transform", "elastic_transform", "extract_patches_3d", "gaussian_blur",
    "map_coordinates", "perspective_transform", "scale_and_translate", "sobel_edges", "ssim",
]  # fmt: skip


def _bilinear(n: int, m: int) -> np.ndarray:
    source = np.maximum((np.arange(m) + 0.5) * (n / m) - 0.5, 0.0)
    low = np.floor(source).astype(np.int64)
    high = np.minimum(low + 1, n - 1)
    frac = source - low
    weights = np.zeros((m, n))
    np.add.at(weights, (np.arange(m), low), 1 - frac)
    np.add.at(weights, (np.arange(m), high), frac)
    return weights


def _nearest(n: int, m: int) -> np.ndarray:
    source = np.minimum(np.floor((np.arange(m) + 0.5) * (n / m)).astype(np.int64), n - 1)
    weights = np.zeros((m, n))
    weights[np.arange(m), source] = 1.0
    return weights


_MATRICES = {"bilinear": _bilinear, "nearest": _nearest}


@symbolic
def resize(
    images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None,
) -> Tensor:  # fmt: skip
    """``images`` (one ``(H, W, C)`` image or a batch) resized to ``size = (height, width)``
    with "bilinear" or "nearest" interpolation; integer images are rounded back to their
    dtype."""
    if interpolation not in _MATRICES:
        raise NotImplementedError(
            f"keras.ops.image.resize: interpolation {interpolation!r} is not built; "
            "use 'bilinear' or 'nearest'"
        )
    if antialias or crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise NotImplementedError(
            "keras.ops.image.resize: antialias, crop_to_aspect_ratio and pad_to_aspect_ratio "
            "are not built"
        )
    x = tensor_arg(images, "image.resize", "images")
    if x.ndim not in (3, 4) or len(tuple(size)) != 2:
        raise ValueError(
            f"keras.ops.image.resize: expected images of rank 3 or 4 and a (height, width) "
            f"size, received shape {tuple(x.shape)} and size={size!r}"
        )
    single, dtype = x.ndim == 3, x.dtype
    x = x.unsqueeze(0) if single else x
    x = x if dtype.kind == "f" else x.to(np.dtype("float32"))
    if data_format_arg(data_format, "image.resize") == "channels_last":
        x = x.permute(0, 3, 1, 2)
    rows, cols = (ns.from_numpy(_MATRICES[interpolation](n, int(m)).astype(x.dtype))
                  for n, m in zip(x.shape[2:], size))  # fmt: skip
    out = rows @ x @ cols.mT
    if data_format_arg(data_format, "image.resize") == "channels_last":
        out = out.permute(0, 2, 3, 1)
    out = out.squeeze(0) if single else out
    return out if dtype.kind == "f" else ns.round(out).to(dtype)
