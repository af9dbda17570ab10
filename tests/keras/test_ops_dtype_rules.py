"""``keras.ops``' result dtypes (``nnscratch/keras/ops/dtype_rules.py``) against Keras 3's own
``keras.backend.result_type`` on the torch backend, for every pair of supported dtypes and
Python's weak ``int``/``float``."""

import itertools

from keras_ops_parity import require_keras

from nnscratch.keras.ops.dtype_rules import result_type

TYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
         int, float]  # fmt: skip


def test_result_type_of_every_pair_is_keras():
    keras, _ = require_keras()
    for a, b in itertools.product(TYPES, TYPES):
        assert result_type(a, b) == keras.backend.result_type(a, b), (a, b)


def test_result_type_of_one_type_is_keras():
    keras, _ = require_keras()
    for a in TYPES:
        assert result_type(a) == keras.backend.result_type(a), a
    assert result_type() == keras.backend.result_type()
