"""``Lambda``: calls its function (with ``arguments``, ``mask`` and ``training`` when the
function takes them), works out output shapes as Keras does, and is saved without code: a
model holding a Lambda saves the function's name only, and loading it refuses unless the
loading program supplies the function (``custom_objects``, a registration), never running
anything from the file, Keras's own bytecode form included."""

import json
import os
import zipfile

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.errors import ConfigError

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
L = nk.layers


def add_offset(x, offset=0.0):
    return x + offset


def _model(function, **kwargs):
    return nk.Sequential([nk.Input((3,)), L.Lambda(function, **kwargs), L.Dense(2)])


def _saved_config(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def test_lambda_computes_like_keras(rng):
    x = rng.standard_normal((2, 3)).astype(np.float32)
    ours = L.Lambda(add_offset, arguments={"offset": 2.0})(x).numpy()
    theirs = keras.layers.Lambda(add_offset, arguments={"offset": 2.0})(x)
    np.testing.assert_array_equal(ours, keras.ops.convert_to_numpy(theirs))


def test_lambda_is_differentiable():
    x = ns.tensor([[1.0, -2.0]], requires_grad=True)
    L.Lambda(lambda t: (t * t).sum(dim=1, keepdim=True))(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[2.0, -4.0]])


def test_output_shape_inferred_given_or_computed_matches_keras():
    cases = [
        (lambda x: x[:, :2], None, (None, 5)),
        (lambda x: ns.cat([x, x], dim=1), None, (None, 4, 3)),
        (lambda x: x, (7,), (None, 3)),
        (lambda x: x, lambda shape: (shape[0], 1), (None, 3)),
    ]
    for function, output_shape, shape in cases:
        ours = L.Lambda(function, output_shape=output_shape).compute_output_shape(shape)
        kfunction = (
            (lambda x: keras.ops.concatenate([x, x], axis=1))
            if (shape == (None, 4, 3))
            else function
        )
        theirs = keras.layers.Lambda(kfunction, output_shape=output_shape)
        assert ours == tuple(theirs.compute_output_shape(shape))
    add = L.Lambda(lambda xs: xs[0] + xs[1])
    assert add.compute_output_shape([(None, 2), (None, 2)]) == (None, 2)


def test_function_gets_mask_and_training_when_it_takes_them():
    seen = {}

    def spy(x, mask=None, training=None):
        seen.update(mask=mask, training=training)
        return x

    layer = L.Lambda(spy, mask=lambda inputs, mask: mask)
    layer(np.ones((1, 2), np.float32), mask=np.array([[True, False]]), training=True)
    assert seen["training"] is True and seen["mask"].tolist() == [[True, False]]
    assert layer.supports_masking and not L.Lambda(spy).supports_masking
    inputs = nk.Input((4,), dtype="int32")
    out = L.Lambda(lambda x: x * 2, mask=lambda inputs, mask: mask)(
        L.Embedding(5, 2, mask_zero=True)(inputs)
    )
    model = nk.Model(inputs, L.GlobalAveragePooling1D()(out))
    model.predict(np.array([[1, 2, 0, 0]]), verbose=0)


def test_saved_config_names_the_function_and_holds_no_code(tmp_path):
    model = _model(add_offset, arguments={"offset": 1.5}, output_shape=(3,))
    model.save(tmp_path / "m.keras")
    (entry,) = [
        la
        for la in _saved_config(tmp_path / "m.keras")["config"]["layers"]
        if la["class_name"] == "Lambda"
    ]
    assert entry["config"]["function"] == {
        "module": None,
        "class_name": "function",
        "config": "add_offset",
        "registered_name": None,
    }
    assert entry["config"]["arguments"] == {"offset": 1.5}
    assert entry["config"]["output_shape"] == [3]


def test_loading_a_lambda_refuses_without_the_function(tmp_path):
    _model(add_offset).save(tmp_path / "named.keras")
    _model(lambda x: x * 3).save(tmp_path / "anonymous.keras")
    with pytest.raises(ConfigError) as error:
        nk.saving.load_model(tmp_path / "named.keras")
    message = str(error.value)
    assert "Lambda 'lambda" in message and "'add_offset'" in message
    assert "custom_objects" in message and "never runs code" in message
    with pytest.raises(ConfigError, match="'<lambda>'"):
        nk.saving.load_model(tmp_path / "anonymous.keras")


def test_loading_with_custom_objects_uses_that_function(tmp_path, rng):
    x = rng.standard_normal((4, 3)).astype(np.float32)
    model = _model(add_offset, arguments={"offset": 2.0})
    model.save(tmp_path / "m.keras")

    def other_offset(x, offset=0.0):
        return x - offset

    restored = nk.saving.load_model(tmp_path / "m.keras", custom_objects={"add_offset": add_offset})
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    swapped = nk.saving.load_model(
        tmp_path / "m.keras", custom_objects={"add_offset": other_offset}
    )
    assert swapped.layers[0].function is other_offset
    anonymous = _model(lambda t: t * 3)
    anonymous.save(tmp_path / "a.keras")
    again = nk.saving.load_model(tmp_path / "a.keras", custom_objects={"<lambda>": lambda t: t * 3})
    np.testing.assert_array_equal(again.predict(x, verbose=0), anonymous.predict(x, verbose=0))


def test_registered_and_builtin_functions_load_without_custom_objects(tmp_path):
    @nk.saving.register_keras_serializable(package="Issue21")
    def halve(x):
        return x / 2

    for function in (halve, nk.activations.relu):
        layer = L.Lambda(function, name="f")
        clone = L.Lambda.from_config(
            json.loads(json.dumps(nk.saving.serialize_keras_object(layer)["config"]))
        )
        assert clone.function is function


def test_keras_bytecode_lambda_is_refused_and_never_run(tmp_path):
    """A real Keras config of a Python lambda carries bytecode: refused, whatever it holds."""
    config = keras.layers.Lambda(lambda x: x + 1, name="kl").get_config()
    assert config["function"]["class_name"] == "__lambda__"
    config["dtype"] = "float32"
    with pytest.raises(ConfigError, match="Lambda 'kl'.*bytecode"):
        L.Lambda.from_config(config)
    with pytest.raises(ConfigError, match="bytecode"):
        nk.saving.deserialize_layer(
            {"module": "keras.layers", "class_name": "Lambda", "config": config}
        )


def test_bad_function_names_the_layer():
    with pytest.raises(TypeError, match="Lambda 'lam'.*callable"):
        L.Lambda(3, name="lam")
    with pytest.raises(NotImplementedError, match="Lambda 'lam2'.*output_shape"):
        L.Lambda(lambda x: x.nope(), name="lam2").compute_output_shape((None, 3))


def test_real_keras_reads_our_lambda_config_given_the_function():
    layer = L.Lambda(add_offset, arguments={"offset": 2.0}, output_shape=(3,), name="lam")
    config = json.loads(json.dumps(nk.saving.serialize_layer(layer)))
    with keras.saving.custom_object_scope({"add_offset": add_offset}):
        theirs = keras.layers.deserialize(config)
    assert theirs.function is add_offset and theirs.arguments == {"offset": 2.0}
    assert theirs.compute_output_shape((None, 3)) == (None, 3)


def test_traced_output_shape_keeps_axes_a_size_one_batch_would_drop():
    """Keras works a Lambda's output shape out with unknown sizes well above 1: a
    ``squeeze`` keeps the batch axis, and a rank that changes with the sizes is refused."""
    ours = L.Lambda(lambda x: nk.ops.squeeze(x)).compute_output_shape((None, 3))
    theirs = keras.layers.Lambda(lambda x: keras.ops.squeeze(x)).compute_output_shape((None, 3))
    assert ours == tuple(theirs) == (None, 3)
    assert L.Lambda(lambda x: nk.ops.squeeze(x))(nk.Input((3,))).shape == (None, 3)

    def rank_follows_size(x):
        return x.reshape(-1) if x.shape[0] == 2 else x

    with pytest.raises(NotImplementedError, match="Lambda 'lam3'.*rank"):
        L.Lambda(rank_follows_size, name="lam3").compute_output_shape((None, 3))
