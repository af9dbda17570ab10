"""ModelCheckpoint(save_freq=N): a save every N training batches, counted across epochs, with
``{epoch}``/``{batch}`` and the latest batch logs in the path; compared with real Keras 3
(torch backend) trained from the same weights on the same batches."""

import os

import numpy as np
import pytest
from keras_ops_parity import require_keras

from nnscratch import keras as nk

keras, _torch = require_keras()

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

RNG = np.random.default_rng(21)
X = RNG.normal(size=(28, 3)).astype("float32")  # 7 batches of 4 an epoch
Y = RNG.normal(size=(28, 1)).astype("float32")


def _models():
    """The same Dense regressor in Keras and nnscratch, plain SGD, same starting weights."""
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    ours = nk.Sequential([nk.Input((3,)), nk.layers.Dense(1)])
    ours.set_weights(theirs.get_weights())
    theirs.compile(keras.optimizers.SGD(0.1), "mse")
    ours.compile(nk.optimizers.SGD(0.1), "mse")
    return theirs, ours


def _recorder(lib, seen):
    """Records the model's weights after every training batch, keyed (epoch, batch) 1-based."""
    epoch = [0]

    def on_batch_end(batch, logs):
        seen[(epoch[0] + 1, batch + 1)] = [w.copy() for w in recorder.model.get_weights()]

    recorder = lib.callbacks.LambdaCallback(
        on_epoch_begin=lambda e, logs: epoch.__setitem__(0, e), on_train_batch_end=on_batch_end
    )
    return recorder


def _fit_both(tmp_path, epochs, **checkpoint):
    """Fit both libraries with a checkpoint writing ``m-{epoch}-{batch}`` files; returns the
    file names (extension dropped) each wrote, and nnscratch's recorded weights."""
    theirs, ours = _models()
    names, seen = {}, {}
    for lib, model, ext in ((keras, theirs, ".keras"), (nk, ours, ".npz")):
        folder = tmp_path / lib.__name__
        callback = lib.callbacks.ModelCheckpoint(str(folder / f"m-{{epoch}}-{{batch}}{ext}"),
                                                 **checkpoint)  # fmt: skip
        callbacks = [callback, _recorder(lib, seen)] if lib is nk else [callback]
        model.fit(X, Y, batch_size=4, epochs=epochs, shuffle=False, verbose=0,
                  callbacks=callbacks)  # fmt: skip
        names[lib] = sorted(name.removesuffix(ext) for name in os.listdir(folder))
    return names[keras], names[nk], seen, tmp_path / nk.__name__


def test_save_freq_names_the_same_files_as_keras_and_holds_those_batches_weights(tmp_path):
    theirs, ours, seen, folder = _fit_both(tmp_path, epochs=3, save_freq=5)
    assert theirs == ["m-1-5", "m-2-3", "m-3-1", "m-3-6"]  # 21 batches: every 5th, across epochs
    assert ours == theirs
    for name in ours:
        epoch, batch = (int(part) for part in name.split("-")[1:])
        saved = nk.callbacks.load_weights_npz  # reads the file into a fresh model
        model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(1)])
        saved(model, str(folder / f"{name}.npz"))
        for got, want in zip(model.get_weights(), seen[(epoch, batch)]):
            np.testing.assert_array_equal(got, want)


def test_save_freq_with_save_best_only_reads_the_batch_logs_as_keras(tmp_path):
    # save_freq=5: the first save (epoch 1) comes before Keras sets its monitor at an epoch's
    # end; Keras fails on a second batch save inside the first epoch (it has no monitor yet).
    theirs, ours, _, _ = _fit_both(
        tmp_path, epochs=4, save_freq=5, save_best_only=True, monitor="loss"
    )
    assert len(theirs) >= 2
    assert ours == theirs


def test_save_freq_best_only_saves_when_the_batch_loss_improves(tmp_path):
    # Keras itself stops here (two batch saves before any epoch end); nnscratch decides.
    model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(1)])
    model.compile(nk.optimizers.SGD(0.1), "mse")
    losses = []
    logger = nk.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: losses.append(logs["loss"])
    )
    path = str(tmp_path / "b-{batch}.npz")
    checkpoint = nk.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True,
                                              save_freq=1)  # fmt: skip
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0,
              callbacks=[checkpoint, logger])  # fmt: skip
    best, want = np.inf, []
    for batch, loss in enumerate(losses, start=1):
        if loss < best:
            best, want = loss, want + [f"b-{batch}.npz"]
    assert sorted(os.listdir(tmp_path)) == sorted(want)


def test_batch_log_named_batch_wins_and_bad_save_freq_is_refused(tmp_path):
    checkpoint = nk.callbacks.ModelCheckpoint(str(tmp_path / "m-{batch}.npz"), save_freq=2)
    assert checkpoint._file_path(0, 3, {"batch": 9}) == str(tmp_path / "m-9.npz")
    assert checkpoint._file_path(0, 3, {}) == str(tmp_path / "m-4.npz")
    for bad in ("batch", 2.5):
        with pytest.raises(ValueError, match="ModelCheckpoint.*save_freq"):
            nk.callbacks.ModelCheckpoint(str(tmp_path / "m.npz"), save_freq=bad)


def test_verbose_messages_follow_the_interactive_logging_switch(tmp_path, capsys, caplog):
    model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(1)])
    model.compile(nk.optimizers.SGD(0.1), "mse")
    checkpoint = nk.callbacks.ModelCheckpoint(str(tmp_path / "m.npz"), verbose=1)
    nk.utils.disable_interactive_logging()
    try:
        with caplog.at_level("INFO", logger="nnscratch.keras"):
            model.fit(X, Y, batch_size=28, epochs=1, verbose=0, callbacks=[checkpoint])
    finally:
        nk.utils.enable_interactive_logging()
    assert "saving model to" not in capsys.readouterr().out
    assert "Epoch 1: saving model to" in caplog.text
    assert "Epoch 1: finished saving model to" in caplog.text
