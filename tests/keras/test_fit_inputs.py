"""Data loaders and ``steps_per_epoch``/``steps`` with arrays in fit, evaluate and predict,
against real Keras 3 (torch backend) given a real ``torch.utils.data.DataLoader`` over the
same arrays: the same weights, logs, hook calls and "ran out of data" warnings."""

import os
import warnings

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.keras.models.epoch_batches import EpochBatches
from nnscratch.keras.models.loader_batches import LoaderBatches, is_loader
from tests.tolerance import assert_close

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
torch = pytest.importorskip("torch") if not os.environ.get("CI") else __import__("torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RNG = np.random.default_rng(11)
X = RNG.normal(size=(12, 3)).astype(np.float32)
Y = RNG.normal(size=(12, 1)).astype(np.float32)
W = RNG.uniform(0.5, 2.0, size=12).astype(np.float32)
VAL_X, VAL_Y = X[:7] * 2, Y[:7] - 1
RAN_OUT = "ran out of data"


def _model(lib, weights=None, base=None):
    base = base or lib.Sequential
    model = base([lib.Input((3,)), lib.layers.Dense(4, activation="tanh"), lib.layers.Dense(1)])
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"],
                  weighted_metrics=["mse"])  # fmt: skip
    return model


def _recorder(lib):
    """A callback that writes down each hook and its step (or epoch)."""

    class Recorder(lib.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

        def on_epoch_begin(self, epoch, logs=None):
            self.calls.append(("epoch", epoch, self.params["steps"]))

        def on_train_batch_begin(self, batch, logs=None):
            self.calls.append(("train", batch))

        def on_test_batch_begin(self, batch, logs=None):
            self.calls.append(("test", batch))

        def on_predict_batch_begin(self, batch, logs=None):
            self.calls.append(("predict", batch))

    return Recorder()


def _loader(lib, *arrays, batch_size=4, shuffle=False):
    """A DataLoader over a TensorDataset of ``arrays``: torch's, or nnscratch's."""
    tensors = [lib.from_numpy(a) for a in arrays]
    dataset = lib.utils.data.TensorDataset(*tensors)
    return lib.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)


def _warned(caught) -> int:
    return sum(RAN_OUT in str(w.message) for w in caught)


def _run(lib, torchlike, weights=None, **fit_kwargs):
    """fit, evaluate and predict a model on loaders; the results and the hook calls."""
    model, recorder = _model(lib, weights), _recorder(lib)
    initial = [np.array(w, copy=True) for w in model.get_weights()]
    train = _loader(torchlike, X, Y, W)
    validation = _loader(torchlike, VAL_X, VAL_Y, batch_size=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (both warn that shuffle=True is ignored)
        history = model.fit(train, epochs=3, verbose=0, callbacks=[recorder],
                            validation_data=validation, **fit_kwargs)  # fmt: skip
    scores = model.evaluate(_loader(torchlike, VAL_X, VAL_Y), verbose=0, return_dict=True)
    predicted = model.predict(_loader(torchlike, X), verbose=0, callbacks=[recorder])
    return initial, model, (history.history, scores, predicted), recorder.calls


@pytest.mark.parametrize("steps", [None, 2, 5])
def test_data_loader_fit_evaluate_predict_follow_keras(steps):
    initial, theirs, their_results, their_calls = _run(keras, torch, steps_per_epoch=steps)
    _, ours, our_results, our_calls = _run(nk, ns, initial, steps_per_epoch=steps)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert_close(a, b, rtol=1e-5)
    for mine, keras_result in zip(our_results[:2], their_results[:2]):
        assert sorted(mine) == sorted(keras_result)
        for key in keras_result:
            assert_close(np.array(mine[key]), np.array(keras_result[key]), rtol=1e-5)
    assert_close(our_results[2], their_results[2], rtol=1e-5)
    assert our_calls == their_calls


class _Recording:
    """A model whose train_step notes the batch it receives, then trains as usual."""

    def train_step(self, data):
        shapes = [tuple(part.shape) for part in data] if isinstance(data, (list, tuple)) else []
        self.seen.append((type(data).__name__, shapes))
        return super().train_step(data)


def test_custom_train_step_receives_the_loader_batches_as_keras():
    seen = {}
    for lib, torchlike in ((keras, torch), (nk, ns)):
        recording = type("Recording", (_Recording, lib.Sequential), {})
        model = _model(lib, base=recording)
        model.seen = []
        model.fit(_loader(torchlike, X, Y), epochs=1, shuffle=False, verbose=0)
        model.fit(_loader(torchlike, X, Y, W, batch_size=5), epochs=1, shuffle=False, verbose=0)
        seen[lib] = model.seen
    assert seen[nk] == seen[keras]
    assert seen[nk][0] == ("list", [(4, 3), (4, 1)])


def test_a_model_without_targets_trains_on_a_loader_of_inputs_alone():
    """The GAN guide's way: a loader of images alone, a train_step that takes them."""

    class Autoencoder(nk.Sequential):
        def train_step(self, data):
            images = data[0] if isinstance(data, (list, tuple)) else data
            return super().train_step((images, images))

    model = _model(nk, base=Autoencoder)
    model.fit(_loader(ns, X), epochs=2, shuffle=False, verbose=0)
    np.testing.assert_array_equal(
        model.predict(_loader(ns, X), verbose=0), model.predict(X, batch_size=4, verbose=0)
    )


class _Pairs:
    """A re-iterable with a length that is no DataLoader: batches as tuples of arrays."""

    def __len__(self):
        return 3

    def __iter__(self):
        return ((X[i : i + 4], Y[i : i + 4]) for i in range(0, 12, 4))


def test_any_reiterable_with_a_length_is_a_loader():
    assert is_loader(_Pairs()) and is_loader(_loader(ns, X))
    assert not any(is_loader(x) for x in (X, [X, X], {"a": X}, (X,), ns.from_numpy(X)))
    nk.utils.set_random_seed(3)
    start = _model(nk).get_weights()
    ours = _model(nk, start)
    logs = ours.fit(_Pairs(), epochs=2, shuffle=False, verbose=0).history
    arrays = _model(nk, start)
    assert logs == arrays.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    assert isinstance(LoaderBatches(ours, _Pairs(), None), EpochBatches)


def test_bad_loader_arguments_are_refused():
    model = _model(nk)
    with pytest.raises(ValueError, match="`y` should not be passed"):
        model.fit(_loader(ns, X, Y), Y, verbose=0)
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(_loader(ns, X, Y), class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(_loader(ns, X, Y), validation_split=0.2, shuffle=False, verbose=0)
    with pytest.warns(UserWarning, match="shuffle=True"):
        model.fit(_loader(ns, X, Y), verbose=0)
    with pytest.raises(ValueError, match="a list or tuple"):
        model.fit(_loader(ns, X, Y, W, W), shuffle=False, verbose=0)
    with pytest.raises(ValueError, match=r"fit\(\) expects `steps_per_epoch` to be a positive"):
        model.fit(X, Y, steps_per_epoch=0, verbose=0)
    with pytest.raises(ValueError, match=r"fit\(\) expects `validation_steps` to be"):
        model.fit(X, Y, validation_data=(X, Y), validation_steps=-1, verbose=0)
    with pytest.raises(ValueError, match=r"evaluate\(\) expects `steps` to be a positive"):
        model.evaluate(X, Y, steps=1.5, verbose=0)


def _fit_arrays(lib, weights, steps, shuffle=False, epochs=4, **kwargs):
    """fit on 12 samples in 6 batches of 2 with ``steps_per_epoch=steps``."""
    model, recorder = _model(lib, weights), _recorder(lib)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(X, Y, batch_size=2, epochs=epochs, steps_per_epoch=steps,
                            shuffle=shuffle, verbose=0, callbacks=[recorder], **kwargs)  # fmt: skip
    return model, history.history, recorder.calls, _warned(caught)


@pytest.mark.parametrize("steps", [2, 4, 6, 8])
def test_steps_per_epoch_with_arrays_follows_keras(steps):
    """Fewer steps than batches (dividing them or not), as many, and more."""
    initial = _model(keras).get_weights()
    validation = {"validation_data": (VAL_X, VAL_Y), "validation_steps": 2}
    theirs, their_logs, their_calls, their_warnings = _fit_arrays(keras, initial, steps,
                                                                  **validation)  # fmt: skip
    ours, our_logs, our_calls, our_warnings = _fit_arrays(nk, initial, steps, **validation)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert_close(a, b, rtol=1e-5)
    assert sorted(our_logs) == sorted(their_logs)
    for key in their_logs:
        assert_close(np.array(our_logs[key]), np.array(their_logs[key]), rtol=1e-5)
    assert our_calls == their_calls
    assert our_warnings == their_warnings
    if steps == 4:  # epochs of 4, 2 (the pass runs out: a warning), 4, 2 batches
        assert [call for call in our_calls if call[0] == "train"].count(("train", 3)) == 2
        assert our_warnings == 2


@pytest.mark.parametrize("steps", [2, 5])
def test_evaluate_and_predict_steps_with_arrays_follow_keras(steps):
    initial = _model(keras).get_weights()
    results = {}
    for lib in (keras, nk):
        model, recorder = _model(lib, initial), _recorder(lib)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scores = model.evaluate(X, Y, batch_size=3, steps=steps, verbose=0,
                                    callbacks=[recorder], return_dict=True)  # fmt: skip
            predicted = model.predict(X, batch_size=3, steps=steps, verbose=0,
                                      callbacks=[recorder])  # fmt: skip
        results[lib] = scores, predicted, recorder.calls, _warned(caught)
    (our_scores, our_predicted, *our_rest), (scores, predicted, *rest) = results[nk], results[keras]
    assert sorted(our_scores) == sorted(scores)
    for key in scores:
        assert_close(our_scores[key], scores[key], rtol=1e-5)
    assert_close(our_predicted, predicted, rtol=1e-5)
    assert our_rest == rest
    assert len(our_predicted) == min(3 * steps, 12)


class _Seen:
    """A model whose train_step notes the sample ids (column 0 of x) of each batch."""

    def train_step(self, data):
        x, _ = data
        self.seen[-1].extend(np.asarray(x[:, 0].detach().cpu()).astype(int).tolist())
        return super().train_step(data)


def test_shuffled_steps_per_epoch_see_every_sample_once_a_pass():
    ids = np.arange(12, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)
    steps = {}
    for lib in (keras, nk):
        model = _model(lib, base=type("Seen", (_Seen, lib.Sequential), {}))

        class NewEpoch(lib.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.model.seen.append([])

        model.seen = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(ids, Y, batch_size=2, epochs=6, steps_per_epoch=4, shuffle=True,
                      verbose=0, callbacks=[NewEpoch()])  # fmt: skip
        steps[lib] = [len(epoch) // 2 for epoch in model.seen]
        for first in (0, 2, 4):  # each pass: an epoch of 4 batches, then one of 2
            assert sorted(model.seen[first] + model.seen[first + 1]) == list(range(12))
    assert steps[nk] == steps[keras] == [4, 2] * 3
