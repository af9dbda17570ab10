"""``keras.ops.image`` (resize, crop_images, pad_images, extract_patches, rgb_to_grayscale,
rgb_to_hsv, hsv_to_rgb) and ``keras.ops.rearrange`` against real Keras 3 (torch backend):
values, dtypes and input gradients, row by row (``tests/keras_ops_parity.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from keras_ops_parity import Row, check_row, numbered, require_keras

from nnscratch.keras import ops

rng = np.random.default_rng(5)


def f64(*shape):
    return rng.standard_normal(shape)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _resize(size, **options):
    return lambda o, x: o.image.resize(x, size, **options)


IMAGE_ROWS = numbered(
    [
        Row("image.resize", (f64(2, 5, 7, 3),), call=_resize((8, 4))),
        Row("image.resize", (f64(5, 7, 2),), call=_resize((3, 11))),
        Row("image.resize", (f64(2, 5, 7, 3),), call=_resize((10, 14), interpolation="nearest")),
        Row("image.resize", (f32(1, 2, 6, 5),), call=_resize((4, 9), data_format="channels_first")),
        Row(
            "image.resize",
            (rng.uniform(0, 255, (5, 7, 3)).astype(np.uint8),),
            call=_resize((8, 4)),
            grad=False,
            why="integers: rounded back to uint8",
        ),  # fmt: skip
    ]
)


@pytest.mark.parametrize("row", IMAGE_ROWS, ids=lambda r: r.id)
def test_image_parity_with_keras(row):
    check_row(row)


REARRANGE_ROWS = numbered(
    [
        Row("rearrange", (f64(2, 6, 3), "b (h w) c -> b h w c"), {"h": 2}),
        Row("rearrange", (f64(2, 3, 4, 5), "b h w c -> b (h w) c")),
        Row("rearrange", (f64(2, 3, 4), "a b c -> c (a b)")),
        Row("rearrange", (f32(4, 6), "(a b) (c d) -> (d a) (b c)"), {"a": 2, "c": 3}),
    ]
)


@pytest.mark.parametrize("row", REARRANGE_ROWS, ids=lambda r: r.id)
def test_rearrange_parity_with_keras(row):
    check_row(row)


def test_rearrange_errors_name_it():
    from nnscratch.keras.ops import einops

    assert ops.rearrange is einops.rearrange
    with pytest.raises(ValueError, match="keras.ops.rearrange: pattern 'a b' has no '->'"):
        ops.rearrange(np.ones((2, 3)), "a b")
    with pytest.raises(ValueError, match="keras.ops.rearrange: cannot split axis of size 5"):
        ops.rearrange(np.ones((5, 3)), "(a b) c -> a b c", a=2)
    with pytest.raises(ValueError, match="keras.ops.rearrange: pattern 'a -> a' names 1 input"):
        ops.rearrange(np.ones((5, 3)), "a -> a")


def test_image_resize_is_exported_and_refuses_what_is_not_built():
    from nnscratch.keras.ops import image

    assert ops.image.resize is image.resize and image.__all__[0] == "resize"
    with pytest.raises(
        NotImplementedError, match="keras.ops.image.resize: interpolation 'bicubic'"
    ):
        ops.image.resize(np.ones((2, 2, 1)), (3, 3), interpolation="bicubic")
    with pytest.raises(ValueError, match="keras.ops.image.resize: expected images of rank 3 or 4"):
        ops.image.resize(np.ones((2, 2)), (3, 3))


def u(*shape, low=0.0, high=1.0, dtype=np.float64):
    return rng.uniform(low, high, shape).astype(dtype)


def _image(name, *args, **options):
    return lambda o, x: getattr(o.image, name)(x, *args, **options)


MORE_IMAGE_ROWS = numbered(
    [
        Row(
            "image.crop_images",
            (f64(2, 6, 7, 3),),
            call=_image("crop_images", 1, 2, None, None, 3, 4),
        ),
        Row(
            "image.crop_images", (f64(6, 7, 2),), call=_image("crop_images", None, None, 2, 1, 3, 4)
        ),
        Row(
            "image.crop_images",
            (f32(2, 2, 6, 7),),
            call=_image("crop_images", 1, 2, 1, 3, data_format="channels_first"),
        ),
        Row(
            "image.crop_images",
            (rng.integers(0, 255, (5, 5, 3)).astype(np.uint8),),
            call=_image("crop_images", 0, 1, None, 1, 2, None),
            grad=False,
            why="integers",
        ),
        Row(
            "image.pad_images",
            (f64(2, 3, 4, 3),),
            call=_image("pad_images", 1, 2, None, None, 6, 7),
        ),
        Row("image.pad_images", (f64(3, 4, 2),), call=_image("pad_images", None, None, 2, 1, 6, 5)),
        Row(
            "image.pad_images",
            (f32(2, 2, 3, 4),),
            call=_image("pad_images", 0, 2, 1, 0, data_format="channels_first"),
        ),
        Row("image.extract_patches", (f64(2, 6, 6, 3),), call=_image("extract_patches", 2)),
        Row(
            "image.extract_patches",
            (f64(5, 7, 2),),
            call=_image("extract_patches", (2, 3), strides=1, padding="same"),
        ),
        Row(
            "image.extract_patches",
            (f32(2, 3, 7, 6),),
            call=_image("extract_patches", (3, 2), strides=(2, 1), data_format="channels_first"),
        ),
        Row(
            "image.extract_patches",
            (f64(1, 7, 7, 1),),
            call=_image("extract_patches", 2, strides=1, dilation_rate=2),
        ),
        Row("image.rgb_to_grayscale", (u(2, 4, 5, 3),), call=_image("rgb_to_grayscale")),
        Row(
            "image.rgb_to_grayscale",
            (u(2, 3, 4, 5, dtype=np.float32),),
            call=_image("rgb_to_grayscale", data_format="channels_first"),
        ),
        Row("image.rgb_to_grayscale", (u(4, 5, 1),), call=_image("rgb_to_grayscale")),
        Row(
            "image.rgb_to_grayscale",
            (rng.integers(0, 255, (4, 5, 3)).astype(np.uint8),),
            call=_image("rgb_to_grayscale"),
            grad=False,
            why="integers: truncated back to uint8",
        ),
        Row("image.rgb_to_hsv", (u(2, 4, 5, 3),), call=_image("rgb_to_hsv")),
        Row(
            "image.rgb_to_hsv",
            (u(3, 4, 5, dtype=np.float32),),
            call=_image("rgb_to_hsv", data_format="channels_first"),
        ),
        Row("image.hsv_to_rgb", (u(2, 4, 5, 3, low=-1.0, high=2.0),), call=_image("hsv_to_rgb")),
        Row(
            "image.hsv_to_rgb",
            (u(2, 3, 4, 5, dtype=np.float32),),
            call=_image("hsv_to_rgb", data_format="channels_first"),
        ),
    ]
)


@pytest.mark.parametrize("row", MORE_IMAGE_ROWS, ids=lambda r: r.id)
def test_more_image_parity_with_keras(row):
    check_row(row)


def test_hsv_round_trip_and_a_grey_pixel():
    rgb = u(3, 4, 3)
    back = ops.image.hsv_to_rgb(ops.image.rgb_to_hsv(rgb)).numpy()
    np.testing.assert_allclose(back, rgb, rtol=1e-12, atol=1e-12)
    grey = ops.image.rgb_to_hsv(np.full((1, 1, 3), 0.5)).numpy()
    assert grey.tolist() == [[[0.0, 0.0, 0.5]]]


def test_crop_and_pad_errors_name_the_function():
    x = np.ones((4, 4, 1))
    with pytest.raises(ValueError, match="keras.ops.image.crop_images: give exactly two of"):
        ops.image.crop_images(x, 1, 1, 1, 1, 1, 1)
    with pytest.raises(ValueError, match="keras.ops.image.pad_images: top_padding must be >= 0"):
        ops.image.pad_images(x, -1, 0, 0, 0)
    with pytest.raises(ValueError, match="keras.ops.image.crop_images: expected images of rank"):
        ops.image.crop_images(np.ones((4, 4)), 1, 1, 1, 1)
    with pytest.raises(ValueError, match="keras.ops.image.rgb_to_hsv: expected float images"):
        ops.image.rgb_to_hsv(np.ones((2, 2, 3), np.uint8))


NOT_BUILT = {
    "affine_transform": lambda i: i.affine_transform(np.ones((2, 2, 1)), np.zeros(8)),
    "perspective_transform": lambda i: i.perspective_transform(np.ones((2, 2, 1)), 0, 0),
    "elastic_transform": lambda i: i.elastic_transform(np.ones((2, 2, 1))),
    "map_coordinates": lambda i: i.map_coordinates(np.ones((2, 2)), np.zeros((2, 1)), 1),
    "scale_and_translate": lambda i: i.scale_and_translate(
        np.ones((2, 2)), (4, 4), 2, 0, (0, 1), "linear"
    ),
    "extract_patches_3d": lambda i: i.extract_patches_3d(np.ones((2, 2, 2, 1)), 2),
    "gaussian_blur": lambda i: i.gaussian_blur(np.ones((2, 2, 1))),
    "sobel_edges": lambda i: i.sobel_edges(np.ones((2, 2, 1))),
    "ssim": lambda i: i.ssim(np.ones((2, 2, 1)), np.ones((2, 2, 1))),
}


@pytest.mark.parametrize("name", sorted(NOT_BUILT))
def test_image_functions_not_built_raise_naming_themselves(name):
    with pytest.raises(NotImplementedError, match=f"keras.ops.image.{name}:"):
        NOT_BUILT[name](ops.image)


def test_every_keras_ops_image_name_resolves():
    keras, _ = require_keras()
    names = {n for n in dir(keras.ops.image) if not n.startswith("_")}
    assert not names - set(dir(ops.image))
