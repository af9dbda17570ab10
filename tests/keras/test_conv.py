"""Conv1D, Conv2D and Conv2DTranspose against real Keras 3 (torch backend): the same weights
give the same outputs, input and weight gradients and output shapes over a grid of options;
summaries and a short training run of small CNNs match; bad inputs fail naming the layer."""

import os

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
torch = require_torch()

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ATOL = 1e-5


def _input_shape(rank: int, channels: int, spatial: tuple, kwargs: dict) -> tuple:
    spatial = spatial[:rank]
    if kwargs.get("data_format") == "channels_first":
        return (2, channels, *spatial)
    return (2, *spatial, channels)


def _check_against_keras(name: str, args: tuple, kwargs: dict, shape: tuple, rng) -> None:
    """Same weights in; outputs, gradients (input and weights) and output shapes equal."""
    theirs = getattr(keras.layers, name)(*args, **kwargs)
    ours = getattr(nk.layers, name)(*args, **kwargs)
    x = rng.standard_normal(shape).astype(np.float32)
    x_theirs = torch.tensor(x, requires_grad=True)
    y_theirs = theirs(x_theirs)
    ours.build(shape)
    ours.set_weights(theirs.get_weights())
    x_ours = ns.tensor(x, requires_grad=True)
    y_ours = ours(x_ours)
    expected = y_theirs.detach().numpy()
    assert y_ours.shape == expected.shape
    np.testing.assert_allclose(y_ours.detach().numpy(), expected, rtol=1e-5, atol=ATOL)

    g = rng.standard_normal(expected.shape).astype(np.float32)
    (y_theirs * torch.tensor(g)).sum().backward()
    (y_ours * ns.tensor(g)).sum().backward()
    np.testing.assert_allclose(x_ours.grad.numpy(), x_theirs.grad.numpy(), atol=1e-4)
    assert len(ours.weights) == len(theirs.weights)
    for mine, reference in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(mine.grad.numpy(), reference.value.grad.numpy(), atol=1e-4)

    unbatched = (None, *shape[1:])
    assert ours.compute_output_shape(unbatched) == tuple(theirs.compute_output_shape(unbatched))
    assert (
        nk.Sequential([nk.Input(shape[1:]), getattr(nk.layers, name)(*args, **kwargs)]).output_shape
        == unbatched[:1] + expected.shape[1:]
    )


# ---- outputs, gradients and shapes over a grid of options --------------------------------------
CONV2D = [
    {"kernel_size": 3},
    {"kernel_size": (2, 3), "strides": 2, "padding": "same"},  # odd sizes: uneven padding
    {"kernel_size": 3, "strides": 2, "padding": "same", "activation": "relu"},
    {"kernel_size": 2, "strides": 2, "padding": "same"},
    {"kernel_size": 2, "padding": "same"},  # stride 1, even kernel: the extra pixel after
    {"kernel_size": 3, "strides": (1, 2)},
    {"kernel_size": 3, "dilation_rate": 2, "padding": "same"},
    {"kernel_size": (3, 2), "dilation_rate": (2, 1), "use_bias": False},
    {"kernel_size": 3, "groups": 2, "padding": "same"},
    {"kernel_size": 1, "groups": 4, "filters": 8},
    {"kernel_size": 3, "strides": 2, "padding": "same", "data_format": "channels_first"},
    {
        "kernel_size": 4,
        "strides": 3,
        "padding": "same",
        "groups": 2,
        "data_format": "channels_first",
        "use_bias": False,
    },
    {
        "kernel_size": (2, 4),
        "dilation_rate": 2,
        "data_format": "channels_first",
        "activation": "tanh",
    },
]


@pytest.mark.parametrize("kwargs", CONV2D, ids=str)
def test_conv2d_matches_keras(kwargs, rng):
    kwargs = dict(kwargs)
    filters = kwargs.pop("filters", 6)
    shape = _input_shape(2, 4, (7, 8), kwargs)
    _check_against_keras("Conv2D", (filters,), kwargs, shape, rng)


CONV1D = [
    {"kernel_size": 3},
    {"kernel_size": 3, "strides": 2, "padding": "same"},
    {"kernel_size": 2, "strides": 2, "padding": "same", "activation": "relu"},
    {"kernel_size": 4, "padding": "same"},
    {"kernel_size": 3, "padding": "causal"},
    {"kernel_size": 3, "strides": 2, "padding": "causal"},
    {"kernel_size": 2, "padding": "causal", "dilation_rate": 3},
    {"kernel_size": 3, "dilation_rate": 2, "groups": 2},
    {"kernel_size": 3, "strides": 3, "padding": "same", "data_format": "channels_first"},
    {"kernel_size": 2, "padding": "causal", "data_format": "channels_first", "use_bias": False},
]


@pytest.mark.parametrize("kwargs", CONV1D, ids=str)
def test_conv1d_matches_keras(kwargs, rng):
    shape = _input_shape(1, 4, (9,), kwargs)
    _check_against_keras("Conv1D", (6,), kwargs, shape, rng)


CONV2D_TRANSPOSE = [
    {"kernel_size": 3},
    {"kernel_size": 3, "strides": 2, "padding": "same"},  # the padding split unevenly
    {"kernel_size": 2, "strides": 2, "padding": "same"},
    {"kernel_size": 4, "strides": 2, "padding": "same"},
    {"kernel_size": 3, "strides": 2},
    {"kernel_size": 1, "strides": 3},  # kernel smaller than the stride: zeros at the end
    {"kernel_size": (3, 2), "strides": (2, 3), "padding": "same", "output_padding": (1, 2)},
    {"kernel_size": 3, "strides": 2, "output_padding": 1, "activation": "relu"},
    {"kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 0},
    {"kernel_size": 3, "dilation_rate": 2, "padding": "same"},
    {"kernel_size": 2, "dilation_rate": (1, 2)},
    {
        "kernel_size": 3,
        "strides": 2,
        "padding": "same",
        "data_format": "channels_first",
        "use_bias": False,
    },
    {"kernel_size": (2, 3), "strides": 3, "data_format": "channels_first", "output_padding": 2},
]


@pytest.mark.parametrize("kwargs", CONV2D_TRANSPOSE, ids=str)
def test_conv2d_transpose_matches_keras(kwargs, rng):
    shape = _input_shape(2, 3, (4, 5), kwargs)
    _check_against_keras("Conv2DTranspose", (2,), kwargs, shape, rng)


def test_kernels_have_keras_layouts_and_unknown_sizes_give_none():
    layers = {
        "Conv1D": nk.layers.Conv1D(6, 3, groups=2),
        "Conv2D": nk.layers.Conv2D(6, (3, 2), groups=3),
        "Conv2DTranspose": nk.layers.Conv2DTranspose(5, (3, 2)),
    }
    shapes = {
        "Conv1D": (None, None, 4),
        "Conv2D": (None, None, 7, 6),
        "Conv2DTranspose": (None, 4, None, 3),
    }
    for name, layer in layers.items():
        theirs = getattr(keras.layers, name).from_config(layer.get_config())
        theirs.build(shapes[name])
        layer.build(shapes[name])
        assert [w.shape for w in layer.weights] == [tuple(w.shape) for w in theirs.weights]
        expected = theirs.compute_output_shape(shapes[name])
        assert layer.compute_output_shape(shapes[name]) == tuple(expected)


# ---- whole models: summary, parameter counts, training -----------------------------------------
def _cnn(lib):
    L = lib.layers
    return lib.Sequential(
        [
            L.Input((9, 9, 2)),
            L.Conv2D(4, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(6, 2, strides=2, padding="same", activation="relu"),
            L.GlobalAveragePooling2D(),
            L.Dense(3, activation="softmax"),
        ]
    )


def _cnn1d(lib):
    L = lib.layers
    return lib.Sequential(
        [
            L.Input((12, 3)),
            L.Conv1D(4, 3, padding="causal", activation="relu"),
            L.MaxPooling1D(),
            L.Conv1D(5, 2, strides=2, padding="same", groups=1),
            L.GlobalMaxPooling1D(),
            L.Dense(1),
        ]
    )


def _decoder(lib):
    L = lib.layers
    return lib.Sequential(
        [
            L.Input((6, 6, 2)),
            L.Conv2D(4, 3, strides=2, padding="same", data_format="channels_first"),
            L.Conv2DTranspose(3, 3, strides=2, padding="same", use_bias=False),
            L.AveragePooling2D(2, padding="same"),
            L.GlobalMaxPooling2D(keepdims=True),
        ]
    )


def _pair(build):
    keras.utils.clear_session()
    nk.utils.clear_session()
    return build(keras), build(nk)


def _summary(model) -> str:
    out = []
    model.summary(line_length=76, print_fn=out.append)
    return out[0]


@pytest.mark.parametrize("build", [_cnn, _cnn1d, _decoder])
def test_summaries_and_param_counts_match_keras(build):
    theirs, ours = _pair(build)
    assert [la.count_params() for la in ours.layers] == [la.count_params() for la in theirs.layers]
    assert ours.output_shape == theirs.output_shape
    assert _summary(ours) == _summary(theirs)


@pytest.mark.parametrize("build", [_cnn, _cnn1d])
def test_ten_sgd_steps_follow_keras(build, rng):
    theirs, ours = _pair(build)
    initial = theirs.get_weights()
    ours.set_weights(initial)
    shape = theirs.input_shape[1:]
    x = rng.standard_normal((8, *shape)).astype(np.float32)
    if build is _cnn:
        y, loss = rng.integers(0, 3, 8), "sparse_categorical_crossentropy"
    else:
        y, loss = rng.standard_normal((8, 1)).astype(np.float32), "mse"
    histories = []
    for model, lib in ((theirs, keras), (ours, nk)):
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1), loss=loss)
        fit = model.fit(x, y, batch_size=4, epochs=5, shuffle=False, verbose=0)
        histories.append(fit.history["loss"])
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5, atol=ATOL)
    for mine, reference in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=ATOL)
    moved = max(np.abs(a - b).max() for a, b in zip(ours.get_weights(), initial))
    assert moved > 1e-3  # it trained, so agreement means something


def test_regularization_losses_match_keras(rng):
    def build(lib):
        return lib.Sequential(
            [
                lib.layers.Input((5, 5, 2)),
                lib.layers.Conv2D(
                    3, 2, kernel_regularizer="l2", bias_regularizer="l1", bias_initializer="ones"
                ),
                lib.layers.Conv2DTranspose(2, 2, kernel_regularizer=lib.regularizers.L1(0.1)),
            ]
        )

    theirs, ours = _pair(build)
    ours.set_weights(theirs.get_weights())
    expected = sum(float(loss.detach()) for loss in theirs.losses)
    assert sum(loss.item() for loss in ours.losses) == pytest.approx(expected, rel=1e-6)


# ---- errors --------------------------------------------------------------------------------------
def test_a_kernel_larger_than_the_input_is_refused_naming_the_layer():
    layer = nk.layers.Conv2D(2, 5, name="c")
    with pytest.raises(
        ValueError,
        match=r"Conv2D 'c' kernel size \(5, 5\) is larger than the "
        r"input \(3, 3\).*\(2, 3, 3, 1\)",
    ):
        layer(np.zeros((2, 3, 3, 1), np.float32))
    with pytest.raises(ValueError, match=r"kernel size \(3,\) \(dilated to \(5,\)\)"):
        nk.Sequential([nk.Input((4, 2)), nk.layers.Conv1D(2, 3, dilation_rate=2)])
    same = nk.layers.Conv2D(2, 5, padding="same")  # padding makes room
    assert same(np.zeros((2, 3, 3, 1), np.float32)).shape == (2, 3, 3, 2)


def test_inputs_of_the_wrong_rank_or_channels_are_refused():
    layer = nk.layers.Conv2D(2, 3, name="c2")
    message = (
        r"'c2' expects 4-D inputs \(batch, height, width, channels\), received shape \(8, 8, 3"
    )
    with pytest.raises(ValueError, match="Conv2D " + message):
        layer(np.zeros((8, 8, 3), np.float32))
    layer(np.zeros((1, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match=r"expects inputs with 3 channels.*\(1, 8, 8, 4\)"):
        layer(np.zeros((1, 8, 8, 4), np.float32))
    first = nk.layers.Conv1D(2, 3, data_format="channels_first", name="c1")
    with pytest.raises(ValueError, match=r"'c1' expects 3-D inputs \(batch, channels, steps\)"):
        first(np.zeros((1, 2, 8, 8), np.float32))
    transpose = nk.layers.Conv2DTranspose(2, 3, name="t")
    transpose(np.zeros((1, 4, 4, 2), np.float32))
    with pytest.raises(ValueError, match=r"Conv2DTranspose 't' expects inputs with 2 channels"):
        transpose(np.zeros((1, 4, 4, 3), np.float32))
    with pytest.raises(ValueError, match="known channel dimension"):
        nk.layers.Conv2D(2, 3).build((None, 5, 5, None))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nk.layers.Conv2D(0, 3), "`filters` must be a positive int"),
        (lambda: nk.layers.Conv2D(3, (3, 3, 3)), "`kernel_size` must be an int or a tuple of 2"),
        (lambda: nk.layers.Conv2D(3, 3, strides=0), "`strides` must hold ints >= 1"),
        (lambda: nk.layers.Conv2D(3, 3, padding="causal"), "`padding` must be 'valid' or 'same'"),
        (lambda: nk.layers.Conv1D(3, 3, padding="full"), "'valid' or 'same' or 'causal'"),
        (lambda: nk.layers.Conv2D(3, 3, data_format="NHWC"), "`data_format` must be"),
        (lambda: nk.layers.Conv2D(3, 3, groups=2), "filters must be divisible by the number of"),
        (lambda: nk.layers.Conv2D(4, 3, strides=2, dilation_rate=2), "`strides > 1` is not"),
        (
            lambda: nk.layers.Conv2DTranspose(4, 3, strides=2, output_padding=2),
            "strides must be greater than output padding",
        ),
        (
            lambda: nk.layers.Conv2D(4, 3, groups=2).build((None, 5, 5, 3)),
            "input channels must be divisible by the number of groups",
        ),
    ],
)
def test_bad_arguments_are_refused_with_the_reason(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_keras_other_names_are_the_same_classes():
    aliases = ["AvgPool1D", "AvgPool2D", "Convolution1D", "Convolution2D", "MaxPool1D",
               "Convolution2DTranspose", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
               "GlobalMaxPool2D", "MaxPool2D"]  # fmt: skip
    for alias in aliases:  # Keras's alias names a class; ours names the class of that name
        theirs = getattr(keras.layers, alias).__name__
        assert getattr(nk.layers, alias) is getattr(nk.layers, theirs), alias
