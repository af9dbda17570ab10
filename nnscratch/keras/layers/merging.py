"""Merge layers: combine a list of tensors into one (``Add``, ``Concatenate``, ...).

Elementwise merges (``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``)
broadcast their inputs as Keras does: dimensions after the batch are aligned on the right, and a
dimension of 1 (or a missing one) stretches to match. ``Concatenate`` joins along ``axis``.
Each has a functional form (``add([a, b])`` is ``Add()([a, b])``).
"""

from __future__ import annotations

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from .keras_tensor import is_shape
from .layer import Layer, Shape, format_shape

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]


class Merge(Layer):
    """Base of the elementwise merges: checks the input list, broadcasts, folds ``_merge``."""

    _exact_inputs: int | None = None  # Subtract takes exactly 2

    def build(self, input_shape) -> None:
        self.compute_output_shape(input_shape)  # raises on incompatible shapes
        super().build(input_shape)

    def compute_output_shape(self, input_shape) -> Shape:
        shapes = self._check_shape_list(input_shape)
        batch_sizes = {s[0] for s in shapes} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f"{self._describe()} cannot merge tensors with different batch sizes, received "
                f"shapes {_format_list(shapes)}"
            )
        inner = shapes[0][1:]
        for shape in shapes[1:]:
            inner = self._broadcast(inner, shape[1:], shapes)
        return (next(iter(batch_sizes), None), *inner)

    def compute_mask(self, inputs, mask=None):
        """Keras's rule for the elementwise merges: a step is kept where any input keeps it,
        and there is no mask at all as soon as one input has none."""
        if not mask or any(m is None for m in mask):
            return None
        return Tensor(np.logical_or.reduce(np.broadcast_arrays(*map(_bool_array, mask))))

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs) -> Tensor:
        self.compute_output_shape([tuple(x.shape) for x in self._check_list(inputs)])
        rank = max(x.ndim for x in inputs)
        # A lower-rank input gains size-1 dimensions right after the batch axis.
        xs = [x.reshape(x.shape[0], *(1,) * (rank - x.ndim), *x.shape[1:]) for x in inputs]
        return self._merge(xs)

    def _merge(self, xs: list[Tensor]) -> Tensor:
        raise NotImplementedError

    # ---- checks -----------------------------------------------------------------------------
    def _describe(self) -> str:
        return f"{type(self).__name__} layer '{self.name}'"

    def _check_list(self, inputs) -> list:
        if not isinstance(inputs, (list, tuple)):
            shape = getattr(inputs, "shape", None)
            raise ValueError(
                f"{self._describe()} should be called on a list of inputs, received a single "
                f"input of shape {shape}"
            )
        if self._exact_inputs is not None and len(inputs) != self._exact_inputs:
            raise ValueError(
                f"{self._describe()} should be called on exactly {self._exact_inputs} inputs, "
                f"received {len(inputs)}"
            )
        if not inputs:
            raise ValueError(f"{self._describe()} should be called on at least 1 input")
        return list(inputs)

    def _check_shape_list(self, input_shape) -> list[Shape]:
        if is_shape(input_shape) and input_shape:
            raise ValueError(
                f"{self._describe()} should be called on a list of inputs, received a single "
                f"input of shape {format_shape(input_shape)}"
            )
        return [tuple(s) for s in self._check_list(input_shape)]

    def _broadcast(self, a: Shape, b: Shape, shapes: list[Shape]) -> Shape:
        """Keras's rule on the dimensions after the batch: aligned right, 1 stretches."""
        if len(a) < len(b):
            a, b = b, a
        out = list(a[: len(a) - len(b)])
        for i, j in zip(a[len(a) - len(b) :], b):
            if i is None or j is None:
                out.append(None)
            elif i == 1 or j == 1 or i == j:
                out.append(j if i == 1 else i)
            else:
                raise ValueError(
                    f"{self._describe()} received inputs of incompatible shapes "
                    f"{_format_list(shapes)}: after the batch axis, dimensions must be equal or "
                    "1 (to broadcast)"
                )
        return tuple(out)


class Add(Merge):
    """Elementwise sum of a list of inputs: ``y = x_0 + x_1 + ...``.

    >>> from nnscratch import keras
    >>> x = keras.Input(shape=(4,))
    >>> keras.layers.Add()([x, keras.layers.Dense(4)(x)]).shape
    (None, 4)
    """

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Subtract(Merge):
    """Elementwise difference of exactly two inputs: ``y = x_0 - x_1``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Subtract()([ns.ones(1, 2), ns.ones(1, 2)]).numpy().tolist()
    [[0.0, 0.0]]
    """

    _exact_inputs = 2

    def _merge(self, xs):
        return xs[0] - xs[1]


class Multiply(Merge):
    """Elementwise product of a list of inputs: ``y = x_0 * x_1 * ...``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Multiply()([ns.full((1, 2), 3.0), ns.full((1, 2), 2.0)]).numpy().tolist()
    [[6.0, 6.0]]
    """

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Average(Merge):
    """Elementwise mean of a list of inputs: ``y = (x_0 + ... + x_{n-1}) / n``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Average()([ns.zeros(1, 2), ns.full((1, 2), 3.0)]).numpy().tolist()
    [[1.5, 1.5]]
    """

    def _merge(self, xs):
        return Add._merge(self, xs) / len(xs)


class Maximum(Merge):
    """Elementwise maximum of a list of inputs (ties share the gradient, as torch's).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Maximum()([ns.tensor([[1.0, 5.0]]), ns.tensor([[2.0, 0.0]])]).tolist()
    [[2.0, 5.0]]
    """

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = ops.maximum(out, x)
        return out


class Minimum(Merge):
    """Elementwise minimum of a list of inputs (ties share the gradient, as torch's).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.Minimum()([ns.tensor([[1.0, 5.0]]), ns.tensor([[2.0, 0.0]])]).tolist()
    [[1.0, 0.0]]
    """

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = ops.minimum(out, x)
        return out


class Concatenate(Merge):
    """Join a list of inputs along ``axis``; all other dimensions must match.

    >>> from nnscratch import keras
    >>> a, b = keras.Input(shape=(3,)), keras.Input(shape=(5,))
    >>> keras.layers.Concatenate()([a, b]).shape
    (None, 8)
    """

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def compute_output_shape(self, input_shape) -> Shape:
        shapes = self._check_shape_list(input_shape)
        rank = len(shapes[0])
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 0 <= axis < rank or any(len(s) != rank for s in shapes):
            self._mismatch(shapes)
        out = list(shapes[0])
        for shape in shapes[1:]:
            for i, (d, e) in enumerate(zip(out, shape)):
                if i != axis and d is not None and e is not None and d != e:
                    self._mismatch(shapes)
                out[i] = e if d is None and i != axis else d
        sizes = [s[axis] for s in shapes]
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def _mismatch(self, shapes: list[Shape]) -> None:
        raise ValueError(
            f"{self._describe()} requires inputs with matching shapes except on the "
            f"concatenation axis (axis={self.axis}), received shapes {_format_list(shapes)}"
        )

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs) -> Tensor:
        inputs = self._check_list(inputs)
        self.compute_output_shape([tuple(x.shape) for x in inputs])
        return ops.cat(list(inputs), dim=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Keras's rule: each input's mask spread over its features (all kept where it has
        none), joined like the inputs; a step is kept where any of its features is."""
        if not mask or all(m is None for m in mask):
            return None
        spread = [_spread_mask(x, m) for x, m in zip(inputs, mask)]
        return Tensor(np.concatenate(spread, axis=self.axis).any(axis=-1))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def _format_list(shapes: list[Shape]) -> str:
    return "[" + ", ".join(format_shape(s) for s in shapes) + "]"


# ---- functional forms -------------------------------------------------------------------------
def add(inputs: list, **kwargs):
    """``Add(**kwargs)(inputs)``: the elementwise sum of ``inputs``.

    >>> from nnscratch import keras
    >>> x = keras.Input(shape=(2,))
    >>> keras.layers.add([x, x]).shape
    (None, 2)
    """
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs):
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.subtract([ns.full((1, 2), 3.0), ns.ones(1, 2)]).tolist()
    [[2.0, 2.0]]
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs):
    """``Multiply(**kwargs)(inputs)``: the elementwise product of ``inputs``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.multiply([ns.full((1, 2), 3.0), ns.full((1, 2), 2.0)]).tolist()
    [[6.0, 6.0]]
    """
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs):
    """``Average(**kwargs)(inputs)``: the elementwise mean of ``inputs``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.average([ns.zeros(1, 2), ns.ones(1, 2)]).tolist()
    [[0.5, 0.5]]
    """
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs):
    """``Maximum(**kwargs)(inputs)``: the elementwise maximum of ``inputs``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.maximum([ns.tensor([[1.0, 4.0]]), ns.tensor([[3.0, 2.0]])]).tolist()
    [[3.0, 4.0]]
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs):
    """``Minimum(**kwargs)(inputs)``: the elementwise minimum of ``inputs``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.minimum([ns.tensor([[1.0, 4.0]]), ns.tensor([[3.0, 2.0]])]).tolist()
    [[1.0, 2.0]]
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``: ``inputs`` joined along ``axis``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.concatenate([ns.ones(2, 3), ns.zeros(2, 1)]).shape
    (2, 4)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def _bool_array(mask) -> np.ndarray:
    return np.asarray(getattr(mask, "_data", mask), dtype=bool)


def _spread_mask(x, mask) -> np.ndarray:
    """A boolean mask the shape of ``x``: all True without a mask, else broadcast over the
    trailing dimensions the mask lacks."""
    if mask is None:
        return np.ones(x.shape, dtype=bool)
    array = _bool_array(mask)
    array = array.reshape(array.shape + (1,) * (len(x.shape) - array.ndim))
    return np.broadcast_to(array, x.shape)
