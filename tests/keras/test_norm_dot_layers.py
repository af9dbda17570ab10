"""GroupNormalization, RMSNormalization, UnitNormalization and Dot against real Keras 3
(torch backend): from Keras's own weights, the same outputs and gradients of the inputs and of
every weight; a GroupNormalization model trains as Keras's; configs are Keras's (RMS's axis
turns into a list once built, as Keras's); ``keras.layers.serialize`` / ``deserialize`` read
and write Keras's dicts both ways; bad arguments are refused naming the layer."""

import json
import os

import numpy as np
import pytest
from keras_layer_grads import assert_grads_match_keras, assert_trains_as_keras
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
torch = pytest.importorskip("torch") if not os.environ.get("CI") else __import__("torch")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
L = nk.layers

ROWS = [  # (layer, keyword arguments, input shape)
    ("GroupNormalization", {"groups": 2}, (2, 5, 4)),
    ("GroupNormalization", {"groups": 3, "axis": 1, "epsilon": 0.5}, (2, 6, 3, 2)),
    ("GroupNormalization", {"groups": -1, "center": False}, (3, 4, 3)),
    ("GroupNormalization", {"groups": 1, "scale": False}, (2, 3, 4)),
    ("RMSNormalization", {}, (2, 3, 4)),
    ("RMSNormalization", {"axis": [2, 1], "epsilon": 0.1}, (2, 3, 4)),
    ("UnitNormalization", {}, (2, 3, 4)),
    ("UnitNormalization", {"axis": (1, 2)}, (2, 3, 4)),
]


@pytest.mark.parametrize(("name", "kwargs", "shape"), ROWS, ids=str)
def test_outputs_and_all_gradients_match_keras(name, kwargs, shape, rng):
    x = rng.standard_normal(shape).astype(np.float32) * 3 + 1
    theirs = getattr(keras.layers, name)(**kwargs)
    theirs.build(shape)
    theirs.set_weights([rng.standard_normal(w.shape).astype(np.float32) for w in theirs.weights])
    ours = getattr(L, name)(**kwargs)
    ours.build(shape)
    assert [p for p, _ in ours.named_parameters()] == [w.name for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    g = rng.standard_normal(shape).astype(np.float32)
    assert_grads_match_keras(ours, theirs, x, g)
    assert ours.get_config()["axis"] == theirs.get_config()["axis"]  # (RMS: a list once built)


def test_a_group_normalization_model_trains_as_keras(rng):
    x = rng.standard_normal((8, 6, 4)).astype(np.float32)
    y = rng.standard_normal((8, 2)).astype(np.float32)

    def model(lib):
        lib.utils.set_random_seed(5)
        m = lib.Sequential([
            lib.Input((6, 4)),
            lib.layers.Conv1D(6, 3, padding="same"),
            lib.layers.GroupNormalization(3),
            lib.layers.RMSNormalization(),
            lib.layers.UnitNormalization(axis=[1, 2]),
            lib.layers.Flatten(),
            lib.layers.Dense(2),
        ])  # fmt: skip
        m.compile(optimizer=lib.optimizers.Adam(0.05), loss="mse")
        return m

    assert_trains_as_keras(model, keras, x, y, batch_size=4, epochs=3)


DOTS = [  # (Dot arguments, the two input shapes)
    ({"axes": -1}, [(2, 3), (2, 3)]),
    ({"axes": 1, "normalize": True}, [(2, 4), (2, 4, 3)]),
    ({"axes": (1, 2)}, [(2, 3, 5), (2, 4, 3)]),
    ({"axes": [2, 1], "normalize": True}, [(2, 3, 4), (2, 4, 2, 5)]),
    ({"axes": (3, 1)}, [(2, 3, 2, 4), (2, 4)]),
]


@pytest.mark.parametrize(("kwargs", "shapes"), DOTS, ids=str)
def test_dot_outputs_and_gradients_match_keras(kwargs, shapes, rng):
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ours = [ns.tensor(x, requires_grad=True) for x in xs]
    theirs = [torch.tensor(x, requires_grad=True) for x in xs]
    y = L.Dot(**kwargs)(ours)
    y_k = keras.layers.Dot(**kwargs)(theirs)
    g = rng.standard_normal(tuple(y_k.shape)).astype(np.float32)
    (y * ns.tensor(g)).sum().backward()
    (y_k * torch.tensor(g)).sum().backward()
    assert_close(y.detach().numpy(), y_k.detach().numpy())
    for mine, their in zip(ours, theirs):
        assert_close(mine.grad.numpy(), their.grad.numpy())
    assert L.Dot(**kwargs).compute_output_shape(shapes) == tuple(
        keras.layers.Dot(**kwargs).compute_output_shape(shapes)
    )


def test_dot_function_form_and_config(rng):
    a, b = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2))
    expected = keras.ops.convert_to_numpy(keras.layers.dot([a, b], axes=1, normalize=True))
    assert_close(L.dot([a, b], axes=1, normalize=True).numpy(), expected)
    assert_close(L.dot([a, b]).numpy(), (a * b).sum(1, keepdims=True))  # axes=-1 by default
    ours, theirs = L.Dot((1, 2)).get_config(), keras.layers.Dot((1, 2)).get_config()
    assert (ours["axes"], ours["normalize"]) == (theirs["axes"], theirs["normalize"])


def _keras_view(config: dict, keys) -> dict:
    """A serialized layer as JSON, its config cut to ``keys`` (nnscratch leaves out the
    constraints and activity regularizers it lacks), less what the libraries name apart and
    the initializers (Keras 3.15's GlorotUniform config has axes nnscratch's lacks)."""
    config = json.loads(json.dumps(config))
    keys = [k for k in keys if k not in ("dtype", "name") and not k.endswith("_initializer")]
    config["config"] = {k: config["config"][k] for k in keys}
    return config


def test_serialize_writes_keras_dicts_and_deserialize_reads_them():
    for make in [lambda lib: lib.layers.Dense(3, "relu", kernel_regularizer="l2"),
                 lambda lib: lib.layers.GroupNormalization(2, gamma_regularizer="l2"),
                 lambda lib: lib.layers.RMSNormalization(axis=[1, 2]),
                 lambda lib: lib.layers.Dot((1, 2), normalize=True),
                 lambda lib: lib.layers.Conv1DTranspose(2, 3, strides=2)]:  # fmt: skip
        ours, theirs = nk.layers.serialize(make(nk)), keras.layers.serialize(make(keras))
        assert set(ours) == set(theirs)
        assert _keras_view(ours, ours["config"]) == _keras_view(theirs, ours["config"])
        from_theirs = nk.layers.deserialize(json.loads(json.dumps(theirs)))
        from_ours = keras.layers.deserialize(json.loads(json.dumps(ours)))
        assert type(from_theirs).__name__ == type(from_ours).__name__
        again = nk.layers.serialize(nk.layers.deserialize(ours))
        assert _keras_view(nk.layers.serialize(from_theirs), ours["config"]) == _keras_view(
            again, ours["config"]
        )


def test_a_built_layer_serializes_with_its_build_config():
    layer = L.GroupNormalization(2)
    layer.build((None, 3, 4))
    config = L.serialize(layer)
    assert config["build_config"] == {"input_shape": [None, 3, 4]}
    assert L.deserialize(config).gamma.shape == (4,)  # built again from it


def test_serialize_and_deserialize_refuse_what_is_not_a_layer():
    with pytest.raises(TypeError, match="keras.layers.serialize.*str"):
        L.serialize("dense")
    with pytest.raises(ValueError, match="keras.layers.deserialize.*class_name"):
        L.deserialize(["Dense"])
    with pytest.raises(ValueError, match="keras.layers.deserialize"):
        L.deserialize({"module": "keras.initializers", "class_name": "Zeros", "config": {}})


@pytest.mark.parametrize(
    ("make", "kind", "words"),
    [
        (lambda: L.GroupNormalization(0, name="g"), ValueError, ["GroupNormalization 'g'", "0"]),
        (lambda: L.GroupNormalization(3, name="g")(np.ones((1, 2, 4), np.float32)), ValueError,
         ["GroupNormalization 'g'", "4 channels", "groups=3"]),
        (lambda: L.GroupNormalization(2, axis=3, name="g")(np.ones((1, 2, 4), np.float32)),
         ValueError, ["GroupNormalization 'g'", "axis=3", "(1, 2, 4)"]),
        (lambda: L.GroupNormalization(2, gamma_constraint="non_neg", name="g"),
         NotImplementedError, ["GroupNormalization 'g'", "gamma_constraint"]),
        (lambda: L.RMSNormalization(axis=4, name="r")(np.ones((1, 2, 4), np.float32)),
         ValueError, ["RMSNormalization 'r'", "axis=4", "(1, 2, 4)"]),
        (lambda: L.UnitNormalization(axis="last", name="u"), TypeError,
         ["UnitNormalization 'u'", "'last'"]),
        (lambda: L.Dot(axes=(1, 2, 3), name="d"), ValueError, ["Dot 'd'", "(1, 2, 3)"]),
        (lambda: L.Dot(axes="1", name="d"), TypeError, ["Dot 'd'", "'1'"]),
        (lambda: L.Dot(axes=1, name="d")([np.ones((2, 3), np.float32)] * 3), ValueError,
         ["Dot 'd'", "list of 2"]),
        (lambda: L.Dot(axes=1, name="d")([np.ones((2, 3), np.float32),
                                          np.ones((2, 4), np.float32)]),
         ValueError, ["Dot 'd'", "3", "4"]),
        (lambda: L.Dot(axes=0, name="d")([np.ones((2, 3), np.float32)] * 2), ValueError,
         ["Dot 'd'", "non-batch axis"]),
    ],
)  # fmt: skip
def test_bad_arguments_name_the_layer(make, kind, words):
    with pytest.raises(kind) as error:
        make()
    for word in words:
        assert word in str(error.value)
