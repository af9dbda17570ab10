"""keras.random: the values cannot be Keras's (another generator), so the tests check what a
user relies on: an int seed repeats, a SeedGenerator moves on and repeats from its seed,
set_random_seed makes unseeded draws repeat; distributions have the right moments (bounds of
about 6 standard errors over 200,000 draws); bounds, dtypes and shapes are Keras's, and so are
the errors for bad arguments."""

import numpy as np
import pytest
from keras_ops_parity import require_keras

import nnscratch as ns
from nnscratch import keras as nk

R = nk.random
N = 200_000


def _np(t):
    return t.detach().numpy()


def _moments(values, mean, std):
    """Mean within 6 standard errors, std within 2%."""
    values = np.asarray(values, np.float64).ravel()
    assert abs(values.mean() - mean) < 6 * std / np.sqrt(values.size), values.mean()
    assert abs(values.std() - std) < 0.02 * std, values.std()


DRAWS = {
    "normal": lambda seed: R.normal((3, 4), seed=seed),
    "uniform": lambda seed: R.uniform((3, 4), seed=seed),
    "truncated_normal": lambda seed: R.truncated_normal((3, 4), seed=seed),
    "randint": lambda seed: R.randint((3, 4), 0, 100, seed=seed),
    "categorical": lambda seed: R.categorical(np.zeros((3, 5)), 4, seed=seed),
    "dropout": lambda seed: R.dropout(np.ones((3, 4), np.float32), 0.5, seed=seed),
    "shuffle": lambda seed: R.shuffle(np.arange(12), seed=seed),
    "gamma": lambda seed: R.gamma((3, 4), 2.0, seed=seed),
    "beta": lambda seed: R.beta((3, 4), 2.0, 3.0, seed=seed),
    "binomial": lambda seed: R.binomial((3, 4), 10, 0.5, seed=seed),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_int_seeds_repeat_and_seed_generators_move_on(name):
    draw = DRAWS[name]
    np.testing.assert_array_equal(_np(draw(7)), _np(draw(7)))
    assert not np.array_equal(_np(draw(7)), _np(draw(8)))
    gen = R.SeedGenerator(7)
    first, second = _np(draw(gen)), _np(draw(gen))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, _np(draw(7)))  # as Keras: state [7, 0] is seed 7
    again = R.SeedGenerator(7)
    np.testing.assert_array_equal(_np(draw(again)), first)
    np.testing.assert_array_equal(_np(draw(again)), second)


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_set_random_seed_makes_unseeded_draws_repeat(name):
    nk.utils.set_random_seed(11)
    a, b = _np(DRAWS[name](None)), _np(DRAWS[name](None))
    nk.utils.set_random_seed(11)
    np.testing.assert_array_equal(_np(DRAWS[name](None)), a)
    np.testing.assert_array_equal(_np(DRAWS[name](None)), b)


def test_the_first_seed_generator_draw_equals_the_int_seed_draw_as_in_keras():
    keras, _ = require_keras()
    theirs = keras.random.normal((4,), seed=keras.random.SeedGenerator(5))
    np.testing.assert_array_equal(theirs, keras.random.normal((4,), seed=5))
    ours = R.normal((4,), seed=R.SeedGenerator(5))
    np.testing.assert_array_equal(_np(ours), _np(R.normal((4,), seed=5)))


def test_seed_generator_state_config_and_errors_match_keras():
    keras, _ = require_keras()
    ours, theirs = R.SeedGenerator(3), keras.random.SeedGenerator(3)
    assert _np(ours.state).tolist() == np.asarray(theirs.state.value).tolist() == [3, 0]
    ours.next(), theirs.next()
    assert _np(ours.state).tolist() == np.asarray(theirs.state.value).tolist() == [3, 1]
    assert ours.get_config() == {"seed": 3, "name": ours.name}
    assert R.SeedGenerator.from_config(ours.get_config()).get_config() == ours.get_config()
    assert R.SeedGenerator().get_config()["seed"] is None
    nk.utils.set_random_seed(1)
    a = _np(R.SeedGenerator().state)
    nk.utils.set_random_seed(1)
    np.testing.assert_array_equal(_np(R.SeedGenerator().state), a)
    for bad in ("1", 1.5):
        with pytest.raises(ValueError):
            keras.random.SeedGenerator(bad)
        with pytest.raises(ValueError, match="must be an integer"):
            R.SeedGenerator(bad)
    with pytest.raises(ValueError):
        keras.random.normal((2,), seed="x")
    with pytest.raises(ValueError, match="normal: argument `seed` must be either an integer"):
        R.normal((2,), seed="x")


def test_dtypes_and_shapes_are_keras_s():
    keras, _ = require_keras()
    cases = {
        "normal": ((2, 3), {}), "uniform": ((2, 3), {}), "truncated_normal": ((2, 3), {}),
        "gamma": ((2, 3), {"alpha": 2.0}), "beta": ((2, 3), {"alpha": 1.0, "beta": 2.0}),
        "binomial": ((2, 3), {"counts": 5, "probabilities": 0.5}),
        "randint": ((2, 3), {"minval": 0, "maxval": 4}),
    }  # fmt: skip
    for name, (shape, kwargs) in cases.items():
        theirs = getattr(keras.random, name)(shape, **kwargs, seed=1)
        ours = getattr(R, name)(shape, **kwargs, seed=1)
        assert ours.shape == tuple(theirs.shape), name
        assert str(ours.dtype) == keras.backend.standardize_dtype(theirs.dtype), name
    assert R.normal((2,), dtype="float64", seed=1).dtype == ns.float64
    assert R.randint((2,), 0, 3, dtype="int64", seed=1).dtype == ns.int64
    theirs = keras.random.categorical(np.zeros((2, 3), np.float32), 5, seed=1)
    ours = R.categorical(np.zeros((2, 3), np.float32), 5, seed=1)
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == "int32"
    with pytest.raises(ValueError, match="2-D"):
        R.categorical(np.zeros(3), 2)
    with pytest.raises(ValueError, match="floating point dtype"):
        R.normal((2,), dtype="int32")


def test_normal_and_uniform_moments_and_bounds():
    _moments(_np(R.normal((N,), mean=2.0, stddev=3.0, seed=1)), 2.0, 3.0)
    u = _np(R.uniform((N,), minval=-1.0, maxval=3.0, seed=2))
    assert u.min() >= -1.0 and u.max() < 3.0
    _moments(u, 1.0, 4.0 / np.sqrt(12))
    tiny = _np(R.uniform((N,), minval=1.0, maxval=np.nextafter(np.float32(1), 2), seed=3))
    assert (tiny == 1.0).all()  # maxval itself is never drawn, even where rounding would


def test_truncated_normal_stays_within_two_stddev_with_the_truncated_moments():
    t = _np(R.truncated_normal((N,), mean=1.0, stddev=2.0, seed=4))
    assert t.min() >= 1.0 - 4.0 and t.max() <= 1.0 + 4.0
    # the standard normal truncated to [-2, 2] has std sqrt(1 - 4 phi(2) / (2 Phi(2) - 1))
    phi2 = np.exp(-2.0) / np.sqrt(2 * np.pi)
    mass = 0.9544997361036416  # P(|Z| < 2)
    _moments(t, 1.0, 2.0 * np.sqrt(1 - 4 * phi2 / mass))


def test_randint_range_and_categorical_frequencies():
    r = _np(R.randint((N,), -3, 4, seed=5))
    assert r.min() == -3 and r.max() == 3
    _moments(r, 0.0, np.sqrt((7**2 - 1) / 12))
    logits = np.log(np.array([[0.2, 0.5, 0.3], [1.0, 1e-12, 1e-12]]))
    picks = _np(R.categorical(logits, N, seed=6))
    np.testing.assert_allclose(np.bincount(picks[0], minlength=3) / N, [0.2, 0.5, 0.3], atol=0.006)
    assert (picks[1] == 0).all()


def test_dropout_zeroes_the_rate_and_scales_the_rest_differentiably():
    x = ns.ones(N, requires_grad=True)
    y = R.dropout(x, 0.3, seed=7)
    values = _np(y)
    assert set(np.unique(values).tolist()) <= {0.0, np.float32(1 / 0.7)}
    assert abs((values == 0).mean() - 0.3) < 6 * np.sqrt(0.3 * 0.7 / N)
    y.sum().backward()
    np.testing.assert_array_equal(_np(x.grad), values)  # d(x * mask)/dx = mask
    shared = _np(R.dropout(np.ones((50, 4), np.float32), 0.5, noise_shape=(None, 1), seed=8))
    assert (shared == shared[:, :1]).all()  # one draw per row
    with pytest.raises(ValueError, match="noise_shape"):
        R.dropout(np.ones((2, 3)), 0.5, noise_shape=(2, 2))
    with pytest.raises(ValueError, match=r"rate` in \[0, 1\]"):
        R.dropout(np.ones(2), 1.5)


def test_shuffle_is_a_permutation_along_the_axis():
    x = np.arange(24).reshape(4, 6)
    for axis in (0, 1, -1):
        out = _np(R.shuffle(x, axis=axis, seed=9))
        moved = np.moveaxis(out, axis, 0)
        original = np.moveaxis(x, axis, 0)
        assert sorted(map(tuple, moved)) == sorted(map(tuple, original))
    assert not np.array_equal(_np(R.shuffle(np.arange(100), seed=9)), np.arange(100))
    leaf = ns.tensor(np.arange(5.0), requires_grad=True)
    (R.shuffle(leaf, seed=1) * ns.tensor(np.arange(5.0))).sum().backward()
    assert sorted(_np(leaf.grad).tolist()) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_gamma_beta_binomial_moments():
    _moments(_np(R.gamma((N,), 3.0, seed=10)), 3.0, np.sqrt(3.0))
    a, b = 2.0, 5.0
    _moments(_np(R.beta((N,), a, b, seed=11)), a / (a + b),
             np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))))  # fmt: skip
    _moments(_np(R.binomial((N,), 20, 0.25, seed=12)), 5.0, np.sqrt(20 * 0.25 * 0.75))
