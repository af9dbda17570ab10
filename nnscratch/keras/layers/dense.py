"""``Dense``: ``activation(inputs @ kernel + bias)``, on the same fused op as ``nn.Linear``."""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.linalg import dense
from .. import activations, initializers, regularizers
from .layer import Layer, Shape

__all__ = ["Dense"]

# Keras activations that are exactly one op which dense() can run in its own node.
_FUSED_ACTIVATIONS = {
    activations.relu: "relu", activations.sigmoid: "sigmoid", activations.tanh: "tanh"
}  # fmt: skip


class Dense(Layer):
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    The kernel has Keras's shape ``(input_dim, units)``, so weights copy across from Keras with
    ``get_weights`` / ``set_weights``; it is built on the first call, or as soon as a model
    knows its input shape. Inputs may have leading dimensions beyond the batch.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.Dense(3, activation="relu")
    >>> layer(ns.ones(4, 2)).shape, layer.kernel.shape, layer.bias.shape
    ((4, 3), (2, 3), (3,))
    """

    supports_masking = True  # as Keras's: the inputs' mask passes on to the outputs

    def __init__(
        self,
        units: int,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive "
                f"integer. Received: units={units}"
            )
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                f"Dense '{self.name}' needs inputs with at least 2 dimensions and a known last "
                f"dimension, received shape {tuple(input_shape)}"
            )
        self.input_dim = int(input_shape[-1])
        self.add_weight(
            (self.input_dim, self.units),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        if self.use_bias:
            self.add_weight(
                (self.units,), self.bias_initializer, regularizer=self.bias_regularizer, name="bias"
            )
        else:
            self.register_parameter("bias", None)
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        shape = inputs.shape
        if len(shape) < 2 or shape[-1] != self.input_dim:
            self._refuse_input_shape(shape)
        # dense is linear's op reading the (in, out) kernel as stored: no transpose node; the
        # usual activations run inside that node (one node per layer on every step of fit)
        fused = _FUSED_ACTIVATIONS.get(self.activation)
        if fused is not None:
            return dense(inputs, self.kernel, self.bias, activation=fused)
        return self.activation(dense(inputs, self.kernel, self.bias))

    def _refuse_input_shape(self, shape: Shape) -> None:
        """The error for inputs ``call`` found the wrong shape."""
        if len(shape) < 2:
            raise ValueError(
                f"Dense '{self.name}' expects inputs with at least 2 dimensions (batch, "
                f"features), received shape {tuple(shape)}"
            )
        raise ValueError(
            f"Dense '{self.name}' expects inputs with last dimension {self.input_dim}, "
            f"received shape {tuple(shape)}"
        )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer,
            "bias_initializer": self.bias_initializer,
            "kernel_regularizer": self.kernel_regularizer,
            "bias_regularizer": self.bias_regularizer,
        }
