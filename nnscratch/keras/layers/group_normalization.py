"""``GroupNormalization``: standardize each sample over groups of channels.

The ``C`` channels (along ``axis``) are split into ``groups`` groups of ``C / groups``
consecutive channels; each sample's group is standardized with its own mean and (biased)
variance over its channels and every other non-batch axis, then each channel is scaled by
``gamma`` and shifted by ``beta``. ``groups=C`` (or ``-1``) is instance normalization and
``groups=1`` is layer normalization over all axes. Nothing depends on the batch, so training
and inference compute the same thing. Composed of reshapes and means: the gradients are the ops'.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.exponential import rsqrt
from .. import initializers, regularizers
from .layer import Layer, Shape

__all__ = ["GroupNormalization"]


class GroupNormalization(Layer):
    """``(x - mean_g) / sqrt(var_g + epsilon) * gamma + beta`` with the statistics of each
    sample's group ``g`` of channels. Weights: ``gamma`` then ``beta``, each ``(C,)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.GroupNormalization(groups=2, epsilon=0.0)
    >>> layer(ns.tensor([[1.0, 3.0, 10.0, 30.0]])).tolist()
    [[-1.0, 1.0, -1.0, 1.0]]
    """

    supports_masking = True

    def __init__(
        self,
        groups=32,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if (
            isinstance(groups, bool)
            or not isinstance(groups, int)
            or (groups <= 0 and groups != -1)
        ):
            raise ValueError(
                f"GroupNormalization '{self.name}': `groups` must be a positive int (or -1 for "
                f"instance normalization), received groups={groups!r}"
            )
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                f"GroupNormalization '{self.name}': `axis` must be an int, received axis={axis!r}"
            )
        for name, value in (("beta_constraint", beta_constraint),
                            ("gamma_constraint", gamma_constraint)):  # fmt: skip
            if value is not None:
                raise NotImplementedError(
                    f"GroupNormalization '{self.name}': weight constraints are not supported, "
                    f"received {name}={value!r}"
                )
        self.groups, self.axis, self.epsilon = groups, axis, epsilon
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def _channel_axis(self, shape: Shape) -> int:
        rank = len(shape)
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(
                f"GroupNormalization '{self.name}': axis={self.axis} is not a non-batch axis "
                f"of inputs of shape {tuple(shape)}"
            )
        return self.axis % rank

    def build(self, input_shape: Shape) -> None:
        channels = input_shape[self._channel_axis(input_shape)]
        if channels is None:
            raise ValueError(
                f"GroupNormalization '{self.name}' needs a known size on axis {self.axis}, "
                f"received shape {tuple(input_shape)}"
            )
        self.groups = channels if self.groups == -1 else self.groups
        if channels < self.groups or channels % self.groups:
            raise ValueError(
                f"GroupNormalization '{self.name}': the {channels} channels (axis {self.axis}) "
                f"must split into groups={self.groups} equal groups"
            )
        for name, wanted in (("gamma", self.scale), ("beta", self.center)):
            if wanted:
                initializer = getattr(self, f"{name}_initializer")
                regularizer = getattr(self, f"{name}_regularizer")
                self.add_weight((channels,), initializer, regularizer=regularizer, name=name)
            else:
                self.register_parameter(name, None)
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        axis = self._channel_axis(inputs.shape)
        channels = inputs.shape[axis]
        if channels % self.groups:
            raise ValueError(
                f"GroupNormalization '{self.name}' was built for {self.groups} groups, received "
                f"inputs of shape {tuple(inputs.shape)}"
            )
        shape = inputs.shape
        grouped = (*shape[:axis], self.groups, channels // self.groups, *shape[axis + 1 :])
        x = inputs.reshape(grouped)
        stats = tuple(d for d in range(1, x.ndim) if d != axis)  # all but batch and group
        centered = x - x.mean(dim=stats, keepdim=True)
        variance = (centered * centered).mean(dim=stats, keepdim=True)
        y = (centered * rsqrt(variance + self.epsilon)).reshape(shape)
        per_channel = [1] * len(shape)
        per_channel[axis] = channels
        if self.gamma is not None:
            y = y * self.gamma.reshape(per_channel)
        if self.beta is not None:
            y = y + self.beta.reshape(per_channel)
        return y

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._channel_axis(input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": self.beta_initializer,
            "gamma_initializer": self.gamma_initializer,
            "beta_regularizer": self.beta_regularizer,
            "gamma_regularizer": self.gamma_regularizer,
            "beta_constraint": None,
            "gamma_constraint": None,
        }
