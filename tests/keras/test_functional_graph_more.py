"""The functional graph as the keras.io guides use it, against real Keras 3 (torch backend):
``Sequential.inputs``/``outputs`` and ``layer.output`` for feature extraction, a layer called
on several positional tensors that trains on its ``add_loss`` alone, user layers whose output
shape is found by running ``call``, and ``keras.applications`` refused by name."""

import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

# Several float32 training steps, summed in another order than torch's: a few ulp per step.
TRAINED = {"rtol": 2e-5, "atol": 2e-6}


def _copy_weights(source, target) -> None:
    target.set_weights([np.asarray(w) for w in source.get_weights()])


def _conv_stack(lib):
    return lib.Sequential(
        [
            lib.Input(shape=(9, 9, 3)),
            lib.layers.Conv2D(4, 3, strides=2, activation="relu"),
            lib.layers.Conv2D(5, 2, activation="relu", name="my_intermediate_layer"),
            lib.layers.Conv2D(2, 2),
        ]
    )


def test_sequential_inputs_outputs_and_a_feature_extractor_match_keras():
    theirs, ours = _conv_stack(keras), _conv_stack(nk)
    _copy_weights(theirs, ours)
    assert [t.shape for t in ours.inputs] == [tuple(t.shape) for t in theirs.inputs]
    assert [t.shape for t in ours.outputs] == [tuple(t.shape) for t in theirs.outputs]
    x = np.random.default_rng(0).standard_normal((2, 9, 9, 3)).astype(np.float32)
    for lib, model in ((keras, theirs), (nk, ours)):
        every = lib.Model(inputs=model.inputs, outputs=[la.output for la in model.layers])
        one = lib.Model(model.inputs, model.get_layer(name="my_intermediate_layer").output)
        model._found = [*every.predict(x, verbose=0), one.predict(x, verbose=0)]
    assert [f.shape for f in ours._found] == [f.shape for f in theirs._found]
    for got, want in zip(ours._found, theirs._found):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_sequential_without_an_input_has_no_inputs_until_built_as_keras():
    for lib in (keras, nk):
        model = lib.Sequential([lib.layers.Dense(2), lib.layers.Dense(3)])
        assert not hasattr(model, "inputs") and not hasattr(model.layers[0], "output")
        model(np.ones((4, 5), np.float32))
        assert model.outputs[0].shape[-1] == 3 and model.layers[0].output.shape[-1] == 2


def test_pop_moves_the_outputs_back_one_layer_as_keras():
    for lib in (keras, nk):
        model = _conv_stack(lib)
        model.pop()
        assert tuple(model.outputs[0].shape) == (None, 3, 3, 5)


def test_layer_output_and_input_are_the_first_calls_as_keras():
    found = {}
    for lib in (keras, nk):
        a, b = lib.Input(shape=(2,), name="a"), lib.Input(shape=(2,), name="b")
        dense, add = lib.layers.Dense(3), lib.layers.Add()
        first, _ = dense(a), dense(b)
        summed = add([a, b])
        found[lib] = (dense.output is first, dense.input is a, add.input == [a, b], summed)
        assert add.output is summed
    assert found[nk][:3] == found[keras][:3] == (True, True, True)


def _endpoint_model(lib):
    """The guide's endpoint layer: its own loss (``add_loss``) from targets and logits."""

    class LogisticEndpoint(lib.layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = lib.losses.BinaryCrossentropy(from_logits=True)

        def call(self, targets, logits, sample_weights=None):
            self.add_loss(self.loss_fn(targets, logits, sample_weights))
            return lib.ops.softmax(logits)

    inputs = lib.Input(shape=(3,), name="inputs")
    targets = lib.Input(shape=(10,), name="targets")
    logits = lib.layers.Dense(10)(inputs)
    predictions = LogisticEndpoint(name="predictions")(targets, logits)
    return lib.Model(inputs=[inputs, targets], outputs=predictions)


def test_an_endpoint_layer_on_two_tensors_trains_on_its_add_loss_as_keras():
    theirs, ours = _endpoint_model(keras), _endpoint_model(nk)
    assert ours.output_shape == tuple(theirs.output_shape) == (None, 10)
    _copy_weights(theirs, ours)
    rng = np.random.default_rng(1)
    data = {"inputs": rng.random((8, 3)), "targets": rng.random((8, 10))}
    logs = {}
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.5))  # no loss argument
        history = model.fit(data, batch_size=4, epochs=3, shuffle=False, verbose=0)
        logs[lib] = history.history["loss"]
    np.testing.assert_allclose(logs[nk], logs[keras], **TRAINED)
    for got, want in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(got, want, **TRAINED)
    predicted = ours.predict(data, verbose=0)
    np.testing.assert_allclose(predicted, theirs.predict(data, verbose=0), **TRAINED)


def test_a_two_tensor_call_is_saved_with_both_arguments_as_keras():
    nk.utils.clear_session()  # layer names carry a global counter in both libraries
    keras.utils.clear_session()
    ours, theirs = _endpoint_model(nk), _endpoint_model(keras)
    ours_args = ours.get_config()["layers"][-1]["inbound_nodes"][0]["args"]
    theirs_args = theirs.get_config()["layers"][-1]["inbound_nodes"][0]["args"]
    assert [a["config"]["keras_history"] for a in ours_args] == [
        list(a["config"]["keras_history"]) for a in theirs_args
    ]


def _embedding_model(lib):
    """The Transformer example's token-and-position embedding: no compute_output_shape."""

    class TokenAndPositionEmbedding(lib.layers.Layer):
        def __init__(self, maxlen, vocab_size, embed_dim):
            super().__init__()
            self.token_emb = lib.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.pos_emb = lib.layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

        def call(self, x):
            positions = self.pos_emb(lib.ops.arange(start=0, stop=lib.ops.shape(x)[-1], step=1))
            return self.token_emb(x) + positions

    inputs = lib.layers.Input(shape=(6,))
    x = TokenAndPositionEmbedding(6, 20, 4)(inputs)
    shape = tuple(x.shape)
    x = lib.layers.GlobalAveragePooling1D()(x)
    outputs = lib.layers.Dense(2, activation="softmax")(x)
    return lib.Model(inputs, outputs), shape


def test_a_user_layer_gets_its_symbolic_shape_from_call_and_trains_as_keras():
    (theirs, their_shape), (ours, our_shape) = _embedding_model(keras), _embedding_model(nk)
    assert our_shape == their_shape == (None, 6, 4)
    _copy_weights(theirs, ours)
    rng = np.random.default_rng(2)
    x, y = rng.integers(0, 20, (10, 6)), rng.integers(0, 2, (10,))
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(optimizer=lib.optimizers.SGD(0.3), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0)
    for got, want in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(got, want, **TRAINED)


def _pairs_layer(lib):
    """Two outputs of other shapes than the input's, one of them int32."""

    class Pairs(lib.layers.Layer):
        def call(self, x):
            doubled = lib.ops.concatenate([x, x], axis=-1)
            return doubled[:, ::2], lib.ops.cast(lib.ops.sum(x, axis=-1) > 0, "int32")

    return Pairs()


def test_unknown_sizes_stay_unknown_and_dtypes_come_from_call_as_keras():
    shapes = {}
    for lib in (keras, nk):
        a, b = _pairs_layer(lib)(lib.Input(shape=(None, 3)))
        shapes[lib] = (tuple(a.shape), tuple(b.shape), str(b.dtype))
    assert shapes[nk] == shapes[keras] == ((None, None, 6), (None, None), "int32")


def test_tracing_a_layer_leaves_no_trace():
    class Counting(nk.layers.Layer):
        def build(self, input_shape):
            self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False)

        def call(self, x):
            self.calls.assign_add(1.0)
            self.add_loss(x.sum())
            return x[:, :1]

    layer = Counting()
    layer(ns.ones(2, 3))
    state = ns.random.get_rng_state()
    assert layer(nk.Input(shape=(3,))).shape == (None, 1)
    assert float(layer.calls) == 1.0  # the one real call, not the traces
    assert [float(t) for t in layer.losses] == [6.0]  # the real call's term is kept
    assert ns.random.get_rng_state() == state


def test_weights_built_while_tracing_do_not_repeat_the_next_layers_draws():
    """A user layer whose sublayer is first called while its output shape is traced:
    the sublayer's initial weights are drawn once, and the next layer draws new ones (real
    Keras draws them from its seed generator the same way)."""

    class Block(nk.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = nk.layers.Dense(8)

        def call(self, x):
            return self.inner(x)

    nk.utils.set_random_seed(0)
    block, last = Block(), nk.layers.Dense(8)
    last(block(nk.Input(shape=(8,))))
    assert not np.array_equal(block.inner.kernel.numpy(), last.kernel.numpy())


def test_keras_applications_not_built_are_refused_by_model_name():
    with pytest.raises(NotImplementedError, match="keras.applications.ResNet50"):
        nk.applications.ResNet50(weights=None)
    assert not hasattr(nk.applications, "MobileNet")
