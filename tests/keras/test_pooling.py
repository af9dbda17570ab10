"""Pooling layers against real Keras 3 (torch backend) and a loop-by-loop NumPy reference:
outputs, input gradients and output shapes over a grid of pool sizes, strides, paddings and
data formats; the global poolings with keepdims; bad inputs fail naming the layer.

'same' average pooling means over each window's pixels inside the input (TensorFlow's and
JAX's rule, and Keras's documented behaviour). Keras 3.15's torch backend instead replicates the
edge when the padding is uneven (keras-team/keras#18452, changed by keras-team/keras#23233),
so those cases are checked against the NumPy reference only."""

import itertools
import os

import numpy as np
import pytest
from parity import require_torch
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
torch = require_torch()

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# ---- the reference: every window by hand, on channels-last arrays ------------------------------
def _windows(size: int, k: int, s: int, padding: str) -> list[tuple[int, int]]:
    """[start, stop) inside the input of each window along one dim (Keras's 'same' rule: as
    many windows as ceil(size / s), the odd padding pixel at the end)."""
    if padding == "valid":
        return [(i * s, i * s + k) for i in range((size - k) // s + 1)]
    out = -(-size // s)
    before = max((out - 1) * s + k - size, 0) // 2
    return [(max(i * s - before, 0), min(i * s - before + k, size)) for i in range(out)]


def _reference(x, g, mode: str, pool, strides, padding):
    """Pooled ``x`` (N, *spatial, C) and the gradient of ``sum(pooled * g)``: max routes ``g``
    to the first maximum of the window, average spreads it over the window's pixels."""
    spans = [_windows(n, k, s, padding) for n, k, s in zip(x.shape[1:-1], pool, strides)]
    y = np.zeros((x.shape[0], *map(len, spans), x.shape[-1]), x.dtype)
    dx = np.zeros_like(x)
    for out in itertools.product(*(range(len(s)) for s in spans)):
        region = tuple(slice(*spans[d][i]) for d, i in enumerate(out))
        window = x[(slice(None), *region)]
        flat = window.reshape(x.shape[0], -1, x.shape[-1])
        grad = g[(slice(None), *out)]
        if mode == "max":
            y[(slice(None), *out)] = flat.max(axis=1)
            first = flat.argmax(axis=1)
            routed = np.zeros_like(flat)
            np.put_along_axis(routed, first[:, None], grad[:, None], axis=1)
        else:
            y[(slice(None), *out)] = flat.mean(axis=1)
            routed = np.broadcast_to(grad[:, None] / flat.shape[1], flat.shape)
        dx[(slice(None), *region)] += routed.reshape(window.shape)
    return y, dx


def _uneven(shape, pool, strides, padding) -> bool:
    return padding == "same" and any(
        max((-(-n // s) - 1) * s + k - n, 0) % 2 for n, k, s in zip(shape, pool, strides)
    )


def _run(layer, x, g, channels_first: bool):
    """The layer's output and input gradient, both channels last."""
    to_first, to_last = ((0, x.ndim - 1, *range(1, x.ndim - 1)), (0, *range(2, x.ndim), 1))
    xin = np.ascontiguousarray(x.transpose(to_first)) if channels_first else x
    gin = np.ascontiguousarray(g.transpose(to_first)) if channels_first else g
    if isinstance(layer, nk.layers.Layer):
        t = ns.tensor(xin, requires_grad=True)
        y = layer(t)
        (y * ns.tensor(gin)).sum().backward()
        y, dx = y.detach().numpy(), t.grad.numpy()
    else:
        t = torch.tensor(xin, requires_grad=True)
        y = layer(t)
        (y * torch.tensor(gin)).sum().backward()
        y, dx = y.detach().numpy(), t.grad.numpy()
    if channels_first:
        return y.transpose(to_last), dx.transpose(to_last)
    return y, dx


POOL = [
    {"pool_size": 2},
    {"pool_size": 3, "strides": 2},
    {"pool_size": 2, "strides": 1},
    {"pool_size": 3, "strides": 2, "padding": "same"},
    {"pool_size": 2, "padding": "same"},
    {"pool_size": 4, "strides": 1, "padding": "same"},
    {"pool_size": (3, 2), "strides": (1, 2), "padding": "same"},
    {"pool_size": 4, "strides": 3, "padding": "same", "data_format": "channels_first"},
    {"pool_size": (2, 3), "strides": 1, "padding": "same", "data_format": "channels_first"},
    {"pool_size": 3, "data_format": "channels_first"},
]
SPATIAL = {1: [(9,), (8,)], 2: [(7, 8), (6, 5)]}


@pytest.mark.parametrize("rank", [1, 2])
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("kwargs", POOL, ids=str)
def test_pooling_matches_the_reference_and_keras(kwargs, mode, rank, rng):
    kwargs = {k: (v[:rank] if isinstance(v, tuple) else v) for k, v in kwargs.items()}
    name = f"{'Max' if mode == 'max' else 'Average'}Pooling{rank}D"
    channels_first = kwargs.get("data_format") == "channels_first"
    pool = nk.layers.conv_utils.normalize_tuple(kwargs["pool_size"], rank, "", "")
    strides = nk.layers.conv_utils.normalize_tuple(kwargs.get("strides", pool), rank, "", "")
    padding = kwargs.get("padding", "valid")
    for spatial in SPATIAL[rank]:
        x = rng.standard_normal((2, *spatial, 3)).astype(np.float32)
        y_ref, _ = _reference(x, x, mode, pool, strides, padding)
        g = rng.standard_normal(y_ref.shape).astype(np.float32)
        y_ref, dx_ref = _reference(x, g, mode, pool, strides, padding)
        ours = getattr(nk.layers, name)(**kwargs)
        y, dx = _run(ours, x, g, channels_first)
        assert_close(y, y_ref)
        assert_close(dx, dx_ref)
        theirs = getattr(keras.layers, name)(**kwargs)
        if mode == "max" or not _uneven(spatial, pool, strides, padding):
            y_k, dx_k = _run(theirs, x, g, channels_first)
            assert_close(y, y_k)
            assert_close(dx, dx_k)
        shape = (None, 3, *spatial) if channels_first else (None, *spatial, 3)
        assert ours.compute_output_shape(shape) == theirs.compute_output_shape(shape)


def test_uneven_same_average_pooling_means_over_the_pixels_inside_the_input():
    """Where Keras 3.15 on torch would average replicated edge pixels instead."""
    x = np.arange(5.0, dtype=np.float32).reshape(1, 5, 1)
    ours = nk.layers.AveragePooling1D(4, strides=1, padding="same")(x).numpy()[0, :, 0]
    # windows [-1, 3), [0, 4), [1, 5), [2, 6), [3, 7): the means of their pixels in 0..4
    np.testing.assert_allclose(ours, [1.0, 1.5, 2.5, 3.0, 3.5])


def test_unknown_sizes_give_none_and_config_round_trips():
    for layer in (
        nk.layers.MaxPooling2D(3, strides=2, padding="same"),
        nk.layers.AveragePooling1D(2, data_format="channels_first"),
    ):
        shape = (None, None, 5, 4) if layer.rank == 2 else (None, 4, None)
        keras_layer = getattr(keras.layers, type(layer).__name__).from_config(layer.get_config())
        assert layer.compute_output_shape(shape) == keras_layer.compute_output_shape(shape)
        twin = type(layer).from_config(layer.get_config())
        assert twin.get_config() == layer.get_config()
    assert nk.layers.MaxPooling1D().get_config()["pool_size"] == (2,)
    assert nk.layers.MaxPooling2D().strides == (2, 2)


# ---- global pooling ------------------------------------------------------------------------------
@pytest.mark.parametrize("rank", [1, 2])
@pytest.mark.parametrize("mode", ["Max", "Average"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_matches_keras(rank, mode, data_format, keepdims, rng):
    name = f"Global{mode}Pooling{rank}D"
    kwargs = {"data_format": data_format, "keepdims": keepdims}
    ours, theirs = getattr(nk.layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    x = rng.standard_normal((2, *(5, 4)[:rank], 3)).astype(np.float32)
    x[0, 1] = x[0, 0]  # ties: both share the gradient of a tied maximum evenly
    g = rng.standard_normal(ours.compute_output_shape(x.shape)).astype(np.float32)
    xt, xn = torch.tensor(x, requires_grad=True), ns.tensor(x, requires_grad=True)
    y_t, y_n = theirs(xt), ours(xn)
    (y_t * torch.tensor(g)).sum().backward()
    (y_n * ns.tensor(g)).sum().backward()
    np.testing.assert_allclose(y_n.detach().numpy(), y_t.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)
    shape = (None, *x.shape[1:-1], None)
    assert ours.compute_output_shape(shape) == theirs.compute_output_shape(shape)
    assert ours.get_config()["keepdims"] == keepdims


# ---- errors --------------------------------------------------------------------------------------
def test_a_pool_larger_than_the_input_is_refused_naming_the_layer():
    layer = nk.layers.MaxPooling2D(3, name="p")
    message = r"MaxPooling2D 'p' pool size \(3, 3\) is larger than the input \(2, 5\)"
    with pytest.raises(ValueError, match=message):
        layer(np.zeros((1, 2, 5, 1), np.float32))
    with pytest.raises(ValueError, match=r"AveragePooling1D 'a' pool size \(4,\)"):
        nk.Sequential([nk.Input((3, 2)), nk.layers.AveragePooling1D(4, name="a")])
    same = nk.layers.MaxPooling2D(3, padding="same")  # 'same' always fits
    assert same(np.zeros((1, 2, 5, 1), np.float32)).shape == (1, 1, 2, 1)


def test_inputs_of_the_wrong_rank_are_refused():
    message = r"'m' expects 4-D inputs \(batch, height, width, channels\), received shape \(4, 4, 1"
    with pytest.raises(ValueError, match="MaxPooling2D " + message):
        nk.layers.MaxPooling2D(name="m")(np.zeros((4, 4, 1), np.float32))
    with pytest.raises(
        ValueError,
        match=r"GlobalAveragePooling1D 'g' expects 3-D inputs "
        r"\(batch, channels, steps\)",
    ):
        layer = nk.layers.GlobalAveragePooling1D(data_format="channels_first", name="g")
        layer(np.zeros((4, 4, 1, 1), np.float32))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nk.layers.MaxPooling2D(0), "`pool_size` must hold ints >= 1"),
        (lambda: nk.layers.MaxPooling2D((2, 2, 2)), "`pool_size` must be an int or a tuple of 2"),
        (lambda: nk.layers.AveragePooling1D(2, strides=(1, 1)), "`strides` must be an int or"),
        (lambda: nk.layers.MaxPooling1D(padding="causal"), "`padding` must be 'valid' or 'same'"),
        (lambda: nk.layers.GlobalMaxPooling2D(data_format="NCHW"), "`data_format` must be"),
    ],
)
def test_bad_arguments_are_refused_with_the_reason(make, message):
    with pytest.raises(ValueError, match=message):
        make()
