"""Mask propagation against real Keras 3 (torch backend): a mask made by
``Embedding(mask_zero=True)`` reaches the recurrent layers through Sequential and functional
models (nested ones too), a layer taking ``mask=`` receives it, a layer that does not support
masking drops it with Keras's warning, and a masked model trains along Keras's trajectory."""

import os
import warnings

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

# padded id sequences: right-padded of different lengths, left-padded, a hole, all padding
IDS = np.array(
    [[3, 5, 2, 0, 0, 0], [7, 1, 0, 0, 0, 0], [0, 0, 4, 4, 6, 1], [2, 0, 3, 0, 5, 0],
     [0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6]]
)  # fmt: skip


def _np(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, ns.Tensor) else keras.ops.convert_to_numpy(x)


def _twins(make):
    """``make(lib)`` in Keras and in nnscratch, ours given Keras's weights."""
    keras.utils.clear_session()
    nk.utils.clear_session()
    theirs, ours = make(keras), make(nk)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


def _predict_both(make, x=IDS):
    theirs, ours = _twins(make)
    expected, got = theirs.predict(x, verbose=0), ours.predict(x, verbose=0)
    for a, b in zip(_leaves(expected), _leaves(got), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)
    return expected, ours


def _leaves(out) -> list:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _sequential(lib, *layers):
    return lib.Sequential([lib.Input(shape=(IDS.shape[1],)), *layers])


def test_embedding_mask_reaches_lstm_in_a_sequential_model():
    def make(lib):
        L = lib.layers
        return _sequential(lib, L.Embedding(8, 3, mask_zero=True), L.LSTM(4), L.Dense(2))

    expected, ours = _predict_both(make)
    ours.layers[0].mask_zero = False  # the mask changes the answer: the test can tell
    assert not np.allclose(ours.predict(IDS, verbose=0), expected, atol=1e-3)


def test_mask_passes_through_stacked_and_bidirectional_layers():
    def make(lib):
        L = lib.layers
        return _sequential(
            lib, L.Embedding(8, 3, mask_zero=True), L.GRU(4, return_sequences=True),
            L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="sum"),
            L.SimpleRNN(2, return_sequences=True),
        )  # fmt: skip

    _predict_both(make)


def test_embedding_mask_reaches_lstm_in_a_functional_model():
    def make(lib):
        L = lib.layers
        ids = lib.Input(shape=(IDS.shape[1],))
        seq = L.LSTM(4, return_sequences=True)(L.Embedding(8, 3, mask_zero=True)(ids))
        last, h, c = L.LSTM(2, return_state=True, go_backwards=True)(seq)
        return lib.Model(ids, L.Concatenate()([last, h, c]))

    _predict_both(make)


@pytest.mark.filterwarnings("ignore:Layer 'multi_head_attention'")  # see below
def test_a_layer_taking_a_mask_per_input_gets_each_inputs_mask():
    """Keras hands MultiHeadAttention(query, value) each input's mask as query_mask and
    value_mask. (Padded queries, all of whose keys are masked, are left out: Keras gives them
    uniform weights, nnscratch zero weights; and our MultiHeadAttention does not yet pass the
    query's mask on, so it warns that it drops it.)"""

    def make(lib):
        L = lib.layers
        ids = lib.Input(shape=(IDS.shape[1],))
        embedded = L.Embedding(8, 4, mask_zero=True)(ids)
        return lib.Model(ids, L.MultiHeadAttention(2, 3)(embedded, embedded))

    theirs, ours = _twins(make)
    kept = IDS != 0
    expected, got = theirs.predict(IDS, verbose=0), ours.predict(IDS, verbose=0)
    np.testing.assert_allclose(got[kept], expected[kept], rtol=1e-5, atol=1e-6)
    plain = ours.layers[1](IDS).detach()  # (detached, as in Keras: no _keras_mask, no mask)
    unmasked = ours.layers[2](plain, plain)
    assert not np.allclose(_np(unmasked)[kept], expected[kept], atol=1e-3)


def test_a_nested_sequential_passes_its_mask_on():
    def make(lib):
        L = lib.layers
        embed = lib.Sequential([lib.Input(shape=(6,)), L.Embedding(8, 3, mask_zero=True)])
        ids = lib.Input(shape=(IDS.shape[1],))
        return lib.Model(ids, L.GRU(3)(embed(ids)))

    _predict_both(make)


def test_explicit_masks_for_layers_and_models():
    keras.utils.clear_session()
    x = np.random.default_rng(0).standard_normal((3, 4, 2)).astype(np.float32)
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 0], [1, 1, 1, 1]], bool)
    theirs, ours = (lib.layers.LSTM(3, return_sequences=True) for lib in (keras, nk))
    theirs.build(x.shape)
    ours.build(x.shape)
    ours.set_weights(theirs.get_weights())
    expected = _np(theirs(x, mask=keras.ops.convert_to_tensor(mask)))
    np.testing.assert_allclose(_np(ours(x, mask=mask)), expected, rtol=1e-5, atol=1e-6)
    model = nk.Sequential([nk.Input(shape=(4, 2)), ours])
    np.testing.assert_allclose(_np(model(x, mask=mask)), expected, rtol=1e-5, atol=1e-6)
    functional = nk.Model(inputs := nk.Input(shape=(4, 2)), ours(inputs))
    np.testing.assert_allclose(_np(functional(x, mask=mask)), expected, rtol=1e-5, atol=1e-6)


class OurMaskedSum(nk.layers.Layer):  # a user layer taking mask=: Keras hands it the mask
    def call(self, inputs, mask=None):
        return (inputs * mask[:, :, None].to(inputs.dtype)).sum(1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


class TheirMaskedSum(keras.layers.Layer):
    def call(self, inputs, mask=None):
        return keras.ops.sum(inputs * keras.ops.cast(mask, inputs.dtype)[:, :, None], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


@pytest.mark.filterwarnings("ignore:Layer 'their_masked_sum'|Layer 'our_masked_sum'")
def test_a_layer_whose_call_takes_mask_receives_it():
    def make(lib):
        layer = OurMaskedSum() if lib is nk else TheirMaskedSum()
        return _sequential(lib, lib.layers.Embedding(8, 2, mask_zero=True), layer)

    expected, _ = _predict_both(make)
    assert np.all(expected[4] == 0)  # the all-padding row sums nothing


@pytest.mark.filterwarnings("ignore:Layer 'flatten'")  # Keras's, while building its model
def test_layers_that_do_not_support_masking_drop_it_with_keras_warning():
    def make(lib):
        L = lib.layers
        return _sequential(lib, L.Embedding(8, 2, mask_zero=True), L.Flatten(), L.Dense(1))

    theirs, ours = _twins(make)
    assert ours.layers[0].supports_masking and not ours.layers[1].supports_masking
    with pytest.warns(UserWarning, match="does not support masking") as caught:
        ours.predict(IDS, verbose=0)
    assert "Layer 'flatten' (of type Flatten) was passed an input with a mask" in str(
        caught[0].message
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = theirs.predict(IDS, verbose=0)
        np.testing.assert_allclose(ours.predict(IDS, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_supports_masking_and_default_compute_mask_follow_keras():
    class WithMask(nk.layers.Layer):
        def compute_mask(self, inputs, mask=None):
            return mask

    class Opted(nk.layers.Layer):
        supports_masking = False

        def compute_mask(self, inputs, mask=None):
            return mask

    assert WithMask().supports_masking and not Opted().supports_masking
    assert not nk.layers.Flatten().supports_masking and nk.layers.LSTM(2).supports_masking
    layer = nk.layers.Layer()
    layer.supports_masking = True  # Keras's way of opting in, in __init__
    assert layer.supports_masking and layer.compute_mask(None, "m") == "m"
    for lib in (keras, nk):
        assert lib.layers.Layer().compute_mask(None, "m") == "m"


def test_fit_of_a_masked_lstm_model_follows_keras():
    ids = np.concatenate([IDS, IDS[::-1] % 5])[:, :5]  # 12 rows: 3 batches of 4
    y = np.random.default_rng(1).standard_normal((len(ids), 1)).astype(np.float32)

    def make(lib):
        L = lib.layers
        return lib.Sequential(
            [lib.Input(shape=(5,)), L.Embedding(8, 3, mask_zero=True), L.LSTM(4), L.Dense(1)]
        )

    theirs, ours = _twins(make)
    start = theirs.get_weights()
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(optimizer=lib.optimizers.SGD(0.5), loss="mse")
        model.fit(ids, y, batch_size=4, epochs=4, shuffle=False, verbose=0)  # 12 steps
    moved = [np.abs(a - b).max() for a, b in zip(theirs.get_weights(), start)]
    assert min(moved) > 1e-3  # training did move every weight
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


# ---- layers that pass the mask on, merge it, or consume it (Keras's rules) -------------------
def test_elementwise_layers_pass_the_mask_on_to_the_lstm():
    def make(lib):
        L = lib.layers
        return _sequential(lib, L.Embedding(8, 3, mask_zero=True), L.Activation("tanh"),
                           L.Dropout(0.5), L.LayerNormalization(), L.GaussianNoise(0.1),
                           L.LSTM(4), L.Dense(2))  # fmt: skip

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "destroys the mask" warning
        _predict_both(make)


def test_global_average_pooling_averages_the_kept_steps_only():
    def make(lib):
        L = lib.layers
        return _sequential(lib, L.Embedding(8, 3, mask_zero=True), L.GlobalAveragePooling1D(),
                           L.Dense(2))  # fmt: skip

    _predict_both(make, IDS[[0, 1, 2, 3, 5]])  # (an all-padding row is 0/0 in Keras too)


def test_merge_layers_keep_a_step_where_any_masked_input_keeps_it():
    def make(lib):
        L = lib.layers
        a, b = lib.Input(shape=(IDS.shape[1],)), lib.Input(shape=(IDS.shape[1],))
        ea, eb = L.Embedding(8, 3, mask_zero=True)(a), L.Embedding(8, 3, mask_zero=True)(b)
        added = L.Add()([ea, eb])  # masked where both inputs are
        both = L.Concatenate()([added, L.Embedding(8, 2, mask_zero=True)(a)])
        return lib.Model([a, b], L.GRU(4)(both))

    _predict_both(make, [IDS, IDS[::-1].copy()])


def test_attention_output_keeps_the_query_mask():
    def make(lib):
        L = lib.layers
        ids = lib.Input(shape=(IDS.shape[1],))
        seq = L.Embedding(8, 4, mask_zero=True)(ids)
        return lib.Model(ids, L.LSTM(3)(L.MultiHeadAttention(2, 2)(seq, seq)))

    _predict_both(make, IDS[[0, 1, 2, 3, 5]])  # (rows with every key masked differ, see above)


def test_an_elementwise_merge_with_an_unmasked_input_has_no_mask():
    layer = nk.layers.Multiply()
    x = [ns.ones(2, 3, 4), ns.ones(2, 3, 4)]
    assert layer.compute_mask(x, [ns.tensor([[True, False, True]] * 2), None]) is None
    both = layer.compute_mask(x, [ns.tensor([[True, False, False]] * 2),
                                  ns.tensor([[False, False, True]] * 2)])  # fmt: skip
    assert both.tolist() == [[True, False, True]] * 2  # Keras: kept where any input keeps it
