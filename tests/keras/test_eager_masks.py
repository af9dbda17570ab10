"""Masks on the tensors themselves, as Keras's ``_keras_mask``, against real Keras 3 (torch
backend): a layer called directly puts its output mask on its outputs and reads the mask its
input carries; KerasTensors carry symbolic masks in the functional API; every built-in
layer's ``supports_masking`` is Keras's (``MaskedTensor``, ``eager_masks.py``)."""

import inspect
import warnings

import numpy as np
import pytest
from keras_ops_parity import require_keras
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.keras.layers.eager_masks import MaskedTensor

keras, torch = require_keras()

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

IDS = np.array([[711, 632, 71, 0, 0, 0], [73, 8, 3215, 55, 927, 0], [83, 91, 1, 645, 1253, 927]])
IDS = IDS % 50  # (the guide's ids, in a small vocabulary)


def _np(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, ns.Tensor) else keras.ops.convert_to_numpy(x)


def test_an_eager_embedding_and_masking_put_keras_s_mask_on_their_outputs():
    theirs = keras.layers.Embedding(50, 4, mask_zero=True)(IDS)._keras_mask
    ours = nk.layers.Embedding(50, 4, mask_zero=True)(IDS)._keras_mask
    np.testing.assert_array_equal(_np(ours), _np(theirs))
    values = np.tile(IDS[..., None], (1, 1, 3)).astype("float32")
    theirs = keras.layers.Masking()(values)._keras_mask
    ours = nk.layers.Masking()(values)._keras_mask
    np.testing.assert_array_equal(_np(ours), _np(theirs))
    plain = nk.layers.Embedding(50, 4)(IDS)  # no mask made: none carried, as in Keras
    assert not hasattr(plain, "_keras_mask") and not isinstance(plain, MaskedTensor)
    assert not hasattr(keras.layers.Embedding(50, 4)(IDS), "_keras_mask")


def _chain(lib, x, *layers):
    for layer in layers:
        x = layer(x)
    return x


@pytest.mark.parametrize("tail", ["lstm_sequences", "dense", "lstm_last"])
def test_a_layer_called_on_a_masked_tensor_uses_the_mask_and_passes_it_on(tail):
    """The embedding's mask reaches the LSTM (values equal Keras's only when it is used), a
    Dense passes it on (``supports_masking``), an LSTM's last output carries none."""

    def make(lib):
        L = lib.layers
        keras.utils.set_random_seed(1)
        last = {"lstm_sequences": L.LSTM(3, return_sequences=True), "dense": L.Dense(2),
                "lstm_last": L.LSTM(3)}[tail]  # fmt: skip
        return [L.Embedding(50, 4, mask_zero=True), L.LSTM(5, return_sequences=True), last]

    theirs, ours = make(keras), make(nk)
    expected = _chain(keras, IDS, *theirs)
    _chain(nk, IDS, *ours)  # builds ours
    for a, b in zip(theirs, ours):
        b.set_weights(a.get_weights())
    got = _chain(nk, IDS, *ours)
    assert_close(_np(got), _np(expected))
    if tail == "lstm_last":
        assert not hasattr(expected, "_keras_mask") and not hasattr(got, "_keras_mask")
    else:
        np.testing.assert_array_equal(_np(got._keras_mask), _np(expected._keras_mask))


def test_a_layer_without_masking_support_drops_the_mask_with_keras_s_warning():
    embedded = nk.layers.Embedding(50, 4, mask_zero=True)(IDS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        flat = nk.layers.Flatten(name="flat")(embedded)
    assert not hasattr(flat, "_keras_mask")
    assert any("Layer 'flat' (of type Flatten) was passed an input with a mask" in str(w.message)
               for w in caught)  # fmt: skip


class _TemporalSplit:
    """A user's layer returning two tensors, with one mask each (the masking guide's)."""

    @staticmethod
    def make(lib):
        class TemporalSplit(lib.layers.Layer):
            def call(self, inputs):
                return lib.ops.split(inputs, 2, axis=1)

            def compute_mask(self, inputs, mask=None):
                return None if mask is None else lib.ops.split(mask, 2, axis=1)

        return TemporalSplit()


def test_a_user_layer_with_several_outputs_puts_one_mask_on_each():
    values = np.tile(IDS[..., None], (1, 1, 3)).astype("float32")
    expected = _TemporalSplit.make(keras)(keras.layers.Masking()(values))
    got = _TemporalSplit.make(nk)(nk.layers.Masking()(values))
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_array_equal(_np(b._keras_mask), _np(a._keras_mask))


def test_a_user_layer_s_sublayers_pass_masks_between_them_inside_call():
    """``self.lstm(self.embedding(x))`` inside ``call``: the mask goes along, as in Keras."""

    def make(lib):
        class Encoder(lib.layers.Layer):
            def __init__(self):
                super().__init__()
                self.embedding = lib.layers.Embedding(50, 4, mask_zero=True)
                self.lstm = lib.layers.LSTM(3)

            def call(self, inputs):
                return self.lstm(self.embedding(inputs))

        return Encoder()

    theirs, ours = make(keras), make(nk)
    expected = theirs(IDS)
    ours(IDS)
    ours.embedding.set_weights(theirs.embedding.get_weights())
    ours.lstm.set_weights(theirs.lstm.get_weights())
    assert_close(_np(ours(IDS)), _np(expected))


def test_gradients_reach_the_weights_through_a_masked_tensor_used_twice():
    """A masked output is its own node in the graph: using it twice and backpropagating
    gives Keras's (torch's) gradients for the embeddings and the Dense kernel."""
    embed_k, dense_k = keras.layers.Embedding(50, 4, mask_zero=True), keras.layers.Dense(2)
    y = embed_k(IDS)
    loss = (dense_k(y) ** 2).sum() + dense_k(y).sum() + (y * y).sum()
    loss.backward()
    embed_n, dense_n = nk.layers.Embedding(50, 4, mask_zero=True), nk.layers.Dense(2)
    dense_n(embed_n(IDS))
    embed_n.set_weights(embed_k.get_weights())
    dense_n.set_weights(dense_k.get_weights())
    y = embed_n(IDS)
    assert isinstance(y, MaskedTensor)
    ((dense_n(y) ** 2).sum() + dense_n(y).sum() + (y * y).sum()).backward()
    assert_close(embed_n.embeddings.grad.numpy(), _np(embed_k.embeddings.value.grad))
    assert_close(dense_n.kernel.grad.numpy(), _np(dense_k.kernel.value.grad))


def test_an_identity_layer_s_masked_output_still_leads_back_to_its_input():
    """A user's layer returning its input unchanged with a mask of its own: in Keras the input
    itself gets the mask, so gradients reach it; ours must too (the masked output is a new
    node on top of the input, not a second leaf)."""

    def make(lib):
        class MarkZeros(lib.layers.Layer):
            def call(self, inputs):
                return inputs

            def compute_mask(self, inputs, mask=None):
                return lib.ops.not_equal(inputs[..., 0], 0)

        return MarkZeros()

    values = np.tile(IDS[..., None], (1, 1, 2)).astype("float32")
    x_k = torch.tensor(values, requires_grad=True)
    y_k = make(keras)(x_k)
    (y_k * y_k).sum().backward()
    x_n = ns.tensor(values, requires_grad=True)
    y_n = make(nk)(x_n)
    (y_n * y_n).sum().backward()
    np.testing.assert_array_equal(_np(y_n._keras_mask), _np(y_k._keras_mask))
    assert_close(x_n.grad.numpy(), x_k.grad.numpy())


def _symbolic(lib):
    inputs = lib.Input(shape=(None,), dtype="int32")
    embedded = lib.layers.Embedding(50, 4, mask_zero=True)(inputs)
    dense = lib.layers.Dense(3)(embedded)
    last = lib.layers.LSTM(2)(dense)
    masked = lib.layers.Masking()(lib.Input(shape=(5, 3)))
    return inputs, embedded, dense, last, masked


def test_keras_tensors_carry_keras_s_symbolic_masks():
    theirs, ours = _symbolic(keras), _symbolic(nk)
    for a, b in zip(theirs, ours):
        assert hasattr(a, "_keras_mask") == hasattr(b, "_keras_mask")
        if hasattr(a, "_keras_mask"):
            assert b._keras_mask.shape == a._keras_mask.shape
            assert str(b._keras_mask.dtype) == str(a._keras_mask.dtype) == "bool"
    assert ours[2]._keras_mask is ours[1]._keras_mask  # Dense hands the same mask on
    assert theirs[2]._keras_mask is theirs[1]._keras_mask


def test_a_user_layer_after_dense_receives_the_mask_in_a_functional_model():
    """The masking guide's ``TemporalSoftmax`` after ``Dense`` asserts it gets a mask, while
    the model is built and when it runs; its outputs equal Keras's."""

    def make(lib):
        class TemporalSoftmax(lib.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.supports_masking = True

            def call(self, inputs, mask=None):
                assert mask is not None
                kept = lib.ops.expand_dims(lib.ops.cast(mask, "float32"), -1)
                exp = lib.ops.exp(inputs) * kept
                return exp / lib.ops.sum(exp, axis=1, keepdims=True)

        keras.utils.set_random_seed(3)
        inputs = lib.Input(shape=(None,), dtype="int32")
        x = lib.layers.Embedding(50, 4, mask_zero=True)(inputs)
        return lib.Model(inputs, TemporalSoftmax()(lib.layers.Dense(2)(x)))

    theirs, ours = make(keras), make(nk)
    ours.set_weights(theirs.get_weights())
    assert_close(_np(ours(IDS)), _np(theirs(IDS)))


# ---- supports_masking, layer by layer ---------------------------------------------------------
ARGS = {
    "Dense": (3,),
    "Embedding": (5, 3),
    "Conv1D": (2, 3),
    "Conv2D": (2, 3),
    "Conv3D": (2, 3),
    "Convolution1D": (2, 3),
    "Convolution2D": (2, 3),
    "Conv1DTranspose": (2, 3),
    "Conv2DTranspose": (2, 3),
    "Conv3DTranspose": (2, 3),
    "SeparableConv1D": (2, 3),
    "SeparableConv2D": (2, 3),
    "DepthwiseConv1D": (3,),
    "DepthwiseConv2D": (3,),
    "LSTM": (2,),
    "GRU": (2,),
    "SimpleRNN": (2,),
    "LSTMCell": (2,),
    "GRUCell": (2,),
    "SimpleRNNCell": (2,),
    "Dropout": (0.5,),
    "SpatialDropout1D": (0.5,),
    "SpatialDropout2D": (0.5,),
    "SpatialDropout3D": (0.5,),
    "GaussianNoise": (0.1,),
    "GaussianDropout": (0.1,),
    "AlphaDropout": (0.1,),
    "Reshape": ((2,),),
    "Permute": ((1,),),
    "RepeatVector": (2,),
    "Lambda": (abs,),
    "Activation": ("relu",),
    "MultiHeadAttention": (2, 4),
    "Resizing": (2, 2),
    "CenterCrop": (2, 2),
    "RandomCrop": (2, 2),
    "Hashing": (4,),
    "CategoryEncoding": (3,),
    "Rescaling": (1.0,),
    "Discretization": ([0.5],),
    "Dot": (1,),
    "AveragePooling1D": (2,),
    "AveragePooling2D": (2,),
    "AvgPool1D": (2,),
    "AvgPool2D": (2,),
    "AdaptiveAveragePooling1D": (2,),
    "AdaptiveMaxPooling1D": (2,),
    "AdaptiveAveragePooling2D": (2,),
    "Convolution1DTranspose": (2, 3),
    "Convolution2DTranspose": (2, 3),
    "SeparableConvolution1D": (2, 3),
    "SeparableConvolution2D": (2, 3),
    "AdaptiveMaxPooling2D": (2,),
    "InputLayer": ((3,),),
}
WRAPPERS = {"TimeDistributed": "Dense", "Bidirectional": "LSTM", "RNN": "LSTMCell"}


def _layer_names() -> list:
    return sorted(
        name for name in dir(nk.layers)
        if inspect.isclass(getattr(nk.layers, name))
        and issubclass(getattr(nk.layers, name), nk.layers.Layer) and hasattr(keras.layers, name)
    )  # fmt: skip


def _make(lib, name, **kwargs):
    cls = getattr(lib.layers, name)
    if name in WRAPPERS:
        return cls(getattr(lib.layers, WRAPPERS[name])(*ARGS[WRAPPERS[name]]))
    return cls(*ARGS.get(name, ()), **kwargs)


@pytest.mark.parametrize("name", _layer_names())
def test_supports_masking_is_keras_s(name):
    try:
        theirs = _make(keras, name).supports_masking
    except (TypeError, ValueError) as error:  # (a layer whose arguments ARGS lacks)
        pytest.fail(f"add {name}'s arguments to ARGS: {error}")
    assert _make(nk, name).supports_masking == theirs


@pytest.mark.parametrize("mask_zero", [False, True])
def test_an_embedding_supports_masking_only_when_it_makes_a_mask(mask_zero):
    ours = nk.layers.Embedding(5, 3, mask_zero=mask_zero).supports_masking
    assert ours == keras.layers.Embedding(5, 3, mask_zero=mask_zero).supports_masking == mask_zero
