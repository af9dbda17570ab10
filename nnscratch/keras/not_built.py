"""The Keras names that nnscratch does not build, and why.

``from nnscratch import keras`` should run the code people already have; where it cannot, the
user meets a ``NotImplementedError`` that names the feature and says why (and, where there is
one, what to do instead), never a bare ``AttributeError`` on a name that Keras has.
``docs/keras-coverage.md`` lists every name of ``keras.ops``, ``keras.layers``,
``keras.losses``, ``keras.metrics``, ``keras.callbacks``, ``keras.utils`` and ``keras.random``
with its status; the "no" rows are the entries below.

Each of those packages ends with ``def __getattr__(name): return refuse("<package>", name)``:
Python calls it only for a name the package does not have.

>>> from nnscratch import keras
>>> keras.layers.Conv3D
Traceback (most recent call last):
...
nnscratch.keras.not_built.NotBuiltError: keras.layers.Conv3D: 3-D convolution is not built; \
nnscratch's convolutions and pools are 1-D and 2-D
>>> hasattr(keras.layers, "Conv3D")  # an AttributeError too, so hasattr() stays quiet
False
"""

from __future__ import annotations

__all__ = ["NotBuiltError", "REASONS", "refuse", "refuse_every"]


class NotBuiltError(NotImplementedError, AttributeError):
    """A Keras name nnscratch does not build. A ``NotImplementedError``, as the coverage page
    promises, and an ``AttributeError``, so that ``hasattr`` and ``getattr(obj, name, None)``
    keep working for code that probes for a feature."""


_THREE_D = "3-D {what} is not built; nnscratch's convolutions and pools are 1-D and 2-D"
_FRAMEWORK = "it wraps another framework's model, and nnscratch never imports one"
_AUGMENT = (
    "image augmentation and resizing layers are not built; transform the arrays with NumPy "
    "before fit (or in a PyDataset's __getitem__)"
)
_STRINGS = (
    "lookup and hashing layers are not built (nnscratch has no string tensors); map the "
    "categories to integer ids with Python or NumPy before fit, then use Embedding or "
    "CategoryEncoding"
)
_COMPLEX = "it needs complex numbers (an FFT), and nnscratch has no complex dtype"
_CELLS = (
    "RNN cells and the generic RNN wrapper are not built; use the LSTM, GRU and SimpleRNN "
    "layers (with Bidirectional for both directions)"
)
_DATASETS = (
    "reading a directory of files into a dataset is not built; load the files into NumPy "
    "arrays (or write a keras.utils.PyDataset) and pass those to fit"
)
_IMAGES = "image files need an imaging library; read them with Pillow into NumPy arrays"


def _three_d(what: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, _THREE_D.format(what=what))


# package -> name -> why it is not built (and what to do instead).
REASONS: dict[str, dict[str, str]] = {
    "layers": {
        **_three_d("convolution", "Conv3D", "Convolution3D", "Conv3DTranspose",
                   "Convolution3DTranspose", "ConvLSTM3D"),
        **_three_d("pooling", "AveragePooling3D", "AvgPool3D", "MaxPooling3D", "MaxPool3D",
                   "GlobalAveragePooling3D", "GlobalAvgPool3D", "GlobalMaxPooling3D",
                   "GlobalMaxPool3D", "AdaptiveAveragePooling3D", "AdaptiveMaxPooling3D"),
        **_three_d("resizing", "UpSampling3D", "ZeroPadding3D", "Cropping3D"),
        **dict.fromkeys(
            ["TorchModuleWrapper", "JaxLayer", "FlaxLayer", "TFSMLayer"], _FRAMEWORK
        ),
        **dict.fromkeys(
            ["AugMix", "AutoContrast", "CenterCrop", "ContrastLimitedAdaptiveHistogramEqualization",
             "CutMix", "Equalization", "MaxNumBoundingBoxes", "MixUp", "Pipeline", "RandAugment",
             "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomContrast",
             "RandomCrop", "RandomElasticTransform", "RandomErasing", "RandomFlip",
             "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert",
             "RandomPerspective", "RandomPosterization", "RandomRotation", "RandomSaturation",
             "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom", "Resizing",
             "Solarization"],
            _AUGMENT,
        ),
        **dict.fromkeys(
            ["HashedCrossing", "Hashing", "IntegerLookup", "StringLookup", "TextVectorization"],
            _STRINGS,
        ),
        **dict.fromkeys(["MelSpectrogram", "STFTSpectrogram"], _COMPLEX),
        **dict.fromkeys(
            ["GRUCell", "LSTMCell", "SimpleRNNCell", "StackedRNNCells", "RNN"], _CELLS
        ),
        "ConvLSTM1D": "convolutional LSTMs are not built; use Conv1D/Conv2D and LSTM layers",
        "ConvLSTM2D": "convolutional LSTMs are not built; use Conv1D/Conv2D and LSTM layers",
        "GroupQueryAttention": "grouped-query attention is not built; MultiHeadAttention is",
        "EinsumDense": "EinsumDense is not built; write a layer whose call uses keras.ops.einsum",
        "ReversibleEmbedding": "ReversibleEmbedding is not built; Embedding is",
        "SpectralNormalization": "spectral normalization is not built (it needs a power "
        "iteration on the kernel during training)",
        "InputSpec": "input specs are not built; check shapes in your layer's build()",
        "Wrapper": "the Wrapper base class is not built; subclass keras.layers.Layer and call "
        "the wrapped layer in call()",
    },
    "callbacks": {
        "RemoteMonitor": "it posts logs to a server, and nnscratch never uses the network "
        "during training",
        "OrbaxCheckpoint": "Orbax is JAX's checkpoint library; use ModelCheckpoint",
        "SwapEMAWeights": "the optimizers do not keep an exponential moving average "
        "(use_ema is refused)",
    },
    "utils": {
        **dict.fromkeys(
            ["audio_dataset_from_directory", "image_dataset_from_directory",
             "text_dataset_from_directory"],
            _DATASETS,
        ),
        **dict.fromkeys(["load_img", "save_img", "img_to_array", "array_to_img"], _IMAGES),
        "FeatureSpace": "FeatureSpace is not built; preprocess structured data with NumPy "
        "(or the Normalization, Discretization and CategoryEncoding layers)",
        "bounding_boxes": "bounding-box utilities are not built",
    },
}  # fmt: skip


def refuse(package: str, name: str):
    """Raise ``NotBuiltError`` for a Keras name listed in ``REASONS[package]``, and Python's
    usual ``AttributeError`` for any other missing name (a typo is not a missing feature)."""
    reason = REASONS.get(package, {}).get(name)
    if reason is None:
        raise AttributeError(f"module 'nnscratch.keras.{package}' has no attribute {name!r}")
    raise NotBuiltError(f"keras.{package}.{name}: {reason}")


def refuse_every(module: str, reason: str):
    """A module ``__getattr__`` that refuses every missing name with ``reason``: for a
    namespace nnscratch builds almost none of (``keras.applications``), where a table of
    reasons would list the whole zoo. Dunder names get Python's usual ``AttributeError``
    (tools probe modules for them)."""

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        raise NotBuiltError(f"{module}.{name}: {reason}")

    return __getattr__
