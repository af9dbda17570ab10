"""Attention and AdditiveAttention against real Keras 3 (torch backend): from Keras's own
weights, the same outputs, attention weights and gradients (of query, value, key and every
weight) under value/query masks and the causal mask; a masked functional model predicts and
trains as Keras's; it saves and reloads; dropout acts on the weights; bad input names the layer.
"""

import os

import numpy as np
import pytest
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
torch = pytest.importorskip("torch") if not os.environ.get("CI") else __import__("torch")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
L = nk.layers

LAYERS = [
    ("Attention", {}),
    ("Attention", {"use_scale": True}),
    ("Attention", {"score_mode": "concat"}),
    ("Attention", {"score_mode": "concat", "use_scale": True}),
    ("AdditiveAttention", {}),
    ("AdditiveAttention", {"use_scale": False}),
]
QUERY_MASK = np.array([[1, 1, 0], [1, 1, 1]], bool)
VALUE_MASK = np.array([[1, 1, 0, 0, 1], [0, 1, 1, 1, 1]], bool)
MASKS = {  # id -> (mask list or None, use_causal_mask)
    "none": (None, False),
    "value": ([None, VALUE_MASK], False),
    "query_value": ([QUERY_MASK, VALUE_MASK], False),
    "causal": (None, True),
    "causal_query_value": ([QUERY_MASK, VALUE_MASK], True),
}


def _pair(name, kwargs, rng, shapes):
    """Our layer and Keras's, built, ours holding Keras's (redrawn) weights."""
    theirs = getattr(keras.layers, name)(**kwargs)
    theirs.build([tuple(s) for s in shapes])
    theirs.set_weights([rng.standard_normal(w.shape).astype(np.float32) for w in theirs.weights])
    ours = getattr(L, name)(**kwargs)
    ours.build([tuple(s) for s in shapes])
    assert [p for p, _ in ours.named_parameters()] == [w.name for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _ours(layer, xs, g, mask, causal):
    ts = [ns.tensor(x, requires_grad=True) for x in xs]
    out, scores = layer(ts, mask=mask, use_causal_mask=causal, return_attention_scores=True)
    (out * ns.tensor(g)).sum().backward()
    grads = [t.grad.numpy() for t in ts] + [w.grad.numpy() for w in layer.trainable_weights]
    return out.detach().numpy(), scores.detach().numpy(), grads


def _theirs(layer, xs, g, mask, causal):
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    mask = None if mask is None else [None if m is None else torch.tensor(m) for m in mask]
    out, scores = layer(ts, mask=mask, use_causal_mask=causal, return_attention_scores=True)
    (out * torch.tensor(g)).sum().backward()
    grads = [t.grad.numpy() for t in ts] + [w.value.grad.numpy() for w in layer.trainable_weights]
    return out.detach().numpy(), scores.detach().numpy(), grads


@pytest.mark.parametrize("mask_id", list(MASKS))
@pytest.mark.parametrize(("name", "kwargs"), LAYERS, ids=str)
def test_outputs_scores_and_gradients_match_keras(name, kwargs, mask_id, rng):
    shapes = [(2, 3, 4), (2, 5, 6), (2, 5, 4)]  # query, value, key
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ours, theirs = _pair(name, kwargs, rng, shapes)
    g = rng.standard_normal((2, 3, 6)).astype(np.float32)
    mask, causal = MASKS[mask_id]
    out, scores, grads = _ours(ours, xs, g, mask, causal)
    out_k, scores_k, grads_k = _theirs(theirs, xs, g, mask, causal)
    assert_close(out, out_k)
    assert_close(scores, scores_k)
    assert len(grads) == len(grads_k) == 3 + len(theirs.trainable_weights)
    for grad, grad_k in zip(grads, grads_k):
        assert_close(grad, grad_k)


def _masked_model(lib, name, kwargs):
    """Token ids -> Embedding(mask_zero) -> attention of the sequence to itself -> pooled."""
    lib.utils.set_random_seed(3)
    ids = lib.Input(shape=(6,), dtype="int32")
    seq = lib.layers.Embedding(9, 4, mask_zero=True)(ids)
    attended = getattr(lib.layers, name)(**kwargs)([seq, seq], use_causal_mask=True)
    pooled = lib.layers.GlobalAveragePooling1D()(attended)
    model = lib.Model(ids, lib.layers.Dense(1)(pooled))
    model.compile(optimizer=lib.optimizers.SGD(0.2), loss="mse")
    return model


@pytest.mark.parametrize(("name", "kwargs"), [LAYERS[1], LAYERS[3], LAYERS[4]], ids=str)
def test_a_masked_functional_model_predicts_and_trains_as_keras(name, kwargs, rng):
    ids = rng.integers(1, 9, (8, 6)).astype(np.int32)
    ids[:, 4:] = 0  # padding at the end: the mask flows from Embedding into the attention
    ids[0, 2:] = 0
    y = rng.standard_normal((8, 1)).astype(np.float32)
    ours, theirs = _masked_model(nk, name, kwargs), _masked_model(keras, name, kwargs)
    ours.set_weights(theirs.get_weights())
    assert_close(ours.predict(ids, verbose=0), theirs.predict(ids, verbose=0))
    ours.fit(ids, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    theirs.fit(ids, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        assert_close(mine, keras_weight)


@pytest.mark.parametrize("name", ["Attention", "AdditiveAttention"])
def test_in_a_functional_model_it_saves_and_reloads(name, tmp_path, rng):
    query, value = nk.Input(shape=(3, 4)), nk.Input(shape=(5, 4))
    out, scores = getattr(L, name)()([query, value], return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, 5)
    model = nk.Model([query, value], [L.Dense(2)(out), scores])
    x = [rng.standard_normal((2, n, 4)).astype(np.float32) for n in (3, 5)]
    model.save(tmp_path / "m.keras")
    restored = nk.saving.load_model(tmp_path / "m.keras")
    assert type(restored.layers[2]).__name__ == name
    for a, b in zip(restored.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_array_equal(a, b)


def test_dropout_drops_attention_weights_only_in_training(rng):
    layer = L.Attention(dropout=0.5)
    xs = [rng.standard_normal((4, 20, 3)).astype(np.float32) for _ in range(2)]
    _, plain = layer(xs, return_attention_scores=True)
    _, same = layer(xs, return_attention_scores=True, training=False)
    np.testing.assert_array_equal(same.numpy(), plain.numpy())
    _, dropped = layer(xs, return_attention_scores=True, training=True)
    dropped, plain = dropped.numpy(), plain.numpy()
    kept = dropped != 0
    assert abs(kept.mean() - 0.5) < 0.05
    assert_close(dropped[kept], 2 * plain[kept])


def test_configs_are_keras_configs():
    for name, kwargs in LAYERS + [("Attention", {"dropout": 0.25, "seed": 4})]:
        ours = getattr(L, name)(**kwargs).get_config()
        theirs = getattr(keras.layers, name)(**kwargs).get_config()
        ours.pop("dtype"), theirs.pop("dtype")
        assert ours == {**theirs, "name": ours["name"]}


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: L.Attention(score_mode="cosine", name="a"), ["Attention 'a'", "cosine"]),
        (lambda: L.Attention(dropout=1.5, name="a"), ["Attention 'a'", "1.5"]),
        (lambda: L.Attention(name="a")(np.ones((1, 2, 3), np.float32)), ["Attention 'a'", "list"]),
        (
            lambda: L.Attention(name="a")([np.ones((1, 2, 3), np.float32)] * 4),
            ["Attention 'a'", "received 4"],
        ),
        (
            lambda: L.AdditiveAttention(name="b")(
                [np.ones((1, 2, 3), np.float32), np.ones((1, 4, 5), np.float32)]
            ),
            ["AdditiveAttention 'b'", "(1, 2, 3)", "(1, 4, 5)"],
        ),
        (
            lambda: L.Attention(name="a")(
                [np.ones((1, 2, 3), np.float32)] * 2, mask=np.ones((1, 2), bool)
            ),
            ["Attention 'a'", "mask"],
        ),
    ],
)
def test_bad_input_names_the_layer(make, words):
    with pytest.raises(ValueError) as error:
        make()
    for word in words:
        assert word in str(error.value)
