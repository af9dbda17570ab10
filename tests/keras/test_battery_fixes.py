"""The two bugs the layer battery found, checked beyond the battery's one case each, against
real Keras 3 (torch backend) as the oracle:

- ``Flatten(data_format="channels_first")`` moves the channel axis (1) last before flattening,
  at every rank, and its shapes and config are Keras's;
- ``Bidirectional`` keeps a built layer's build: wrapping a built layer gives built directions,
  and ``from_config`` of a built ``Bidirectional`` has both directions built, with an equal
  config, as in Keras.
"""

import os

import numpy as np
import pytest
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


# ---- Flatten ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2,), (2, 3), (2, 3, 4), (2, 3, 2, 4), (2, 2, 3, 1, 2)])
@pytest.mark.parametrize("data_format", ["channels_first", "channels_last", None])
def test_flatten_gives_keras_order_at_every_rank(shape, data_format):
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    theirs = keras.layers.Flatten(data_format=data_format)
    ours = nk.layers.Flatten(data_format=data_format)
    expected = keras.ops.convert_to_numpy(theirs(x))
    np.testing.assert_array_equal(ours(x).numpy(), expected)  # a permutation: bit-exact
    for known in (shape, (None, *shape[1:]), (None, *shape[1:-1], None)):
        assert ours.compute_output_shape(known) == tuple(theirs.compute_output_shape(known))
    config = ours.get_config()
    assert config["data_format"] == theirs.get_config()["data_format"]
    assert nk.layers.Flatten.from_config(config).data_format == config["data_format"]


def test_flatten_channels_first_trains_through_the_permutation():
    """The gradient goes back through the move of the channel axis: through a channels-first
    Flatten and a Dense(1) of weights w, d sum / d x[b, c, h, w] is the weight of feature
    (h * cols + w) * channels + c (by hand)."""
    x = np.random.default_rng(1).standard_normal((2, 3, 2, 2)).astype("float32")
    dense = nk.layers.Dense(1, use_bias=False)
    ours = nk.Sequential([nk.Input((3, 2, 2)), nk.layers.Flatten("channels_first"), dense])
    weights = np.arange(12, dtype="float32").reshape(12, 1)
    dense.set_weights([weights])
    inputs = ns.tensor(x, requires_grad=True)
    ours(inputs).sum().backward()
    expected = np.broadcast_to(weights[:, 0].reshape(2, 2, 3).transpose(2, 0, 1), x.shape)
    assert_close(inputs.grad.numpy(), expected)


def test_flatten_refuses_an_unknown_data_format():
    with pytest.raises(ValueError, match=r"Flatten 'f'.*'channels_last' or 'channels_first'.*"
                                         r"received 'channels_middle'"):  # fmt: skip
        nk.layers.Flatten(data_format="channels_middle", name="f")


# ---- Bidirectional ------------------------------------------------------------------------------
def _built_pair(lib, x):
    """A Bidirectional LSTM built by a call on ``x``, and a clone from its config."""
    lib.utils.clear_session()
    layer = lib.layers.Bidirectional(lib.layers.LSTM(3, return_sequences=True))
    layer(x)
    return layer, lib.layers.Bidirectional.from_config(layer.get_config())


def test_bidirectional_clone_has_both_directions_built_as_in_keras():
    x = np.random.default_rng(2).standard_normal((2, 5, 4)).astype("float32")
    layer, clone = _built_pair(nk, x)
    their_layer, their_clone = _built_pair(keras, x)
    built = [clone.forward_layer.built, clone.backward_layer.built]
    assert built == [their_clone.forward_layer.built, their_clone.backward_layer.built]
    assert built == [True, True]
    assert clone.get_config() == layer.get_config()
    assert clone.get_config()["layer"]["build_config"] == {"input_shape": [2, 5, 4]}
    assert len(clone.forward_layer.weights) == len(their_clone.forward_layer.weights) == 3


def test_bidirectional_of_a_built_layer_has_built_directions_as_in_keras():
    x = np.random.default_rng(3).standard_normal((2, 5, 4)).astype("float32")
    built = []
    for lib in (nk, keras):
        lstm = lib.layers.LSTM(2)
        lstm(x)
        wrapper = lib.layers.Bidirectional(lstm)
        built.append((wrapper.forward_layer.built, wrapper.backward_layer.built, wrapper.built))
    assert built[0] == built[1] == (True, True, False)
