"""keras.utils against real Keras 3's keras.utils on the same inputs: values, dtypes and
errors of to_categorical, normalize, pad_sequences, split_dataset, the packing helpers,
Progbar's averaged values and standardize_dtype; get_file's offline behaviour; the saving
registry's names re-exported; the old import paths of the module still working."""

import io
import re
from contextlib import redirect_stdout

import numpy as np
import pytest
from keras_ops_parity import require_keras
from tolerance import assert_close

import nnscratch as ns
from nnscratch import keras as nk
from nnscratch.errors import FileFormatError

U = nk.utils


def _same(ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


def _same_error(call_ours, call_theirs, error=ValueError):
    with pytest.raises(error) as theirs:
        call_theirs()
    with pytest.raises(type(theirs.value)):
        call_ours()


# ---- to_categorical and normalize -------------------------------------------------------------
@pytest.mark.parametrize(
    "labels, num_classes",
    [([0, 1, 2, 3], 4), ([2, 0], None), (np.array([[1], [0], [2]]), 3),
     (np.array([[0, 1], [1, 0]]), None), ([1.7, 0.2], 3), ([], 2)],
)  # fmt: skip
def test_to_categorical_matches_keras(labels, num_classes):
    keras, _ = require_keras()
    _same(U.to_categorical(labels, num_classes), keras.utils.to_categorical(labels, num_classes))


def test_to_categorical_of_a_tensor_is_a_float32_tensor_and_bad_labels_are_named():
    keras, torch = require_keras()
    one_hot = U.to_categorical(ns.tensor([[1], [0]]), 2)
    assert isinstance(one_hot, ns.Tensor) and one_hot.dtype == ns.float32
    expected = keras.utils.to_categorical(torch.tensor([[1], [0]]), 2)  # torch backend: int64
    np.testing.assert_array_equal(one_hot.numpy(), expected.numpy().astype(np.float32))
    _same_error(lambda: U.to_categorical([0, 5], 3),
                lambda: keras.utils.to_categorical([0, 5], 3), IndexError)  # fmt: skip
    with pytest.raises(IndexError, match=r"to_categorical expects class labels in \[0, 3\).*-1"):
        U.to_categorical([-1, 1], 3)  # Keras wraps -1 round to the last class


@pytest.mark.parametrize(
    "x, axis, order",
    [(np.array([[3.0, 4.0], [0.0, 0.0]]), -1, 2), (np.array([[3, 4], [1, 1]]), 1, 1),
     (np.arange(12, dtype=np.float32).reshape(3, 4), -1, 3)],
)  # fmt: skip
def test_normalize_of_an_array_matches_keras(x, axis, order):
    keras, _ = require_keras()
    ours, theirs = U.normalize(x, axis, order), keras.utils.normalize(x, axis, order)
    assert ours.dtype == theirs.dtype
    assert_close(ours, theirs)


def test_normalize_keeps_the_shape_where_keras_does_not():
    # Keras returns (1, 3) for a vector and divides by misplaced norms for axis=0 (it takes
    # `axis or -1`); nnscratch keeps the input's shape and the axis asked for.
    x = np.array([[3.0, 1.0], [4.0, 0.0]])
    assert_close(U.normalize(x, axis=0), np.array([[0.6, 1.0], [0.8, 0.0]]))
    assert_close(U.normalize(np.array([1.0, -2.0, 2.0])), np.array([1.0, -2.0, 2.0]) / 3)


def test_normalize_of_a_tensor_matches_keras_and_is_differentiable():
    keras, torch = require_keras()
    x = np.array([[3.0, 4.0], [1e-9, 0.0], [-1.0, 2.0]], np.float32)
    for order in (1, 2, 3):
        theirs = keras.utils.normalize(torch.tensor(x), order=order).numpy()
        assert_close(U.normalize(ns.tensor(x), order=order).numpy(), theirs)
    leaf = ns.tensor(x, requires_grad=True)
    U.normalize(leaf)[0, 0].backward()
    assert_close(leaf.grad.numpy()[0], np.array([0.64 / 5, -0.48 / 5], np.float32))  # by hand
    _same_error(lambda: U.normalize(ns.tensor(x), order=0),
                lambda: keras.utils.normalize(torch.tensor(x), order=0))  # fmt: skip


# ---- pad_sequences ------------------------------------------------------------------------------
SEQUENCES = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"maxlen": 2}, {"maxlen": 6, "padding": "post"}, {"maxlen": 3, "truncating": "post"},
     {"value": -1, "dtype": "float32"}, {"maxlen": 4, "padding": "post", "truncating": "post",
                                         "value": 7, "dtype": "int64"}],
)  # fmt: skip
def test_pad_sequences_matches_keras(kwargs):
    keras, _ = require_keras()
    _same(U.pad_sequences(SEQUENCES, **kwargs), keras.utils.pad_sequences(SEQUENCES, **kwargs))


def test_pad_sequences_of_vectors_and_strings_and_its_errors_match_keras():
    keras, _ = require_keras()
    steps = [np.ones((2, 3)), np.zeros((4, 3))]
    _same(U.pad_sequences(steps, maxlen=3, dtype="float32"),
          keras.utils.pad_sequences(steps, maxlen=3, dtype="float32"))  # fmt: skip
    words = [["a", "b"], ["c"]]
    _same(U.pad_sequences(words, dtype=object, value="<pad>"),
          keras.utils.pad_sequences(words, dtype=object, value="<pad>"))  # fmt: skip
    for bad in ({"padding": "middle"}, {"truncating": "both"}, {"value": "x"}):
        _same_error(lambda b=bad: U.pad_sequences(SEQUENCES, maxlen=2, **b),
                    lambda b=bad: keras.utils.pad_sequences(SEQUENCES, maxlen=2, **b))  # fmt: skip
    for bad_input in (5, [1, [2]], [np.ones((2, 3)), np.ones((2, 4))]):
        _same_error(lambda b=bad_input: U.pad_sequences(b),
                    lambda b=bad_input: keras.utils.pad_sequences(b))  # fmt: skip


# ---- split_dataset and the packing helpers ----------------------------------------------------
def _rows(subset) -> list:
    return [tuple(np.asarray(t).tolist() for t in subset[i]) for i in range(len(subset))]


@pytest.mark.parametrize("left_size, right_size", [(0.8, None), (None, 3), (4, None), (0.3, 0.7)])
def test_split_dataset_sizes_and_samples_match_keras(left_size, right_size):
    keras, _ = require_keras()
    data = (np.arange(10.0).reshape(10, 1), np.arange(10) * 2)
    ours = U.split_dataset(data, left_size=left_size, right_size=right_size)
    theirs = keras.utils.split_dataset(data, left_size=left_size, right_size=right_size)
    assert [len(part) for part in ours] == [len(part) for part in theirs]
    # Keras on torch permutes even with shuffle=False (torch's random_split): same samples,
    # in another order; ours keeps the order, as Keras documents it.
    assert sorted(_rows(ours[0]) + _rows(ours[1])) == sorted(_rows(theirs[0]) + _rows(theirs[1]))
    assert [row[1] for row in _rows(ours[0])] == [2 * i for i in range(len(ours[0]))]
    assert isinstance(ours[0][0][0], ns.Tensor)


def test_split_dataset_may_leave_samples_out_as_keras_documents():
    # Keras on torch refuses sizes that do not add up to the whole (torch's random_split);
    # its docstring and its TensorFlow path take the first left_size, then right_size.
    left, right = U.split_dataset(np.arange(10), left_size=0.5, right_size=0.3)
    assert _rows(left) == [(i,) for i in range(5)] and _rows(right) == [(5,), (6,), (7,)]
    left, right = U.split_dataset(np.arange(10), left_size=2, right_size=5)
    assert (len(left), len(right)) == (2, 5)


def test_split_dataset_shuffles_repeatably_and_refuses_what_keras_refuses():
    keras, _ = require_keras()
    x = np.arange(20)
    a, _ = U.split_dataset(x, left_size=0.5, shuffle=True, seed=3)
    b, _ = U.split_dataset(x, left_size=0.5, shuffle=True, seed=3)
    assert _rows(a) == _rows(b) and _rows(a) != [(i,) for i in range(10)]
    for sizes in ({}, {"left_size": 0.7, "right_size": 0.6}, {"left_size": 20},
                  {"left_size": 1.5}, {"left_size": 12, "right_size": 12}, {"right_size": "3"},
                  {"left_size": 0.01}):  # fmt: skip
        error = ValueError if sizes != {"right_size": "3"} else TypeError
        _same_error(lambda s=sizes: U.split_dataset(x, **s),
                    lambda s=sizes: keras.utils.split_dataset(x, **s), error)  # fmt: skip
    with pytest.raises(TypeError, match="split_dataset expects `dataset`"):
        U.split_dataset("not data", left_size=0.5)


def test_pack_and_unpack_x_y_sample_weight_match_keras():
    keras, _ = require_keras()
    for args in ((1,), ([1, 2],), ((1, 2),), (1, 2), (1, 2, 3), (1, None, 3)):
        assert U.pack_x_y_sample_weight(*args) == keras.utils.pack_x_y_sample_weight(*args)
    for data in (1, (1,), [1, 2], (1, 2, 3)):
        assert U.unpack_x_y_sample_weight(data) == keras.utils.unpack_x_y_sample_weight(data)
    _same_error(lambda: U.unpack_x_y_sample_weight((1, 2, 3, 4)),
                lambda: keras.utils.unpack_x_y_sample_weight((1, 2, 3, 4)))  # fmt: skip


# ---- Progbar ------------------------------------------------------------------------------------
def _printed_values(make_bar, updates) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        bar = make_bar()
        for method, step, values in updates:
            getattr(bar, method)(step, values=values)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())  # Keras colours its bar
    return re.findall(r"(\w+): ([-\d.e+]+)", text.strip().splitlines()[-1])


@pytest.mark.parametrize("verbose", [1, 2])
def test_progbar_prints_keras_averages(verbose):
    keras, _ = require_keras()
    updates = [("update", 1, [("loss", 1.0), ("acc", 0.5)]), ("update", 3, [("loss", 3.0)]),
               ("add", 1, [("acc", 0.9), ("lr", 0.1)]), ("update", 5, [("loss", 0.5)])]  # fmt: skip
    ours = _printed_values(lambda: U.Progbar(5, verbose=verbose, stateful_metrics=["lr"]), updates)
    theirs = _printed_values(
        lambda: keras.utils.Progbar(5, verbose=verbose, stateful_metrics=["lr"]), updates
    )
    assert ours == theirs and ours  # the final line: the same names and values


def test_progbar_averages_over_the_steps_each_value_covers():
    bar = U.Progbar(10, verbose=0)
    bar.update(2, values=[("loss", 1.0)])  # two steps of 1.0
    bar.update(3, values=[("loss", 4.0)])  # one step of 4.0
    assert bar._averages() == {"loss": 2.0}  # (2 * 1 + 4) / 3, by hand


# ---- get_file, dtypes, keras tensors, the registry ----------------------------------------------
def test_get_file_finds_a_cached_file_checks_its_hash_and_never_downloads(tmp_path):
    url = "https://example.com/data/table.csv"
    with pytest.raises(FileNotFoundError, match=r"does not download.*datasets/table\.csv"):
        U.get_file(origin=url, cache_dir=tmp_path)
    cached = tmp_path / "datasets" / "table.csv"
    cached.parent.mkdir()
    cached.write_bytes(b"a,b\n1,2\n")
    assert U.get_file(origin=url, cache_dir=tmp_path) == str(cached)
    sha = "6ba4a9d1d1cb2d2e9d7ad2d1d1cd2c5a3a1c4c7a4c48f6a0d1d6a1a5b5d1c2f3"
    with pytest.raises(FileFormatError, match="has sha256"):
        U.get_file("table.csv", url, file_hash=sha, cache_dir=tmp_path)
    import hashlib

    good = hashlib.sha256(cached.read_bytes()).hexdigest()
    assert U.get_file("table.csv", url, file_hash=good, cache_dir=tmp_path) == str(cached)
    with pytest.raises(NotImplementedError, match="extract"):
        U.get_file("table.csv", url, extract=True, cache_dir=tmp_path)
    with pytest.raises(ValueError, match="plain file name"):
        U.get_file("../table.csv", url, cache_dir=tmp_path)


def test_standardize_dtype_and_is_keras_tensor_match_keras():
    keras, torch = require_keras()
    for dtype in (None, "float32", float, int, bool, "int", np.float64, np.dtype("int8"),
                  "uint8", torch.float16, ns.int64):  # fmt: skip
        assert U.standardize_dtype(dtype) == keras.utils.standardize_dtype(dtype), dtype
    _same_error(lambda: U.standardize_dtype("float128x"),
                lambda: keras.utils.standardize_dtype("float128x"))  # fmt: skip
    assert U.is_keras_tensor(nk.Input((2,))) and keras.utils.is_keras_tensor(keras.Input((2,)))
    assert not U.is_keras_tensor(np.zeros(2)) and not keras.utils.is_keras_tensor(np.zeros(2))
    assert not U.is_keras_tensor(ns.zeros(2))


def test_the_registry_names_are_keras_saving_s_own():
    for name in ("register_keras_serializable", "get_registered_name", "get_registered_object",
                 "serialize_keras_object", "deserialize_keras_object", "custom_object_scope",
                 "get_custom_objects"):  # fmt: skip
        assert getattr(U, name) is getattr(nk.saving, name), name
    with U.CustomObjectScope({"Twice": abs}):
        assert U.get_registered_object("Twice") is abs
    assert U.get_registered_object("Twice") is None


def test_the_old_names_and_import_paths_still_work():
    from nnscratch.keras.utils import auto_name, clear_session, set_random_seed, to_snake_case

    clear_session()
    assert to_snake_case("InputLayer") == "input_layer"
    assert (auto_name("Dense"), auto_name("Dense")) == ("dense", "dense_1")
    set_random_seed(4)
    a = nk.random.normal((3,))
    set_random_seed(4)
    np.testing.assert_array_equal(a.numpy(), nk.random.normal((3,)).numpy())
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        set_random_seed(1.5)
