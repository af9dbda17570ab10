"""keras.saving: .keras archives and weights files. Every layer type survives a save/load with
identical predictions; compile settings and optimizer state come back, so training resumes
bit for bit; real Keras reads our layer configs and weights layout; only registered classes
load, and a file that does not fit the model says which weight and which shapes."""

import json
import os
import sys
import zipfile

import numpy as np
import pytest

from nnscratch import keras as nk
from nnscratch.errors import ConfigError, FileFormatError, NnscratchError
from nnscratch.io import safetensors as st
from nnscratch.keras.layers.layer import Layer
from nnscratch.keras.saving import serialize_layer

L = nk.layers
SINGLE_INPUT = {  # layer -> (a factory, the input shape without the batch)
    "Dense": (lambda: L.Dense(3, "tanh", kernel_regularizer="l2", bias_initializer="ones"), (4,)),
    "Activation": (lambda: L.Activation("softmax"), (4,)),
    "Dropout": (lambda: L.Dropout(0.5, seed=1), (4,)),
    "Flatten": (lambda: L.Flatten(), (2, 3)),
    "Reshape": (lambda: L.Reshape((3, 2)), (6,)),
    "BatchNormalization": (lambda: L.BatchNormalization(momentum=0.9, epsilon=1e-2), (4,)),
    "LayerNormalization": (lambda: L.LayerNormalization(epsilon=1e-2, center=False), (3, 4)),
    "Embedding": (lambda: L.Embedding(7, 3, mask_zero=False), (5,)),
    "SpatialDropout1D": (lambda: L.SpatialDropout1D(0.5), (3, 4)),
    "SpatialDropout2D": (lambda: L.SpatialDropout2D(0.5), (3, 3, 2)),
    "SpatialDropout3D": (lambda: L.SpatialDropout3D(0.5), (2, 2, 2, 2)),
    "GaussianDropout": (lambda: L.GaussianDropout(0.3), (4,)),
    "GaussianNoise": (lambda: L.GaussianNoise(0.3), (4,)),
    "AlphaDropout": (lambda: L.AlphaDropout(0.3), (4,)),
    "Conv1D": (lambda: L.Conv1D(4, 3, padding="causal", dilation_rate=2, groups=2), (6, 2)),
    "Conv2D": (lambda: L.Conv2D(4, (3, 2), 2, "same", groups=2, activation="relu"), (5, 5, 2)),
    "Conv2DTranspose": (
        lambda: L.Conv2DTranspose(2, 3, 2, "same", output_padding=1, kernel_regularizer="l2"),
        (3, 3, 2),
    ),
    "MaxPooling1D": (lambda: L.MaxPooling1D(3, 2, "same"), (5, 2)),
    "MaxPooling2D": (lambda: L.MaxPooling2D(data_format="channels_first"), (2, 4, 5)),
    "AveragePooling1D": (lambda: L.AveragePooling1D(2, 1, data_format="channels_first"), (2, 5)),
    "AveragePooling2D": (lambda: L.AveragePooling2D((2, 3), padding="same"), (5, 4, 2)),
    "GlobalAveragePooling1D": (lambda: L.GlobalAveragePooling1D(keepdims=True), (5, 2)),
    "GlobalAveragePooling2D": (lambda: L.GlobalAveragePooling2D("channels_first"), (2, 3, 3)),
    "GlobalMaxPooling1D": (lambda: L.GlobalMaxPooling1D("channels_first"), (2, 5)),
    "GlobalMaxPooling2D": (lambda: L.GlobalMaxPooling2D(keepdims=True), (3, 3, 2)),
    "SimpleRNN": (lambda: L.SimpleRNN(3, "relu", return_sequences=True, dropout=0.2), (4, 2)),
    "LSTM": (lambda: L.LSTM(3, return_sequences=True, go_backwards=True), (4, 2)),
    "GRU": (lambda: L.GRU(3, reset_after=False, recurrent_regularizer="l2"), (4, 2)),
    "Bidirectional": (lambda: L.Bidirectional(L.GRU(3, return_sequences=True), "ave"), (4, 2)),
    # issue 21: activation, reshaping, preprocessing and depthwise/separable layers
    "ReLU": (lambda: L.ReLU(6.0, 0.1, 0.2), (4,)),
    "LeakyReLU": (lambda: L.LeakyReLU(0.2), (4,)),
    "PReLU": (lambda: L.PReLU("random_normal", shared_axes=[1]), (3, 4)),
    "ELU": (lambda: L.ELU(0.5), (4,)),
    "Softmax": (lambda: L.Softmax(axis=(1, 2)), (3, 4)),
    "UpSampling1D": (lambda: L.UpSampling1D(2), (3, 2)),
    "UpSampling2D": (lambda: L.UpSampling2D((2, 1), interpolation="bilinear"), (3, 3, 2)),
    "ZeroPadding1D": (lambda: L.ZeroPadding1D((1, 2)), (3, 2)),
    "ZeroPadding2D": (lambda: L.ZeroPadding2D(((1, 0), (0, 2))), (3, 3, 2)),
    "Cropping1D": (lambda: L.Cropping1D((1, 0)), (4, 2)),
    "Cropping2D": (lambda: L.Cropping2D(((1, 0), (0, 1)), "channels_first"), (2, 3, 4)),
    "RepeatVector": (lambda: L.RepeatVector(3), (4,)),
    "Permute": (lambda: L.Permute((2, 1)), (3, 4)),
    "Rescaling": (lambda: L.Rescaling([0.5, 2.0], offset=-1.0), (3, 2)),
    "Normalization": (lambda: L.Normalization(axis=(1, 2)), (3, 2)),
    "CategoryEncoding": (lambda: L.CategoryEncoding(5, output_mode="count"), (3,)),
    "Discretization": (lambda: L.Discretization([-0.5, 0.5], output_mode="one_hot"), (4,)),
    "DepthwiseConv2D": (
        lambda: L.DepthwiseConv2D(2, depth_multiplier=2, padding="same"),
        (4, 4, 2),
    ),
    "SeparableConv2D": (lambda: L.SeparableConv2D(3, 2, 2, depthwise_regularizer="l2"), (5, 5, 2)),
    "Identity": (lambda: L.Identity(), (3,)),
    "Masking": (lambda: L.Masking(mask_value=0.5), (3, 2)),
    "ActivityRegularization": (lambda: L.ActivityRegularization(l1=0.1, l2=0.2), (4,)),
    "TimeDistributed": (lambda: L.TimeDistributed(L.Dense(2, "relu")), (3, 4)),
    # issue 21, second wave
    "GroupNormalization": (lambda: L.GroupNormalization(2, gamma_regularizer="l2"), (3, 4)),
    "RMSNormalization": (lambda: L.RMSNormalization(axis=[1, 2], epsilon=1e-3), (3, 2)),
    "UnitNormalization": (lambda: L.UnitNormalization(axis=[1, 2]), (3, 2)),
    "Conv1DTranspose": (lambda: L.Conv1DTranspose(2, 3, 2, "same", output_padding=1), (4, 3)),
    "DepthwiseConv1D": (lambda: L.DepthwiseConv1D(2, depth_multiplier=2, padding="same"), (4, 2)),
    "SeparableConv1D": (lambda: L.SeparableConv1D(3, 2, depth_multiplier=2), (5, 2)),
    "AdaptiveAveragePooling1D": (lambda: L.AdaptiveAveragePooling1D(3), (7, 2)),
    "AdaptiveAveragePooling2D": (lambda: L.AdaptiveAveragePooling2D((2, 3)), (5, 7, 2)),
    "AdaptiveMaxPooling1D": (lambda: L.AdaptiveMaxPooling1D(2, "channels_first"), (2, 5)),
    "AdaptiveMaxPooling2D": (lambda: L.AdaptiveMaxPooling2D(2), (5, 4, 2)),
}
INTEGER_INPUT = {"Embedding": 7, "CategoryEncoding": 5}  # layers fed ids in [0, n)
MULTI_INPUT = {  # merge layers, through the functional API
    name: factory
    for name, factory in {
        "Add": L.Add, "Average": L.Average, "Maximum": L.Maximum, "Minimum": L.Minimum,
        "Multiply": L.Multiply, "Subtract": L.Subtract,
        "Concatenate": lambda: L.Concatenate(axis=-1),
        "Dot": lambda: L.Dot(axes=1, normalize=True),
    }.items()
    if hasattr(L, name)
}  # fmt: skip


OWN_TEST = {"MultiHeadAttention"}  # layers with a round-trip test of their own below
OWN_TEST |= {"Lambda"}  # (loads only with its function supplied: tests/keras/test_lambda_layer.py)
OWN_TEST |= {"Attention", "AdditiveAttention"}  # (3-D inputs: tests/keras/test_dot_attention.py)


def _keras():
    if os.environ.get("CI"):
        return __import__("keras")
    return pytest.importorskip("keras")


def test_every_layer_type_has_a_round_trip_check():
    layer_types = {
        name for name in L.__all__
        if isinstance(getattr(L, name), type) and issubclass(getattr(L, name), Layer)
    } - {"Layer", "InputLayer"}  # fmt: skip
    layer_types = {n for n in layer_types if getattr(L, n).__name__ == n}  # aliases: same class
    unchecked = layer_types - set(SINGLE_INPUT) - set(MULTI_INPUT) - OWN_TEST
    assert not unchecked, f"add these layers to SINGLE_INPUT / MULTI_INPUT: {sorted(unchecked)}"


def _round_trip(model, tmp_path, **kwargs):
    path = tmp_path / "model.keras"
    model.save(path)
    return nk.models.load_model(path, **kwargs)


@pytest.mark.parametrize("name", sorted(SINGLE_INPUT))
def test_single_input_layers_predict_the_same_after_reload(name, tmp_path, rng):
    factory, shape = SINGLE_INPUT[name]
    model = nk.Sequential([nk.Input(shape=shape), factory(), L.Flatten(), L.Dense(2)])
    if name in INTEGER_INPUT:
        x = rng.integers(0, INTEGER_INPUT[name], (5, *shape)).astype(np.float32)
    else:
        x = rng.standard_normal((5, *shape)).astype(np.float32)
    restored = _round_trip(model, tmp_path)
    assert type(restored.layers[0]).__name__ == name
    assert [la.name for la in restored.layers] == [la.name for la in model.layers]
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    assert json.dumps(serialize_layer(restored)) == json.dumps(serialize_layer(model))


@pytest.mark.parametrize("name", sorted(MULTI_INPUT))
def test_merge_layers_in_functional_models_predict_the_same_after_reload(name, tmp_path, rng):
    a, b = nk.Input(shape=(3,)), nk.Input(shape=(3,))
    merged = MULTI_INPUT[name]()([L.Dense(3)(a), L.Dense(3, activation="relu")(b)])
    model = nk.Model([a, b], L.Dense(2)(merged))
    x = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(2)]
    restored = _round_trip(model, tmp_path)
    assert type(restored).__name__ == type(model).__name__
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_multi_head_attention_in_a_functional_model_predicts_the_same_after_reload(tmp_path, rng):
    query, value = nk.Input(shape=(5, 4)), nk.Input(shape=(6, 4))
    attended = L.MultiHeadAttention(2, 3, value_dim=2)(query, value, use_causal_mask=True)
    model = nk.Model([query, value], L.Dense(2)(attended))
    x = [rng.standard_normal((3, n, 4)).astype(np.float32) for n in (5, 6)]
    restored = _round_trip(model, tmp_path)
    assert type(restored.layers[2]).__name__ == "MultiHeadAttention"
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_model_built_from_data_without_input_reloads_built(tmp_path, rng):
    model = nk.Sequential([L.Dense(4, activation="relu"), L.Dense(1)])
    x = rng.standard_normal((3, 5)).astype(np.float32)
    expected = model.predict(x, verbose=0)
    restored = _round_trip(model, tmp_path)
    assert restored.built and restored.count_params() == model.count_params()
    np.testing.assert_array_equal(restored.predict(x, verbose=0), expected)


# ---- real Keras as the oracle of the layout ------------------------------------------------------
def test_real_keras_reads_our_layer_configs(rng):
    keras = _keras()
    for name, (factory, _) in SINGLE_INPUT.items():
        ours = json.loads(json.dumps(serialize_layer(factory())))
        layer = keras.layers.deserialize(json.loads(json.dumps(ours)))  # (Keras pops keys)
        theirs = layer.get_config()
        assert type(layer).__name__ == name
        for key, value in ours["config"].items():
            nested = key in ("layer", "backward_layer")  # a wrapper's: test_keras_recurrent
            if key not in ("dtype", "data_format") and not (key.endswith("_initializer") or nested):
                assert json.dumps(theirs[key]) == json.dumps(value), (name, key)


def test_saved_weights_have_keras_names_order_and_shapes(tmp_path, rng):
    keras = _keras()
    arch = [(4,), 8, 3]
    ours = nk.Sequential([nk.Input(shape=arch[0]), L.Dense(arch[1], "relu"), L.Dense(arch[2])])
    theirs = keras.Sequential(
        [keras.Input(shape=arch[0]), keras.layers.Dense(arch[1], "relu"), keras.layers.Dense(3)]
    )
    ours.save_weights(tmp_path / "w.weights.safetensors")
    arrays = st.load_file(tmp_path / "w.weights.safetensors")
    assert list(arrays) == ["layers.0.kernel", "layers.0.bias", "layers.1.kernel", "layers.1.bias"]
    theirs.set_weights(list(arrays.values()))  # Keras's own order and shapes
    x = rng.standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(
        theirs.predict(x, verbose=0), ours.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


# ---- compile settings, optimizer state, resuming -------------------------------------------------
def _data(rng):
    x = rng.standard_normal((48, 4)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5], [0.0]]) > 0).astype(np.float32)


OPTIMIZERS = {
    "adam": lambda: nk.optimizers.Adam(0.01, amsgrad=True),
    "sgd": lambda: nk.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda: nk.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "schedule": lambda: nk.optimizers.Adagrad(
        nk.optimizers.schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5)
    ),
}


def _compiled(optimizer):
    nk.utils.set_random_seed(3)
    model = nk.Sequential(
        [nk.Input(shape=(4,)), L.Dense(6, "tanh"), L.Dense(1, activation="sigmoid")]
    )
    model.compile(
        optimizer=optimizer,
        loss=nk.losses.BinaryCrossentropy(label_smoothing=0.1),
        metrics=["accuracy", nk.metrics.BinaryAccuracy(threshold=0.3)],
        weighted_metrics=["mse"],
    )
    return model


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_training_resumes_bit_identically_after_save_and_load(optimizer, tmp_path, rng):
    x, y = _data(rng)
    fit = {"batch_size": 8, "shuffle": False, "verbose": 0}
    uninterrupted = _compiled(OPTIMIZERS[optimizer]())
    uninterrupted.fit(x, y, epochs=10, **fit)
    first_half = _compiled(OPTIMIZERS[optimizer]())
    first_half.fit(x, y, epochs=5, **fit)
    resumed = _round_trip(first_half, tmp_path)
    assert resumed.optimizer.iterations == first_half.optimizer.iterations == 30
    resumed.fit(x, y, epochs=5, **fit)
    for mine, reference in zip(resumed.get_weights(), uninterrupted.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, reference)


def test_compile_settings_come_back(tmp_path, rng):
    x, y = _data(rng)
    model = _compiled(nk.optimizers.Adam(0.01))
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.optimizer.learning_rate = 0.0025  # as ReduceLROnPlateau would
    restored = _round_trip(model, tmp_path)
    opt = restored.optimizer
    assert type(opt).__name__ == "Adam" and opt.get_config() == model.optimizer.get_config()
    assert opt.learning_rate == np.float32(0.0025)
    assert type(restored.loss).__name__ == "BinaryCrossentropy"
    assert restored.loss.get_config() == model.loss.get_config()
    expected = model.evaluate(x, y, verbose=0, return_dict=True)
    assert restored.evaluate(x, y, verbose=0, return_dict=True) == expected
    assert restored.metrics_names == model.metrics_names
    uncompiled = nk.models.load_model(tmp_path / "model.keras", compile=False)
    assert not uncompiled.compiled


def test_loss_weights_come_back(tmp_path, rng):
    x, y = _data(rng)
    model = _compiled("adam")
    plain = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    model.compile(optimizer="adam", loss=model.loss, loss_weights=0.25)
    restored = _round_trip(model, tmp_path)
    assert restored.loss_weights == 0.25
    weighted = restored.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    np.testing.assert_allclose(weighted, 0.25 * plain, rtol=1e-6)


def test_archive_members_are_stored_uncompressed_with_metadata(tmp_path):
    model = _compiled("adam")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        infos = {i.filename: i for i in archive.infolist()}
        metadata = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
    assert sorted(infos) == sorted(
        ["metadata.json", "config.json", "model.weights.safetensors", "optimizer.safetensors"]
    )
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos.values())
    assert metadata["format"] == "nnscratch.keras" and metadata["format_version"] == "1"
    assert {"nnscratch_version", "date_saved"} <= set(metadata)
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert config["compile_config"]["metrics"][0] == "accuracy"


# ---- custom objects and the registry ------------------------------------------------------------
@nk.saving.register_keras_serializable(package="Tests")
def scaled_tanh(x):
    return 2.0 * x.tanh()


@nk.saving.register_keras_serializable(package="Tests")
class Scale(Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, x):
        return x * self.scale * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Unregistered(Scale):
    pass


def test_registered_layers_and_functions_round_trip(tmp_path, rng):
    model = nk.Sequential([nk.Input(shape=(3,)), Scale(3.0), L.Dense(2, activation=scaled_tanh)])
    x = rng.standard_normal((4, 3)).astype(np.float32)
    restored = _round_trip(model, tmp_path)
    assert type(restored.layers[0]) is Scale and restored.layers[0].factor == 3.0
    assert restored.layers[1].activation is scaled_tanh
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_unknown_classes_are_refused_with_how_to_register(tmp_path):
    model = nk.Sequential([nk.Input(shape=(3,)), Unregistered()])
    model.save(tmp_path / "model.keras")
    with pytest.raises(ConfigError, match=r"'Unregistered'.*register_keras_serializable"):
        nk.models.load_model(tmp_path / "model.keras")
    restored = nk.models.load_model(
        tmp_path / "model.keras", custom_objects={"Unregistered": Unregistered}
    )
    assert type(restored.layers[0]) is Unregistered


def _rewrite(path, member: str, edit) -> None:
    """Rewrite one member of an archive (keeping the rest) with ``edit(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    members[member] = edit(members[member])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_names_in_a_file_are_never_imported_or_called(tmp_path):
    nk.Sequential([nk.Input(shape=(3,)), L.Dense(2)]).save(tmp_path / "m.keras")

    def hostile(data: bytes) -> bytes:
        config = json.loads(data)
        config["config"]["layers"][1] = {
            "module": "antigravity",
            "class_name": "Dense",
            "config": {},
            "registered_name": "antigravity>fly",
        }
        return json.dumps(config).encode()

    _rewrite(tmp_path / "m.keras", "config.json", hostile)
    sys.modules.pop("antigravity", None)
    with pytest.raises(ConfigError, match="antigravity>fly"):
        nk.models.load_model(tmp_path / "m.keras")
    assert "antigravity" not in sys.modules

    def system(data: bytes) -> bytes:
        config = json.loads(data)
        config["compile_config"] = {
            "optimizer": {
                "module": "os",
                "class_name": "function",
                "config": "system",
                "registered_name": None,
            }
        }
        return json.dumps(config).encode()

    nk.Sequential([nk.Input(shape=(3,)), L.Dense(2)]).save(tmp_path / "m.keras")
    _rewrite(tmp_path / "m.keras", "config.json", system)
    with pytest.raises(ConfigError, match="'system'"):
        nk.models.load_model(tmp_path / "m.keras")


# ---- files that do not fit ----------------------------------------------------------------------
def test_weights_that_do_not_fit_name_the_weight_and_both_shapes(tmp_path):
    nk.Sequential([nk.Input(shape=(4,)), L.Dense(3)]).save_weights(
        tmp_path / "w.weights.safetensors"
    )
    narrow = nk.Sequential([nk.Input(shape=(2,)), L.Dense(3)])
    message = r"'layers.0.kernel' \(layer '.*'\) expects shape \(2, 3\).*received shape \(4, 3\)"
    with pytest.raises(FileFormatError, match=message):
        narrow.load_weights(tmp_path / "w.weights.safetensors")
    deeper = nk.Sequential([nk.Input(shape=(4,)), L.Dense(3), L.Dense(1)])
    with pytest.raises(FileFormatError, match=r"expects weights 'layers.1.kernel'"):
        deeper.load_weights(tmp_path / "w.weights.safetensors")
    with pytest.warns(UserWarning, match="Skipping weight 'layers.0.kernel'"):
        narrow.load_weights(tmp_path / "w.weights.safetensors", skip_mismatch=True)


def test_weights_load_into_a_twin_and_from_a_keras_archive(tmp_path, rng):
    model = nk.Sequential([nk.Input(shape=(4,)), L.Dense(3), L.Dense(2)])
    model.save_weights(tmp_path / "w.weights.safetensors")
    model.save(tmp_path / "m.keras")
    for path in ("w.weights.safetensors", "m.keras"):
        twin = nk.Sequential([nk.Input(shape=(4,)), L.Dense(3), L.Dense(2)])  # other names
        twin.load_weights(tmp_path / path)
        for a, b in zip(twin.get_weights(), model.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)


def test_hostile_archives_raise_our_errors(tmp_path):
    model = _compiled("adam")
    model.save(tmp_path / "m.keras")
    good = (tmp_path / "m.keras").read_bytes()

    def broken(name, mutate):
        (tmp_path / name).write_bytes(good)
        _rewrite(tmp_path / name, *mutate)
        return tmp_path / name

    cases = [
        (broken("a.keras", ("metadata.json", lambda d: d.replace(b"nnscratch.keras", b"x"))),
         "format 'nnscratch.keras'"),
        (broken("b.keras", ("config.json", lambda d: d[:-3])), "config.json to be UTF-8 JSON"),
        (broken("c.keras", ("model.weights.safetensors", lambda d: d[:-4])), "truncated"),
        (broken("d.keras", ("optimizer.safetensors",
                            lambda d: st.save({"0": np.zeros(2, np.int32)}))), "state variables"),
        (broken("e.keras", ("config.json", lambda d: b"[" * 100_000)), "config.json"),
    ]  # fmt: skip
    for path, message in cases:
        with pytest.raises(FileFormatError, match=message):
            nk.models.load_model(path)
    with zipfile.ZipFile(tmp_path / "z.keras", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", b"{}")
    with pytest.raises(FileFormatError, match="metadata.json stored uncompressed"):
        nk.models.load_model(tmp_path / "z.keras")
    with pytest.raises(FileFormatError, match="config.json exactly once, found it 0"):
        with zipfile.ZipFile(tmp_path / "y.keras", "w") as archive:
            archive.writestr("metadata.json", b"{}")
        nk.models.load_model(tmp_path / "y.keras")
    with pytest.raises(NnscratchError, match="zip file"):
        nk.models.load_model(tmp_path / "missing.keras")


# ---- ModelCheckpoint through the safe formats ---------------------------------------------------
def test_model_checkpoint_writes_keras_and_safetensors_files(tmp_path, rng):
    x, y = _data(rng)
    model = _compiled("adam")
    full = nk.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}.keras"), monitor="loss")
    weights = nk.callbacks.ModelCheckpoint(
        str(tmp_path / "best.weights.safetensors"), monitor="loss", save_weights_only=True
    )
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[full, weights])
    restored = nk.models.load_model(tmp_path / "e2.keras")
    assert restored.optimizer.iterations == model.optimizer.iterations
    twin = _compiled("adam")
    twin.load_weights(tmp_path / "best.weights.safetensors")
    for a, b in zip(twin.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"\.weights\.safetensors"):
        nk.callbacks.ModelCheckpoint(str(tmp_path / "w.weights.h5"))
    with pytest.raises(ValueError, match="save_weights_only=True"):
        nk.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), save_weights_only=True)


def test_unsavable_models_fail_before_touching_the_file(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"previous")
    model = nk.Sequential([nk.Input(shape=(2,)), L.Dense(2, activation=lambda x: x * 2)])
    with pytest.raises(TypeError, match="anonymous function"):
        model.save(path)
    assert path.read_bytes() == b"previous" and os.listdir(tmp_path) == ["m.keras"]
    with pytest.raises(ValueError, match=r"\.keras"):
        model.save(tmp_path / "m.txt")
    with pytest.raises(FileExistsError):
        nk.Sequential([nk.Input(shape=(2,)), L.Dense(2)]).save(path, overwrite=False)


# ---- sizes a config asks for must be paid for by the weights file ----------------------------
def test_a_config_asking_for_huge_weights_is_refused_before_allocating(tmp_path):
    import tracemalloc

    nk.Sequential([nk.Input(shape=(8,)), L.Dense(4), L.Dense(1)]).save(tmp_path / "m.keras")

    def wide(data: bytes) -> bytes:
        config = json.loads(data)
        config["config"]["layers"][1]["config"]["units"] = 4_000_000  # 128 MB of kernel
        return json.dumps(config).encode()

    _rewrite(tmp_path / "m.keras", "config.json", wide)
    assert (tmp_path / "m.keras").stat().st_size < 5000
    tracemalloc.start()
    try:
        message = r"Dense '.*': its weight 'kernel' of shape \(8, 4000000\) needs 128,000,000"
        with pytest.raises(ConfigError, match=message + ".*model.weights.safetensors"):
            nk.models.load_model(tmp_path / "m.keras")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_csv_logger_appends_to_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(b"\xff\xfe not text\n")
    logger = nk.callbacks.CSVLogger(str(path), append=True)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 0.5})
    logger.on_train_end()
    assert path.read_bytes() == b"\xff\xfe not text\n0,0.5,NA\r\n"  # no second header
