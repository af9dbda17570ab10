"""The article's Keras half: examples/article_keras.py learns AND and XOR, prints Keras's
summaries, and its training follows real Keras's trajectory from the same weights."""

import contextlib
import io
import os
import re
import warnings

import numpy as np
import pytest
from examples_loader import load_example

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


@pytest.fixture(scope="module")
def article_run():
    """Run the example once, as a fresh session would (name counters from zero)."""
    nk.utils.clear_session()
    example = load_example("article_keras")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        and_model, xor_model = example.main()
    return and_model, xor_model, out.getvalue(), caught


def test_summaries_show_the_articles_tables(article_run):
    and_model, xor_model, printed, _ = article_run
    assert 'Model: "sequential"' in printed and 'Model: "sequential_1"' in printed
    for name, count in [
        ("dense", 30),
        ("dense_1", 110),
        ("dense_2", 11),
        ("dense_3", 30),
        ("dense_4", 110),
        ("dense_5", 11),
    ]:
        assert re.search(
            rf"│ {name} \(Dense\) +│ \(None, {1 if count == 11 else 10}\) +│ +"
            rf"{count} │",
            printed,
        ), name
    assert printed.count(" Total params: 151 (604.00 B)") == 2
    assert printed.count(" Trainable params: 151 (604.00 B)") == 2
    assert printed.count(" Non-trainable params: 0 (0.00 B)") == 2
    assert [and_model.count_params(), xor_model.count_params()] == [151, 151]


def test_and_and_xor_are_learned(article_run):
    and_model, xor_model, printed, _ = article_run
    np.testing.assert_array_equal(np.round(and_model.predict(X, verbose=0)).ravel(), [0, 0, 0, 1])
    np.testing.assert_array_equal(np.round(xor_model.predict(X, verbose=0)).ravel(), [0, 1, 1, 0])
    rounded = re.findall(
        r"array\(\[\[([01])\.\],\s+\[([01])\.\],\s+\[([01])\.\],\s+\[([01])\.\]\]", printed
    )
    assert rounded == [("0", "0", "0", "1"), ("0", "1", "1", "0")]


def test_fit_prints_epochs_and_binary_accuracy(article_run):
    printed = article_run[2]
    assert "Epoch 500/500" in printed and "Epoch 1000/1000" in printed
    last = printed.split("Epoch 1000/1000\n")[1].split("\n")[0].split("\r")[-1]  # the bar
    assert re.search(r"binary_accuracy: 1\.0000 - loss: 0\.\d+", last)


def test_the_articles_fit_does_not_warn(article_run):
    """batch_size left at its default: one batch holds the 4 samples, nothing is wrong."""
    messages = [str(w.message) for w in article_run[3]]
    assert not any("batch_size" in m for m in messages)


def _article_model(lib):
    model = lib.models.Sequential()
    model.add(lib.layers.Input(shape=(2,)))
    model.add(lib.layers.Dense(10, activation="relu"))
    model.add(lib.layers.Dense(10, activation="relu"))
    model.add(lib.layers.Dense(1, activation="sigmoid"))
    # Keras 3 wants a list; tf.keras 2 (the article's) and nnscratch also take the bare string.
    metrics = "binary_accuracy" if lib is nk else ["binary_accuracy"]
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=metrics)
    return model


def test_xor_training_follows_keras_from_the_same_weights():
    """300 of the article's 1000 Adam steps, from the same weights, give Keras's losses.

    Later the runs drift apart by float32 rounding: Adam divides each gradient by its running
    RMS, so components that are rounding noise (dead ReLU paths) become steps of size ~lr,
    and after ~550 steps the two frameworks' last-bit differences reach 1e-4 in the weights.
    """
    y = np.array([0, 1, 1, 0])
    nk.utils.set_random_seed(5)
    ours, theirs = _article_model(nk), _article_model(keras)
    theirs.set_weights(ours.get_weights())
    # One batch of four rows; shuffle=False keeps the row order (so the float sums) identical.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h_ours = ours.fit(X, y, epochs=300, verbose=0, shuffle=False)
    h_theirs = theirs.fit(X, y, epochs=300, verbose=0, shuffle=False)
    assert sorted(h_ours.history) == sorted(h_theirs.history)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], atol=1e-6)
    np.testing.assert_array_equal(
        h_ours.history["binary_accuracy"], h_theirs.history["binary_accuracy"]
    )
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, atol=1e-4)
    np.testing.assert_allclose(ours.predict(X, verbose=0), theirs.predict(X, verbose=0), atol=1e-5)
