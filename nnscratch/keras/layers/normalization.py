"""``BatchNormalization`` and ``LayerNormalization``, on the fused ``batch_norm`` and
``layer_norm`` ops that ``nn.BatchNorm1d`` and ``nn.LayerNorm`` use."""

from __future__ import annotations

import math
import warnings
from numbers import Integral

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...ops.creation import from_numpy
from ...ops.movement import permute, reshape
from ...ops.normalization import batch_norm, layer_norm
from .. import initializers, regularizers
from .layer import Layer, Shape

__all__ = ["BatchNormalization", "LayerNormalization"]

_MASK_EPSILON = 1e-7  # Keras's backend.epsilon(), guarding a masked count of zero


class BatchNormalization(Layer):
    """Normalises each feature (along ``axis``) with the batch's mean and variance while
    training, and with ``moving_mean`` / ``moving_variance`` otherwise; then scales by
    ``gamma`` and shifts by ``beta``.

    Each training call updates ``moving = moving * momentum + batch * (1 - momentum)`` with
    the batch's biased variance, as Keras 3 does. A frozen layer (``trainable=False``) always
    runs in inference mode. Weights: ``gamma, beta`` (trainable), then ``moving_mean,
    moving_variance`` (non-trainable), each of shape ``(input_shape[axis],)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> bn = keras.layers.BatchNormalization(momentum=0.5, epsilon=0.0)
    >>> bn(ns.tensor([[1.0, 10.0], [3.0, 30.0]]), training=True).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> bn.moving_mean.tolist(), bn.moving_variance.tolist()
    ([1.0, 10.0], [1.0, 50.5])
    """

    supports_masking = True

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        **kwargs,
    ) -> None:
        if isinstance(axis, bool) or not isinstance(axis, Integral):
            raise TypeError(f"BatchNormalization: axis must be an int, received {axis!r}")
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def build(self, input_shape: Shape) -> None:
        self._axis = _wrap_axis(self, self.axis, input_shape)
        self._input_rank, channels = len(input_shape), input_shape[self._axis]
        if channels is None:
            raise ValueError(
                f"BatchNormalization '{self.name}' needs a known size along axis {self.axis}, "
                f"received shape {tuple(input_shape)}"
            )
        shape = (int(channels),)
        if self.scale:
            self.add_weight(shape, self.gamma_initializer, regularizer=self.gamma_regularizer,
                            name="gamma")  # fmt: skip
        if self.center:
            self.add_weight(shape, self.beta_initializer, regularizer=self.beta_regularizer,
                            name="beta")  # fmt: skip
        self.add_weight(shape, self.moving_mean_initializer, trainable=False, name="moving_mean")
        self.add_weight(
            shape, self.moving_variance_initializer, trainable=False, name="moving_variance"
        )
        super().build(input_shape)

    call_takes_training = True  # call(inputs, training, mask)
    call_mask_arguments = ("mask",)

    def call(self, inputs: Tensor, training: bool = False, mask=None) -> Tensor:
        self._check_input_shape(inputs.shape)
        shape = inputs.shape
        # (before, features, after): batch_norm's (N, C, *) layout, whatever the axis
        view = (
            math.prod(shape[: self._axis]),
            shape[self._axis],
            math.prod(shape[self._axis + 1 :]),
        )
        x = reshape(inputs, view)
        gamma, beta = getattr(self, "gamma", None), getattr(self, "beta", None)
        if not (training and self.trainable):
            y = batch_norm(x, self.moving_mean, self.moving_variance, gamma, beta, False, 0.0,
                           self.epsilon)  # fmt: skip
        elif mask is None and view[0] * view[2] > 1:
            y = self._fused_training(x, gamma, beta)
        else:
            y = self._composed_training(x, _mask_view(self, mask, shape, view), gamma, beta)
        return reshape(y, shape)

    def _fused_training(self, x: Tensor, gamma, beta) -> Tensor:
        """batch_norm with the batch's statistics; batch_norm writes the batch mean and the
        unbiased variance (torch's convention) into scratch buffers when momentum is 1."""
        mean, unbiased = (from_numpy(np.zeros(x.shape[1], x.dtype)) for _ in range(2))
        y = batch_norm(x, mean, unbiased, gamma, beta, True, 1.0, self.epsilon)
        n = x.shape[0] * x.shape[2]
        self._update_moving(mean.numpy(), unbiased.numpy() * ((n - 1) / n))
        return y

    def _composed_training(self, x: Tensor, mask: np.ndarray | None, gamma, beta) -> Tensor:
        """The batch norm composed from Tensor ops: for masked moments (Keras's weighting), and
        for a single value per feature, which batch_norm refuses and Keras normalises to 0."""
        if mask is None:
            mean = x.mean(dim=(0, 2), keepdim=True)
            var = x.var(dim=(0, 2), correction=0, keepdim=True)
        else:
            count = from_numpy(mask.sum(axis=(0, 2), keepdims=True) + _MASK_EPSILON)
            mean = (x * from_numpy(mask)).sum(dim=(0, 2), keepdim=True) / count
            centred = (x - mean) * from_numpy(mask)
            var = (centred * centred).sum(dim=(0, 2), keepdim=True) / count
        self._update_moving(mean.numpy().reshape(-1), var.numpy().reshape(-1))
        scale = (var + self.epsilon).sqrt()
        scale = 1.0 / scale if gamma is None else reshape(gamma, (1, -1, 1)) / scale
        y = (x - mean) * scale
        return y if beta is None else y + reshape(beta, (1, -1, 1))

    def _update_moving(self, mean: np.ndarray, var: np.ndarray) -> None:
        """moving = moving * momentum + batch * (1 - momentum), Keras's rule."""
        with no_grad():
            for moving, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
                moving.copy_(moving.numpy() * self.momentum + batch * (1.0 - self.momentum))

    def _check_input_shape(self, shape: Shape) -> None:
        channels = self.moving_mean.shape[0]
        if len(shape) != self._input_rank or shape[self._axis] != channels:
            raise ValueError(
                f"BatchNormalization '{self.name}' expects inputs of rank {self._input_rank} "
                f"with {channels} features along axis {self.axis}, received shape {tuple(shape)}"
            )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": self.beta_initializer,
            "gamma_initializer": self.gamma_initializer,
            "moving_mean_initializer": self.moving_mean_initializer,
            "moving_variance_initializer": self.moving_variance_initializer,
            "beta_regularizer": self.beta_regularizer,
            "gamma_regularizer": self.gamma_regularizer,
        }


def _wrap_axis(layer: Layer, axis: int, input_shape: Shape) -> int:
    rank = len(input_shape)
    if not -rank <= axis < rank:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}' got axis={axis}, out of range for inputs "
            f"of rank {rank} (shape {tuple(input_shape)})"
        )
    return axis % rank


def _mask_view(layer: Layer, mask, shape: tuple, view: tuple) -> np.ndarray | None:
    """A Keras mask (the inputs' shape without the last axis) as 0/1 weights over ``view``."""
    if mask is None:
        return None
    mask = np.asarray(getattr(mask, "_data", mask))
    if mask.shape != shape[:-1]:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}' expects a mask of shape {shape[:-1]} (the "
            f"inputs' shape without the last axis), received mask of shape {mask.shape} for "
            f"inputs of shape {shape}"
        )
    weights = np.broadcast_to(mask[..., None].astype(bool), shape)
    return weights.reshape(view).astype(layer._dtype)


class LayerNormalization(Layer):
    """Normalises each sample over ``axis`` (an int or a list of ints, by default the last
    axis) with its own mean and variance, then scales by ``gamma`` and shifts by ``beta``
    (both of shape ``input_shape[axis]``). The same in training and inference.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.LayerNormalization(epsilon=0.0)
    >>> layer(ns.tensor([[1.0, 3.0], [0.0, 10.0]])).tolist(), [w.shape for w in layer.weights]
    ([[-1.0, 1.0], [-1.0, 1.0]], [(2,), (2,)])
    """

    supports_masking = True  # per position: the mask passes through

    def __init__(
        self,
        axis=-1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        rms_scaling: bool = False,
        **kwargs,
    ) -> None:
        if not _is_axis_spec(axis):
            raise TypeError(
                f"LayerNormalization: expected an int or a list/tuple of ints for axis, "
                f"received {axis!r}"
            )
        if rms_scaling:
            warnings.warn(
                "LayerNormalization(rms_scaling=True) is deprecated in Keras 3: it scales by "
                "the variance, not the root mean square",
                UserWarning,
                stacklevel=2,
            )
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon, self.center, self.scale = epsilon, center, scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def build(self, input_shape: Shape) -> None:
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        axes = [_wrap_axis(self, a, input_shape) for a in self.axis]
        self._input_rank = len(input_shape)
        # the normalised axes move to the end (in self.axis order) for layer_norm
        kept = [d for d in range(len(input_shape)) if d not in axes]
        self._perm = None if kept + axes == sorted(kept + axes) else kept + axes
        self._inverse = None if self._perm is None else list(np.argsort(self._perm))
        self._shape = tuple(input_shape[d] for d in axes)
        if self.scale or self.rms_scaling:
            self.add_weight(self._shape, self.gamma_initializer,
                            regularizer=self.gamma_regularizer, name="gamma")  # fmt: skip
        if self.center and not self.rms_scaling:
            self.add_weight(self._shape, self.beta_initializer,
                            regularizer=self.beta_regularizer, name="beta")  # fmt: skip
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        self._check_input_shape(inputs.shape)
        x = inputs if self._perm is None else permute(inputs, self._perm)
        gamma, beta = getattr(self, "gamma", None), getattr(self, "beta", None)
        if self.rms_scaling:  # Keras's deprecated variant: x / sqrt(var + eps) * gamma
            dims = tuple(range(-len(self._shape), 0))
            y = x / (x.var(dim=dims, correction=0, keepdim=True) + self.epsilon).sqrt()
            y = y if gamma is None else y * gamma
        else:
            y = layer_norm(x, self._shape, gamma, beta, self.epsilon)
        return y if self._inverse is None else permute(y, self._inverse)

    def _check_input_shape(self, shape: Shape) -> None:
        positions = [a % self._input_rank for a in self.axis]
        found = tuple(shape[d] for d in positions) if len(shape) == self._input_rank else None
        if found != self._shape:
            raise ValueError(
                f"LayerNormalization '{self.name}' expects inputs of rank {self._input_rank} "
                f"with sizes {self._shape} along axis {self.axis}, received shape {tuple(shape)}"
            )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        for axis in self.axis if isinstance(self.axis, list) else [self.axis]:
            _wrap_axis(self, axis, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": self.beta_initializer,
            "gamma_initializer": self.gamma_initializer,
            "beta_regularizer": self.beta_regularizer,
            "gamma_regularizer": self.gamma_regularizer,
        }


def _is_axis_spec(axis) -> bool:
    def is_int(a) -> bool:
        return isinstance(a, Integral) and not isinstance(a, bool)

    return is_int(axis) or (isinstance(axis, (list, tuple)) and all(is_int(a) for a in axis))
