"""Legacy Keras ``.h5`` models: ``model.save("m.h5")`` and ``load_model("m.h5")`` through h5py.

The layout is the one Keras 3 still writes and reads (its "legacy H5 format"):

- file attributes ``model_config`` (the model as JSON: ``class_name`` + ``config``),
  ``keras_version``, ``backend``, and ``training_config`` (JSON) when the model was compiled;
- a group ``model_weights`` with the attribute ``layer_names`` (the model's layers, in order)
  and one group per layer, whose attribute ``weight_names`` lists its datasets: the layer's
  trainable weights, then its non-trainable ones, in Keras's shapes.

Weights are matched by position, as Keras matches them: the n-th layer that has weights in the
file goes to the n-th layer that has weights in the model. Optimizer state is not written
(Keras then compiles a fresh optimizer), nor read.

Loading runs no code from the file. Attributes are read as data (sizes checked first, JSON
parsed by ``json``); classes are looked up in the registry only (an unknown one raises
``ConfigError``); every dataset must be a plain in-file array (no external or virtual storage,
no links to other files) whose shape and dtype fit the model's weight, checked before it is
read; building the model may take no more memory than the file's size justifies. A file h5py
cannot open, or one that does not fit, raises ``FileFormatError``.

h5py is optional: ``pip install "nnscratch[h5]"``.
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np

from ... import __version__
from ...errors import ConfigError, FileFormatError
from ...io import sniff
from ...io.atomic import atomic_write
from ..layers.weight_budget import weight_budget
from . import compile_state, registry
from .keras_config import from_keras, to_keras
from .saving_lib import _check_depth
from .serialization import deserialize_layer, serialize_layer
from .weights import CONVERT_WITH_KERAS, _copy, named_weights

__all__ = ["H5_EXTENSIONS", "is_legacy_h5", "load_model_h5", "load_weights_h5", "save_model_h5"]

H5_EXTENSIONS = (".h5", ".hdf5")
KERAS_VERSION = "3.15.1"  # the Keras whose legacy layout this follows (Keras reads it as data)
_MAX_JSON_BYTES = 64 * 2**20
_MAX_NAMES = 1_000_000  # entries of a name list attribute
_ATTRIBUTE_CHUNK = 64_000  # HDF5 keeps an attribute under 64 KiB: longer lists are split


def is_legacy_h5(filepath) -> bool:
    """``*.h5`` / ``*.hdf5`` but not ``*.weights.h5`` (Keras 3's newer weights format)."""
    path = str(os.fspath(filepath))
    return path.endswith(H5_EXTENSIONS) and not path.endswith(".weights.h5")


def _h5py(where: str):
    try:
        import h5py
    except ImportError as error:
        raise ImportError(
            f"{where} needs h5py to read and write HDF5 `.h5` files, and it is not installed: "
            'pip install "nnscratch[h5]" (or save as `.keras`, which needs nothing more)'
        ) from error
    return h5py


# ---- save ---------------------------------------------------------------------------------------
def save_model_h5(model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Write ``model`` as a legacy Keras ``.h5`` file (architecture, weights and, with
    ``include_optimizer``, compile settings), atomically: a crash leaves any previous file
    intact."""
    h5py = _h5py("save_model")
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    config = json.dumps(to_keras(serialize_layer(model)))
    training = _training_config(model) if include_optimizer else None
    with atomic_write(filepath) as file, h5py.File(file, "w") as f:
        f.attrs["model_config"] = config
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = "nnscratch"
        f.attrs["nnscratch_version"] = __version__
        if training is not None:
            f.attrs["training_config"] = json.dumps(training)
        _write_weights(f.create_group("model_weights"), model)


def _training_config(model) -> dict | None:
    """``compile``'s arguments in the legacy layout: the optimizer under ``optimizer_config``."""
    config = compile_state.get_compile_config(model)
    if config is None:
        return None
    return {"optimizer_config": config.pop("optimizer"), **config}


def _write_weights(group, model) -> None:
    _write_names(group, "layer_names", [layer.name for layer in model.layers])
    group.attrs["backend"] = "nnscratch"
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in sorted(model.layers, key=lambda layer: layer.name):
        weights = _legacy_weights(layer)
        names = _weight_names(layer, weights)
        layer_group = group.create_group(layer.name)
        _write_names(layer_group, "weight_names", names)
        for name, weight in zip(names, weights):
            layer_group.create_dataset(name, data=weight.detach().numpy())
    _write_names(group.create_group("top_level_model_weights"), "weight_names", [])


def _legacy_weights(layer) -> list:
    """Keras's legacy order: trainable weights, then non-trainable ones."""
    return [*layer.trainable_weights, *layer.non_trainable_weights]


def _weight_names(layer, weights: list) -> list[str]:
    """``"<layer>/<weight>"``, the weight named by its place in the layer (``kernel``,
    ``cell/kernel``), unique within the layer."""
    local = {id(param): name for name, param in named_weights(layer).items()}
    return [f"{layer.name}/{local.get(id(w), f'weight_{i}').replace('.', '/')}"
            for i, w in enumerate(weights)]  # fmt: skip


def _write_names(group, name: str, values: list[str]) -> None:
    """A list of strings as one attribute, or as ``name0``, ``name1``... when long."""
    if not values:
        group.attrs[name] = np.array([], dtype=np.float64)  # what Keras writes for none
        return
    data = np.array([v.encode("utf8") for v in values])
    if data.nbytes <= _ATTRIBUTE_CHUNK:
        group.attrs[name] = data
        return
    chunks = -(-data.nbytes // _ATTRIBUTE_CHUNK)
    for i, part in enumerate(np.array_split(data, chunks)):
        group.attrs[f"{name}{i}"] = part


# ---- load ---------------------------------------------------------------------------------------
def load_model_h5(filepath, custom_objects: dict | None = None, compile: bool = True):
    """The model in a legacy Keras ``.h5`` file (written by Keras 3, Keras 2 or nnscratch),
    compiled from its ``training_config`` unless ``compile=False``."""
    h5py = _h5py("load_model")
    filepath = os.fspath(filepath)
    with _open(h5py, filepath) as f:
        config = from_keras(_json_attribute(f, "model_config", filepath, required=True))
        build_shape = _pop_build_shape(config)
        justified = f"{filepath!r} ({os.path.getsize(filepath):,} bytes)"
        with registry.custom_object_scope(custom_objects):
            with weight_budget(os.path.getsize(filepath), justified):
                model = deserialize_layer(config)
                if build_shape is not None and not model.built:
                    model.build(tuple(build_shape))
            _read_weights(h5py, _group(h5py, f, "model_weights", filepath), model, filepath)
            training = _json_attribute(f, "training_config", filepath, required=False)
            if compile and training is not None:
                compile_state.compile_from_config(model, _compile_config(training, filepath))
    return model


def load_weights_h5(model, filepath, skip_mismatch: bool = False) -> None:
    """Load the weights of a legacy ``.h5`` file (a whole model's, or Keras 2's
    ``save_weights``) into ``model``, layer by layer in order."""
    h5py = _h5py("load_weights")
    filepath = os.fspath(filepath)
    with _open(h5py, filepath) as f:
        group = _group(h5py, f, "model_weights", filepath) if "model_weights" in f else f
        _read_weights(h5py, group, model, filepath, skip_mismatch)


def _open(h5py, filepath: str):
    try:
        return h5py.File(filepath, "r")
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as error:  # truncated, not HDF5, unreadable
        raise FileFormatError(
            f"{filepath!r}: expected an HDF5 `.h5` file, h5py could not open it ({error})"
        ) from error


def _pop_build_shape(config) -> list | None:
    inner = config.get("config") if isinstance(config, dict) else None
    if isinstance(inner, dict) and config.get("class_name") == "Sequential":
        shape = inner.pop("build_input_shape", None)
        if shape is None or isinstance(shape, list) and all(
                d is None or isinstance(d, int) and 0 <= d < 2**31 for d in shape):  # fmt: skip
            return shape
        raise ConfigError(
            f"Expected build_input_shape to be a list of sizes, received {shape!r:.80}"
        )
    return None


def _compile_config(training: dict, filepath: str) -> dict:
    """The legacy ``training_config`` as ``compile_state`` reads it."""
    if not isinstance(training, dict):
        raise FileFormatError(f"{filepath!r}: expected training_config to be a JSON object")
    config = {key: value for key, value in training.items() if key != "optimizer_config"}
    return from_keras({**config, "optimizer": training.get("optimizer_config")})


def _attribute(group, name: str, filepath: str, max_bytes: int):
    """An attribute's value, after checking its declared size (reading allocates it).

    A fixed-size attribute declares its bytes; a variable-length string (how h5py stores a
    ``str``) lives in the file's heap, so it is bounded by the file's own size."""
    try:
        declared = group.attrs.get_id(name)
        count, itemsize = int(np.prod(declared.shape or ())), declared.dtype.itemsize
    except (KeyError, OSError, ValueError, TypeError) as error:
        raise FileFormatError(f"{filepath!r}: cannot read attribute {name!r} ({error})") from error
    if count * itemsize > max_bytes or count > _MAX_NAMES:
        raise FileFormatError(
            f"{filepath!r}: attribute {name!r} declares {count:,} items of {itemsize} bytes, "
            f"more than the {max_bytes:,} bytes this loader reads"
        )
    try:
        return group.attrs[name]
    except (OSError, ValueError, TypeError) as error:
        raise FileFormatError(f"{filepath!r}: cannot read attribute {name!r} ({error})") from error


def _json_attribute(f, name: str, filepath: str, required: bool):
    if name not in f.attrs:
        if required:
            raise FileFormatError(
                f"{filepath!r} has no {name} attribute, so it is not a whole Keras model; it "
                f"looks like {sniff.DESCRIPTIONS['hdf5']}. Weights saved by Keras 2's "
                "save_weights: build the model, then model.load_weights(path). Other HDF5 "
                "files: in Keras, numpy.savez('weights.npz', *model.get_weights())"
            )
        return None
    value = _text(_attribute(f, name, filepath, _MAX_JSON_BYTES), name, filepath)
    try:
        data = json.loads(value)
    except (ValueError, RecursionError) as error:
        raise FileFormatError(f"{filepath!r}: expected {name} to be JSON: {error}") from error
    _check_depth(data, f"{filepath!r}: {name}")
    if not isinstance(data, dict):
        raise FileFormatError(
            f"{filepath!r}: expected {name} to be a JSON object, received {type(data).__name__}"
        )
    return data


def _text(value, name: str, filepath: str) -> str:
    if isinstance(value, np.ndarray) and value.shape == () or isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FileFormatError(f"{filepath!r}: {name} is not UTF-8 ({error})") from error
    if isinstance(value, str):
        return value
    raise FileFormatError(
        f"{filepath!r}: expected {name} to be a string, received {type(value).__name__}"
    )


def _names(group, name: str, filepath: str) -> list[str]:
    """A list-of-strings attribute, joined from its chunks (``name0``, ``name1``...)."""
    keys = [name] if name in group.attrs else []
    while name not in group.attrs and f"{name}{len(keys)}" in group.attrs:
        keys.append(f"{name}{len(keys)}")
    names: list[str] = []
    for key in keys:
        value = _attribute(group, key, filepath, _MAX_JSON_BYTES)
        if not isinstance(value, np.ndarray) or value.ndim != 1:
            raise FileFormatError(f"{filepath!r}: expected {key!r} to be a list of names")
        names += [_text(v, key, filepath) for v in value.tolist()] if value.size else []
        if len(names) > _MAX_NAMES:
            raise FileFormatError(f"{filepath!r}: {key!r} lists more than {_MAX_NAMES:,} names")
    return names


def _group(h5py, parent, name: str, filepath: str):
    return _member(h5py, parent, name, h5py.Group, "a group", filepath)


def _member(h5py, parent, name: str, kind, what: str, filepath: str):
    """``parent[name]`` when every step of the path is an in-file (hard) link to ``kind``."""
    steps = name.split("/")
    if name.startswith("/") or "" in steps or "." in steps or ".." in steps:
        raise FileFormatError(f"{filepath!r}: expected a relative name, received {name!r:.100}")
    node = parent
    for i, step in enumerate(steps):
        link = node.get(step, getlink=True) if isinstance(node, h5py.Group) else None
        if not isinstance(link, h5py.HardLink):
            found = "nothing" if link is None else type(link).__name__
            raise FileFormatError(
                f"{filepath!r}: expected {what} at {name!r} in {parent.name!r}, found {found} "
                f"at {'/'.join(steps[: i + 1])!r}"
            )
        node = node[step]
    if not isinstance(node, kind):
        raise FileFormatError(
            f"{filepath!r}: expected {what} at {name!r} in {parent.name!r}, found "
            f"{type(node).__name__}"
        )
    return node


def _read_weights(h5py, group, model, filepath: str, skip_mismatch: bool = False) -> None:
    """Check every saved weight against the model, then copy them all (or none)."""
    if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
        raise FileFormatError(
            f"{filepath!r} is {sniff.DESCRIPTIONS['hdf5']} without the `layer_names` of "
            f"Keras's legacy weights layout. {CONVERT_WITH_KERAS}"
        )
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    saved = []
    for name in _names(group, "layer_names", filepath):
        layer_group = _group(h5py, group, name, filepath)
        weight_names = _names(layer_group, "weight_names", filepath)
        if weight_names:
            saved.append((name, layer_group, weight_names))
    if len(saved) != len(layers):
        raise FileFormatError(
            f"{filepath!r} does not fit model '{model.name}': the file holds weights for "
            f"{len(saved)} layers, the model has {len(layers)} layers with weights"
        )
    pairs = []
    for (name, layer_group, weight_names), layer in zip(saved, layers):
        pairs += _layer_pairs(h5py, layer_group, weight_names, layer, name, filepath,
                              skip_mismatch)  # fmt: skip
    _copy((param, dataset[()]) for param, dataset in pairs)


def _layer_pairs(h5py, group, weight_names, layer, saved_name, filepath, skip_mismatch) -> list:
    weights = _legacy_weights(layer)
    where = f"layer '{layer.name}' (saved as {saved_name!r})"
    if len(weight_names) != len(weights):
        raise FileFormatError(
            f"{filepath!r}: {where} expects {len(weights)} weights, the file holds "
            f"{len(weight_names)}"
        )
    pairs = []
    for weight_name, param in zip(weight_names, weights):
        dataset = _member(h5py, group, weight_name, h5py.Dataset, "a dataset", filepath)
        problem = _dataset_problem(dataset, param)
        if problem is None:
            pairs.append((param, dataset))
            continue
        message = f"{filepath!r}: {where}, weight {weight_name!r}: {problem}"
        if not skip_mismatch:
            raise FileFormatError(message)
        warnings.warn(f"Skipping {message}", stacklevel=4)
    return pairs


# HDF5's built-in filters (deflate/gzip, shuffle, fletcher32, szip, nbit, scaleoffset) and
# h5py's lzf: a file naming any other filter would have HDF5 look for a plugin to load.
_KNOWN_FILTERS = frozenset({1, 2, 3, 4, 5, 6, 32000})


def _filters(dataset) -> set[int]:
    plist = dataset.id.get_create_plist()
    return {plist.get_filter(i)[0] for i in range(plist.get_nfilters())}


def _dataset_problem(dataset, param) -> str | None:
    """Why ``dataset`` cannot fill ``param`` (None when it can): read from metadata only."""
    if dataset.is_virtual or dataset.external:
        return "expected data stored in the file, found external or virtual storage"
    filters = _filters(dataset)
    if not filters <= _KNOWN_FILTERS:
        return f"expected only HDF5's own filters (gzip, shuffle, ...), found {sorted(filters)}"
    if dataset.dtype.kind not in "fiu" or dataset.dtype.itemsize > 8:
        return f"expected a numeric array, found dtype {dataset.dtype}"
    if tuple(dataset.shape) != tuple(param.shape):
        return f"expected shape {tuple(param.shape)}, the file holds shape {tuple(dataset.shape)}"
    if dataset.dtype.kind != param.dtype.kind:
        return f"expected dtype {param.dtype}, the file holds {dataset.dtype}"
    return None
