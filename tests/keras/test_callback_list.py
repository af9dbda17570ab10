"""keras.callbacks.CallbackList driven by a hand-written loop, against real Keras 3's.

The same loop (train batches, a validation pass, epochs, a predict pass) drives each library's
CallbackList holding one recording callback written against that library's Callback. The two
recordings must hold the same calls (set_model / set_params included) in the same order, with
the same indices and the same logs (flattened, numbers as Python floats), and the lists must
add the same default callbacks and hand the same History to ``model.history``.
"""

import types

import numpy as np
import pytest
from keras_ops_parity import require_keras

from nnscratch import keras as nk

HOOKS = (
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
    "on_batch_begin", "on_batch_end", "on_test_begin", "on_test_end",
    "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
    "on_predict_batch_begin", "on_predict_batch_end",
)  # fmt: skip


def _plain(logs):
    """Logs as comparable data, in their order: each value with its Python type's name."""
    if logs is None:
        return None
    return [(k, type(v).__name__, np.asarray(v).tolist()) for k, v in logs.items()]


def _recorder(base):
    """A callback class over ``base`` that records every call. It overrides on_batch_* and
    not on_train_batch_*: those reach it through Callback's forwarding."""

    class Recorder(base):
        def __init__(self):
            super().__init__()
            self.calls = []

        def set_model(self, model):
            super().set_model(model)
            self.calls.append(("set_model", type(model).__name__))

        def set_params(self, params):
            super().set_params(params)
            self.calls.append(("set_params", dict(params)))

    def hook(name):
        def method(self, *args, **kwargs):
            logs = kwargs.get("logs", args[-1] if args and isinstance(args[-1], dict) else None)
            index = args[0] if args and not isinstance(args[0], dict) else None
            self.calls.append((name, index, sorted(kwargs), _plain(logs)))

        return method

    for name in HOOKS:
        setattr(Recorder, name, hook(name))
    return Recorder


def _drive(hooks):
    """A custom training loop's calls: 2 epochs of 3 batches, validation, then predict."""
    hooks.on_train_begin()
    for epoch in range(2):
        hooks.on_epoch_begin(epoch)
        for batch in range(3):
            hooks.on_train_batch_begin(batch)
            step = {"loss": np.float32(0.5 / (batch + 1)), "compile_metrics": {"mae": 0.25}}
            hooks.on_train_batch_end(batch, logs=step)
        hooks.on_test_begin()
        hooks.on_test_batch_begin(0)
        hooks.on_test_batch_end(0, {"loss": np.float64(0.75)})
        hooks.on_test_end({"loss": 0.75})
        hooks.on_epoch_end(epoch, {"loss": np.float32(0.125 * epoch), "val_loss": 0.75})
    hooks.on_train_end({"loss": 0.0})
    hooks.on_predict_begin()
    hooks.on_predict_batch_begin(0)
    hooks.on_predict_batch_end(0, {"outputs": np.arange(4.0).reshape(2, 2)})
    hooks.on_predict_end()
    hooks.on_batch_begin(7)
    hooks.on_batch_end(7, {"loss": 1})


def _run(library, **kwargs):
    recorder = _recorder(library.callbacks.Callback)()
    model = types.SimpleNamespace()  # any object: CallbackList only hands it over
    hooks = library.callbacks.CallbackList([recorder], model=model, **kwargs)
    _drive(hooks)
    return recorder, hooks, model


@pytest.mark.parametrize(
    "kwargs",
    [{"add_history": True, "epochs": 2, "steps": 3, "verbose": 0}, {}, {"add_history": False}],
)
def test_callback_list_calls_each_hook_as_keras_s_does(kwargs):
    keras, _ = require_keras()
    ours, our_hooks, our_model = _run(nk, **kwargs)
    theirs, their_hooks, their_model = _run(keras, **kwargs)
    assert ours.calls == theirs.calls
    assert [type(c).__name__ for c in our_hooks.callbacks] == [
        type(c).__name__ for c in their_hooks.callbacks
    ]
    assert hasattr(our_model, "history") == hasattr(their_model, "history")
    if kwargs.get("add_history"):
        assert our_model.history.history == their_model.history.history
        assert our_model.history.epoch == their_model.history.epoch == [0, 1]
    assert our_hooks.params == their_hooks.params


def test_callback_list_set_model_and_set_params_later_reach_each_callback():
    keras, _ = require_keras()
    recordings = []
    for library in (nk, keras):
        recorder = _recorder(library.callbacks.Callback)()
        hooks = library.callbacks.CallbackList(recorder, add_history=True)
        hooks.set_params({})  # empty: not handed on
        model = types.SimpleNamespace()
        hooks.set_model(model)
        hooks.set_params({"epochs": 1})
        assert model.history is hooks.callbacks[-1]
        assert isinstance(hooks, library.callbacks.Callback) and hooks.model is model
        recordings.append(recorder.calls)
    assert recordings[0] == recordings[1]


def test_callback_list_adds_a_progbar_that_prints_the_epoch_as_keras_s(capsys):
    keras, _ = require_keras()
    printed = []
    for library in (nk, keras):
        params = {"verbose": 2, "epochs": 3, "steps": 1}
        hooks = library.callbacks.CallbackList(add_progbar=True, **params)
        hooks.on_train_begin()
        hooks.on_epoch_begin(1)
        printed.append(capsys.readouterr().out)
        assert [type(c).__name__ for c in hooks.callbacks] == ["ProgbarLogger"]
    assert printed[0] == printed[1] == "Epoch 2/3\n"


def test_callback_list_end_without_begin_is_refused_after_the_hooks_ran():
    keras, _ = require_keras()
    for library in (nk, keras):
        recorder = _recorder(library.callbacks.Callback)()
        hooks = library.callbacks.CallbackList([recorder])
        with pytest.raises(ValueError, match="on_.*_begin"):
            hooks.on_test_end()
        assert [call[0] for call in recorder.calls] == ["on_test_end"]


def test_callback_list_stops_a_hand_written_loop_on_a_real_model_as_keras_s():
    keras, _ = require_keras()
    losses = [1.0, 0.9, 0.95, 0.97, 0.5, 0.4]
    runs = []
    for library in (nk, keras):
        model = library.Sequential([library.Input(shape=(2,)), library.layers.Dense(1)])
        stop = library.callbacks.EarlyStopping(monitor="loss", patience=1)
        hooks = library.callbacks.CallbackList([stop], add_history=True, model=model, epochs=6)
        model.stop_training = False
        hooks.on_train_begin()
        for epoch, loss in enumerate(losses):
            hooks.on_epoch_begin(epoch)
            hooks.on_epoch_end(epoch, {"loss": loss})
            if model.stop_training:
                break
        hooks.on_train_end()
        runs.append((epoch, stop.stopped_epoch, model.history.history, model.history.params))
        assert model.history is hooks.callbacks[-1] and stop.model is model
    assert runs[0] == runs[1]
