"""How a Keras layer is built and called (issue 20, item 4): ``training`` and masks reach the
``call`` of a user's layer as Keras hands them; a direct ``layer.build(shape)`` marks the layer
built (built-in layers and user layers alike); the call signature is read once per class,
never per instance; every built-in layer and model declares what its ``call`` takes.

The oracles are hand computations: the flags fit and predict must pass, the mask
``ids != 0`` that ``Embedding(mask_zero=True)`` makes, weight counts by hand."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import numpy as np
import pytest

import nnscratch.keras as nk
from nnscratch.keras.layers.layer import Layer


class RecordsTraining(nk.layers.Layer):
    """Identity that records the ``training`` flag of each call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, x, training=None):
        self.seen.append(training)
        return x


class RecordsMask(nk.layers.Layer):
    """Sums the kept steps and records the mask it was handed."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.masks = []

    def call(self, x, mask=None):
        self.masks.append(None if mask is None else np.asarray(mask))
        return x.sum(1)


def test_a_user_layer_taking_training_gets_true_in_fit_and_false_in_predict():
    recorder = RecordsTraining()
    model = nk.Sequential([nk.Input(shape=(3,)), recorder, nk.layers.Dense(1)])
    recorder.seen.clear()  # (building the graph traced call twice, as Keras 3 does)
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 3), np.float32), np.zeros((8, 1), np.float32)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert recorder.seen == [True, True]
    recorder.seen.clear()
    model.predict(x, batch_size=8, verbose=0)
    assert recorder.seen == [False]


@pytest.mark.filterwarnings("ignore:Layer 'records_mask")  # (it drops the mask, as Keras)
def test_a_user_layer_taking_mask_gets_the_embedding_mask():
    ids = np.array([[3, 1, 0, 0], [2, 0, 5, 0]])
    for functional in (False, True):
        recorder = RecordsMask()
        if functional:
            inputs = nk.Input(shape=(4,))
            model = nk.Model(inputs, recorder(nk.layers.Embedding(8, 2, mask_zero=True)(inputs)))
        else:
            model = nk.Sequential([nk.Input(shape=(4,)), nk.layers.Embedding(8, 2, mask_zero=True),
                                   recorder])  # fmt: skip
        recorder.masks.clear()  # (building the graph traced call, as Keras 3 does)
        model.predict(ids, verbose=0)
        assert len(recorder.masks) == 1 and recorder.masks[0] is not None
        np.testing.assert_array_equal(recorder.masks[0].astype(bool), ids != 0)


def test_direct_build_marks_built_in_layers_built():
    add = nk.layers.Add()  # no weights: only its build can say it is built
    add.build([(None, 3), (None, 3)])
    assert add.built
    dense = nk.layers.Dense(2)
    dense.build((None, 4))
    assert dense.built and dense.count_params() == 4 * 2 + 2
    model = nk.Sequential([nk.layers.Dense(5), nk.layers.Dense(1)])
    model.build((None, 3))
    assert model.built and model.count_params() == (3 * 5 + 5) + (5 * 1 + 1)
    assert "Total params: 26" in _summary(model)


class NoSuperScale(nk.layers.Layer):
    """A user layer whose build makes a weight and does not call ``super().build``."""

    def build(self, input_shape):
        self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, x):
        return x * self.w


class SuperNoWeights(nk.layers.Layer):
    """A user layer without weights whose build ends with ``super().build``."""

    def build(self, input_shape):
        self.width = input_shape[-1]
        super().build(input_shape)

    def call(self, x):
        return x


def test_direct_build_marks_user_layers_built_and_is_not_run_again():
    layer = NoSuperScale()
    layer.build((None, 3))
    assert layer.built and layer.count_params() == 3
    weight = layer.w
    out = layer(np.full((2, 3), 2.0, np.float32))
    assert layer.w is weight and len(layer.weights) == 1  # the first call built nothing more
    np.testing.assert_array_equal(out.detach().numpy(), np.full((2, 3), 2.0))
    plain = SuperNoWeights()
    plain.build((None, 4))
    assert plain.built and plain.width == 4 and plain.count_params() == 0
    model = nk.Sequential([nk.Input(shape=(3,)), NoSuperScale()])
    assert "Total params: 3" in _summary(model)


def test_the_call_signature_is_read_once_per_class_not_per_instance(monkeypatch):
    calls = []
    real = inspect.signature

    def counting(obj, *args, **kwargs):
        calls.append(obj)
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(inspect, "signature", counting)

    class Twice(nk.layers.Layer):
        def call(self, x, training=None):
            return x * (2.0 if training else 1.0)

    layers = [Twice() for _ in range(50)]
    for layer in layers:
        layer(np.ones((1, 2), np.float32))
    dense = [nk.layers.Dense(2) for _ in range(50)]
    for layer in dense:
        layer(np.ones((1, 2), np.float32))
    assert [c.__qualname__ for c in calls] == [Twice.call.__qualname__]  # once, at class time


def _layer_classes() -> list[type]:
    found, todo = [], [Layer]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        built_in = cls.__module__.startswith(("nnscratch.keras.layers", "nnscratch.keras.models"))
        if built_in and "call" in vars(cls):
            found.append(cls)
    return found


@pytest.mark.parametrize("cls", _layer_classes(), ids=lambda c: c.__name__)
def test_built_in_layers_declare_what_their_call_takes(cls):
    body = inspect.getsource(cls)  # written in the class body, not read from its signature
    for option in ("call_takes_training", "call_mask_arguments"):
        assert re.search(rf"\n    {option}(: \w+)? = ", body), option
    parameters = list(inspect.signature(vars(cls)["call"]).parameters)
    assert cls.call_takes_training == ("training" in parameters)
    masks = [f"{name}_mask" for name in parameters if f"{name}_mask" in parameters]
    masks = ["mask"] if "mask" in parameters else masks  # (attention_mask: no input "attention")
    assert [m for m in cls.call_mask_arguments if m] == masks


# Imports every module of nnscratch with inspect.signature counting what it is asked to read.
READS_AT_IMPORT = """
import importlib, inspect, pkgutil
read, real = [], inspect.signature
inspect.signature = lambda obj, *a, **k: read.append(obj.__qualname__) or real(obj, *a, **k)
import nnscratch
for module in pkgutil.walk_packages(nnscratch.__path__, "nnscratch."):
    importlib.import_module(module.name)
print([name for name in read if name.endswith(".call")])
"""


def test_importing_nnscratch_reads_no_call_signature():
    done = subprocess.run([sys.executable, "-c", READS_AT_IMPORT], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"  # every built-in class declares its call options


def _summary(model) -> str:
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def test_a_layer_with_a_weight_made_in_init_still_builds_the_rest():
    class Scaled(nk.layers.Layer):
        def __init__(self):
            super().__init__()
            self.s = self.add_weight(shape=(), initializer="ones", name="s")

        def build(self, input_shape):
            self.k = self.add_weight(shape=(input_shape[-1], 2), initializer="ones", name="k")

        def call(self, x):
            return (x @ self.k) * self.s

    layer = Scaled()
    assert not layer.built  # a weight made in __init__ is not a build (Keras: built=False)
    out = layer(np.ones((1, 3), np.float32))
    assert layer.built and out.tolist() == [[3.0, 3.0]]  # ones @ ones(3, 2), by hand


def test_a_direct_build_without_super_is_not_redone_by_the_first_call():
    """Weights loaded after a direct build() survive the first call (Keras marks it built)."""

    class Wrapper(nk.layers.Layer):
        def build(self, input_shape):
            self.d = nk.layers.Dense(2)
            self.d.build(input_shape)

        def call(self, x):
            return self.d(x)

    layer = Wrapper()
    layer.build((None, 3))
    assert layer.built
    layer.set_weights([np.ones((3, 2), np.float32), np.zeros(2, np.float32)])
    assert layer(np.ones((1, 3), np.float32)).tolist() == [[3.0, 3.0]]
