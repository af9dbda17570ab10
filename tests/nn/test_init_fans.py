"""One fan computation for both front ends (``nn.init._calculate_fan_in_and_fan_out``): torch's
weight layout ``(out, in, *window)`` checked against torch, Keras's kernel layout
``(*window, in, out)`` against Keras, and a Keras initializer that builds on it."""

import math
import os

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.nn.init import _calculate_fan_in_and_fan_out as fans

KERAS_SHAPES = [(), (7,), (3, 4), (5, 3, 8), (5, 5, 3, 8), (2, 3, 3, 4, 6)]


@pytest.mark.parametrize("shape", KERAS_SHAPES)
def test_keras_layout_equals_keras_compute_fans(shape):
    if not os.environ.get("CI"):  # a missing oracle skips here, and fails in CI
        pytest.importorskip("keras")
    from keras.src.initializers.random_initializers import compute_fans

    assert fans(shape, layout="keras") == compute_fans(shape)


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5, 5), (2, 3, 4)])
def test_torch_layout_of_a_shape_equals_torchs_of_a_tensor(shape):
    torch = require_torch()
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    assert fans(shape) == fans(ns.empty(*shape), layout="torch") == expected


def test_one_conv_kernel_has_the_same_fans_in_both_layouts():
    # 8 filters of 5x5 over 3 channels: fan_in = 3 * 25, fan_out = 8 * 25 (by hand)
    assert fans((5, 5, 3, 8), layout="keras") == fans((8, 3, 5, 5), layout="torch") == (75, 200)


def test_an_unknown_layout_is_refused_by_name():
    message = "_calculate_fan_in_and_fan_out: layout must be 'torch' or 'keras', received 'tf'"
    with pytest.raises(ValueError, match=message):
        fans((3, 4), layout="tf")


def test_keras_he_uniform_reads_a_conv_kernel_in_keras_layout():
    # (kh, kw, in, out): fan_in = 3 * 3 * 16 = 144, so the limit is sqrt(6 / 144) by hand; read
    # in torch's layout the same shape would give fan_in = 3 * 16 * 32 and a limit four times
    # smaller. 4608 uniform samples reach within 1% of the limit with certainty in practice.
    limit = math.sqrt(6 / 144)
    kernel = nk.initializers.HeUniform(seed=0)((3, 3, 16, 32), dtype="float64")
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.99 * limit
