"""``save_model`` / ``load_model``: the ``.keras`` archive, safe to open from anyone.

A ``.keras`` file is a zip archive whose members are stored, not compressed (nothing to
decompress, so no decompression bomb):

- ``metadata.json``: ``{"format": "nnscratch.keras", "format_version", "nnscratch_version",
  "date_saved"}``;
- ``config.json``: the model as ``serialize_layer`` writes it (``class_name`` + ``config``,
  nested layers inside), plus ``compile_config`` when the model was compiled;
- ``model.weights.safetensors``: the weights, named as ``weights.named_weights`` says;
- ``optimizer.safetensors``: the optimizer's step count and slot variables (when compiled).

Loading rebuilds the model from classes found in the registry only, loads the weights (names
and shapes must match), recompiles and restores the optimizer, so ``fit`` continues exactly
where it stopped. While the model is built, its weights may take no more bytes than the
archive's weights file holds: a config that asks for more (``units: 40000000`` in a 5 KB file)
is refused with a ``ConfigError`` naming the layer, before the memory is taken. Every problem
with the file raises an ``NnscratchError`` (``FileFormatError`` for bytes, ``ConfigError`` for
classes and values) naming what was expected and what was found; nothing in the file is
imported, unpickled or executed.

>>> import os, tempfile
>>> import numpy as np
>>> from nnscratch import keras
>>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
>>> model.compile(optimizer="adam", loss="mse")
>>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
>>> model.save(path)
>>> restored = keras.models.load_model(path)
>>> x = np.ones((3, 2), np.float32)
>>> bool((restored.predict(x, verbose=0) == model.predict(x, verbose=0)).all())
True
"""

from __future__ import annotations

import datetime
import json
import os
import zipfile

from ...errors import FileFormatError
from ...io import safetensors, sniff
from ...io.atomic import atomic_write
from ..layers.weight_budget import weight_budget
from . import compile_state, registry, weights
from .serialization import deserialize_layer, serialize_layer

__all__ = ["load_model", "read_archive", "save_model"]

FORMAT = "nnscratch.keras"
FORMAT_VERSION = "1"
CONFIG, METADATA = "config.json", "metadata.json"
WEIGHTS, OPTIMIZER = "model.weights.safetensors", "optimizer.safetensors"
KERAS3_WEIGHTS = "model.weights.h5"  # Keras 3's own archives: HDF5 weights
_REQUIRED = (METADATA, CONFIG, WEIGHTS)
_MAX_JSON_BYTES = 64 * 2**20
_MAX_JSON_DEPTH = 100


# ---- save ---------------------------------------------------------------------------------------
def save_model(model, filepath, overwrite: bool = True, **kwargs) -> None:
    """Write ``model`` (architecture, weights, compile settings, optimizer state) to a
    ``.keras`` archive, atomically: a crash leaves any previous file intact. A ``.h5`` /
    ``.hdf5`` path writes Keras's legacy HDF5 layout instead (``legacy_h5``; needs h5py)."""
    filepath = os.fspath(filepath)
    from . import legacy_h5  # here: legacy_h5 imports this module

    include_optimizer = kwargs.pop("include_optimizer", True)  # Keras's, for `.h5` files
    if kwargs:
        raise ValueError(f"save_model got unexpected arguments: {sorted(kwargs)}")
    if legacy_h5.is_legacy_h5(filepath):
        legacy_h5.save_model_h5(model, filepath, overwrite, include_optimizer)
        return
    if not filepath.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving: nnscratch saves whole models as `.keras` "
            "archives, or as legacy Keras `.h5` files (with h5py: pip install "
            f'"nnscratch[h5]"); weights alone with save_weights. Received: filepath={filepath}'
        )
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    members = _members(model)
    with atomic_write(filepath) as file, zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)


def _members(model) -> dict[str, bytes]:
    from ... import __version__

    config = serialize_layer(model)
    compile_config = compile_state.get_compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "nnscratch_version": __version__,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    members = {
        METADATA: json.dumps(metadata, indent=2).encode(),
        CONFIG: json.dumps(config, indent=2).encode(),
        WEIGHTS: weights.weights_bytes(model),
    }
    if compile_config is not None and model.optimizer is not None:
        members[OPTIMIZER] = compile_state.optimizer_bytes(model.optimizer)
    return members


# ---- load ---------------------------------------------------------------------------------------
def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, **kwargs):
    """The model saved in a ``.keras`` archive, compiled (unless ``compile=False``) with its
    optimizer state restored. ``custom_objects`` maps saved names to your classes/functions.

    Keras's ``safe_mode`` is accepted and has no effect: loading never runs code from a file.
    A ``.h5`` / ``.hdf5`` path reads Keras's legacy HDF5 layout (``legacy_h5``; needs h5py).
    """
    kwargs.pop("safe_mode", None)
    if kwargs:
        raise ValueError(f"load_model got unexpected arguments: {sorted(kwargs)}")
    filepath = os.fspath(filepath)
    from . import legacy_h5  # here: legacy_h5 imports this module

    if legacy_h5.is_legacy_h5(filepath):
        return legacy_h5.load_model_h5(filepath, custom_objects, compile)
    members = read_archive(filepath)
    _check_metadata(_json(members, METADATA, filepath), filepath)
    config = _json(members, CONFIG, filepath)
    justified = f"{filepath!r}/{WEIGHTS} ({len(members[WEIGHTS]):,} bytes)"
    with registry.custom_object_scope(custom_objects):
        with weight_budget(len(members[WEIGHTS]), justified):
            model = deserialize_layer(config)
        arrays, _ = safetensors.load_with_metadata(members[WEIGHTS], f"{filepath!r}/{WEIGHTS}")
        weights.assign_weights(model, arrays, f"{filepath!r}/{WEIGHTS}")
        if compile and config.get("compile_config") is not None:
            compile_state.compile_from_config(model, config["compile_config"])
            if OPTIMIZER in members and model.optimizer is not None:
                source = f"{filepath!r}/{OPTIMIZER}"
                compile_state.load_optimizer_state(model, members[OPTIMIZER], source)
    return model


def read_archive(filepath) -> dict[str, bytes]:
    """The members of a ``.keras`` archive that nnscratch reads, each checked: present once,
    stored uncompressed and unencrypted, no bigger than the archive, CRC intact."""
    filepath = os.fspath(filepath)
    try:
        size = os.path.getsize(filepath)
        with zipfile.ZipFile(filepath) as archive:
            names = [info.filename for info in archive.infolist()]
            _check_kind(names, filepath)
            wanted = [n for n in (*_REQUIRED, OPTIMIZER) if n in names or n in _REQUIRED]
            return {name: _read_member(archive, names, name, size, filepath) for name in wanted}
    except FileFormatError:
        raise
    except sniff.ZIP_ERRORS as error:
        raise _not_an_archive(filepath, error) from error


def _not_an_archive(filepath: str, error: Exception) -> FileFormatError:
    kind = sniff.identify_file(filepath)
    advice = f". {weights.CONVERT_WITH_KERAS}" if kind == "hdf5" else ""
    return FileFormatError(
        f"{filepath!r}: expected a .keras archive (a zip file), could not read it "
        f"({type(error).__name__}: {error}); the file looks like {sniff.DESCRIPTIONS[kind]}"
        + advice
    )


def _check_kind(names: list, filepath: str) -> None:
    """Other zips (Keras 3's archives, .npz files) are named as such."""
    if KERAS3_WEIGHTS in names and WEIGHTS not in names:
        raise FileFormatError(
            f"{filepath!r} is {sniff.DESCRIPTIONS['keras3']}, which nnscratch cannot read yet. "
            + weights.CONVERT_WITH_KERAS
        )
    if METADATA not in names and CONFIG not in names:
        kind = sniff.identify_file(filepath)
        hint = "; weights alone: build the model, then load_weights" if kind == "npz" else ""
        raise FileFormatError(
            f"{filepath!r}: expected a .keras archive ({', '.join(_REQUIRED)}), received "
            f"{sniff.DESCRIPTIONS[kind]}{hint}"
        )


def _read_member(archive: zipfile.ZipFile, names: list, name: str, size: int, path: str) -> bytes:
    count = names.count(name)
    if count != 1:
        raise FileFormatError(
            f"{path!r}: expected the archive to hold {name} exactly once, found it {count} "
            f"times (members: {names[:10]})"
        )
    info = archive.getinfo(name)
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
        raise FileFormatError(
            f"{path!r}: expected {name} stored uncompressed and unencrypted, received "
            f"compression method {info.compress_type}, flags {info.flag_bits:#x}"
        )
    if info.file_size > size or info.compress_size != info.file_size:
        raise FileFormatError(
            f"{path!r}: {name} claims {info.file_size} bytes ({info.compress_size} stored) in a "
            f"{size}-byte archive"
        )
    return archive.read(info)


def _json(members: dict[str, bytes], name: str, path: str) -> dict:
    data = members[name]
    if len(data) > _MAX_JSON_BYTES:
        raise FileFormatError(f"{path!r}: {name} is {len(data)} bytes, the limit is 64 MiB")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FileFormatError(f"{path!r}: expected {name} to be UTF-8 JSON: {error}") from error
    if not isinstance(value, dict):
        raise FileFormatError(
            f"{path!r}: expected {name} to hold a JSON object, received {type(value).__name__}"
        )
    _check_depth(value, f"{path!r}: {name}")
    return value


def _check_depth(value, where: str) -> None:
    """Iteratively, so a hostile nesting cannot exhaust the stack of the code that reads it."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > _MAX_JSON_DEPTH:
            raise FileFormatError(f"{where}: expected nesting at most {_MAX_JSON_DEPTH} deep")
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, (dict, list)):
            stack.extend((child, depth + 1) for child in children)


def _check_metadata(metadata: dict, path: str) -> None:
    if metadata.get("format") != FORMAT:
        raise FileFormatError(
            f"{path!r}: expected metadata.json format {FORMAT!r}, received "
            f"{metadata.get('format')!r:.80} (Keras's own .keras files hold HDF5 weights, "
            "which nnscratch does not read)"
        )
    if metadata.get("format_version") != FORMAT_VERSION:
        raise FileFormatError(
            f"{path!r}: expected format_version {FORMAT_VERSION!r}, received "
            f"{metadata.get('format_version')!r:.80}: saved by a newer nnscratch?"
        )
