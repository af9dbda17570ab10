"""Careless or hostile input stops with a clear ``NnscratchError``, never a crash deep inside
or a silently wrong answer.

Every case raises a subclass of ``NnscratchError`` that is also the built-in type older code
catches (``InputError`` is a ``ValueError``; ``LabelError`` also an ``IndexError``, as torch
raises), with a message naming what was expected and what was received, and leaves the model's
weights untouched.
"""

import types

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras, nn
from nnscratch.errors import (
    InputError,
    InputTypeError,
    LabelError,
    NnscratchError,
    TrainingError,
)
from nnscratch.nn import functional as F
from nnscratch.utils.data import DataLoader, TensorDataset

X = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
LABELS = np.array([0, 1, 2, 0, 1, 2])


def _model(outputs: int = 3, loss: str = "sparse_categorical_crossentropy"):
    model = keras.Sequential(
        [keras.Input(shape=(2,)), keras.layers.Dense(outputs, activation="softmax")]
    )
    model.compile(optimizer="sgd", loss=loss)
    return model


def _functional():
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def _with(array, index, value):
    array = array.copy()
    array[index] = value
    return array


def _fit(x=X, y=LABELS, model=None, **kwargs):
    return lambda: (model or _model()).fit(x, y, verbose=0, **{"batch_size": 2, **kwargs})


ONE_HOT = np.eye(3, dtype=np.float32)[LABELS]
CATEGORICAL = "categorical_crossentropy"

# (case, call, error class, words the message must hold)
KERAS_CASES = [
    ("nan in x", _fit(x=_with(X, (3, 1), np.nan)), InputError, r"`x`.*1 NaN.*\(3, 1\)"),
    ("inf in x", _fit(x=_with(X, (0, 0), np.inf)), InputError, r"0 NaN and 1 infinite.*\(0, 0\)"),
    ("nan in x, functional", _fit(x=_with(X, (2, 0), np.nan), model=_functional()), InputError,
     r"1 NaN.*\(2, 0\)"),
    ("nan in validation x", _fit(validation_data=(_with(X, (1, 1), np.nan), LABELS)), InputError,
     "1 NaN"),
    ("nan in evaluate x", lambda: _model().evaluate(_with(X, (5, 0), -np.inf), LABELS, verbose=0),
     InputError, "infinite"),
    ("strings", _fit(x=np.array([["a", "b"]] * 6)), InputError, r"`x` to hold numbers.*strings"),
    ("string labels", _fit(y=np.array(list("abcabc"))), InputError, "`y` to hold numbers"),
    ("objects", _fit(x=[[1.0, None]] * 6), InputError, "Python objects"),
    ("complex", _fit(x=X + 1j), InputError, "complex"),
    ("ragged list", _fit(x=[[1.0, 2.0], [3.0]] * 3), InputError,
     r"rectangular.*ragged list.*lengths \[1, 2\]"),
    ("empty fit", _fit(x=X[:0], y=LABELS[:0]), InputError, r"at least one sample.*\(0, 2\)"),
    ("empty evaluate", lambda: _model().evaluate(X[:0], LABELS[:0], verbose=0), InputError,
     "at least one sample"),
    ("empty predict", lambda: _model().predict(X[:0], verbose=0), InputError,
     "at least one sample"),
    ("predict strings", lambda: _model().predict(np.array([["1", "2"]]), verbose=0), InputError,
     "strings"),
    ("batch_size 0", _fit(batch_size=0), InputError, "`batch_size`.*positive integer.*0"),
    ("batch_size -2", _fit(batch_size=-2), InputError, "received -2"),
    ("batch_size 2.5", _fit(batch_size=2.5), InputError, r"received 2\.5 \(float\)"),
    ("batch_size '8'", _fit(batch_size="8"), InputError, "received '8' \\(str\\)"),
    ("batch_size True", _fit(batch_size=True), InputError, "received True"),
    ("evaluate batch_size", lambda: _model().evaluate(X, LABELS, batch_size=0, verbose=0),
     InputError, "batch_size"),
    ("predict batch_size", lambda: _model().predict(X, batch_size=-1, verbose=0), InputError,
     "batch_size"),
    ("label too big", _fit(y=_with(LABELS, 4, 3)), LabelError,
     r"label 3 of sample 4 .*3 outputs \(expected 0 to 2\)"),
    ("negative label", _fit(y=_with(LABELS, 2, -1)), LabelError, "label -1 of sample 2"),
    ("label too big, evaluate", lambda: _model().evaluate(X, LABELS + 5, verbose=0), LabelError,
     "label 5 of sample 0"),
    ("label in validation", _fit(validation_data=(X, LABELS * 2)), LabelError, "label 4"),
    ("nan label", _fit(y=_with(LABELS.astype(float), 3, np.nan)), LabelError,
     "label nan of sample 3"),
    ("fractional label", _fit(y=_with(LABELS.astype(float), 1, 0.5)), InputError,
     "integer class labels, received 0.5 for sample 1"),
    ("label too big, functional", _fit(y=LABELS + 1, model=_functional()), LabelError,
     "label 3 of sample 2"),
    ("one-hot to sparse", _fit(y=ONE_HOT), InputError,
     r"integer labels of shape .* received y of shape \(6, 3\).*categorical_crossentropy"),
    ("(n, 1) labels to categorical", _fit(y=LABELS[:, None], model=_model(3, CATEGORICAL)),
     InputError, r"one-hot targets of shape \(samples, 3\).*received y of shape \(6, 1\)"),
    ("(n,) labels to categorical", _fit(y=LABELS, model=_model(3, CATEGORICAL)),
     InputError, r"received y of shape \(6,\).*sparse_categorical_crossentropy"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "words"), [case[1:] for case in KERAS_CASES], ids=[c[0] for c in KERAS_CASES]
)
def test_keras_hostile_input_is_a_clear_error(call, error, words):
    with pytest.raises(error, match=words) as caught:
        call()
    assert isinstance(caught.value, NnscratchError) and isinstance(caught.value, ValueError)


def test_a_refused_fit_leaves_the_weights_alone():
    model = _model()
    before = model.get_weights()
    with pytest.raises(LabelError):
        model.fit(X, _with(LABELS, 5, 9), batch_size=2, verbose=0)
    with pytest.raises(InputError):
        model.fit(_with(X, (0, 0), np.nan), LABELS, batch_size=2, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_what_is_still_accepted():
    """The checks do not refuse valid data: NumPy integer batch sizes, integer and bool inputs,
    ignored labels, float labels holding integers, NaN in predict (it comes out as NaN)."""
    model = _model()
    model.fit(X, LABELS.astype(np.float32), batch_size=np.int64(4), verbose=0)
    model.fit(X.astype(np.int64), LABELS, batch_size=np.int32(3), verbose=0)
    ignoring = _model()
    ignoring.compile(
        optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=-1)
    )
    ignoring.fit(X, _with(LABELS, 0, -1), batch_size=2, verbose=0)
    assert np.isnan(model.predict(_with(X, (1, 0), np.nan), verbose=0)[1]).all()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the point
def test_nan_loss_keeps_training_as_keras_unless_terminate_on_nan(capsys):
    """NaN targets are refused before training (Keras 3 trains on them silently). A loss that
    overflows on finite data: without TerminateOnNaN fit runs on, as Keras does; with it, fit
    stops after the first non-finite batch and says so."""
    with pytest.raises(InputError, match=r"finite values in `y`, received 1 NaN"):
        _model(1, "mse").fit(X, _with(LABELS.astype(np.float32)[:, None], 2, np.nan), verbose=0)
    x, y = _with(X, (2, 0), 1e30), LABELS.astype(np.float32)[:, None]

    def linear():
        model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    history = linear().fit(x, y, batch_size=2, epochs=3, shuffle=False, verbose=0)
    assert len(history.epoch) == 3 and not np.isfinite(history.history["loss"]).any()
    stop = keras.callbacks.TerminateOnNaN()
    history = linear().fit(x, y, batch_size=2, epochs=3, shuffle=False, verbose=0,
                           callbacks=[stop])  # fmt: skip
    assert len(history.epoch) == 1
    assert "Batch 1: Invalid loss" in capsys.readouterr().out


# ---- the PyTorch-style side ---------------------------------------------------------------------
DATA = TensorDataset(ns.tensor(X), ns.tensor(LABELS))


@pytest.mark.parametrize("batch_size", [0, -1, 2.0, True, "4"])
def test_dataloader_batch_size_must_be_a_positive_int(batch_size):
    with pytest.raises(InputError, match=f"batch_size should be a positive integer.*{batch_size}"):
        DataLoader(DATA, batch_size=batch_size)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda t: F.cross_entropy(ns.randn(6, 3), t), "target 3 is out of bounds for 3 classes"),
        (lambda t: nn.CrossEntropyLoss()(ns.randn(6, 3), t), "out of bounds for 3 classes"),
        (lambda t: F.nll_loss(ns.randn(6, 3), t), r"nll_loss: target 3 .*\(expected 0 to 2"),
    ],
    ids=["cross_entropy", "CrossEntropyLoss", "nll_loss"],
)
def test_torch_style_labels_out_of_range(call, words):
    with pytest.raises(LabelError, match=words) as caught:
        call(ns.tensor(_with(LABELS, 1, 3)))
    assert isinstance(caught.value, IndexError)  # what torch raises
    with pytest.raises(LabelError, match="target -2"):
        call(ns.tensor(_with(LABELS, 1, -2)))
    call(ns.tensor(_with(LABELS, 1, -100)))  # ignore_index is not out of range


# ---- the torch-style front door: ns.tensor ---------------------------------------------------
@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        ([[1, 2], [3]], InputError, "ragged nested list"),
        (["a", "b"], InputTypeError, "cannot make a tensor from list holding <U1"),
        ([{"a": 1}], InputTypeError, "holding object"),
    ],
)
def test_tensor_refuses_data_that_is_not_a_table_of_numbers(data, error, words):
    with pytest.raises(error, match=words) as caught:
        ns.tensor(data)
    assert isinstance(caught.value, NnscratchError)


def test_terminate_on_nan_can_raise_the_library_error():
    stop = keras.callbacks.TerminateOnNaN(raise_error=True)
    stop.set_model(types.SimpleNamespace(stop_training=False))
    with pytest.raises(TrainingError, match="NaN or Inf loss encountered at batch 2") as caught:
        stop.on_train_batch_end(2, {"loss": float("inf")})
    assert isinstance(caught.value, RuntimeError)
