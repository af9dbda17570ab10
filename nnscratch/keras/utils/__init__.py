"""``keras.utils``: the helpers keras.io code calls around a model.

Labels and features (``to_categorical``, ``normalize``, ``pad_sequences``), data
(``split_dataset``, ``pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``), a console
``Progbar``, ``get_file`` (offline: it only finds files you put in the cache), seeds
(``set_random_seed``), names (``clear_session``), dtypes, and the saving registry's functions,
which live in ``keras.saving`` and are re-exported here as Keras does (as are the
``(x, y, sample_weight)`` packing helpers of custom train steps, from ``models.step_data``).

>>> from nnscratch import keras
>>> keras.utils.to_categorical([1, 0], num_classes=2)
array([[0., 1.],
       [1., 0.]])
"""

# Names first: layers import auto_name from here while this package is still loading.
from .naming import auto_name, clear_session, to_snake_case
from .rng_utils import set_random_seed
from .numerical import normalize, to_categorical
from .sequence import pad_sequences
from .dtype_utils import is_keras_tensor, standardize_dtype
from .file_utils import get_file
from .dataset import split_dataset
from .progbar import Progbar
from ..saving.registry import (
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from ..saving.serialization import deserialize_keras_object, serialize_keras_object
from .step_data import pack_x_y_sample_weight, unpack_x_y_sample_weight
from .config import Config
from .io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from .source_inputs import get_source_inputs
from .model_visualization import model_to_dot, plot_model
from .timeseries import timeseries_dataset_from_array
from ..py_dataset import PyDataset, Sequence

CustomObjectScope = custom_object_scope  # Keras exports the scope under both names

__all__ = [
    "Config",
    "CustomObjectScope",
    "Progbar",
    "PyDataset",
    "Sequence",
    "auto_name",
    "clear_session",
    "custom_object_scope",
    "deserialize_keras_object",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "is_interactive_logging_enabled",
    "is_keras_tensor",
    "model_to_dot",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_model",
    "register_keras_serializable",
    "serialize_keras_object",
    "set_random_seed",
    "split_dataset",
    "standardize_dtype",
    "timeseries_dataset_from_array",
    "to_categorical",
    "to_snake_case",
    "unpack_x_y_sample_weight",
]


def __getattr__(name: str):
    # Keras names nnscratch does not build raise NotImplementedError saying why (not_built.py).
    from ..not_built import refuse

    return refuse("utils", name)
