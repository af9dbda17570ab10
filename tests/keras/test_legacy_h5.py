"""Legacy Keras ``.h5`` models through h5py: real Keras 3 loads the files nnscratch writes and
predicts the same, nnscratch loads the files Keras 3 writes and predicts the same, and a
hostile file (truncated, lying about shapes, naming an unknown class, pointing outside
itself) is refused with an error before anything is allocated or copied."""

import json
import os
import sys

import numpy as np
import pytest
from keras_ops_parity import require_keras
from tolerance import assert_close

from nnscratch import keras as nk
from nnscratch.errors import ConfigError, FileFormatError


def _h5py():
    return __import__("h5py") if os.environ.get("CI") else pytest.importorskip("h5py")


# ---- the same architectures, built by either library (their APIs agree) ----------------------
def _mlp(k):
    return k.Sequential([k.Input((4,)), k.layers.Dense(8, activation="relu"),
                         k.layers.Dropout(0.2), k.layers.BatchNormalization(),
                         k.layers.Dense(3, activation="softmax")])  # fmt: skip


def _cnn(k):
    return k.Sequential([k.Input((8, 8, 2)), k.layers.Conv2D(4, 3, activation="relu"),
                         k.layers.MaxPooling2D(), k.layers.Flatten(),
                         k.layers.LayerNormalization(), k.layers.Dense(2)])  # fmt: skip


def _rnn(k):
    return k.Sequential([k.Input((5,)), k.layers.Embedding(10, 4),
                         k.layers.LSTM(3, return_sequences=True), k.layers.GRU(2),
                         k.layers.Dense(1)])  # fmt: skip


def _functional(k):
    x = k.Input((6,), name="x")
    a = k.layers.Dense(4, activation="tanh")(x)
    b = k.layers.Dense(4)(x)
    merged = k.layers.Concatenate()([k.layers.Add()([a, b]), a])
    return k.Model(x, k.layers.Dense(2)(k.layers.Activation("relu")(merged)))


def _nested(k):
    """Two inputs, and a Sequential used as a layer (its weights are one layer's in the file)."""
    inner = k.Sequential([k.Input((4,)), k.layers.Dense(3), k.layers.BatchNormalization()],
                         name="inner")  # fmt: skip
    a, b = k.Input((4,), name="a"), k.Input((2,), name="b")
    return k.Model([a, b], k.layers.Dense(1)(k.layers.Concatenate()([inner(a), b])))


BUILDERS = {"mlp": _mlp, "cnn": _cnn, "rnn": _rnn, "functional": _functional, "nested": _nested}


def _inputs(name: str):
    rng = np.random.default_rng(1)
    if name == "rnn":
        return rng.integers(0, 10, (3, 5))
    if name == "nested":
        return [
            rng.normal(size=(3, 4)).astype(np.float32),
            rng.normal(size=(3, 2)).astype(np.float32),
        ]
    shape = {"mlp": (5, 4), "cnn": (3, 8, 8, 2), "functional": (3, 6)}[name]
    return rng.normal(size=shape).astype(np.float32)


def _randomize(model, seed: int = 0):
    """Weights away from their initial values (moving variances too), so that a weight
    loaded into the wrong place changes the predictions."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(w.dtype) for w in model.get_weights()])
    return model


def _predict(model, x):
    return np.asarray(model.predict(x, verbose=0))


# ---- round trips with real Keras 3 --------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_real_keras_loads_our_h5_and_predicts_the_same(tmp_path, name):
    keras, _ = require_keras()
    _h5py()
    model = _randomize(BUILDERS[name](nk))
    model.save(tmp_path / "m.h5")
    theirs = keras.models.load_model(tmp_path / "m.h5", compile=False)
    x = _inputs(name)
    assert_close(_predict(theirs, x), _predict(model, x))
    assert [layer.name for layer in theirs.layers] == [layer.name for layer in model.layers]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_we_load_real_keras_h5_and_predict_the_same(tmp_path, name):
    keras, _ = require_keras()
    _h5py()
    theirs = _randomize(BUILDERS[name](keras))
    theirs.save(tmp_path / "k.h5")
    ours = nk.models.load_model(tmp_path / "k.h5")
    x = _inputs(name)
    assert_close(_predict(ours, x), _predict(theirs, x))
    twin = BUILDERS[name](nk)  # load_weights from a whole-model file, by layer order
    twin.load_weights(tmp_path / "k.h5")
    assert_close(_predict(twin, x), _predict(theirs, x))


def test_compile_settings_travel_both_ways(tmp_path):
    keras, _ = require_keras()
    _h5py()
    x = np.random.default_rng(2).normal(size=(8, 4)).astype(np.float32)
    y = np.arange(8) % 3
    theirs = _randomize(_mlp(keras))
    theirs.compile(
        keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    theirs.save(tmp_path / "k.h5")
    ours = nk.models.load_model(tmp_path / "k.h5")
    assert type(ours.optimizer).__name__ == "Adam"
    assert float(ours.optimizer.learning_rate) == pytest.approx(0.01)
    assert_close(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), dtype="float32")

    mine = _randomize(_mlp(nk))
    mine.compile(
        nk.optimizers.RMSprop(0.02), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    mine.save(tmp_path / "n.h5")
    back = keras.models.load_model(tmp_path / "n.h5")
    assert type(back.optimizer).__name__ == "RMSprop"
    assert float(back.optimizer.learning_rate) == pytest.approx(0.02)
    assert_close(back.evaluate(x, y, verbose=0), mine.evaluate(x, y, verbose=0), dtype="float32")
    assert not nk.models.load_model(tmp_path / "n.h5", compile=False).compiled


def test_model_checkpoint_writes_best_model_h5_that_keras_loads(tmp_path):
    keras, _ = require_keras()
    _h5py()
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(32, 4)).astype(np.float32), rng.integers(0, 3, 32)
    model = _mlp(nk)
    model.compile("adam", "sparse_categorical_crossentropy")
    path = str(tmp_path / "best_model.h5")
    checkpoint = nk.callbacks.ModelCheckpoint(path, monitor="loss")  # saved every epoch
    model.fit(x, y, epochs=2, verbose=0, callbacks=[checkpoint])
    assert_close(_predict(keras.models.load_model(path), x), _predict(model, x))
    with pytest.raises(ValueError, match="save_weights_only=True"):
        nk.callbacks.ModelCheckpoint(path, save_weights_only=True)


# ---- hostile and broken files -------------------------------------------------------------------
def _saved(tmp_path, name="mlp"):
    _h5py()
    model = _randomize(BUILDERS[name](nk))
    path = tmp_path / "m.h5"
    model.save(path)
    return model, path


def _replace_weight(path, layer, link=None, **dataset):
    """Swaps ``layer``'s first weight dataset in the saved file for ``link`` when given, else for
    a new dataset made from ``dataset`` (``h5py``'s ``create_dataset`` arguments)."""
    with _h5py().File(path, "r+") as f:
        group = f["model_weights"][layer.name]
        name = group.attrs["weight_names"][0]
        name = name.decode() if isinstance(name, bytes) else name
        del group[name]
        if link is not None:
            group[name] = link
        else:
            group.create_dataset(name, **dataset)


def test_a_truncated_file_is_refused(tmp_path):
    _, path = _saved(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="h5py could not open it"):
        nk.models.load_model(path)
    with pytest.raises(FileFormatError, match="h5py could not open it"):
        _mlp(nk).load_weights(path)


def test_a_dataset_lying_about_its_shape_is_refused_before_anything_is_copied(tmp_path):
    model, path = _saved(tmp_path)
    _replace_weight(path, model.layers[-1], data=np.ones((1000, 3), np.float32))
    twin = _mlp(nk)
    before = twin.get_weights()
    with pytest.raises(FileFormatError, match=r"expected shape \(8, 3\).*\(1000, 3\)"):
        twin.load_weights(path)
    for a, b in zip(twin.get_weights(), before, strict=True):  # the first layers untouched too
        np.testing.assert_array_equal(a, b)
    with pytest.raises(FileFormatError, match=r"\(1000, 3\)"):
        nk.models.load_model(path)


def test_a_dataset_naming_a_filter_plugin_is_refused_before_hdf5_looks_for_it(tmp_path):
    """A filter id HDF5 does not know (32015, zstd) would have it search for a plugin to load
    when the data is read: refused from the dataset's creation properties."""
    model, path = _saved(tmp_path)
    _replace_weight(path, model.layers[-1], shape=(8, 3), dtype="f4", chunks=(8, 3),
                    compression=32015, allow_unknown_filter=True)  # fmt: skip
    with pytest.raises(FileFormatError, match=r"filters.*32015"):
        _mlp(nk).load_weights(path)


def test_a_dataset_declaring_a_terabyte_is_refused_from_its_metadata(tmp_path):
    model, path = _saved(tmp_path)
    _replace_weight(path, model.layers[0], shape=(2**38, 4), dtype="f4", chunks=(1024, 4))
    assert path.stat().st_size < 1_000_000  # nothing written: the size is only declared
    with pytest.raises(FileFormatError, match=r"expected shape \(4, 8\).*\(274877906944, 4\)"):
        nk.models.load_model(path)


def test_skip_mismatch_loads_the_weights_that_fit_and_warns(tmp_path):
    h5py = _h5py()
    model, path = _saved(tmp_path)
    with h5py.File(path, "r+") as f:
        layer_group = f["model_weights"][model.layers[-1].name]
        name = layer_group.attrs["weight_names"][1]
        name = name.decode() if isinstance(name, bytes) else name
        del layer_group[name]
        layer_group.create_dataset(name, data=np.ones(7, np.float32))
    twin = _mlp(nk)
    with pytest.warns(UserWarning, match=r"Skipping .*expected shape \(3,\)"):
        twin.load_weights(path, skip_mismatch=True)
    ours, saved = twin.get_weights(), model.get_weights()
    for a, b in zip(ours[:-1], saved[:-1], strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(ours[-1], saved[-1])  # the mismatched bias kept its own values


def test_wrong_layer_and_weight_counts_are_refused(tmp_path):
    _, path = _saved(tmp_path)
    with pytest.raises(FileFormatError, match="weights for 3 layers, the model has 4 layers"):
        _rnn(nk).load_weights(path)  # embedding, lstm, gru, dense: 4 layers with weights
    with pytest.raises(FileFormatError, match="expects 2 weights, the file holds 4"):
        nk.Sequential([nk.Input((4,)), nk.layers.Dense(8), nk.layers.Dense(8),
                       nk.layers.Dense(3)]).load_weights(path)  # fmt: skip


def test_a_config_naming_an_unknown_class_is_refused_by_the_registry(tmp_path):
    h5py = _h5py()
    _, path = _saved(tmp_path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"][1]["class_name"] = "os.system"
        f.attrs["model_config"] = json.dumps(config)
    with pytest.raises(ConfigError, match=r"Unknown .*'os\.system'.*register_keras_serializable"):
        nk.models.load_model(path)


@pytest.mark.parametrize(
    "value, expected",
    [("__import__('os').system('x')", "to be JSON"), ("[1, 2]", "JSON object"),
     (b"\xff\xfe", "not UTF-8"), ("[" * 5000 + "]" * 5000, "nesting|JSON")],
)  # fmt: skip
def test_model_config_is_parsed_as_json_data_only(tmp_path, value, expected):
    h5py = _h5py()
    _, path = _saved(tmp_path)
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = np.void(value) if isinstance(value, bytes) else value
    with pytest.raises(FileFormatError, match=expected):
        nk.models.load_model(path)


def test_a_config_asking_for_more_memory_than_the_file_holds_is_refused(tmp_path):
    h5py = _h5py()
    _, path = _saved(tmp_path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"][1]["config"]["units"] = 40_000_000
        f.attrs["model_config"] = json.dumps(config)
    with pytest.raises(ConfigError, match="more than the .* bytes left"):
        nk.models.load_model(path)


def test_links_to_other_files_and_external_storage_are_refused(tmp_path):
    h5py = _h5py()
    model, path = _saved(tmp_path)
    elsewhere = tmp_path / "other.h5"
    with h5py.File(elsewhere, "w") as other:
        other.create_dataset("kernel", data=np.ones((4, 8), np.float32))
    _replace_weight(path, model.layers[0], link=h5py.ExternalLink(str(elsewhere), "kernel"))
    with pytest.raises(FileFormatError, match="expected a dataset .* found ExternalLink"):
        _mlp(nk).load_weights(path)
    raw = tmp_path / "raw.bin"
    raw.write_bytes(np.ones((4, 8), np.float32).tobytes())
    _replace_weight(path, model.layers[0], shape=(4, 8), dtype=np.float32,
                    external=[(str(raw), 0, 128)])  # fmt: skip
    with pytest.raises(FileFormatError, match="external or virtual storage"):
        _mlp(nk).load_weights(path)


def test_a_plain_hdf5_file_is_named_and_the_way_out_given(tmp_path):
    h5py = _h5py()
    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("kernel", data=np.ones(3))
    with pytest.raises(FileFormatError, match="no model_config attribute.*load_weights"):
        nk.models.load_model(path)
    with pytest.raises(FileFormatError, match="without the `layer_names`"):
        _mlp(nk).load_weights(path)


def test_a_missing_h5py_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)  # import h5py now raises ImportError
    with pytest.raises(ImportError, match=r'pip install "nnscratch\[h5\]"'):
        _mlp(nk).save(tmp_path / "m.h5")
    with pytest.raises(ImportError, match=r'pip install "nnscratch\[h5\]"'):
        nk.models.load_model(tmp_path / "m.h5")
    assert not (tmp_path / "m.h5").exists()
