"""How much a file given to the command line may ask for, checked before anything is made.

A config of a few bytes can name sizes that take all the memory there is (``"units": 10**12``)
or loops that never end (``"epochs": 10**12``). The commands refuse such requests with exit 2
and a line naming the field and the limit, rather than dying of ``MemoryError`` halfway.
The limits are far beyond what the small tables the CLI is for need.
"""

from __future__ import annotations

import math

from .output import UsageError

__all__ = [
    "MAX_ACTIVATION_BYTES", "MAX_BATCH_SIZE", "MAX_CONFIG_BYTES", "MAX_EPOCHS", "MAX_HIDDEN",
    "MAX_LAYERS", "MAX_NESTING", "MAX_SAMPLE_VALUES", "MAX_SEED", "MAX_WEIGHT_BYTES",
    "WEIGHT_BUDGET_SOURCE", "check_activations", "check_nesting",
]  # fmt: skip

GIB = 1 << 30
MAX_CONFIG_BYTES = 1 << 20  # a model config is a few KB
MAX_NESTING = 64  # levels of JSON lists and objects; Keras's own configs use under 10
MAX_WEIGHT_BYTES = GIB  # all the weights of a model, made inside weight_budget
WEIGHT_BUDGET_SOURCE = "a CLI config (at most 1 GiB of weights)"
MAX_SAMPLE_VALUES = GIB // 4  # float32 values in one layer's output for one row
MAX_ACTIVATION_BYTES = 4 * GIB  # float32 outputs of every layer for one batch, kept for backward
MAX_EPOCHS = 1_000_000
MAX_LAYERS = 1000  # Sequential.add rebuilds the stack so far: n layers cost n**2 shape steps
MAX_BATCH_SIZE = 2**31 - 1  # larger than the table is fine: the whole table is one batch
MAX_HIDDEN = 10_000  # `nnscratch gates --hidden`: a 10,000 x 10,000 kernel is 400 MB
MAX_SEED = 2**32 - 1  # NumPy's legacy np.random.seed, which keras.utils.set_random_seed calls


def check_nesting(value, where: str) -> None:
    """UsageError when lists and objects in ``value`` nest more than ``MAX_NESTING`` deep;
    iterative, so the check itself cannot overflow the stack.

    >>> check_nesting({"a": [[1]]}, "config")
    >>> check_nesting([[[]]] * 2, "x") is None
    True
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        if depth > MAX_NESTING:
            raise UsageError(f"{where} is nested more than {MAX_NESTING} levels deep")
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)


def check_activations(model, rows: int, where: str) -> None:
    """UsageError when one layer's output for a row is over ``MAX_SAMPLE_VALUES`` values, or
    all the layers' outputs for ``rows`` rows are over ``MAX_ACTIVATION_BYTES``, before any
    data goes through ``model`` (a built Sequential). ``where`` names what to change."""
    shape, total = model.input_shape, 0
    for layer in model.layers:
        shape = layer.compute_output_shape(shape)
        values = sample_values(shape)
        if values > MAX_SAMPLE_VALUES:
            raise UsageError(
                f"config: layer {layer.name!r} ({type(layer).__name__}) outputs {values:,} values "
                f"a row, more than the {MAX_SAMPLE_VALUES:,} a CLI config may ask for"
            )
        total += values
    if 4 * total * rows > MAX_ACTIVATION_BYTES:
        raise UsageError(
            f"{where}: {rows:,} rows a batch need {4 * total * rows:,} bytes of layer outputs "
            f"({4 * total:,} a row), more than {MAX_ACTIVATION_BYTES // GIB} GiB; use fewer"
        )


def sample_values(shape) -> int:
    """Values for one row in an output ``shape`` (batch first; a list of shapes for layers with
    several outputs); unknown sizes count as 1.

    >>> sample_values((None, 3, 4)), sample_values([(None, 2), (None, 5)])
    (12, 7)
    """
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return sum(sample_values(part) for part in shape)
    return math.prod(size for size in tuple(shape)[1:] if isinstance(size, int))
