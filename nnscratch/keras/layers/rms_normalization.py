"""``RMSNormalization``: divide by the root mean square along ``axis``, then scale.

``y = x / sqrt(mean(x**2) + epsilon) * scale``: no centring and no shift, so it is cheaper
than layer normalization and keeps the sign pattern of ``x``. ``scale`` has the input's sizes
on ``axis`` (one or several axes). It is ``keras.ops.rms_normalization``, composed here from
nnscratch's ops.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.exponential import rsqrt
from .layer import Layer, Shape

__all__ = ["RMSNormalization"]


class RMSNormalization(Layer):
    """Root-mean-square normalization with a learned ``scale`` (ones at first).

    As in Keras, ``axis`` becomes a sorted list once the layer is built.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.RMSNormalization(epsilon=0.0)(ns.tensor([[3.0, -3.0]])).tolist()
    [[1.0, -1.0]]
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs) -> None:
        super().__init__(**kwargs)
        _check_axis(f"RMSNormalization '{self.name}'", axis)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape: Shape) -> None:
        check_axes_fit(f"RMSNormalization '{self.name}'", self.axis, input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ValueError(
                f"RMSNormalization '{self.name}' needs known sizes on axis={self.axis}, "
                f"received shape {tuple(input_shape)}"
            )
        self.axis = axes
        self.add_weight(shape, "ones", name="scale")
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        check_axes_fit(f"RMSNormalization '{self.name}'", self.axis, inputs.shape)
        axes = [a % inputs.ndim for a in self.axis]
        y = inputs * rsqrt((inputs * inputs).mean(dim=tuple(axes), keepdim=True) + self.epsilon)
        scale_shape = [inputs.shape[d] if d in axes else 1 for d in range(inputs.ndim)]
        return y * self.scale.reshape(scale_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_axes_fit(f"RMSNormalization '{self.name}'", self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}


def _check_axis(owner: str, axis) -> None:
    """An int or a list/tuple of ints, else a TypeError naming ``owner``."""
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
        raise TypeError(
            f"{owner}: `axis` must be an int or a list/tuple of ints, received axis={axis!r}"
        )


def check_axes_fit(owner: str, axis, shape: Shape) -> None:
    """Refuse an ``axis`` (int or list) outside the rank of ``shape``."""
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    rank = len(shape)
    bad = [a for a in axes if not -rank <= a < rank]
    if bad:
        raise ValueError(
            f"{owner}: axis={axis} is out of bounds for inputs of shape {tuple(shape)}"
        )
