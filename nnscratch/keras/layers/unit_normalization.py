"""``UnitNormalization``: scale each vector along ``axis`` to unit L2 norm.

``y = x * min(1 / sqrt(sum(x**2)), 1e12)``: a weightless layer (built at once) that keeps the
shape and passes any mask on. It is ``keras.ops.normalize`` with ``epsilon=1e-12``, Keras's
(the cap leaves an all-zero vector at zero), composed here from nnscratch's ops.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.checks import is_int
from ...ops.elementwise import clamp
from ...ops.exponential import rsqrt
from .layer import Layer, Shape
from .rms_normalization import check_axes_fit

__all__ = ["UnitNormalization", "l2_normalize"]

_EPSILON = 1e-12


class UnitNormalization(Layer):
    """Each slice along ``axis`` (an int or a list of ints) divided by its L2 norm.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.UnitNormalization()(ns.tensor([[3.0, 4.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and all(is_int(a) for a in axis):
            self.axis = list(axis)
        elif is_int(axis):
            self.axis = axis
        else:
            raise TypeError(
                f"UnitNormalization '{self.name}': `axis` must be an int or a list/tuple of "
                f"ints, received axis={axis!r}"
            )
        self.built = True

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        check_axes_fit(f"UnitNormalization '{self.name}'", self.axis, inputs.shape)
        return l2_normalize(inputs, self.axis, _EPSILON)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_axes_fit(f"UnitNormalization '{self.name}'", self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def l2_normalize(x: Tensor, axis, epsilon: float) -> Tensor:
    """``x`` over its L2 norm along ``axis`` (an int or a list), the inverse norm capped at
    ``1 / epsilon``: Keras's ``ops.normalize(x, axis, order=2, epsilon)``."""
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return x * clamp(rsqrt((x * x).sum(dim=dims, keepdim=True)), max=1.0 / epsilon)
