"""Embedding and MultiHeadAttention against real Keras 3 (torch backend): outputs with copied
weights, masks, weight layout and counts, configs, short fits, and errors."""

import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _np(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, ns.Tensor) else keras.ops.convert_to_numpy(x)


def _fit_both(make, x, y, rng):
    """``make(lib)`` in Keras and nnscratch from the same weights, 10 SGD steps each."""
    keras.utils.clear_session()
    nk.utils.clear_session()
    theirs, ours = make(keras), make(nk)
    ours.set_weights(theirs.get_weights())
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)  # 10 steps
    assert len(ours.get_weights()) == len(theirs.get_weights())
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    return theirs, ours


# ---- Embedding --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["int64", "int32", "float32"])
def test_embedding_equals_keras_with_copied_weights(dtype, rng):
    ids = rng.integers(0, 7, (3, 5)).astype(dtype)
    theirs, ours = keras.layers.Embedding(7, 4), nk.layers.Embedding(7, 4)
    expected_shape = tuple(theirs(ids).shape)
    ours(ids)
    ours.set_weights(theirs.get_weights())
    assert ours(ids).shape == expected_shape == ours.compute_output_shape(ids.shape)
    np.testing.assert_array_equal(_np(ours(ids)), _np(theirs(ids)))
    assert ours.count_params() == theirs.count_params() == 28


def test_embedding_mask_zero_equals_keras():
    ids = np.array([[3, 0, 1], [0, 0, 2]])
    theirs = keras.layers.Embedding(4, 2, mask_zero=True)
    ours = nk.layers.Embedding(4, 2, mask_zero=True)
    np.testing.assert_array_equal(ours.compute_mask(ids).numpy(), _np(theirs.compute_mask(ids)))
    assert ours.compute_mask(ids).dtype == np.bool_
    assert nk.layers.Embedding(4, 2).compute_mask(ids) is None


def test_embedding_gradient_accumulates_per_id():
    layer = nk.layers.Embedding(4, 2)
    layer(ns.tensor([[1, 3, 1]])).sum().backward()
    np.testing.assert_array_equal(layer.embeddings.grad.numpy(), [[0, 0], [2, 2], [0, 0], [1, 1]])


def test_embedding_ids_out_of_range_raise_naming_the_layer():
    layer = nk.layers.Embedding(5, 2, name="tokens")
    with pytest.raises(IndexError, match=r"'tokens' received id 5, out of range for input_dim=5"):
        layer(np.array([[1, 5]]))
    with pytest.raises(IndexError, match=r"id -1.*\[0, 4\]"):
        layer(np.array([[-1, 2]]))


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_embedding_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="input_dim"):
        nk.layers.Embedding(bad, 3)


def test_embedding_initial_weights_config_and_default_initializer():
    table = np.arange(6, dtype=np.float32).reshape(3, 2)
    layer = nk.layers.Embedding(3, 2, weights=table, mask_zero=True, name="emb")
    np.testing.assert_array_equal(_np(layer(np.array([2]))), [[4.0, 5.0]])
    config = layer.get_config()
    theirs = keras.layers.Embedding(3, 2, mask_zero=True, name="emb").get_config()
    keys = ("name", "input_dim", "output_dim", "mask_zero")
    assert {k: config[k] for k in keys} == {k: theirs[k] for k in keys}
    assert nk.layers.Embedding.from_config(config).get_config()["mask_zero"] is True
    drawn = nk.layers.Embedding(200, 50)
    drawn.build()
    values = _np(drawn.embeddings)
    assert values.min() >= -0.05 and values.max() <= 0.05 and values.std() > 0.025  # U(-.05, .05)


def test_embedding_flatten_dense_fit_follows_keras(rng):
    def model(lib):
        layers = lib.layers
        return lib.Sequential(
            [layers.Input((3,)), layers.Embedding(6, 2), layers.Flatten(), layers.Dense(1)]
        )

    x = rng.integers(0, 6, (20, 3))
    _fit_both(model, x, rng.standard_normal((20, 1)).astype(np.float32), rng)


# ---- MultiHeadAttention -----------------------------------------------------------------------
def _attention_twins(rng, query=(2, 3, 5), value=(2, 4, 6), key=None, **kwargs):
    """Keras's and our layer, built for these shapes, with the same random weights."""
    theirs, ours = keras.layers.MultiHeadAttention(**kwargs), nk.layers.MultiHeadAttention(**kwargs)
    inputs = [rng.standard_normal(s).astype(np.float32) for s in (query, value, key) if s]
    theirs(*inputs[:2], *inputs[2:])
    ours(*inputs[:2], *inputs[2:])
    weights = [0.5 * rng.standard_normal(w.shape).astype(np.float32) for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return theirs, ours, inputs


MHA_CASES = [
    {"num_heads": 2, "key_dim": 4},
    {"num_heads": 3, "key_dim": 2, "value_dim": 5, "use_bias": False},
    {"num_heads": 2, "key_dim": 3, "output_shape": (2, 3)},
    {"num_heads": 2, "key_dim": 3, "output_shape": 4, "use_gate": True},
]


@pytest.mark.parametrize("kwargs", MHA_CASES)
@pytest.mark.parametrize("with_key", [False, True])
def test_attention_equals_keras_with_copied_weights(kwargs, with_key, rng):
    theirs, ours, inputs = _attention_twins(rng, key=(2, 4, 7) if with_key else None, **kwargs)
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()
    for training in (False, True):  # no dropout: training changes nothing
        expected = _np(theirs(*inputs, training=training))
        np.testing.assert_allclose(_np(ours(*inputs, training=training)), expected, atol=1e-5)
    out, scores = ours(*inputs, return_attention_scores=True)
    their_out, their_scores = theirs(*inputs, return_attention_scores=True)
    np.testing.assert_allclose(_np(out), _np(their_out), atol=1e-5)
    np.testing.assert_allclose(_np(scores), _np(their_scores), atol=1e-6)
    assert ours.compute_output_shape((2, 3, 5), (2, 4, 6)) == tuple(their_out.shape)


def _no_empty_rows(mask: np.ndarray) -> np.ndarray:
    mask[..., 0] = True  # every query keeps a key: Keras's two code paths agree then
    return mask


MASK_CASES = {
    "attention_mask": lambda rng: {"attention_mask": _no_empty_rows(rng.random((2, 3, 4)) > 0.5)},
    "mask_2d": lambda rng: {"attention_mask": _no_empty_rows(rng.random((3, 4)) > 0.5)},
    "mask_4d": lambda rng: {"attention_mask": _no_empty_rows(rng.random((2, 2, 3, 4)) > 0.5)},
    "int_mask": lambda rng: {"attention_mask": _no_empty_rows(rng.random((2, 3, 4)) > 0.5) * 1},
    "causal": lambda rng: {"use_causal_mask": True},
    "value_mask": lambda rng: {"value_mask": np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)},
    "key_and_value": lambda rng: {
        "value_mask": np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool),
        "key_mask": np.array([[1, 1, 1, 1], [1, 0, 1, 0]], bool),
    },
    "everything": lambda rng: {
        "attention_mask": _no_empty_rows(rng.random((2, 3, 4)) > 0.3),
        "value_mask": np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool),
        "use_causal_mask": True,
    },
}


@pytest.mark.parametrize("case", list(MASK_CASES))
def test_attention_masks_equal_keras(case, rng):
    theirs, ours, inputs = _attention_twins(rng, num_heads=2, key_dim=3)
    masks = MASK_CASES[case](rng)
    np.testing.assert_allclose(
        _np(ours(*inputs, **masks)), _np(theirs(*inputs, **masks)), atol=1e-5
    )
    _, scores = ours(*inputs, return_attention_scores=True, **masks)
    _, their_scores = theirs(*inputs, return_attention_scores=True, **masks)
    np.testing.assert_allclose(_np(scores), _np(their_scores), atol=1e-6)


def test_sliding_window_equals_keras(rng):
    theirs, ours, inputs = _attention_twins(rng, (2, 5, 4), (2, 5, 4), num_heads=2, key_dim=2,
                                            sliding_window=2)  # fmt: skip
    for causal in (False, True):
        expected = _np(theirs(*inputs, use_causal_mask=causal))
        np.testing.assert_allclose(_np(ours(*inputs, use_causal_mask=causal)), expected, atol=1e-5)


def test_query_mask_and_fully_masked_rows_equal_keras_softmax_path(rng):
    """A query with no key to attend gets zero weights, as Keras's masked Softmax (used when
    Keras returns the scores) gives; Keras's fused path would average the values instead."""
    theirs, ours, inputs = _attention_twins(rng, num_heads=2, key_dim=3)
    query_mask = np.array([[1, 1, 0], [1, 0, 0]], bool)
    from keras.src import backend  # Keras reads the query's mask from the tensor only

    query = keras.ops.convert_to_tensor(inputs[0])
    backend.set_keras_mask(query, keras.ops.convert_to_tensor(query_mask))
    out, scores = theirs(query, inputs[1], return_attention_scores=True)
    ours_out, ours_scores = ours(*inputs, query_mask=query_mask, return_attention_scores=True)
    np.testing.assert_allclose(_np(ours_scores), _np(scores), atol=1e-6)
    np.testing.assert_allclose(_np(ours_out), _np(out), atol=1e-5)
    assert (_np(ours_scores)[1, :, 1:] == 0).all()


def test_attention_dropout_drops_weights_in_training_only(rng):
    theirs, ours, inputs = _attention_twins(rng, num_heads=2, key_dim=3, dropout=0.5)
    np.testing.assert_allclose(_np(ours(*inputs)), _np(theirs(*inputs)), atol=1e-5)
    ns.manual_seed(0)
    out, scores = ours(*inputs, training=True, return_attention_scores=True)
    np.testing.assert_allclose(_np(scores).sum(-1), 1, atol=1e-6)  # scores before dropout
    assert not np.allclose(_np(out), _np(ours(*inputs)))
    ns.manual_seed(0)
    np.testing.assert_array_equal(_np(ours(*inputs, training=True)), _np(out))


class _SelfAttention:
    """``MultiHeadAttention(x, x)`` as a one-input layer, so a Sequential model can hold it."""

    @staticmethod
    def make(lib):
        class SelfAttention(lib.layers.Layer):
            def __init__(self):
                super().__init__()
                self.mha = lib.layers.MultiHeadAttention(num_heads=2, key_dim=2)

            def build(self, input_shape):
                self.mha.build(input_shape, input_shape)

            def call(self, x):
                return self.mha(x, x, use_causal_mask=True)

        layers = lib.layers
        return lib.Sequential(
            [layers.Input((3, 4)), SelfAttention(), layers.Flatten(), layers.Dense(2)]
        )


def test_self_attention_fit_follows_keras(rng):
    x = rng.standard_normal((20, 3, 4)).astype(np.float32)
    theirs, ours = _fit_both(_SelfAttention.make, x, rng.standard_normal((20, 2)), rng)
    assert len(ours.get_weights()) == 10  # 8 attention weights and the Dense kernel and bias


def test_attention_config_round_trips_and_matches_keras(rng):
    kwargs = {"num_heads": 2, "key_dim": 3, "value_dim": 4, "dropout": 0.1, "use_bias": False,
              "output_shape": (5,), "use_gate": True}  # fmt: skip
    theirs, ours, _ = _attention_twins(rng, **kwargs)
    config, their_config = ours.get_config(), theirs.get_config()
    for key in (*kwargs, "attention_axes", "sliding_window", "seed", "name"):
        assert config[key] == their_config[key], key
    again = nk.layers.MultiHeadAttention.from_config(config)
    assert {k: again.get_config()[k] for k in kwargs} == {k: config[k] for k in kwargs}


def test_attention_errors_name_the_layer_and_shapes(rng):
    mha = nk.layers.MultiHeadAttention(2, 3, name="att")
    q, v = np.ones((2, 3, 5), np.float32), np.ones((2, 4, 6), np.float32)
    mha(q, v)
    with pytest.raises(ValueError, match=r"'att' expects query \(batch, T, 5\).*\(2, 3, 7\)"):
        mha(np.ones((2, 3, 7), np.float32), v)
    with pytest.raises(
        ValueError, match=r"attention_mask of shape \(batch, T, S\) = \(2, 3, 4\).*\(3, 5\)"
    ):
        mha(q, v, attention_mask=np.ones((3, 5), bool))
    with pytest.raises(ValueError, match=r"value_mask of shape \(2, 4\).*\(2, 3\)"):
        mha(q, v, value_mask=np.ones((2, 3), bool))
    with pytest.raises(NotImplementedError, match="rank 3"):
        nk.layers.MultiHeadAttention(2, 3)(
            np.ones((2, 3, 3, 5), np.float32), np.ones((2, 3, 3, 5), np.float32)
        )
    with pytest.raises(NotImplementedError, match="attention_axes"):
        nk.layers.MultiHeadAttention(2, 3, attention_axes=2)(q, v)
    with pytest.raises(ValueError, match="num_heads"):
        nk.layers.MultiHeadAttention(0, 3)
    with pytest.raises(TypeError, match="needs `query` and `value`"):
        mha(q)
