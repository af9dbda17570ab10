"""``keras.applications.VGG16`` / ``VGG19`` against real Keras 3 (torch backend): the same
layers, names, output shapes and weight shapes in order; with Keras's weights copied in, the
same features at every layer (the functional API guide's feature extractor) and the same
predictions. Small images (32x32, the smallest VGG takes) keep the models light; the full
224x224 VGG16 (138M parameters) is only built. Also ``vgg16/vgg19.preprocess_input`` ("caffe"
mode) and the refusals: pretrained weights, bad arguments, the models not built."""

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk
from tests.keras_ops_parity import require_keras
from tests.tolerance import assert_close

keras, _ = require_keras()
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

SMALL = {"weights": None, "input_shape": (32, 32, 3)}
# 16-19 float32 convolutions (and 3 dense layers) in a row, each summing up to 4608 products
# in another order than torch's: the rounding compounds past the one-op policy.
DEEP = {"rtol": 2e-5}


def _layers(model) -> list:
    """What a layer is, by layer: name, class, output shape, weight shapes in order."""
    return [
        (
            layer.name,
            type(layer).__name__,
            tuple(layer.output.shape),
            [tuple(w.shape) for w in layer.weights],
        )
        for layer in model.layers[1:]  # (the Input layers' automatic names differ)
    ]


def _images(n=2, size=32, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 255, (n, size, size, 3)).astype(np.float32)


def _twins(name, **kwargs):
    theirs = getattr(keras.applications, name)(**kwargs)
    ours = getattr(nk.applications, name)(**kwargs)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    return theirs, ours


def _predict(model, x) -> list:
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in out] if isinstance(out, list) else [np.asarray(out)]


@pytest.mark.parametrize("name", ["VGG16", "VGG19"])
def test_vgg_without_top_matches_keras_at_every_layer(name):
    """The guide's ``Model(vgg.input, [layer.output for layer in vgg.layers])``."""
    theirs, ours = _twins(name, include_top=False, **SMALL)
    assert _layers(ours) == _layers(theirs)
    assert ours.name == theirs.name == name.lower()
    assert ours.count_params() == theirs.count_params()
    extract = [
        lib.Model(inputs=m.input, outputs=[layer.output for layer in m.layers])
        for lib, m in ((nk, ours), (keras, theirs))
    ]
    x = nk.applications.vgg16.preprocess_input(_images())
    for got, want, layer in zip(*(_predict(m, x) for m in extract), theirs.layers, strict=True):
        assert_close(got, want, **DEEP, err_msg=layer.name)


@pytest.mark.parametrize("name", ["VGG16", "VGG19"])
def test_vgg_with_top_matches_keras(name):
    kwargs = {"classes": 10, **SMALL}
    theirs, ours = _twins(name, include_top=True, **kwargs)
    assert _layers(ours) == _layers(theirs)
    assert [layer.name for layer in ours.layers[-4:]] == ["flatten", "fc1", "fc2", "predictions"]
    x = nk.applications.vgg19.preprocess_input(_images(seed=1))
    assert_close(_predict(ours, x)[0], _predict(theirs, x)[0], **DEEP)


@pytest.mark.parametrize("pooling", ["avg", "max"])
def test_vgg_pooling_and_logits_match_keras(pooling):
    theirs, ours = _twins(
        "VGG16", include_top=False, pooling=pooling, weights=None, input_shape=(64, 64, 3)
    )
    assert _layers(ours)[:-1] == _layers(theirs)[:-1]  # (the pool's automatic name differs)
    assert [type(m.layers[-1]).__name__ for m in (ours, theirs)] == [
        f"Global{'Average' if pooling == 'avg' else 'Max'}Pooling2D"
    ] * 2
    x = _images(size=64, seed=2) - 128.0  # (a bigger image: 2x2 at the end, a real pooling)
    assert_close(_predict(ours, x)[0], _predict(theirs, x)[0], **DEEP)
    theirs, ours = _twins(
        "VGG16",
        include_top=True,
        classes=3,
        classifier_activation=None,
        weights=None,
        input_shape=(48, 40, 3),
    )
    x = _images(size=48, seed=3)[:, :, :40] - 128.0
    assert_close(_predict(ours, x)[0], _predict(theirs, x)[0], **DEEP)


def test_vgg_on_an_input_tensor_and_default_shapes_match_keras():
    image = {lib: lib.Input(shape=(40, 40, 3), name="image") for lib in (nk, keras)}
    models = {
        lib: lib.applications.VGG19(weights=None, include_top=False, input_tensor=image[lib])
        for lib in (nk, keras)
    }
    assert models[nk].inputs[0] is image[nk]
    assert type(models[nk].input) is type(models[keras].input) is list  # Keras's, with a tensor
    assert _layers(models[nk]) == _layers(models[keras])
    for kwargs in ({"include_top": False}, {"include_top": False, "pooling": "avg"}):
        ours, theirs = (
            nk.applications.VGG16(weights=None, **kwargs),
            keras.applications.VGG16(weights=None, **kwargs),
        )
        assert tuple(ours.input.shape) == tuple(theirs.input.shape) == (None, None, None, 3)
        assert tuple(ours.output.shape) == tuple(theirs.output.shape)


@pytest.mark.slow  # 138M float32 parameters: about 4 s and 1.4 GB to build
def test_full_vgg16_builds_as_keras_describes_it():
    model = nk.applications.VGG16(weights=None)
    assert model.count_params() == 138_357_544  # the figure of Keras's applications table
    assert tuple(model.input.shape) == (None, 224, 224, 3)
    fc1 = model.get_layer("fc1")
    assert tuple(fc1.input.shape) == (None, 7 * 7 * 512) and fc1.units == 4096
    assert tuple(model.output.shape) == (None, 1000)


@pytest.mark.parametrize("module", ["vgg16", "vgg19"])
@pytest.mark.parametrize("data_format", [None, "channels_first"])
def test_preprocess_input_matches_keras(module, data_format):
    ours = getattr(nk.applications, module).preprocess_input
    theirs = getattr(keras.applications, module).preprocess_input
    rng = np.random.default_rng(4)
    for x in (
        rng.integers(0, 256, (2, 3, 4, 3), dtype=np.uint8),
        rng.uniform(0, 255, (3, 4, 3)).astype(np.float32),
        rng.uniform(0, 255, (2, 3, 4, 3)),
    ):
        copy = x.copy()
        got = ours(x, data_format=data_format)
        want = theirs(x.copy(), data_format=data_format)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)  # one subtraction, correctly rounded
        np.testing.assert_array_equal(x, copy)  # (Keras changes a float array in place)
        tensor = ours(ns.tensor(x), data_format=data_format)
        np.testing.assert_array_equal(np.asarray(tensor.numpy()), want)


def test_preprocess_input_inside_a_functional_model():
    inputs = nk.Input(shape=(4, 4, 3))
    model = nk.Model(inputs, nk.applications.vgg16.preprocess_input(inputs))
    x = _images(size=4)
    want = keras.applications.vgg16.preprocess_input(x.copy())
    np.testing.assert_array_equal(model.predict(x, verbose=0), want)


def test_pretrained_weights_are_refused_saying_how_to_load_keras_weights(tmp_path):
    refusal = r"VGG19: weights='imagenet'.*offline.*weights=None.*kernels_notop\.h5"
    with pytest.raises(NotImplementedError, match=refusal):
        nk.applications.VGG19(include_top=False)
    path = tmp_path / "vgg16.h5"
    with pytest.raises(NotImplementedError, match="VGG16.*load_weights"):
        nk.applications.VGG16(weights=str(path))
    with pytest.raises(ValueError, match="VGG16: expected weights None, 'imagenet'"):
        nk.applications.VGG16(weights=3)


def test_the_weights_file_keras_downloads_loads_into_a_vgg(tmp_path):
    """What the refusal tells the user to do: a legacy ``.h5`` of a Keras VGG, loaded."""
    pytest.importorskip("h5py")
    theirs = keras.applications.VGG16(include_top=False, **SMALL)
    path = str(tmp_path / "vgg16_notop.h5")
    theirs.save(path)
    ours = nk.applications.VGG16(include_top=False, **SMALL)
    ours.load_weights(path)
    for got, want in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_array_equal(got, np.asarray(want))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_shape": (16, 32, 3)}, r"VGG16: expected an image of at least 32x32"),
        ({"input_shape": (32, 32)}, r"VGG16: expected input_shape \(height, width, channels\)"),
        ({"input_shape": (None, 32, 3), "include_top": True}, "needs a fixed input_shape"),
        ({"pooling": "sum", "include_top": False}, "VGG16: expected pooling None, 'avg' or"),
        ({"input_tensor": np.zeros((1, 32, 32, 3))}, "expected input_tensor to be a symbolic"),
    ],
)
def test_bad_arguments_are_refused_naming_the_model(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nk.applications.VGG16(weights=None, **kwargs)


def test_other_models_and_decode_predictions_stay_refused_by_name():
    for name in ("ResNet50", "MobileNetV2", "resnet"):
        with pytest.raises(NotImplementedError, match=f"keras.applications.{name}"):
            getattr(nk.applications, name)
    with pytest.raises(NotImplementedError, match="vgg16.decode_predictions"):
        nk.applications.vgg16.decode_predictions  # noqa: B018
    assert not hasattr(nk.applications, "ResNet50")
    with pytest.raises(ValueError, match="preprocess_input: expected data_format"):
        nk.applications.vgg19.preprocess_input(np.zeros((1, 2, 2, 3)), data_format="nhwc")
