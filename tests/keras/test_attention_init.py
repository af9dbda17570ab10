"""``MultiHeadAttention``'s kernels start as Keras 3's do: its projections are EinsumDense
kernels, whose fans Keras counts on the equation's input and output axes (fan-in 8, fan-out
2 * 8 = 16 for a ``(8, 2, 8)`` query kernel), not as a convolution kernel's (16 and 64). The
generators differ, so the test compares the spread of the draws, which the fans set."""

import os

import numpy as np
import pytest

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
# Keras converting torch tensors to NumPy on torch's side warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _kernels(lib, **kwargs) -> dict[str, np.ndarray]:
    layer = lib.layers.MultiHeadAttention(num_heads=4, key_dim=16, **kwargs)
    x = np.zeros((1, 3, 32), np.float32)
    layer(x, x)
    return {w.path.split("/")[-2] if "/" in w.path else w.name: np.array(w.numpy())
            for w in layer.weights if len(w.shape) == 3}  # fmt: skip


@pytest.mark.parametrize("initializer", ["glorot_uniform", "he_normal", "lecun_uniform"])
def test_projection_kernels_start_with_keras_spread(initializer):
    ours = _kernels(nk, kernel_initializer=initializer)
    theirs = _kernels(keras, kernel_initializer=initializer)
    assert len(ours) == len(theirs) == 4
    for a, b in zip(ours.values(), theirs.values()):
        # 2048 draws each: the standard deviations agree within a few percent; counting the
        # fans as a convolution's would make ours 1.6x to 3x smaller
        assert a.shape == b.shape
        assert abs(a.std() / b.std() - 1) < 0.1, (a.shape, a.std(), b.std())


def test_a_plain_three_axis_kernel_still_counts_fans_as_a_convolution():
    init = nk.initializers.VarianceScaling(1.0, "fan_in", "untruncated_normal", seed=0)
    draws = init((8, 2, 4096))  # fan-in 2 * 8 = 16: std 0.25
    assert abs(draws.std() - 0.25) < 0.01
    axes = init.with_axes([0], [1, 2])  # fan-in 8: std 0.354
    assert abs(axes((8, 2, 4096)).std() - 8**-0.5) < 0.01
