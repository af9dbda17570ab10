"""Each keras.callbacks class takes the arguments real Keras 3's takes: the same names, in the
same order, of the same kinds (positional, keyword-only, ``**kwargs``), with the same defaults.
Keras code that builds a callback by keyword or by position then builds ours."""

import inspect

import pytest
from keras_ops_parity import require_keras

from nnscratch import keras as nk

NAMES = [
    "BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
    "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
    "ReduceLROnPlateau", "TerminateOnNaN",
]  # fmt: skip


def _arguments(cls):
    """``(name, kind, default)`` of each argument of ``cls(...)`` (annotations left out)."""
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]  # no self
    return [(p.name, p.kind, p.default) for p in parameters]


@pytest.mark.parametrize("name", NAMES)
def test_callback_constructor_arguments_match_keras(name):
    keras, _ = require_keras()
    assert _arguments(getattr(nk.callbacks, name)) == _arguments(getattr(keras.callbacks, name))
