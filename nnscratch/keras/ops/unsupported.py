"""``keras.ops`` functions nnscratch cannot express: each raises ``NotImplementedError`` naming
itself and why, so keras.io code stops at a clear message rather than an ``AttributeError``.

>>> polar(1.0, 0.0)
Traceback (most recent call last):
...
NotImplementedError: keras.ops.polar: returns a complex tensor, and nnscratch has no complex dtype
"""

from __future__ import annotations

__all__ = ["polar", "view_as_complex", "view_as_real", "eig", "jvp"]

_COMPLEX = "returns a complex tensor, and nnscratch has no complex dtype"


def _refuse(name: str, why: str):
    raise NotImplementedError(f"keras.ops.{name}: {why}")


def polar(abs_, angle):
    """``abs_ * exp(i angle)``: complex, not built."""
    _refuse("polar", _COMPLEX)


def view_as_complex(x):
    """A ``(..., 2)`` real tensor seen as complex: not built."""
    _refuse("view_as_complex", _COMPLEX)


def view_as_real(x):
    """A complex tensor seen as ``(..., 2)`` reals: not built (no complex tensors exist)."""
    _refuse("view_as_real", "takes a complex tensor, and nnscratch has no complex dtype")


def eig(x):
    """Eigen-decomposition of a general matrix: complex in general, not built."""
    _refuse("eig", "general eigenvalues are complex, and nnscratch has no complex dtype")


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode derivative: not built (nnscratch differentiates in reverse mode only)."""
    _refuse("jvp", "forward-mode differentiation is not built (nnscratch has reverse mode only)")


# keras.ops.image functions that are not built: ``image.py`` exports them (not the top level).
_RESAMPLE = "resamples images at computed coordinates (interpolation by gathers), not built"


def _refuse_image(name: str, why: str):
    raise NotImplementedError(f"keras.ops.image.{name}: {why}")


def affine_transform(
    images,
    transform,
    interpolation="bilinear",
    fill_mode="constant",
    fill_value=0,
    data_format=None,
):
    """Images warped by 8-parameter affine transforms: not built."""
    _refuse_image("affine_transform", _RESAMPLE)


def perspective_transform(
    images, start_points, end_points, interpolation="bilinear", fill_value=0, data_format=None
):
    """Images warped by the homography moving 4 points: not built."""
    _refuse_image("perspective_transform", _RESAMPLE)


def elastic_transform(
    images,
    alpha=20.0,
    sigma=5.0,
    interpolation="bilinear",
    fill_mode="reflect",
    fill_value=0.0,
    seed=None,
    data_format=None,
):
    """Images displaced by a smoothed random field: not built."""
    _refuse_image("elastic_transform", _RESAMPLE)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """``inputs`` sampled at given coordinates (scipy's ``map_coordinates``): not built."""
    _refuse_image("map_coordinates", _RESAMPLE)


def scale_and_translate(
    images, output_shape, scale, translation, spatial_dims, method, antialias=True
):
    """Images scaled and shifted with a resampling kernel (JAX's): not built."""
    _refuse_image("scale_and_translate", _RESAMPLE)


def extract_patches_3d(
    volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None
):
    """Patches of 3-D volumes: not built (nnscratch's convolutions are 1-D and 2-D)."""
    _refuse_image("extract_patches_3d", "3-D convolutions are not built")


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Images blurred by a Gaussian kernel: not built."""
    _refuse_image("gaussian_blur", "not built; use keras.ops.depthwise_conv with a Gaussian kernel")


def sobel_edges(images, data_format=None):
    """Sobel gradients of images: not built."""
    _refuse_image("sobel_edges", "not built; use keras.ops.depthwise_conv with Sobel kernels")


def ssim(
    image1,
    image2,
    max_val=1.0,
    filter_size=11,
    filter_sigma=1.5,
    k1=0.01,
    k2=0.03,
    data_format=None,
):
    """Structural similarity of two images: not built."""
    _refuse_image("ssim", "not built")
