"""Seeded runs repeat bit for bit, and nnscratch never touches NumPy's global random state.

``nnscratch.manual_seed(n)`` and ``keras.utils.set_random_seed(n)`` seed nnscratch's one
generator, which every initializer, dropout mask and shuffle draws from; a whole training run
then repeats exactly, in the same process or in a new one.

Decision on NumPy's global state: ``keras.utils.set_random_seed`` seeds ``np.random`` and
Python's ``random`` too, because Keras's does and the user asked for it by calling it; nothing
else in nnscratch reads or changes them (``fit``, ``evaluate``, ``predict``, the layers,
``DataLoader``, ``manual_seed``), which the tests below check with ``np.random.get_state()``.
"""

import random
import subprocess

import numpy as np
import pytest
import resume_worker as worker

import nnscratch as ns
from nnscratch import keras

# set_random_seed seeds NumPy's and Python's global generators (as Keras): put them back.
pytestmark = pytest.mark.usefixtures("restore_random_states")


def _keras_run(epochs: int = 4) -> tuple[list, list]:
    model = worker.keras_model()  # set_random_seed, Glorot initializers, Dropout
    history = worker.fit_keras(model, [], epochs=epochs)  # shuffle=True
    return model.get_weights(), history.history["loss"]


def _same_state(a: tuple, b: tuple) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


def test_two_seeded_keras_runs_are_bit_identical():
    weights, losses = _keras_run()
    again, again_losses = _keras_run()
    assert worker.same_arrays(weights, again) and losses == again_losses


def test_another_seed_gives_another_run():
    """The control: the runs above are equal because of the seed, not by construction."""
    weights, _ = _keras_run()
    original = worker.SEED
    try:
        worker.SEED = original + 1
        other, _ = _keras_run()
    finally:
        worker.SEED = original
    assert not any(np.array_equal(a, b) for a, b in zip(weights, other))


def test_two_seeded_torch_style_runs_are_bit_identical(tmp_path):
    first, _ = worker.train_torch(tmp_path / "a")  # manual_seed, DataLoader shuffle, Dropout
    second, _ = worker.train_torch(tmp_path / "b")
    assert worker.same_arrays(first, second)


def test_a_seeded_run_in_a_new_process_is_bit_identical(tmp_path):
    processes = {
        mode: subprocess.Popen(worker.command(mode, tmp_path / mode), env=worker.environment())
        for mode in ("keras", "torch")
    }
    expected = {mode: worker.TRAIN[mode](tmp_path / f"here-{mode}")[0] for mode in processes}
    for mode, process in processes.items():
        assert process.wait(timeout=120) == 0
        with np.load(tmp_path / mode / "result.npz") as data:
            weights = [data[f"arr_{i}"] for i in range(len(data.files))]
        assert worker.same_arrays(weights, expected[mode]), mode


def test_fit_evaluate_predict_leave_numpy_and_python_global_state_alone():
    keras.utils.set_random_seed(0)
    numpy_before, python_before = np.random.get_state(), random.getstate()
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(8), keras.layers.Dropout(0.5),
         keras.layers.Dense(3, activation="softmax")]
    )  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = worker.data()
    model.fit(x, y, batch_size=8, epochs=2, shuffle=True, validation_split=0.2, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert _same_state(np.random.get_state(), numpy_before)
    assert random.getstate() == python_before


def test_manual_seed_and_torch_style_training_leave_numpy_global_state_alone(tmp_path):
    numpy_before, python_before = np.random.get_state(), random.getstate()
    ns.manual_seed(3)
    worker.train_torch(tmp_path)  # init, Dropout, shuffling DataLoader, checkpoints
    assert _same_state(np.random.get_state(), numpy_before)
    assert random.getstate() == python_before


def test_results_do_not_depend_on_numpy_global_state():
    """Drawing from np.random between seeding and training changes nothing: nnscratch does
    not read the global state."""
    weights, _ = _keras_run(epochs=2)
    model = worker.keras_model()
    np.random.seed(99)
    np.random.random(1000)
    worker.fit_keras(model, [], epochs=2)
    assert worker.same_arrays(model.get_weights(), weights)


def test_set_random_seed_also_seeds_numpy_and_python_as_keras_does():
    np.random.seed(11)
    numpy_expected = np.random.random(3)
    random.seed(11)
    python_expected = random.random()
    keras.utils.set_random_seed(11)
    assert np.array_equal(np.random.random(3), numpy_expected)
    assert random.random() == python_expected
    ns.manual_seed(11)
    state = np.random.get_state()
    ns.manual_seed(12)  # manual_seed, torch's: nnscratch's generator only
    assert _same_state(np.random.get_state(), state)
