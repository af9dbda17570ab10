"""keras.callbacks against real Keras 3 (torch backend): both driven with the same synthetic
logs (no training needed), plus one end-to-end fit with EarlyStopping and ModelCheckpoint."""

import math
import os
import re
import types
from types import SimpleNamespace

import numpy as np
import pytest

from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

NAN = float("nan")


def _drive_epochs(callback, values, monitor="val_loss", optimizer=None):
    """Feed ``values`` as ``logs[monitor]`` epoch by epoch, as ``fit`` would; stop like fit."""
    model = SimpleNamespace(stop_training=False, optimizer=optimizer)
    callback.set_model(model)
    callback.on_train_begin()
    seen, rates = [], []
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch, {})
        callback.on_epoch_end(epoch, {monitor: value, "loss": 1.0})
        seen.append(epoch)
        if optimizer is not None:
            rates.append(float(np.asarray(optimizer.learning_rate)))
        if model.stop_training:
            break
    callback.on_train_end()
    return seen, rates


# ---- EarlyStopping ------------------------------------------------------------------------------
CURVES = {
    "down_then_flat": [1.0, 0.8, 0.7, 0.7, 0.71, 0.69, 0.72, 0.73, 0.74, 0.75],
    "noisy": [0.9, 0.95, 0.85, 0.86, 0.84, 0.9, 0.83, 0.91, 0.92, 0.93, 0.94],
    "rising": [0.5, 0.6, 0.7, 0.8, 0.9],
}
EARLY_KWARGS = [
    {},
    {"patience": 2},
    {"patience": 2, "min_delta": 0.02},
    {"patience": 1, "baseline": 0.75},
    {"patience": 1, "start_from_epoch": 3},
    {"patience": 3, "mode": "max"},
]


@pytest.mark.parametrize("curve", sorted(CURVES))
@pytest.mark.parametrize("kwargs", EARLY_KWARGS, ids=str)
def test_early_stopping_stops_at_keras_epoch(curve, kwargs):
    ours, theirs = nk.callbacks.EarlyStopping(**kwargs), keras.callbacks.EarlyStopping(**kwargs)
    assert _drive_epochs(ours, CURVES[curve]) == _drive_epochs(theirs, CURVES[curve])
    assert (ours.stopped_epoch, ours.best, ours.wait) == (
        theirs.stopped_epoch,
        theirs.best,
        theirs.wait,
    )


def test_early_stopping_accuracy_is_maximized_in_auto_mode(rng):
    model = nk.Sequential([nk.Input(shape=(2,)), nk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(rng.standard_normal((8, 2)), np.ones(8), epochs=1, batch_size=8, verbose=0)
    stop = nk.callbacks.EarlyStopping(monitor="val_accuracy", patience=1)
    stop.set_model(model)
    stop.on_train_begin()
    for epoch, accuracy in enumerate([0.5, 0.7, 0.6]):
        stop.on_epoch_end(epoch, {"val_accuracy": accuracy})
    assert (stop.best, stop.stopped_epoch) == (0.7, 2)


def test_unknown_direction_and_missing_monitor_are_reported():
    stop = nk.callbacks.EarlyStopping(monitor="val_mystery")
    stop.set_model(SimpleNamespace(stop_training=False))
    with pytest.raises(ValueError, match="mode='max'"):
        stop.on_epoch_end(0, {"val_mystery": 1.0})
    with pytest.warns(UserWarning, match="Available metrics are: loss"):
        nk.callbacks.EarlyStopping().on_epoch_end(0, {"loss": 1.0})


# ---- learning-rate callbacks ------------------------------------------------------------------
PLATEAU_KWARGS = [
    {"patience": 2, "factor": 0.5},
    {"patience": 1, "factor": 0.5, "cooldown": 2},
    {"patience": 1, "factor": 0.2, "min_lr": 0.003},
    {"patience": 2, "factor": 0.5, "min_delta": 0.05},
]
PLATEAU_CURVE = [1.0, 0.9, 0.9, 0.9, 0.89, 0.88, 0.95, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8]


@pytest.mark.parametrize("kwargs", PLATEAU_KWARGS, ids=str)
def test_reduce_lr_on_plateau_follows_keras(kwargs):
    ours = _drive_epochs(
        nk.callbacks.ReduceLROnPlateau(**kwargs), PLATEAU_CURVE, optimizer=nk.optimizers.SGD(0.1)
    )
    theirs = _drive_epochs(
        keras.callbacks.ReduceLROnPlateau(**kwargs),
        PLATEAU_CURVE,
        optimizer=keras.optimizers.SGD(0.1),
    )
    assert len(set(ours[1])) > 1
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)


def test_reduce_lr_on_plateau_rejects_factor_at_least_one():
    with pytest.raises(ValueError, match="factor=1.5"):
        nk.callbacks.ReduceLROnPlateau(factor=1.5)


@pytest.mark.parametrize(
    "schedule",
    [
        lambda epoch, lr: lr if epoch < 2 else lr * math.exp(-0.1),
        lambda epoch: 0.01 * (epoch + 1),
    ],
    ids=["two_arguments", "one_argument"],
)
def test_learning_rate_scheduler_follows_keras(schedule):
    curve = [1.0] * 5
    ours = _drive_epochs(
        nk.callbacks.LearningRateScheduler(schedule), curve, optimizer=nk.optimizers.SGD(0.1)
    )
    theirs = _drive_epochs(
        keras.callbacks.LearningRateScheduler(schedule), curve, optimizer=keras.optimizers.SGD(0.1)
    )
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)


def test_learning_rate_scheduler_wants_a_float():
    scheduler = nk.callbacks.LearningRateScheduler(lambda epoch, lr: "fast")
    scheduler.set_model(SimpleNamespace(optimizer=nk.optimizers.SGD(0.1)))
    with pytest.raises(ValueError, match="should be a float. Got: fast"):
        scheduler.on_epoch_begin(0)


# ---- CSVLogger, TerminateOnNaN, LambdaCallback ------------------------------------------------
def _csv_text(lib, path, logs_per_epoch, **kwargs):
    logger = lib.callbacks.CSVLogger(str(path), **kwargs)
    logger.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        logger.on_epoch_end(epoch, dict(logs))
    logger.on_train_end()
    return path.read_text()


@pytest.mark.parametrize(
    "logs",
    [
        [{"loss": 0.5, "accuracy": 0.25}, {"loss": 0.125, "accuracy": 1.0}],
        [{"loss": 0.5, "val_loss": 0.75}, {"loss": 0.25, "val_loss": 0.125, "extra": 3}],
        [{"loss": 0.5, "sizes": [1, 2]}],
    ],
)
@pytest.mark.parametrize("kwargs", [{}, {"separator": ";"}], ids=str)
def test_csv_logger_writes_what_keras_writes(tmp_path, logs, kwargs):
    ours = _csv_text(nk, tmp_path / "ours.csv", logs, **kwargs)
    theirs = _csv_text(keras, tmp_path / "theirs.csv", logs, **kwargs)
    assert ours == theirs


def test_csv_logger_append_keeps_one_header(tmp_path):
    texts = []
    for lib in (nk, keras):
        path = tmp_path / f"{lib.__name__}.csv"
        _csv_text(lib, path, [{"loss": 1.0}])
        texts.append(_csv_text(lib, path, [{"loss": 0.5}], append=True))
    assert texts[0] == texts[1]
    assert texts[0].count("epoch") == 1


@pytest.mark.parametrize("loss", [1.0, NAN, float("inf"), None])
def test_terminate_on_nan_matches_keras(loss):
    stopped = []
    for lib in (nk, keras):
        callback = lib.callbacks.TerminateOnNaN()
        callback.set_model(SimpleNamespace(stop_training=False))
        callback.on_train_batch_end(4, {} if loss is None else {"loss": loss})
        stopped.append(callback.model.stop_training)
    assert stopped[0] == stopped[1]
    with pytest.raises(RuntimeError, match="batch 4"):
        nk.callbacks.TerminateOnNaN(raise_error=True).on_train_batch_end(4, {"loss": NAN})


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the point
def test_terminate_on_nan_stops_fit():
    model = nk.Sequential([nk.Input(shape=(1,)), nk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.array([[1.0], [1e30], [1.0], [1.0]], np.float32), np.zeros((4, 1), np.float32)
    batches = nk.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    seen = []
    callbacks = [nk.callbacks.TerminateOnNaN(), batches]
    history = model.fit(x, y, batch_size=1, epochs=5, shuffle=False, verbose=0, callbacks=callbacks)
    assert len(history.epoch) == 1 and seen == [0, 1]


def test_lambda_callback_and_base_callback_hooks_run_in_fit(rng):
    model = nk.Sequential([nk.Input(shape=(2,)), nk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    calls = []
    hooks = nk.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: calls.append(("begin", epoch, logs)),
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch", epoch, sorted(logs))),
        on_train_batch_end=lambda batch, logs: calls.append(("batch", batch)),
        on_train_end=lambda logs: calls.append("train_end"),
    )

    class Batches(nk.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            calls.append(("base", batch))

    x = rng.standard_normal((4, 2))
    model.fit(x, x[:, :1], batch_size=2, epochs=2, verbose=0, callbacks=[hooks, Batches()])
    assert calls[0] == "train_begin" and calls[-1] == "train_end"
    assert calls.count(("batch", 1)) == 2 and calls.count(("base", 1)) == 2
    assert ("epoch", 1, ["loss"]) in calls and ("begin", 1, {}) in calls


def test_progbar_logger_prints_one_line_per_epoch_at_verbose_2(capsys, rng):
    model = nk.Sequential([nk.Input(shape=(2,)), nk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = rng.standard_normal((4, 2))
    model.fit(
        x, x[:, :1], epochs=2, batch_size=4, verbose=2, callbacks=[nk.callbacks.ProgbarLogger()]
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert lines[1].startswith("1/1 - ") and "loss: " in lines[1]


@pytest.mark.parametrize("verbose", [1, 2])
def test_progbar_logger_prints_keras_3s_lines(capsys, verbose):
    """Both loggers driven with the same logs; Keras's redraws, colours and timings aside, the
    lines are the same, and the epoch's line carries every log, validation included."""
    batch, epoch = {"loss": 0.5, "mae": 0.25}, {"loss": 0.5, "mae": 0.0005, "val_loss": 0.75}
    printed = []
    for lib in (nk, keras):
        logger = lib.callbacks.ProgbarLogger()
        logger.set_params({"verbose": verbose, "epochs": 3, "steps": 12})
        logger.on_train_begin()
        logger.on_epoch_begin(1)
        for step in range(12):
            logger.on_train_batch_end(step, batch)
        logger.on_epoch_end(1, epoch)
        text = re.sub(r"\x1b\[[0-9;]*m|\x08", "", capsys.readouterr().out)
        lines = [line.split("\r")[-1] for line in text.split("\n")]
        printed.append([re.sub(r"\d+(us|ms|s)/step", "T/step", line) for line in lines])
    assert printed[0] == printed[1]
    bar = " ━━━━━━━━━━━━━━━━━━━━ 0s " if verbose == 1 else " - 0s - "
    assert printed[0] == [
        "Epoch 2/3",
        f"12/12{bar}T/step - loss: 0.5000 - mae: 5.0000e-04 - val_loss: 0.7500",
        "",
    ]


def test_history_still_importable_from_models():
    assert nk.models.History is nk.callbacks.History


# ---- end to end ---------------------------------------------------------------------------------
def _mlp(lib):
    return lib.Sequential(
        [
            lib.layers.Input(shape=(3,)),
            lib.layers.Dense(8, activation="tanh"),
            lib.layers.Dense(1),
        ]
    )


def _fit_with_checkpoints(lib, model, path, data):
    x, y, vx, vy = data
    model.compile(optimizer=lib.optimizers.SGD(0.02), loss="mse")
    stop = lib.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    save = lib.callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    history = model.fit(
        x,
        y,
        validation_data=(vx, vy),
        epochs=30,
        batch_size=4,
        shuffle=False,
        verbose=0,
        callbacks=[stop, save],
    )
    return history, stop


def test_fit_with_early_stopping_and_checkpoint_matches_keras(tmp_path, rng):
    true_w = np.array([[1.0], [-2.0], [0.5]])
    x = rng.standard_normal((16, 3)).astype(np.float32)
    vx = rng.standard_normal((8, 3)).astype(np.float32)
    noise = rng.standard_normal((8, 1))
    # validation targets follow 0.6 * true_w: val_loss falls, then rises as the fit goes on
    data = (x, (x @ true_w).astype(np.float32), vx, (vx @ (0.6 * true_w) + 0.3 * noise))
    ours, theirs = _mlp(nk), _mlp(keras)
    start = [0.5 * rng.standard_normal(w.shape).astype(np.float32) for w in ours.get_weights()]
    ours.set_weights(start)  # from the seeded rng, not the global stream: order-independent
    theirs.set_weights(start)
    path = tmp_path / "best.weights.npz"
    h_ours, stop_ours = _fit_with_checkpoints(nk, ours, path, data)
    h_theirs, stop_theirs = _fit_with_checkpoints(
        keras, theirs, str(tmp_path / "best.weights.h5"), data
    )
    assert len(h_ours.epoch) == len(h_theirs.epoch) < 30
    assert (stop_ours.stopped_epoch, stop_ours.best_epoch) == (
        stop_theirs.stopped_epoch,
        stop_theirs.best_epoch,
    )
    assert stop_ours.best_epoch > 0  # the restored weights are not the starting ones
    np.testing.assert_allclose(h_ours.history["val_loss"], h_theirs.history["val_loss"], atol=1e-5)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(mine, keras_weight, atol=1e-5)  # restored best weights
    restored = _mlp(nk)
    nk.callbacks.load_weights_npz(restored, path)
    for saved, best in zip(restored.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_array_equal(saved, best)


def test_checkpoint_saves_every_epoch_with_a_formatted_name(tmp_path, rng):
    model = _mlp(nk)
    model.compile(optimizer="sgd", loss="mse")
    x = rng.standard_normal((4, 3))
    pattern = str(tmp_path / "sub" / "w-{epoch:02d}-{loss:.1f}.weights.npz")
    save = nk.callbacks.ModelCheckpoint(pattern, monitor="loss")
    model.fit(x, x[:, :1], epochs=2, batch_size=4, verbose=0, callbacks=[save])
    names = sorted(os.listdir(tmp_path / "sub"))
    assert [name[:4] for name in names] == ["w-01", "w-02"]
    with np.load(tmp_path / "sub" / names[-1], allow_pickle=False) as data:
        np.testing.assert_array_equal(data["arr_0"], model.get_weights()[0])


def test_checkpoint_rejects_unknown_extensions_and_models_without_save(tmp_path):
    with pytest.raises(ValueError, match=r"\.npz.*Received: filepath=model\.pkl"):
        nk.callbacks.ModelCheckpoint("model.pkl")
    save = nk.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), monitor="loss")
    save.set_model(types.SimpleNamespace(name="bare"))  # a model object without save()
    with pytest.raises(ValueError, match="has no `save` method"):
        save.on_epoch_end(0, {"loss": 1.0})
