"""``Dot``: the per-sample dot product of two tensors along one axis of each (Keras's merge).

For ``x`` of shape ``(batch, *a)`` and ``y`` of shape ``(batch, *b)``, contracting
``x``'s axis ``i`` with ``y``'s axis ``j`` gives ``(batch, *a without i, *b without j)``:
every pair of a row of ``x`` and a column of ``y`` in the same sample. It is one batched
``matmul``: ``x`` with axis ``i`` moved last, flattened to ``(batch, rows, k)``, times ``y``
with axis ``j`` moved to 1, flattened to ``(batch, k, cols)``. A result with no axis left
but the batch is ``(batch, 1)``, as Keras returns it. ``normalize=True`` scales both along the
contracted axes to unit L2 norm first, so the result is the cosine similarity.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.arithmetic import matmul
from ...ops.checks import is_int
from ...ops.rearrange import movedim
from .layer import Layer, Shape
from .unit_normalization import l2_normalize

__all__ = ["Dot", "dot"]

_EPSILON = 1e-7  # Keras's backend.epsilon(): the inverse norm is capped at 1 / epsilon


class Dot(Layer):
    """The dot product of the samples of two inputs along ``axes`` (an int for both, or a
    pair: one axis of each; never the batch axis 0).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> x, y = ns.ones(2, 5, 3), ns.ones(2, 4, 3)
    >>> keras.layers.Dot(axes=(2, 2))([x, y]).shape
    (2, 5, 4)
    """

    def __init__(self, axes, normalize: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if not is_int(axes):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    f"Dot '{self.name}': `axes` must be an int or a list of two ints, "
                    f"received axes={axes!r}"
                )
            if len(axes) != 2 or not all(is_int(a) for a in axes):
                raise ValueError(
                    f"Dot '{self.name}': `axes` must hold exactly two ints (one axis of each "
                    f"input), received axes={axes!r}"
                )
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _pair(self, shapes: list) -> tuple[int, int]:
        """The contracted axis of each input, non-negative and checked against the shapes."""
        axes = (self.axes, self.axes) if is_int(self.axes) else tuple(self.axes)
        pair = tuple(a % len(s) if a < 0 else a for a, s in zip(axes, shapes))
        if 0 in pair or any(a >= len(s) for a, s in zip(pair, shapes)):
            raise ValueError(
                f"Dot '{self.name}': `axes` must name a non-batch axis of each input, received "
                f"axes={self.axes!r} for input shapes {shapes[0]} and {shapes[1]}"
            )
        n, m = shapes[0][pair[0]], shapes[1][pair[1]]
        if n is not None and m is not None and n != m:
            raise ValueError(
                f"Dot '{self.name}': the contracted axes differ in size: {n} (axis {pair[0]}) != "
                f"{m} (axis {pair[1]}), input shapes {shapes[0]} and {shapes[1]}"
            )
        return pair

    def _shapes(self, input_shape) -> list:
        if (
            not isinstance(input_shape, (list, tuple))
            or len(input_shape) != 2
            or not all(isinstance(s, (list, tuple)) for s in input_shape)
        ):
            raise ValueError(
                f"Dot '{self.name}' should be called on a list of 2 inputs, received "
                f"input_shape={input_shape!r}"
            )
        shapes = [tuple(s) for s in input_shape]
        if min(len(s) for s in shapes) < 2:
            raise ValueError(
                f"Dot '{self.name}' needs inputs of rank >= 2 (batch first), received shapes "
                f"{shapes[0]} and {shapes[1]}"
            )
        return shapes

    def build(self, input_shape) -> None:
        self.compute_output_shape(input_shape)
        super().build(input_shape)

    def compute_output_shape(self, input_shape) -> Shape:
        shapes = self._shapes(input_shape)
        i, j = self._pair(shapes)
        a, b = shapes
        out = (*a[:i], *a[i + 1 :], *b[1:j], *b[j + 1 :])
        return out if len(out) > 1 else (*out, 1)

    def compute_mask(self, inputs, mask=None):
        return None  # the steps of the inputs are contracted or multiplied out

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs) -> Tensor:
        x, y = inputs if isinstance(inputs, (list, tuple)) else (inputs, None)
        shapes = self._shapes([getattr(x, "shape", None), getattr(y, "shape", None)])
        if x.shape[0] != y.shape[0]:
            raise ValueError(
                f"Dot '{self.name}' cannot take inputs with different batch sizes, received "
                f"shapes {shapes[0]} and {shapes[1]}"
            )
        i, j = self._pair(shapes)
        if self.normalize:
            x, y = l2_normalize(x, i, _EPSILON), l2_normalize(y, j, _EPSILON)
        rows, cols = (*x.shape[1:i], *x.shape[i + 1 :]), (*y.shape[1:j], *y.shape[j + 1 :])
        x = movedim(x, i, -1).reshape(x.shape[0], -1, x.shape[i])
        y = movedim(y, j, 1).reshape(y.shape[0], y.shape[j], -1)
        out_shape = (x.shape[0], *rows, *cols)
        return matmul(x, y).reshape(out_shape if len(out_shape) > 1 else (*out_shape, 1))

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, **kwargs):
    """``Dot(axes=axes, **kwargs)(inputs)``: the functional form.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.dot([ns.ones(2, 3), 2 * ns.ones(2, 3)], axes=1).tolist()
    [[6.0], [6.0]]
    """
    return Dot(axes=axes, **kwargs)(inputs)
