"""Every callback hook, called where real Keras 3 (torch backend) calls it, with its ``logs``.

One recording callback, written once against either library's ``keras.callbacks.Callback``,
runs through ``fit`` (with ``validation_data``: Keras calls the test hooks of fit's callbacks
while it validates), ``evaluate`` and ``predict`` on the same model with the same weights.
The two recordings must hold the same hooks in the same order, with the same batch or epoch
indices, the same log keys, and the same values to float32 round-off (``predict``'s batch
hooks get ``{"outputs": the batch's predictions}``).
"""

import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.keras.models.callback_list import CallbackList

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
torch = pytest.importorskip("torch") if not os.environ.get("CI") else __import__("torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RNG = np.random.default_rng(5)
X = RNG.normal(size=(10, 3)).astype(np.float32)
Y = RNG.normal(size=(10, 1)).astype(np.float32)
TOL = {"rtol": 2e-5, "atol": 2e-6}  # float32, a few SGD steps apart in two libraries

INDEXED = (
    "on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end",
    "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
    "on_predict_batch_end",
)  # fmt: skip
WHOLE = (
    "on_train_begin", "on_train_end", "on_test_begin", "on_test_end", "on_predict_begin",
    "on_predict_end",
)  # fmt: skip


def recorder_class(callback_base):
    """A callback recording ``(hook, index or None, logs)`` for every hook."""

    class Recorder(callback_base):
        def __init__(self):
            super().__init__()
            self.events = []

    def indexed(hook):
        def record(self, index, logs=None):
            self.events.append((hook, index, dict(logs)))

        return record

    def whole(hook):
        def record(self, logs=None):
            self.events.append((hook, None, dict(logs)))

        return record

    for hook in INDEXED:
        setattr(Recorder, hook, indexed(hook))
    for hook in WHOLE:
        setattr(Recorder, hook, whole(hook))
    return Recorder


def custom_step_class(keras, torch):
    """A guide-style train_step returning the compiled metrics' dict nested in its logs."""

    class CustomStep(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            gradients = [v.value.grad for v in self.trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, self.trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    return CustomStep


def record(lib, torch_module, model_class, weights=None):
    """The events of fit (2 epochs, validation), evaluate and predict, and the weights used."""
    inputs = lib.Input(shape=(3,))
    outputs = lib.layers.Dense(1)(lib.layers.Dense(4, activation="tanh")(inputs))
    model = (model_class(lib, torch_module) if model_class else lib.Model)(inputs, outputs)
    if weights is not None:
        model.set_weights(weights)
    start = model.get_weights()
    model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    recorder = recorder_class(lib.callbacks.Callback)()
    model.fit(X, Y, batch_size=4, epochs=2, validation_data=(X[:6], Y[:6]), shuffle=False,
              callbacks=[recorder], verbose=0)  # fmt: skip
    model.evaluate(X, Y, batch_size=4, callbacks=[recorder], verbose=0)
    model.predict(X, batch_size=4, callbacks=[recorder], verbose=0)
    return recorder.events, start


def assert_same_events(ours, theirs) -> None:
    def outline(events):
        return [(hook, index, sorted(logs)) for hook, index, logs in events]

    assert outline(ours) == outline(theirs)
    for (hook, index, mine), (_, _, reference) in zip(ours, theirs):
        for key, value in reference.items():
            assert type(mine[key]) is type(value), (hook, index, key)
            np.testing.assert_allclose(mine[key], value, **TOL, err_msg=f"{hook} {index} {key}")


@pytest.mark.parametrize("model_class", [None, custom_step_class], ids=["built_in", "custom"])
def test_hooks_and_logs_match_keras_through_fit_evaluate_and_predict(model_class):
    keras.utils.set_random_seed(1)
    theirs, weights = record(keras, torch, model_class)
    ours, _ = record(nk, ns, model_class, weights)
    assert_same_events(ours, theirs)
    hooks = {hook for hook, _, _ in ours}
    assert hooks == set(INDEXED) | set(WHOLE)  # every hook was exercised


def test_predict_batch_hooks_get_each_batch_outputs():
    model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(2)])
    recorder = recorder_class(nk.callbacks.Callback)()
    predictions = model.predict(X, batch_size=4, callbacks=[recorder], verbose=0)
    ends = [logs["outputs"] for hook, _, logs in recorder.events if hook == "on_predict_batch_end"]
    assert [len(batch) for batch in ends] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate(ends), predictions)


def test_a_callback_s_logs_are_flat_sorted_python_floats():
    class Nested:
        def on_epoch_end(self, epoch, logs):
            self.logs = logs

    callback = Nested()
    hooks = CallbackList([callback], model=None, params={})
    hooks.on_epoch_end(0, {"z": ns.tensor(2.0), "compile_metrics": {"mae": np.float32(0.5)}})
    assert callback.logs == {"mae": 0.5, "z": 2.0}
    assert [type(value) for value in callback.logs.values()] == [float, float]
