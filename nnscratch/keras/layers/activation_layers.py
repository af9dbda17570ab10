"""The activation functions that Keras also ships as layers: ``ReLU``, ``LeakyReLU``,
``PReLU`` (a learned slope), ``ELU`` and ``Softmax`` (with an optional mask).

They are elementwise (``Softmax`` along an axis), so they keep the shape and pass any mask
on; all but ``PReLU`` have no weights. The maths lives in ``keras.activations`` and the ops.
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...ops import logsumexp, where
from .. import activations, initializers, regularizers
from .layer import Layer, Shape

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]

_LARGE_NEGATIVE = -1e9  # what a masked-out position gets before the softmax (Keras's value)


def _non_negative(owner: str, name: str, value, allow_none: bool = False):
    """``value`` as a float, refused (naming ``owner``) when negative or, unless allowed, None."""
    if value is None and allow_none:
        return None
    if value is None or isinstance(value, bool) or not np.isscalar(value) or value < 0:
        raise ValueError(
            f"{owner}: `{name}` must be a non-negative number, received {name}={value!r}"
        )
    return value


class _Elementwise(Layer):
    """A weightless layer applied elementwise: built at once, the mask passes through."""

    supports_masking = True

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.built = True


class ReLU(_Elementwise):
    """``max(x, 0)``, with Keras's options: ``negative_slope * (x - threshold)`` below
    ``threshold``, and outputs capped at ``max_value``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.ReLU(max_value=6.0)(ns.tensor([[-1.0, 3.0, 9.0]])).tolist()
    [[0.0, 3.0, 6.0]]
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        owner = f"ReLU '{self.name}'"
        self.max_value = _non_negative(owner, "max_value", max_value, allow_none=True)
        self.negative_slope = _non_negative(owner, "negative_slope", negative_slope)
        self.threshold = _non_negative(owner, "threshold", threshold)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        return activations.relu(inputs, self.negative_slope, self.max_value, self.threshold)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(_Elementwise):
    """``x`` where positive, else ``negative_slope * x`` (default 0.3, the layer's Keras
    default; the ``leaky_relu`` function's is 0.2). ``alpha=`` is Keras 2's name, accepted.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.LeakyReLU()(ns.tensor([[-1.0, 2.0]])).tolist()
    [[-0.30000001192092896, 2.0]]
    """

    def __init__(self, negative_slope=0.3, **kwargs) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        owner = f"LeakyReLU '{self.name}'"
        self.negative_slope = _non_negative(owner, "negative_slope", negative_slope)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        return activations.leaky_relu(inputs, self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """``x`` where positive, else ``alpha * (exp(x) - 1)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> keras.layers.ELU(alpha=2.0)(ns.tensor([[0.0, 3.0]])).tolist()
    [[0.0, 3.0]]
    """

    def __init__(self, alpha=1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.alpha = alpha

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        return activations.elu(inputs, self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(Layer):
    """``x`` where positive, else ``alpha * x``, with ``alpha`` a trained weight.

    ``alpha`` has the shape of one sample, ``input_shape[1:]``, except along the
    ``shared_axes`` (counted with the batch axis as 0), where one slope serves every position:
    ``shared_axes=[1, 2]`` on images gives one slope per channel. It starts at zero
    (``alpha_initializer="zeros"``), so the layer begins as a ReLU.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.PReLU(alpha_initializer="ones", shared_axes=[1])
    >>> layer(ns.tensor([[[-2.0, 1.0], [3.0, -4.0]]])).tolist(), layer.alpha.shape
    ([[[-2.0, 1.0], [3.0, -4.0]]], (1, 2))
    """

    supports_masking = True
    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def __init__(
        self, alpha_initializer="Zeros", alpha_regularizer=None, shared_axes=None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            self.shared_axes = [int(a) for a in axes]

    def build(self, input_shape: Shape) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis <= len(shape):
                raise ValueError(
                    f"PReLU '{self.name}': `shared_axes` must name axes 1 to {len(shape)} of "
                    f"inputs of shape {tuple(input_shape)}, received {self.shared_axes}"
                )
            shape[axis - 1] = 1
        if None in shape:
            raise ValueError(
                f"PReLU '{self.name}' needs every unshared input axis known, received shape "
                f"{tuple(input_shape)} with shared_axes={self.shared_axes}"
            )
        self.add_weight(
            tuple(shape), self.alpha_initializer, regularizer=self.alpha_regularizer, name="alpha"
        )
        super().build(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        # relu(x) - alpha * relu(-x): the gradient of alpha is -relu(-x), Keras's composition
        return activations.relu(inputs) - self.alpha * activations.relu(-inputs)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "alpha_initializer": self.alpha_initializer,
            "alpha_regularizer": self.alpha_regularizer,
            "shared_axes": self.shared_axes,
        }


class Softmax(Layer):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int, or several axes at once).

    ``mask`` (at the call, or the inputs' mask in a model) marks the positions that count:
    true, or a number above 0.5. It broadcasts against the inputs from the right, as NumPy.
    Masked-out positions get probability 0 and the others share all of it.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> scores = ns.tensor([[1.0, 1.0, 5.0]])
    >>> keras.layers.Softmax()(scores, mask=ns.tensor([[True, True, False]])).tolist()
    [[0.5, 0.5, 0.0]]
    """

    supports_masking = True
    call_takes_training = False  # call(inputs, mask=None)
    call_mask_arguments = ("mask",)

    def __init__(self, axis=-1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
        self.built = True

    def call(self, inputs: Tensor, mask=None) -> Tensor:
        if mask is None:
            return self._softmax(inputs)
        keep = self._keep(inputs, mask)
        outputs = self._softmax(where(keep, inputs, _LARGE_NEGATIVE))
        return where(keep, outputs, 0.0)

    def _softmax(self, x: Tensor) -> Tensor:
        if not isinstance(self.axis, tuple):
            return activations.softmax(x, axis=self.axis)
        if len(self.axis) == 1:
            return activations.softmax(x, axis=self.axis[0])
        return (x - logsumexp(x, dim=self.axis, keepdim=True)).exp()

    def _keep(self, inputs: Tensor, mask) -> np.ndarray:
        """The mask as booleans (numbers: above 0.5), checked to broadcast against inputs."""
        m = mask.detach().numpy() if isinstance(mask, Tensor) else np.asarray(mask)
        fits = m.ndim <= inputs.ndim and all(
            a in (1, b) for a, b in zip(m.shape[::-1], inputs.shape[::-1])
        )
        if not fits:
            raise ValueError(
                f"Softmax '{self.name}': the mask must broadcast against the inputs (each of "
                f"its dims 1 or the input's, counted from the right), received inputs of shape "
                f"{tuple(inputs.shape)} and a mask of shape {m.shape}"
            )
        return m if m.dtype == np.bool_ else m > 0.5

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
