"""``keras.ops`` on the functional API's symbolic ``KerasTensor``s.

``x = ops.relu(inputs)`` while building ``keras.Model(inputs, outputs)`` computes nothing: the
op becomes a weightless ``Lambda`` layer named after it (``relu``, ``relu_1``...), called on the
KerasTensors among its arguments, so the model records a node and replays the op on real
tensors in ``fit`` and ``predict``. The layer finds its output shape by running the op on zeros
(``Lambda``'s rule). ``KerasTensor``'s operators (``x + 1``, ``-x``, ``x[:, 0]``, ``x < y``)
come here too.

Such a layer saves its function by name only, as every ``Lambda`` does: a model built this way
trains and predicts, but reloading it from a file needs the op registered by that name.

>>> from nnscratch import keras
>>> from nnscratch.keras import ops
>>> x = keras.Input(shape=(3,))
>>> y = ops.softmax(x * 2.0)
>>> y.shape, y._keras_history[0].name.startswith("softmax")
((None, 3), True)
"""

from __future__ import annotations

import functools

import numpy as np

from nnscratch.autograd.grad_mode import no_grad
from nnscratch.autograd.tensor import Tensor
from nnscratch.keras.layers.keras_tensor import KerasTensor, flatten, is_symbolic, pack_like
from nnscratch.keras.layers.lambda_layer import Lambda
from nnscratch.keras.utils import auto_name

__all__ = ["symbolic", "symbolic_apply", "has_symbolic"]


class OpLayer(Lambda):
    """The ``Lambda`` an op becomes. Its output shape comes from running the op on zeros (on
    identity matrices when it refuses zeros, as ``inv`` does) with unknown sizes set to 1 and
    then 2 (sizes that follow them are unknown), for one output or a tuple of them (``top_k``,
    ``moments``); it also notes each output's dtype. The zeros take the dtypes of the
    KerasTensors they stand for (``input_dtypes``). NumPy's warnings are silenced in that
    trace: a log of 0 says nothing about shapes."""

    input_dtypes: list | None = None  # (set by ``symbolic_apply``; unset after a reload)

    def compute_output_shape(self, input_shape):
        with np.errstate(all="ignore"):
            small, large = (self._outputs_with(input_shape, size) for size in (1, 2))
        self.output_dtypes = [str(t.dtype) for t in small]
        shapes = [tuple(a if a == b else None for a, b in zip(s.shape, g.shape))
                  for s, g in zip(small, large)]  # fmt: skip
        return shapes if self._several else shapes[0]

    def _outputs_with(self, input_shape, size: int) -> list:
        dtypes = self.input_dtypes or [self._dtype] * len(input_shape)
        zeros = [np.zeros([size if d is None else d for d in shape], dtype)
                 for shape, dtype in zip(input_shape, dtypes)]  # fmt: skip
        with no_grad():
            try:
                out = self.call([Tensor(z) for z in zeros])
            except (ValueError, RuntimeError, ArithmeticError) as error:
                out = self._call_on_identities(zeros, error)
        self._several = isinstance(out, (tuple, list))
        return list(out) if self._several else [out]

    def _call_on_identities(self, zeros: list, error: Exception):
        """The op again on identity matrices in the last two axes: a matrix op (``inv``,
        ``cholesky``, ``solve``) refuses zeros. If it refuses these too, its first error."""
        eyes = [z + np.eye(*z.shape[-2:], dtype=z.dtype) if z.ndim >= 2 else z for z in zeros]
        try:
            return self.call([Tensor(e) for e in eyes])
        except Exception:
            raise error from None


# Argument types that are never symbolic nor hold a KerasTensor: one set lookup skips them, so
# an eager call (``ops.add(x, y)``, ``ops.mean(x, axis=1)``) pays ~0.1 µs for the check.
_PLAIN = frozenset({Tensor, np.ndarray, int, float, bool, str, type(None), np.dtype})


def _holds_symbolic(value) -> bool:
    if isinstance(value, KerasTensor):
        return True
    return isinstance(value, (list, tuple, dict)) and is_symbolic(value)


def has_symbolic(args: tuple, kwargs: dict) -> bool:
    """True when an argument (or an item of a list/tuple/dict argument, as in
    ``ops.concatenate([a, b])``) is a KerasTensor. Written out (no ``flatten``) because every
    eager op call asks it."""
    for value in args:
        if type(value) not in _PLAIN and _holds_symbolic(value):
            return True
    if kwargs:
        for value in kwargs.values():
            if type(value) not in _PLAIN and _holds_symbolic(value):
                return True
    return False


def symbolic_apply(fn, name: str, args: tuple, kwargs: dict):
    """``fn(*args, **kwargs)`` recorded as a layer called on the KerasTensors in the arguments;
    the other arguments are kept as they are and passed again at each replay."""
    leaves = flatten([list(args), kwargs])
    symbolic_leaves = [leaf for leaf in leaves if isinstance(leaf, KerasTensor)]

    def replay(tensors):
        given = iter(tensors)
        filled = [next(given) if isinstance(leaf, KerasTensor) else leaf for leaf in leaves]
        call_args, call_kwargs = pack_like([list(args), kwargs], filled)
        return fn(*call_args, **call_kwargs)

    replay.__name__ = name
    layer = OpLayer(replay, name=auto_name(name))
    layer.input_dtypes = [leaf.dtype for leaf in symbolic_leaves]
    outputs = layer(symbolic_leaves)
    for tensor, dtype in zip(flatten(outputs), layer.output_dtypes):
        tensor.dtype = dtype  # (the node's outputs take the layer's dtype; the op's is known)
    return outputs


def symbolic(fn):
    """Let ``fn`` take KerasTensors: on symbolic arguments it records a node through
    ``symbolic_apply``; otherwise it runs as written."""

    @functools.wraps(fn)
    def op(*args, **kwargs):
        if has_symbolic(args, kwargs):
            return symbolic_apply(fn, fn.__name__, args, kwargs)
        return fn(*args, **kwargs)

    return op
