"""``keras.ops.image`` colour conversions: RGB to grayscale, and RGB to HSV and back.

Grayscale is the luma sum ``0.2989 R + 0.587 G + 0.114 B`` (ITU-R 601 weights, as torchvision
and Keras's torch backend use), cast back to the images' dtype. HSV holds hue, saturation and
value in ``[0, 1]``: ``V = max(R, G, B)``, ``S = (V - min) / V`` and the hue measured from red
(1/3 green, 2/3 blue) by which channel is largest, red first on ties. Inputs must be floats in
``[0, 1]`` for HSV. All are differentiable away from the hue's branch edges.

>>> import numpy as np
>>> rgb_to_hsv(np.array([[[0.0, 0.5, 1.0]]]))[0, 0].numpy().round(4).tolist()
[0.5833, 1.0, 1.0]
>>> hsv_to_rgb(np.array([[[0.5833333, 1.0, 1.0]]]))[0, 0].numpy().round(4).tolist()
[0.0, 0.5, 1.0]
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch.autograd.tensor import Tensor

from .arguments import data_format_arg, tensor_arg
from .symbolic import symbolic

__all__ = ["rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb"]

_LUMA = (0.2989, 0.587, 0.114)


def _planes(images, name: str, data_format, floats: bool) -> tuple[Tensor, int]:
    """The images and their channel axis, after the checks Keras makes."""
    x = tensor_arg(images, f"image.{name}", "images")
    if x.ndim not in (3, 4):
        raise ValueError(
            f"keras.ops.image.{name}: expected images of rank 3 (one image) or 4 (a batch), "
            f"received shape {tuple(x.shape)}"
        )
    if floats and x.dtype.kind != "f":
        raise ValueError(f"keras.ops.image.{name}: expected float images, received {x.dtype}")
    last = data_format_arg(data_format, f"image.{name}") == "channels_last"
    return x, (x.ndim - 1 if last else x.ndim - 3)


@symbolic
def rgb_to_grayscale(images, data_format=None) -> Tensor:
    """One luma channel from three RGB channels (one channel stays as it is)."""
    x, axis = _planes(images, "rgb_to_grayscale", data_format, floats=False)
    if x.shape[axis] not in (1, 3):
        raise ValueError(
            "keras.ops.image.rgb_to_grayscale: expected 3 (RGB) or 1 (grayscale) channels, "
            f"received shape {tuple(x.shape)}"
        )
    if x.shape[axis] == 1:
        return x.clone()
    r, g, b = ns.unbind(x if x.dtype.kind == "f" else x.to(np.dtype("float32")), axis)
    luma = r * _LUMA[0] + g * _LUMA[1] + b * _LUMA[2]
    return luma.to(x.dtype).unsqueeze(axis)


@symbolic
def rgb_to_hsv(images, data_format=None) -> Tensor:
    """Hue, saturation and value from float RGB in ``[0, 1]``."""
    x, axis = _planes(images, "rgb_to_hsv", data_format, floats=True)
    tiny = np.finfo(x.dtype).eps
    x = ns.where(ns.abs(x) < tiny, ns.zeros_like(x), x)  # (specks of -0 or 1e-20 read as 0)
    r, g, b = ns.unbind(x, axis)
    value = ns.maximum(ns.maximum(r, g), b)
    spread = value - ns.minimum(ns.minimum(r, g), b)
    saturation = ns.where(value > 0, spread / ns.where(value > 0, value, 1.0), 0.0)
    sixth = 1.0 / (6.0 * ns.where(spread > 0, spread, 1.0))
    hue = ns.where(value == g, (b - r) * sixth + 1.0 / 3.0, (r - g) * sixth + 2.0 / 3.0)
    hue = ns.where(value == r, (g - b) * sixth, hue)
    hue = ns.where(spread > 0, hue, 0.0)
    hue = hue + (hue < 0).to(hue.dtype)  # red's hue wraps from -1/6..0 to 5/6..1
    return ns.stack([hue, saturation, value], axis)


@symbolic
def hsv_to_rgb(images, data_format=None) -> Tensor:
    """Float RGB from hue, saturation and value: each channel is ``V (1 - S + S f(6H))`` with
    ``f`` the channel's trapezoid over the hue circle."""
    x, axis = _planes(images, "hsv_to_rgb", data_format, floats=True)
    hue, saturation, value = ns.unbind(x, axis)
    h6 = ns.remainder(hue, 1.0) * 6.0
    ramps = (
        ns.clamp(ns.abs(h6 - 3.0) - 1.0, 0.0, 1.0),
        ns.clamp(2.0 - ns.abs(h6 - 2.0), 0.0, 1.0),
        ns.clamp(2.0 - ns.abs(h6 - 4.0), 0.0, 1.0),
    )
    return ns.stack([value * (1.0 - saturation + saturation * ramp) for ramp in ramps], axis)
