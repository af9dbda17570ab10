"""VGG16 and VGG19 (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR 2015), built as Keras 3 builds them, without their ImageNet weights.

A VGG network is five blocks of 3x3 "same" convolutions with ReLU, each block ending in a 2x2
max pool that halves the image; the blocks have 64, 128, 256, 512 and 512 filters. VGG16 has
2, 2, 3, 3, 3 convolutions in its blocks, VGG19 2, 2, 4, 4, 4. On top, for classification:
``Flatten``, two ``Dense(4096, relu)`` ("fc1", "fc2") and ``Dense(classes)`` ("predictions").
Layer names ("block1_conv1" ... "block5_pool"), shapes and the order of the weights are
Keras's, so ``model.set_weights(keras_model.get_weights())`` copies a real Keras VGG in, and
``model.load_weights`` reads the legacy ``.h5`` weights files that Keras downloads.

Only ``weights=None`` builds: nnscratch works offline and downloads nothing. The full VGG16 has
138M float32 parameters (553 MB), VGG19 143M (575 MB); ``include_top=False`` keeps the 14.7M
(VGG16) or 20.0M (VGG19) of the convolutions.

>>> from nnscratch import keras
>>> model = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
>>> [layer.name for layer in model.layers][1:4]
['block1_conv1', 'block1_conv2', 'block1_pool']
>>> model.output.shape
(None, 1, 1, 512)
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from ...autograd.tensor import Tensor
from ..not_built import NotBuiltError
from ..utils.dtype_utils import is_keras_tensor

# The layers and models are imported where the model is built: ``keras/__init__.py`` imports
# this package before them, and importing them here would close an import cycle.

__all__ = ["VGG16", "VGG19", "preprocess_input"]

FILTERS = (64, 128, 256, 512, 512)  # per block
CONVS = {"VGG16": (2, 2, 3, 3, 3), "VGG19": (2, 2, 4, 4, 4)}  # convolutions per block
DEFAULT_SIZE, MIN_SIZE = 224, 32  # five 2x2 pools: a 32x32 image ends as 1x1
BGR_MEAN = (103.939, 116.779, 123.68)  # ImageNet's mean pixel, blue first ("caffe" mode)


def VGG16(  # noqa: N802 (Keras's name)
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="vgg16",
):
    """VGG16 as a functional ``keras.Model``: 13 convolutions, then (``include_top``) the
    3 dense layers. Pass ``weights=None``: pretrained weights are not downloaded.

    ``input_shape`` (height, width, 3) defaults to (224, 224, 3) with the top and to
    (None, None, 3) without it; height and width must be at least 32. ``pooling`` ("avg",
    "max" or None) applies without the top only. The input is expected as
    ``keras.applications.vgg16.preprocess_input`` makes it.
    """
    args = include_top, weights, input_tensor, input_shape, pooling, classes
    return _vgg("VGG16", *args, classifier_activation, name)


def VGG19(  # noqa: N802 (Keras's name)
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="vgg19",
):
    """VGG19 as a functional ``keras.Model``: 16 convolutions, then (``include_top``) the
    3 dense layers; the arguments are ``VGG16``'s.

    >>> from nnscratch import keras
    >>> vgg19 = keras.applications.VGG19(weights=None, include_top=False, pooling="avg")
    >>> vgg19.input.shape, vgg19.output.shape, len(vgg19.layers)
    ((None, None, None, 3), (None, 512), 23)
    """
    args = include_top, weights, input_tensor, input_shape, pooling, classes
    return _vgg("VGG19", *args, classifier_activation, name)


def _vgg(kind, include_top, weights, input_tensor, input_shape, pooling, classes, activation, name):
    """The network ``kind`` ("VGG16" or "VGG19"): arguments checked, then built."""
    from ..models import Model
    from ..utils.source_inputs import get_source_inputs

    where = f"keras.applications.{kind}"
    _check_weights(where, kind, weights, include_top)
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"{where}: expected pooling None, 'avg' or 'max', received {pooling!r}")
    image = _image_input(where, input_tensor, _image_shape(where, input_shape, include_top))
    x = _convolutions(image, CONVS[kind])
    x = _classifier(x, classes, activation) if include_top else _pool(x, pooling)
    inputs = image if input_tensor is None else get_source_inputs(input_tensor)
    return Model(inputs, x, name=name)


def _check_weights(where: str, kind: str, weights, include_top: bool) -> None:
    """``None`` passes; "imagenet" or a weights file is refused with the way to load them."""
    if weights is None:
        return
    if not (weights == "imagenet" or isinstance(weights, (str, os.PathLike))):
        raise ValueError(
            f"{where}: expected weights None, 'imagenet' or the path of a weights file, "
            f"received {weights!r}"
        )
    file = f"{kind.lower()}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    raise NotBuiltError(
        f"{where}: weights={weights!r} is not built: nnscratch works offline and does not "
        f"download or load pretrained weights here. Build the model with weights=None, then "
        f"load weights written by real Keras: model.load_weights('{file}') reads the legacy "
        f".h5 file that Keras downloads (into ~/.keras/models/), or any .h5 that Keras's "
        f"model.save('....h5') wrote; or copy them with model.set_weights(keras_model"
        f".get_weights()) (np.savez them once, then model.load_weights('....npz'))"
    )


def _image_shape(where: str, input_shape, include_top: bool) -> tuple:
    """``input_shape`` checked, or the default: (224, 224, 3) with the dense top (its first
    kernel is sized from the image), (None, None, 3) without."""
    if input_shape is None:
        return (DEFAULT_SIZE, DEFAULT_SIZE, 3) if include_top else (None, None, 3)
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(d is None or isinstance(d, int) for d in shape):
        raise ValueError(
            f"{where}: expected input_shape (height, width, channels), received {input_shape!r}"
        )
    if any(d is not None and d < MIN_SIZE for d in shape[:2]):
        raise ValueError(
            f"{where}: expected an image of at least {MIN_SIZE}x{MIN_SIZE}, "
            f"received input_shape={shape}"
        )
    if include_top and None in shape:
        raise ValueError(
            f"{where}: include_top=True needs a fixed input_shape (its Flatten "
            f"feeds a Dense layer), received input_shape={shape}"
        )
    if shape[2] not in (1, 3):
        warnings.warn(
            f"{where}: VGG expects 1 or 3 input channels, received input_shape={shape}",
            stacklevel=4,
        )
    return shape


def _image_input(where: str, input_tensor, shape: tuple):
    """A new ``Input`` of ``shape``, or the user's symbolic ``input_tensor``."""
    from ..layers import Input

    if input_tensor is None:
        return Input(shape=shape)
    if not is_keras_tensor(input_tensor):
        what = type(input_tensor).__name__
        raise ValueError(
            f"{where}: expected input_tensor to be a symbolic tensor (keras.Input or a layer's "
            f"output), received {what}"
        )
    return input_tensor


def _convolutions(x, convs: tuple):
    """The five blocks: ``convs[b]`` 3x3 same-padded ReLU convolutions, then a 2x2 pool."""
    from ..layers import Conv2D, MaxPooling2D

    for block, (filters, count) in enumerate(zip(FILTERS, convs), start=1):
        for conv in range(1, count + 1):
            name = f"block{block}_conv{conv}"
            x = Conv2D(filters, (3, 3), activation="relu", padding="same", name=name)(x)
        x = MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    return x


def _classifier(x, classes: int, activation):
    """The top: flatten the 7x7x512 map (at 224x224), two 4096-unit layers, the classes."""
    from ..layers import Dense, Flatten

    x = Flatten(name="flatten")(x)
    x = Dense(4096, activation="relu", name="fc1")(x)
    x = Dense(4096, activation="relu", name="fc2")(x)
    return Dense(classes, activation=activation, name="predictions")(x)


def _pool(x, pooling):
    """Without the top: the feature map as is, or averaged / maxed over the image."""
    from ..layers import GlobalAveragePooling2D, GlobalMaxPooling2D

    if pooling == "avg":
        return GlobalAveragePooling2D()(x)
    if pooling == "max":
        return GlobalMaxPooling2D()(x)
    return x


def preprocess_input(x, data_format=None):
    """Images as VGG was trained on them ("caffe" mode): channels RGB -> BGR, then ImageNet's
    mean pixel (B 103.939, G 116.779, R 123.68) subtracted; no scaling, so ``x`` holds pixel
    values in [0, 255].

    ``x`` is one image or a batch; integers become float32. A NumPy array gives a new NumPy
    array (unlike Keras, the caller's float array is left unchanged); a Tensor or a symbolic
    tensor gives one, through ``keras.ops``. ``data_format`` "channels_last" (the default) or
    "channels_first".

    >>> import numpy as np
    >>> preprocess_input(np.array([[[255, 0, 0]]], dtype=np.uint8))
    array([[[-103.939, -116.779,  131.32 ]]], dtype=float32)
    """
    data_format = "channels_last" if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "keras.applications.vgg16/vgg19.preprocess_input: expected data_format "
            f"'channels_last' or 'channels_first', received {data_format!r}"
        )
    if is_keras_tensor(x) or isinstance(x, Tensor):
        return _preprocess_tensor(x, data_format)
    x = np.asarray(x)
    x = x if x.dtype.kind == "f" else x.astype(np.float32)
    axis = _channel_axis(data_format, x.ndim)
    return np.flip(x, axis) - _mean_pixel(x.ndim, axis, x.dtype)


def _preprocess_tensor(x, data_format: str):
    from .. import ops  # (keras.ops imports the layers: imported when first needed)

    if "float" not in str(x.dtype):
        x = ops.cast(x, "float32")
    axis = _channel_axis(data_format, len(x.shape))
    return ops.subtract(ops.flip(x, axis), _mean_pixel(len(x.shape), axis, x.dtype))


def _channel_axis(data_format: str, ndim: int) -> int:
    """Channels last, or first: the first axis of one image, the second of a batch."""
    if data_format == "channels_last":
        return ndim - 1
    return 0 if ndim == 3 else 1


def _mean_pixel(ndim: int, axis: int, dtype) -> np.ndarray:
    shape = [1] * ndim
    shape[axis] = 3
    return np.asarray(BGR_MEAN, dtype=np.dtype(str(dtype))).reshape(shape)
