"""Rescaling, Normalization, CategoryEncoding and Discretization against real Keras 3 (torch
backend): ``adapt`` gives Keras's statistics and bins from the same data (an array or a list
of batches), the encodings give Keras's outputs, an adapted Normalization saves, loads and
stays fixed while the model trains, and bad arguments are refused naming the layer."""

import os

import numpy as np
import pytest
from tolerance import assert_close

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
L = nk.layers


def _np(x):
    return (
        x.numpy()
        if hasattr(x, "detach") and not hasattr(x, "cpu")
        else (keras.ops.convert_to_numpy(x))
    )


# ---- Normalization ------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, (1, 2), None, 1])
@pytest.mark.parametrize("batched", [False, True])
def test_normalization_adapt_matches_keras(axis, batched, rng):
    data = (rng.standard_normal((12, 3, 4)) * [1.0, 3.0, 0.5, 2.0] + 5.0).astype(np.float32)
    feed = [data[:5], data[5:9], data[9:]] if batched else data
    ours, theirs = L.Normalization(axis=axis), keras.layers.Normalization(axis=axis)
    ours.adapt(feed)
    theirs.adapt(data)  # (Keras's adapt on a list needs TensorFlow: the same data, whole)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        assert mine.shape == keras_weight.shape and mine.dtype == keras_weight.dtype
        assert_close(mine, keras_weight)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    assert_close(ours(x).numpy(), _np(theirs(x)))


def test_normalization_statistics_by_hand(rng):
    """Over batches of unequal size, the merged statistics are those of all the data."""
    data = rng.standard_normal((10, 2)) * 3.0 + 1.0
    layer = L.Normalization()
    layer.adapt([data[:3], data[3:]])
    assert_close(layer.mean.numpy(), data.mean(0), dtype=np.float32)
    assert_close(layer.variance.numpy(), data.var(0), dtype=np.float32)


def test_normalization_given_and_invert_match_keras(rng):
    x = rng.standard_normal((3, 2, 4)).astype(np.float32)
    for kwargs in [
        {"mean": 2.0, "variance": 4.0},
        {"mean": [1.0, -1.0], "variance": [0.5, 2.0], "axis": 1, "invert": True},
    ]:
        assert_close(
            L.Normalization(**kwargs)(x).numpy(), _np(keras.layers.Normalization(**kwargs)(x))
        )


def test_adapted_normalization_saves_loads_and_does_not_train(rng, tmp_path):
    data = (rng.standard_normal((32, 3)) * 4.0 + 2.0).astype(np.float32)
    norm = L.Normalization()
    norm.adapt(data)
    assert norm.trainable_weights == [] and len(norm.non_trainable_weights) == 3
    model = nk.Sequential([nk.Input((3,)), norm, L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(data, data[:, :1], epochs=2, verbose=0)
    assert_close(norm.mean.numpy(), data.mean(0), dtype=np.float32)
    model.save(tmp_path / "m.keras")
    restored = nk.saving.load_model(tmp_path / "m.keras")
    assert_close(restored.layers[0].mean.numpy(), norm.mean.numpy(), rtol=0, atol=0)
    np.testing.assert_array_equal(restored.predict(data, verbose=0), model.predict(data, verbose=0))


def test_keras_adapted_normalization_weights_load_into_ours(rng):
    data = rng.standard_normal((20, 4)).astype(np.float32) * 2 - 1
    theirs = keras.layers.Normalization()
    theirs.adapt(data)
    ours = L.Normalization()
    ours.build((None, 4))
    ours.set_weights(theirs.get_weights())
    assert_close(ours(data).numpy(), _np(theirs(data)))


# ---- Discretization -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("num_bins", "epsilon", "sizes"),
    [(4, 0.01, [1000]), (3, 0.1, [50, 70, 9]), (5, 0.01, [7]), (6, 0.05, [300, 300])],
)
def test_discretization_adapt_gives_keras_bins(num_bins, epsilon, sizes, rng):
    batches = [rng.standard_normal((n, 2)).astype(np.float32) for n in sizes]
    feed = batches[0] if len(batches) == 1 else batches
    ours = L.Discretization(num_bins=num_bins, epsilon=epsilon)
    theirs = keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    ours.adapt(feed)
    # Keras's adapt() imports TensorFlow to check for a tf.data.Dataset; below it is this loop
    theirs.reset_state()
    for batch in batches:
        theirs.update_state(batch)
    theirs.finalize_state()
    assert ours.bin_boundaries == theirs.bin_boundaries
    x = rng.standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_array_equal(ours(x).numpy(), _np(theirs(x)))


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("shape", [(6,), (3, 4), (3, 1)])
def test_discretization_outputs_match_keras(mode, shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    kwargs = {"bin_boundaries": [-0.5, 0.0, 0.7], "output_mode": mode}
    ours, theirs = L.Discretization(**kwargs), keras.layers.Discretization(**kwargs)
    y, y_k = ours(x).numpy(), _np(theirs(x))
    assert y.dtype == y_k.dtype
    np.testing.assert_array_equal(y, y_k)
    assert ours.compute_output_shape(shape) == tuple(theirs.compute_output_shape(shape))


def test_adapted_discretization_config_round_trips(rng):
    layer = L.Discretization(num_bins=3)
    layer.adapt(rng.standard_normal(200).astype(np.float32))
    clone = L.Discretization.from_config(layer.get_config())
    assert clone.bin_boundaries == layer.bin_boundaries and len(layer.bin_boundaries) == 2
    assert set(layer.get_config()) == set(keras.layers.Discretization(num_bins=3).get_config())


# ---- CategoryEncoding ---------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (4, 1)])
def test_category_encoding_matches_keras(mode, shape, rng):
    ids = rng.integers(0, 6, shape).astype(np.int32)
    ours = L.CategoryEncoding(num_tokens=6, output_mode=mode)
    theirs = keras.layers.CategoryEncoding(num_tokens=6, output_mode=mode)
    y, y_k = ours(ids).numpy(), _np(theirs(ids))
    assert y.dtype == y_k.dtype == np.float32
    np.testing.assert_array_equal(y, y_k)
    if mode == "one_hot" or len(shape) == 2:
        assert ours.compute_output_shape(shape) == tuple(theirs.compute_output_shape(shape))
    assert ours.get_config().keys() == theirs.get_config().keys()


def test_category_encoding_count_weights_match_keras_and_carry_gradients(rng):
    import nnscratch as ns

    ids = np.array([[0, 2, 2, 1], [3, 3, 3, 0]], np.int32)
    weights = rng.standard_normal(ids.shape).astype(np.float32)
    w = ns.tensor(weights, requires_grad=True)
    y = L.CategoryEncoding(4, output_mode="count")(ids, count_weights=w)
    expected = keras.layers.CategoryEncoding(4, output_mode="count")(ids, count_weights=weights)
    assert_close(y.detach().numpy(), _np(expected))
    y[:, 2].sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), (ids == 2).astype(np.float32))


def test_category_encoding_in_a_model_saves_and_loads(tmp_path):
    model = nk.Sequential([nk.Input((3,), dtype="int32"), L.CategoryEncoding(5), L.Dense(2)])
    ids = np.array([[0, 4, 4], [1, 2, 3]], np.int32)
    model.save(tmp_path / "m.keras")
    restored = nk.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(restored.predict(ids, verbose=0), model.predict(ids, verbose=0))


def test_rescaling_matches_keras(rng):
    x = (rng.random((2, 3, 3)) * 255).astype(np.float32)
    for kwargs in [{"scale": 1 / 127.5, "offset": -1.0}, {"scale": [1.0, 0.5, 2.0]}]:
        assert_close(L.Rescaling(**kwargs)(x).numpy(), _np(keras.layers.Rescaling(**kwargs)(x)))
    ints = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert L.Rescaling(0.5)(ints).dtype == np.float32


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (
            lambda: L.Normalization(mean=[1.0], name="n"),
            ValueError,
            ["Normalization 'n'", "variance"],
        ),
        (
            lambda: L.Normalization(axis=3, name="n").build((None, 2)),
            ValueError,
            ["Normalization 'n'", "axis=(3,)"],
        ),
        (lambda: L.Normalization(name="n").adapt(5), TypeError, ["Normalization 'n'", "int"]),
        (lambda: _adapted_then(np.ones((4, 3))), ValueError, ["Normalization 'n'", "(4, 3)"]),
        (lambda: L.Discretization(name="d"), ValueError, ["Discretization 'd'", "num_bins"]),
        (
            lambda: L.Discretization([0.0], name="d").adapt(np.ones(3)),
            ValueError,
            ["Discretization 'd'", "num_bins"],
        ),
        (
            lambda: L.Discretization([0.0], output_mode="tf_idf", name="d"),
            ValueError,
            ["Discretization 'd'", "tf_idf"],
        ),
        (
            lambda: L.CategoryEncoding(name="c"),
            ValueError,
            ["CategoryEncoding 'c'", "num_tokens=None"],
        ),
        (
            lambda: L.CategoryEncoding(3, name="c")(np.array([[0, 3]])),
            ValueError,
            ["CategoryEncoding 'c'", "[0, 3)", "3"],
        ),
        (
            lambda: L.CategoryEncoding(3, name="c")(np.array([[0]]), count_weights=[[1.0]]),
            ValueError,
            ["CategoryEncoding 'c'", "count_weights"],
        ),
    ],
)
def test_bad_arguments_name_the_layer(make, error, words):
    with pytest.raises(error) as raised:
        make()
    for word in words:
        assert word in str(raised.value)


def _adapted_then(data):
    layer = L.Normalization(name="n")
    layer.adapt(np.ones((4, 2)))
    layer.adapt(data)
