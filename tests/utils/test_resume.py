"""Resumable training: a run killed (SIGKILL) or interrupted and started again ends with the
weights of an uninterrupted run with the same seed, bit for bit.

The oracle is always the uninterrupted run, made by the same public API in the same way; the
kill tests use real processes. Also: ModelCheckpoint in a resume scenario, the PyTorch-style
checkpoint helper, and the metric configs a reloaded model needs to evaluate identically.
"""

import json
import os
import random
import signal
import subprocess
import time
import warnings

import numpy as np
import pytest
import resume_worker as worker

import nnscratch as ns
from nnscratch import keras, nn, optim
from nnscratch.errors import FileFormatError, InputError
from nnscratch.random import get_rng_state, set_rng_state
from nnscratch.utils.checkpoint import load_checkpoint, save_checkpoint

# set_random_seed seeds NumPy's and Python's global generators (as Keras): put them back.
pytestmark = pytest.mark.usefixtures("restore_random_states")


class _Interrupt(keras.callbacks.Callback):
    """Raise at the start of epoch ``at``, as a crash would."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            raise KeyboardInterrupt(f"interrupted at epoch {epoch}")


def _uninterrupted_keras(epochs: int = worker.EPOCHS) -> list:
    model = worker.keras_model()
    worker.fit_keras(model, [], epochs=epochs)
    return model.get_weights()


def _interrupted_keras(backup, at: int, epochs: int = worker.EPOCHS):
    with pytest.raises(KeyboardInterrupt):
        worker.fit_keras(worker.keras_model(), [backup, _Interrupt(at)], epochs=epochs)
    model = worker.keras_model()  # a fresh process would build and seed it again
    history = worker.fit_keras(model, [backup], epochs=epochs)
    return model.get_weights(), history


# ---- killed processes ---------------------------------------------------------------------------
def _start(mode: str, workdir, sleep: float) -> subprocess.Popen:
    return subprocess.Popen(worker.command(mode, workdir, sleep), env=worker.environment())


def _kill_after_first_backup(process, mode: str, workdir, delay: float) -> None:
    deadline = time.monotonic() + 60
    while not os.path.exists(worker.backup_path(mode, workdir)):
        assert process.poll() is None, f"the worker exited ({process.returncode}) before a backup"
        assert time.monotonic() < deadline, "no backup after 60 s"
        time.sleep(0.005)
    time.sleep(delay)
    assert process.poll() is None, f"the worker finished within {delay:.3f} s: nothing to resume"
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


def _result(workdir) -> tuple[list, int]:
    with np.load(os.path.join(workdir, "result.npz")) as data:
        weights = [data[f"arr_{i}"] for i in range(len(data.files))]
    with open(os.path.join(workdir, "result.json")) as file:
        return weights, json.load(file)["epochs_run"]


@pytest.mark.parametrize("mode", ["keras", "torch"])
def test_sigkill_at_a_random_step_then_resume_is_bit_identical(mode, tmp_path):
    expected, _ = worker.TRAIN[mode](tmp_path / "uninterrupted")
    delay = random.Random().uniform(0.0, 0.3)  # 60 batches of >= 10 ms each: it is mid-run
    run = tmp_path / "run"
    _kill_after_first_backup(_start(mode, run, sleep=0.01), mode, run, delay)
    finish = subprocess.run(worker.command(mode, run), env=worker.environment(), timeout=120)
    assert finish.returncode == 0
    weights, epochs_run = _result(run)
    assert 0 < epochs_run < worker.EPOCHS, f"not a resumed run: {epochs_run} epochs (delay {delay})"
    assert worker.same_arrays(weights, expected), (
        f"{mode}: resumed weights differ (killed after {delay:.3f} s)"
    )
    if mode == "keras":  # BackupAndRestore cleans up after success, killed saves' temporaries too
        assert not os.path.exists(run / "backup")


# ---- BackupAndRestore in one process ------------------------------------------------------------
def test_backup_and_restore_resumes_bit_identically_after_a_crash(tmp_path):
    expected = _uninterrupted_keras()
    backup = keras.callbacks.BackupAndRestore(tmp_path / "backup")
    weights, history = _interrupted_keras(backup, at=5)
    assert history.epoch == list(range(5, worker.EPOCHS))  # Keras: only the remaining epochs
    assert worker.same_arrays(weights, expected)
    assert not os.path.exists(tmp_path / "backup")


def test_a_restart_without_the_random_state_differs(tmp_path):
    """The control, so the test above can fail: weights and optimizer state restored from a
    ``.keras`` file but not the random state give other shuffles and dropout masks."""
    expected = _uninterrupted_keras()
    model = worker.keras_model()
    worker.fit_keras(model, [], epochs=5)
    model.save(tmp_path / "m.keras")
    worker.keras_model()  # the fresh process seeds again, then loads
    restored = keras.models.load_model(tmp_path / "m.keras")
    worker.fit_keras(restored, [], initial_epoch=5)
    assert not worker.same_arrays(restored.get_weights(), expected)


def test_keep_checkpoint_and_foreign_files(tmp_path):
    folder = tmp_path / "backup"
    worker.fit_keras(
        worker.keras_model(), [keras.callbacks.BackupAndRestore(folder, delete_checkpoint=False)]
    )
    assert sorted(os.listdir(folder)) == ["latest.safetensors"]
    (folder / "notes.txt").write_text("mine")
    history = worker.fit_keras(worker.keras_model(), [keras.callbacks.BackupAndRestore(folder)])
    assert history.epoch == []  # every epoch was done: nothing left to run
    assert os.listdir(folder) == ["notes.txt"]  # the backup went, the user's file stayed


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    expected = _uninterrupted_keras()
    backup = keras.callbacks.BackupAndRestore(tmp_path / "b", double_checkpoint=True)
    with pytest.raises(KeyboardInterrupt):
        worker.fit_keras(worker.keras_model(), [backup, _Interrupt(5)])
    latest = tmp_path / "b" / "latest.safetensors"
    latest.write_bytes(latest.read_bytes()[:100])  # torn by a failing disk
    model = worker.keras_model()
    with pytest.warns(UserWarning, match="previous backup"):
        history = worker.fit_keras(model, [backup])
    assert history.epoch[0] == 4 and worker.same_arrays(model.get_weights(), expected)


def test_a_corrupt_backup_is_a_clear_error(tmp_path):
    folder = tmp_path / "b"
    os.makedirs(folder)
    (folder / "latest.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage")
    with pytest.raises(FileFormatError, match="latest.safetensors"):
        worker.fit_keras(worker.keras_model(), [keras.callbacks.BackupAndRestore(folder)])


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"epoch": -1}, "received epoch -1"),
        ({"epoch": "3"}, "received epoch '3'"),
        ({"format_version": 2}, "format_version 2"),
        ({"weights": [1, 2]}, "weights are not a dict"),
        ({"optimizer": np.zeros(3, np.float32)}, "optimizer state is not a byte array"),
        ({"optimizer": np.zeros(3, np.uint8)}, "optimizer"),
        ({"rng_state": {"bit_generator": "PCG64", "state": 1}}, "random state"),
        ({"rng_state": None}, "random state"),
    ],
)
def test_a_tampered_backup_is_a_file_format_error(tmp_path, change, words):
    backup = keras.callbacks.BackupAndRestore(tmp_path / "b")
    with pytest.raises(KeyboardInterrupt):
        worker.fit_keras(worker.keras_model(), [backup, _Interrupt(1)])
    path = tmp_path / "b" / "latest.safetensors"
    ns.save({**ns.load(path), **change}, path)
    model = worker.keras_model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(FileFormatError, match=words):
        worker.fit_keras(model, [backup])
    assert worker.same_arrays(model.get_weights(), before)  # all or nothing


def test_a_backup_of_another_model_is_refused(tmp_path):
    backup = keras.callbacks.BackupAndRestore(tmp_path / "b")
    with pytest.raises(KeyboardInterrupt):
        worker.fit_keras(worker.keras_model(), [backup, _Interrupt(1)])
    other = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
    other.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(FileFormatError, match="does not fit model"):
        worker.fit_keras(other, [backup])


def test_restoring_into_an_unbuilt_model_says_how_to_build_it(tmp_path):
    backup = keras.callbacks.BackupAndRestore(tmp_path / "b")
    with pytest.raises(KeyboardInterrupt):
        worker.fit_keras(worker.keras_model(), [backup, _Interrupt(1)])
    lazy = keras.Sequential([keras.layers.Dense(3)])  # no Input: built by the first batch
    lazy.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(InputError, match="not built"):
        worker.fit_keras(lazy, [backup])


def test_backup_and_restore_arguments_are_checked():
    with pytest.raises(ValueError, match="backup_dir"):
        keras.callbacks.BackupAndRestore("")
    for bad in ("batch", 0, -3, 1.5):
        with pytest.raises(ValueError, match="save_freq"):
            keras.callbacks.BackupAndRestore("b", save_freq=bad)


def test_save_freq_in_batches_saves_mid_epoch(tmp_path):
    saved = []

    class Watch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            saved.append(os.path.exists(tmp_path / "b" / "latest.safetensors"))

    backup = keras.callbacks.BackupAndRestore(tmp_path / "b", save_freq=2)
    worker.fit_keras(worker.keras_model(), [backup, Watch()], epochs=1)
    assert saved == [False, True, True, True, True]


# ---- ModelCheckpoint in a resume scenario -------------------------------------------------------
def _plain_model():
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(3)]
    )
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(True))
    return model


def test_model_checkpoint_keras_file_resumes_exactly(tmp_path):
    """A whole-model ``.keras`` checkpoint restores weights and Adam's state: loading it and
    fitting on from ``initial_epoch`` (no shuffling, no dropout) ends bit-identical."""
    x, y = worker.data()
    reference = _plain_model()
    reference.fit(x, y, batch_size=8, epochs=6, shuffle=False, verbose=0)
    path = str(tmp_path / "model.keras")
    checkpoint = keras.callbacks.ModelCheckpoint(path)
    _plain_model().fit(
        x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[checkpoint]
    )
    restored = keras.models.load_model(path)
    restored.fit(x, y, batch_size=8, epochs=6, initial_epoch=3, shuffle=False, verbose=0)
    assert worker.same_arrays(restored.get_weights(), reference.get_weights())


def test_model_checkpoint_best_weights_only_holds_the_best_epoch(tmp_path):
    x, y = worker.data()
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append((logs["val_loss"], model.get_weights()))
    )
    path = str(tmp_path / "best.weights.safetensors")
    best = keras.callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    model = _plain_model()
    model.compile(optimizer=keras.optimizers.SGD(1.5), loss=model.loss)  # overshoots: ups and downs
    callbacks = [best, record]
    model.fit(x, y, batch_size=8, epochs=8, validation_split=0.25, verbose=0, callbacks=callbacks)
    losses = [loss for loss, _ in seen]
    assert np.argmin(losses) != len(losses) - 1, "the test needs a best epoch before the last"
    restored = _plain_model()
    restored.load_weights(path)
    assert worker.same_arrays(restored.get_weights(), seen[int(np.argmin(losses))][1])


# ---- the PyTorch-style checkpoint helper --------------------------------------------------------
def _torch_style(seed: int = 0):
    ns.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    return {"model": model, "optimizer": optimizer, "scheduler": scheduler}


def _step(objects) -> None:
    objects["optimizer"].zero_grad()
    objects["model"](ns.randn(5, 3)).pow(2).sum().backward()
    objects["optimizer"].step()
    objects["scheduler"].step()


def test_checkpoint_helper_restores_model_optimizer_scheduler_and_random_state(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    reference = _torch_style()
    for _ in range(2):
        _step(reference)
    save_checkpoint(path, epoch=1, best=0.5, note="two steps", **reference)
    for _ in range(3):
        _step(reference)  # draws inputs and dropout masks from the global generator
    resumed = _torch_style(seed=99)  # other weights, other random state
    state = load_checkpoint(path, **resumed)
    assert (state["epoch"], state["best"], state["note"]) == (1, 0.5, "two steps")
    for _ in range(3):
        _step(resumed)
    assert worker.same_arrays(
        [p.detach().numpy() for p in resumed["model"].parameters()],
        [p.detach().numpy() for p in reference["model"].parameters()],
    )
    assert resumed["scheduler"].get_last_lr() == reference["scheduler"].get_last_lr()


def test_checkpoint_helper_errors_name_the_problem(tmp_path):
    objects = _torch_style()
    with pytest.raises(InputError, match="reserved"):
        save_checkpoint(tmp_path / "a.safetensors", rng_state=1, **objects)
    plain = tmp_path / "plain.safetensors"
    ns.save({"weights": ns.ones(2)}, plain)
    with pytest.raises(FileFormatError, match="save_checkpoint"):
        load_checkpoint(plain, model=objects["model"])
    partial = tmp_path / "partial.safetensors"
    save_checkpoint(partial, model=objects["model"])
    with pytest.raises(FileFormatError, match="'optimizer'"):
        load_checkpoint(partial, optimizer=objects["optimizer"])
    with pytest.raises(RuntimeError, match="size mismatch"):  # torch's load_state_dict error
        load_checkpoint(partial, model=nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 2)))


def test_a_tampered_random_state_is_a_file_format_error(tmp_path):
    path = tmp_path / "c.safetensors"
    save_checkpoint(path, epoch=0)
    checkpoint = ns.load(path)
    checkpoint["rng_state"] = {"bit_generator": "PCG64", "state": "no"}
    ns.save(checkpoint, path)
    with pytest.raises(FileFormatError, match="random state"):
        load_checkpoint(path)


def test_rng_state_round_trip_is_json_and_exact():
    ns.manual_seed(5)
    state = get_rng_state()
    assert json.loads(json.dumps(state)) == state  # JSON-able, as a checkpoint stores it
    first = ns.rand(4).numpy()
    set_rng_state(json.loads(json.dumps(state)))
    assert np.array_equal(ns.rand(4).numpy(), first)
    ns.manual_seed(5)
    assert np.array_equal(ns.rand(4).numpy(), first)  # the same as seeding again


@pytest.mark.parametrize(
    "bad",
    [None, [], {}, {"bit_generator": ["PCG64"]}, {"bit_generator": "os.system"},
     {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1}}, {"bit_generator": "PCG64"}],
)  # fmt: skip
def test_set_rng_state_refuses_what_is_not_a_state(bad):
    before = get_rng_state()
    with pytest.raises(InputError, match="set_rng_state"):
        set_rng_state(bad)
    assert get_rng_state() == before


# ---- metric configs: a reloaded model evaluates identically -------------------------------------
def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")


METRIC_ARGS = [
    ("AUC", {}),
    ("AUC", {"num_thresholds": 7, "curve": "PR", "summation_method": "minoring"}),
    ("AUC", {"thresholds": [0.2, 0.7], "from_logits": True}),
    ("Precision", {}),
    ("Precision", {"thresholds": [0.3, 0.6], "top_k": 2, "class_id": 1}),
    ("Recall", {"thresholds": 0.3}),
]


@pytest.mark.slow  # imports Keras
@pytest.mark.parametrize(("name", "kwargs"), METRIC_ARGS)
def test_confusion_metric_configs_match_keras(name, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(_keras().metrics, name)(**kwargs).get_config()
    ours = getattr(keras.metrics, name)(**kwargs).get_config()
    assert sorted(ours) == sorted(theirs)
    for key in set(ours) - {"name"}:
        expected = theirs[key]
        if isinstance(expected, (list, tuple)):
            expected = [float(v) for v in expected]
        assert ours[key] == expected, key


def test_saved_model_with_confusion_metrics_evaluates_identically(tmp_path):
    x, y = worker.data()
    binary = (y > 0).astype(np.float32)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])
    metrics = [
        keras.metrics.AUC(num_thresholds=5, curve="PR", summation_method="majoring"),
        keras.metrics.Precision(thresholds=0.7),
        keras.metrics.Recall(thresholds=0.2),
    ]
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=metrics)
    path = str(tmp_path / "m.keras")
    model.save(path)
    before = model.evaluate(x, binary, verbose=0, return_dict=True)
    after = keras.models.load_model(path).evaluate(x, binary, verbose=0, return_dict=True)
    assert after == before
