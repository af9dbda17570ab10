"""A model's weights as a safetensors file: readable names, Keras shapes, strict loading.

A weight is named by its place in the model, as a state dict names it: a model's layers by
position (``layers.0.kernel``, ``layers.1.bias``; a nested model adds its own
``layers.<i>``), a layer's inner layers by attribute (``layers.2.cell.kernel``). Positions, not
layer names, so weights saved from one model load into a freshly built twin whose automatic
names differ (``dense_3`` instead of ``dense``). Shapes are Keras's (``Dense`` kernel is
``(in, units)``).

>>> import os, tempfile
>>> from nnscratch import keras
>>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(3)])
>>> list(named_weights(model))
['layers.0.kernel', 'layers.0.bias']
>>> path = os.path.join(tempfile.mkdtemp(), "model.weights.safetensors")
>>> save_weights(model, path)
>>> twin = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(3)])
>>> load_weights(twin, path)
>>> all((a == b).all() for a, b in zip(twin.get_weights(), model.get_weights()))
True
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from ...autograd.grad_mode import no_grad
from ...errors import FileFormatError
from ...io import npz, safetensors, sniff
from ...io.atomic import atomic_write

__all__ = [
    "assign_ordered", "assign_weights", "load_weights", "named_weights", "save_weights",
    "weights_bytes",
]  # fmt: skip

FORMAT = "nnscratch.keras.weights"
CONVERT_WITH_KERAS = (
    "nnscratch reads the `.weights.safetensors` and `.keras` files it writes, and `.npz` files "
    "of `get_weights()`. To convert, in Keras: load the model (`keras.models.load_model(...)`, "
    "or build it and `model.load_weights(...)`), then "
    "`numpy.savez('weights.npz', *model.get_weights())`; here: build the same model and "
    "`model.load_weights('weights.npz')`"
)


def named_weights(model) -> dict:
    """``{name: Parameter}`` for every weight of ``model`` (and persistent buffer of an inner
    ``nn`` module), in a stable, readable order."""
    found: dict = {}
    _walk(model, "", found, set())
    return {name: param for name, (param, _) in found.items()}


def _walk(layer, prefix: str, found: dict, seen: set) -> None:
    skip = layer._non_persistent_buffers_set
    own = [
        *layer._parameters.items(),
        *((n, b) for n, b in layer._buffers.items() if n not in skip),
    ]
    for name, tensor in own:
        if tensor is not None and id(tensor) not in seen:  # a shared weight keeps its first name
            seen.add(id(tensor))
            found[prefix + name] = (tensor, getattr(layer, "name", type(layer).__name__))
    for name, child in _children(layer):
        _walk(child, f"{prefix}{name}.", found, seen)


def _children(layer) -> list:
    from ..models.model import Model

    if isinstance(layer, Model):
        return [(f"layers.{i}", child) for i, child in enumerate(layer.layers)]
    return [(name, child) for name, child in layer._modules.items() if child is not None]


def _owners(model) -> dict[str, str]:
    found: dict = {}
    _walk(model, "", found, set())
    return {name: owner for name, (_, owner) in found.items()}


def weights_bytes(model) -> bytes:
    """The safetensors bytes of ``model``'s weights."""
    arrays = {name: p.detach().numpy() for name, p in named_weights(model).items()}
    return safetensors.save(arrays, metadata={"format": FORMAT})


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Write ``model``'s weights to ``filepath`` (``*.weights.safetensors``), atomically."""
    filepath = os.fspath(filepath)
    if not filepath.endswith(".safetensors"):
        raise ValueError(
            "The filepath provided must end in `.weights.safetensors` (nnscratch saves weights "
            f"as safetensors; HDF5 `.weights.h5` is not supported). Received: filepath={filepath}"
        )
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    data = weights_bytes(model)
    with atomic_write(filepath) as file:
        file.write(data)


def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Load weights saved by ``save_weights`` (or a ``.keras`` archive's, or a ``.npz`` of
    ``get_weights()`` as ``np.savez`` writes it) into ``model``.

    Names and shapes must match the model exactly, else FileFormatError naming the weight,
    unless ``skip_mismatch``: then mismatched weights are left alone, with a warning. Files of
    other kinds (HDF5, pickles) raise FileFormatError saying what they are.
    """
    filepath = os.fspath(filepath)
    kind = sniff.identify_file(filepath)
    if kind == "hdf5":
        raise FileFormatError(
            f"{filepath!r} is {sniff.DESCRIPTIONS[kind]}, which nnscratch does not read. "
            f"{CONVERT_WITH_KERAS}"
        )
    if kind == "npz" or filepath.endswith(".npz"):
        assign_ordered(model, npz.read_npz_list(filepath), repr(filepath), skip_mismatch)
        return
    if kind in ("nnscratch_keras", "keras3") or filepath.endswith(".keras"):
        from .saving_lib import WEIGHTS, read_archive

        data = read_archive(filepath)[WEIGHTS]
    else:
        data = _read(filepath)
    arrays, _ = safetensors.load_with_metadata(data, repr(filepath))
    assign_weights(model, arrays, repr(filepath), skip_mismatch)


def _read(filepath: str) -> bytes:
    try:
        with open(filepath, "rb") as file:
            return file.read()
    except OSError as error:
        raise FileFormatError(f"Could not read the weights file {filepath!r}: {error}") from error


def assign_weights(model, arrays: dict, source: str, skip_mismatch: bool = False) -> None:
    """Copy ``{name: array}`` into the model's weights, after checking every one of them."""
    own, owners = named_weights(model), _owners(model)
    problems = _name_problems(model, own, arrays, source)
    mismatched = [name for name in own if name in arrays and _mismatch(own[name], arrays[name])]
    if mismatched and not skip_mismatch:
        problems += [_shape_message(n, owners[n], own[n], arrays[n]) for n in mismatched]
    if problems:
        raise FileFormatError(f"{source} does not fit model '{model.name}': " + "; ".join(problems))
    for name in mismatched:
        message = _shape_message(name, owners[name], own[name], arrays[name])
        warnings.warn(f"Skipping {message}", stacklevel=3)
    _copy((param, arrays[name]) for name, param in own.items() if name not in mismatched)


def assign_ordered(model, arrays: list, source: str, skip_mismatch: bool = False) -> None:
    """Copy arrays into ``model.weights`` in ``get_weights()`` order, after checking them all
    (an ``.npz`` holds no names: count, shapes and dtypes must fit)."""
    own = model.weights
    if len(arrays) != len(own):
        raise FileFormatError(
            f"{source} does not fit model '{model.name}': it holds {len(arrays)} arrays, the "
            f"model has {len(own)} weights (in get_weights() order)"
        )
    mismatched = [i for i, (param, array) in enumerate(zip(own, arrays)) if _mismatch(param, array)]
    messages = [_ordered_message(i, own[i], arrays[i]) for i in mismatched]
    if messages and not skip_mismatch:
        raise FileFormatError(f"{source} does not fit model '{model.name}': " + "; ".join(messages))
    for message in messages:
        warnings.warn(f"Skipping {message}", stacklevel=3)
    _copy(pair for i, pair in enumerate(zip(own, arrays)) if i not in mismatched)


def _copy(pairs) -> None:
    with no_grad(), np.errstate(over="ignore"):  # float64 beyond float32's range is inf
        for param, array in pairs:
            param.copy_(array.astype(param.dtype, copy=False))


def _name_problems(model, own: dict, arrays: dict, source: str) -> list[str]:
    missing = [name for name in own if name not in arrays]
    unexpected = [name for name in arrays if name not in own]
    problems = []
    if missing:
        problems.append(f"the model expects weights {_some(missing)}, missing from the file")
    if unexpected:
        hint = " (the model has no weights yet: build it first)" if not own else ""
        problems.append(f"the file holds weights {_some(unexpected)} the model lacks{hint}")
    return problems


def _some(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:8])
    return shown + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def _mismatch(param, array: np.ndarray) -> bool:
    """Shapes must be equal; floats may change width (float64 -> float32), nothing else."""
    same_kind = array.dtype == param.dtype or (array.dtype.kind == param.dtype.kind == "f")
    return tuple(array.shape) != tuple(param.shape) or not same_kind


def _shape_message(name: str, owner: str, param, array: np.ndarray) -> str:
    return (
        f"weight {name!r} (layer '{owner}') expects shape {tuple(param.shape)} and dtype "
        f"{param.dtype}, received shape {tuple(array.shape)} and dtype {array.dtype}"
    )


def _ordered_message(index: int, param, array: np.ndarray) -> str:
    return (
        f"weight {index} in get_weights() order (arr_{index}) expects shape "
        f"{tuple(param.shape)} and dtype {param.dtype}, received shape {tuple(array.shape)} and "
        f"dtype {array.dtype}"
    )
