"""keras.utils: the interactive-logging switch, get_source_inputs and Config against real
Keras 3 (torch backend); timeseries_dataset_from_array against windows written out by hand
(Keras builds its dataset with TensorFlow, which this project does not install) and against
Keras's own checks of its arguments."""

import json
import logging

import numpy as np
import pytest
from keras_ops_parity import require_keras

from nnscratch import keras as nk

U = nk.utils
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's own fit


# ---- interactive logging ----------------------------------------------------------------------
@pytest.fixture
def both_logging_switches():
    """Real Keras and nnscratch, each left with interactive logging on afterwards."""
    keras, _ = require_keras()
    yield keras
    keras.utils.enable_interactive_logging()
    U.enable_interactive_logging()


def _fit_printout(library, capsys, verbose):
    model = library.Sequential([library.Input(shape=(2,)), library.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((8, 2), np.float32)
    model.fit(x, x[:, :1], epochs=2, batch_size=4, verbose=verbose)
    return capsys.readouterr().out


@pytest.mark.parametrize("verbose", [1, 2])
def test_disable_interactive_logging_silences_fit_as_in_keras(
    both_logging_switches, capsys, caplog, verbose
):
    keras = both_logging_switches
    assert U.is_interactive_logging_enabled() is keras.utils.is_interactive_logging_enabled()
    assert U.is_interactive_logging_enabled() is True
    assert "Epoch 2/2" in _fit_printout(keras, capsys, verbose)
    assert "Epoch 2/2" in _fit_printout(nk, capsys, verbose)
    keras.utils.disable_interactive_logging()
    U.disable_interactive_logging()
    assert U.is_interactive_logging_enabled() is keras.utils.is_interactive_logging_enabled()
    assert U.is_interactive_logging_enabled() is False
    # Keras prints nothing either, except (verbose=1) the per-batch redraws: on the torch
    # backend it runs the batch hooks in a worker thread, where its thread-local switch reads
    # as on. The Epoch lines and each epoch's final line, made in the main thread, are gone.
    their_printout = _fit_printout(keras, capsys, verbose)
    assert "Epoch" not in their_printout and (verbose == 1 or their_printout == "")
    with caplog.at_level(logging.INFO, logger="nnscratch.keras"):
        assert _fit_printout(nk, capsys, verbose) == ""
    assert "Epoch 2/2" in caplog.text and "loss: " in caplog.text  # logged instead
    keras.utils.enable_interactive_logging()
    U.enable_interactive_logging()
    assert "Epoch 2/2" in _fit_printout(nk, capsys, verbose)


def test_disabled_logging_sends_callback_messages_to_the_logger(both_logging_switches, capsys):
    U.disable_interactive_logging()
    model = nk.Sequential([nk.Input(shape=(1,)), nk.layers.Dense(1)])
    model.compile(optimizer=nk.optimizers.SGD(0.1), loss="mse")
    schedule = nk.callbacks.LearningRateScheduler(lambda epoch: 0.05, verbose=1)
    model.fit(np.ones((4, 1)), np.ones((4, 1)), epochs=1, verbose=0, callbacks=[schedule])
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("verbose", [1, 2])
def test_disable_interactive_logging_silences_progbar_as_in_keras(
    both_logging_switches, capsys, verbose
):
    keras = both_logging_switches
    printed = []
    for library in (keras, nk):
        for enabled in (True, False):
            switch = "enable" if enabled else "disable"
            getattr(library.utils, f"{switch}_interactive_logging")()
            bar = library.utils.Progbar(2, verbose=verbose)
            bar.update(1, values=[("loss", 1.0)])
            bar.update(2, values=[("loss", 3.0)])
            printed.append(capsys.readouterr().out)
    assert "loss: 3.0000" in printed[0] and "loss: 3.0000" in printed[2]
    assert printed[1] == printed[3] == ""


# ---- get_source_inputs ------------------------------------------------------------------------
def _graph(library):
    a = library.Input(shape=(2,), name="a")
    b = library.Input(shape=(2,), name="b")
    c = library.Input(shape=(2,), name="c")
    dense_b = library.layers.Dense(2)(b)
    total = library.layers.Add()([dense_b, a, b])
    joined = library.ops.concatenate([total, a * 2.0])
    return {"a": a, "dense_b": dense_b, "total": total, "joined": joined, "c": c}


@pytest.mark.parametrize("name", ["a", "dense_b", "total", "joined", "c"])
def test_get_source_inputs_matches_keras(name):
    keras, _ = require_keras()
    ours, theirs = _graph(nk)[name], _graph(keras)[name]
    our_sources = U.get_source_inputs(ours)
    their_sources = keras.utils.get_source_inputs(theirs)
    assert [t.name for t in our_sources] == [t.name for t in their_sources]
    assert all(type(t) is type(ours) for t in our_sources)


def test_get_source_inputs_gives_back_what_is_not_symbolic():
    keras, _ = require_keras()
    data = np.zeros(3)
    assert U.get_source_inputs(data) is data and keras.utils.get_source_inputs(data) is data


def test_get_source_inputs_of_a_deep_model_needs_no_recursion():
    x = nk.Input(shape=(1,), name="deep_input")
    y = x
    for _ in range(1500):  # deeper than Python's default recursion limit
        y = nk.layers.Identity()(y)
    assert [t.name for t in U.get_source_inputs(y)] == ["deep_input"]


# ---- Config -----------------------------------------------------------------------------------
def _use_config(library):
    """The same uses of a Config; returns what each showed."""
    config = library.utils.Config(momentum=0.9, learning_rate=0.1)  # iterated sorted
    config.seed = 123
    config["zeta"] = [1, 2]
    shown = [config.seed, config["learning_rate"], list(config), len(config), "seed" in config]
    shown += [repr(config), config.as_dict(), json.loads(config.to_json()), config.get("x", 5)]
    shown += [sorted(config.keys()), sorted(map(str, config.values())), config.pop("zeta")]
    config.update(momentum=0.5)
    del config["seed"]
    with pytest.raises(AttributeError) as unknown:
        config.learning_rat  # noqa: B018
    shown += [str(unknown.value), sorted(config.items()), config.frozen]
    config.freeze()
    for change in (lambda: setattr(config, "a", 1), lambda: config.__setitem__("a", 1),
                   lambda: config.pop("momentum"), lambda: config.update(a=1),
                   lambda: config.__delitem__("momentum")):  # fmt: skip
        with pytest.raises(ValueError) as frozen:
            change()
        shown.append(str(frozen.value))
    config.unfreeze()
    config.a = 1
    shown += [config.frozen, config.as_dict()]
    return shown


def test_config_behaves_as_keras_s():
    keras, _ = require_keras()
    assert _use_config(nk) == _use_config(keras)


# ---- timeseries_dataset_from_array ------------------------------------------------------------
def _windows_by_hand(data, targets, length, stride, rate, start, end):
    """Keras's documented windows, one by one: start s = start, start + stride, ... while the
    window's last step is before ``end`` and (with targets) s - start < len(targets)."""
    start = start or 0
    end = len(data) if end is None else end
    windows, labels, s = [], [], start
    while s + (length - 1) * rate < end and (targets is None or s - start < len(targets)):
        windows.append([data[s + k * rate] for k in range(length)])
        labels.append(None if targets is None else targets[s])
        s += stride
    return np.array(windows), np.array(labels)


CASES = [  # (length, stride, rate, start, end, batch_size, with_targets)
    (3, 1, 1, None, None, 4, True),
    (4, 2, 3, 5, 40, 3, True),
    (5, 3, 2, 0, None, 128, False),
    (2, 7, 1, 3, 47, 1, True),
    (6, 1, 4, None, 30, 5, False),
]


@pytest.mark.parametrize("length, stride, rate, start, end, batch_size, with_targets", CASES)
def test_timeseries_windows_and_targets_match_keras_s_definition(
    length, stride, rate, start, end, batch_size, with_targets
):
    rng = np.random.default_rng(length)
    data = rng.normal(size=(50, 2)).astype(np.float32)
    targets = rng.integers(0, 9, size=48) if with_targets else None
    dataset = U.timeseries_dataset_from_array(
        data, targets, length, sequence_stride=stride, sampling_rate=rate,
        batch_size=batch_size, start_index=start, end_index=end,
    )  # fmt: skip
    windows, labels = _windows_by_hand(data, targets, length, stride, rate, start, end)
    batches = list(dataset)
    assert len(dataset) == len(batches) == -(-len(windows) // batch_size)
    assert all(len(b[0] if with_targets else b) <= batch_size for b in batches)
    x = np.concatenate([b[0] if with_targets else b for b in batches])
    np.testing.assert_array_equal(x, windows)
    assert x.dtype == np.float32
    if with_targets:
        y = np.concatenate([b[1] for b in batches])
        np.testing.assert_array_equal(y, labels)
        assert y.dtype == targets.dtype


def test_timeseries_keras_docstring_example_and_unbatched_windows():
    data = np.arange(100)
    dataset = U.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
    x, y = dataset[0]
    assert len(dataset) == 1 and x.shape == (81, 10)
    np.testing.assert_array_equal(x[0], np.arange(10))
    assert y[0] == 10 and y[-1] == 90
    single = U.timeseries_dataset_from_array(data, None, 3, batch_size=None, end_index=6)
    assert len(single) == 4 and single[1].tolist() == [1, 2, 3]
    few_targets = U.timeseries_dataset_from_array(data, -data[:5], 3, batch_size=None)
    assert len(few_targets) == 5 and few_targets[4][1] == -4  # one window per target


def test_timeseries_shuffle_orders_windows_by_the_seeded_numpy_shuffle():
    data = np.arange(30)
    kwargs = {"sequence_length": 2, "batch_size": 4, "shuffle": True, "seed": 7}
    x, y = map(np.concatenate, zip(*U.timeseries_dataset_from_array(data, data, **kwargs)))
    order = np.arange(29)
    np.random.RandomState(7).shuffle(order)  # Keras's first shuffle of the start positions
    np.testing.assert_array_equal(x[:, 0], order)
    np.testing.assert_array_equal(y, order)


def test_fit_trains_on_timeseries_windows():
    data = np.sin(np.arange(60) / 5.0).astype(np.float32)[:, None]
    dataset = U.timeseries_dataset_from_array(data[:-4], data[4:], 4, batch_size=8)
    assert isinstance(dataset, U.PyDataset)
    model = nk.Sequential([nk.Input(shape=(4, 1)), nk.layers.Flatten(), nk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(dataset, verbose=0).shape == (53, 1)


@pytest.mark.parametrize(
    "kwargs",
    [{"start_index": -1}, {"start_index": 20}, {"end_index": 20}, {"end_index": -3},
     {"start_index": 5, "end_index": 5}, {"sampling_rate": 0}, {"sampling_rate": 20},
     {"sequence_stride": 0}, {"sequence_stride": 25}, {"format": "torch"}],
)  # fmt: skip
def test_timeseries_bad_arguments_are_refused_as_by_keras(kwargs):
    keras, _ = require_keras()
    data = np.zeros((20, 1))
    with pytest.raises(ValueError):
        keras.utils.timeseries_dataset_from_array(data, None, 3, **kwargs)
    with pytest.raises(ValueError, match="timeseries_dataset_from_array expects"):
        U.timeseries_dataset_from_array(data, None, 3, **kwargs)


def test_disabled_interactive_logging_silences_evaluate_and_predict_lines(capsys):
    model = nk.Sequential([nk.Input((2,)), nk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)
    model.evaluate(x, y, verbose=2)
    assert "loss" in capsys.readouterr().out  # the summary line, while logging is on
    nk.utils.disable_interactive_logging()
    try:
        model.evaluate(x, y, verbose=2)
        model.predict(x, verbose=2)
    finally:
        nk.utils.enable_interactive_logging()
    assert capsys.readouterr().out == ""
