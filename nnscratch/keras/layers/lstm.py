"""``LSTM``: Keras's long short-term memory layer, on the fused ``lstm_sequence`` op."""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.recurrent import lstm_sequence
from .. import activations, initializers
from .layer import Shape
from .rnn import RNN, Cell, Runner, check_units

__all__ = ["LSTM", "LSTMCell"]

_FUSED = (activations.tanh, activations.sigmoid)  # what lstm_sequence computes


class LSTMCell(Cell):
    """The weights and recurrence of ``LSTM``: ``kernel`` (input_dim, 4 units),
    ``recurrent_kernel`` (units, 4 units) and ``bias`` (4 units,), gates in Keras's order
    (i, f, c, o), which is torch's (i, f, g, o): the fused op takes the kernels transposed."""

    def __init__(self, units: int, recurrent_activation="sigmoid", unit_forget_bias=True,
                 **kwargs) -> None:  # fmt: skip
        super().__init__(units, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self) -> list[int]:
        return [self.units, self.units]

    def build(self, input_shape: Shape) -> None:
        self._add_kernels(int(input_shape[-1]), 4)
        self._add_bias((4 * self.units,), self._bias_init())
        super().build(input_shape)

    def _bias_init(self):
        """With ``unit_forget_bias``: the forget gate's bias starts at ones (Keras)."""
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, ones = self.bias_initializer, initializers.get("ones")
        units = self.units

        def forget_ones(shape, dtype=None):
            parts = (base((units,), dtype), ones((units,), dtype), base((2 * units,), dtype))
            return np.concatenate(parts)

        return forget_ones

    def runner(self) -> Runner:
        kernel_t = self.kernel.T  # torch's (out, in) layout, a view
        if (self.activation, self.recurrent_activation) != _FUSED:
            return self._stepper(self._step, kernel_t, self.bias)
        recurrent_t = self.recurrent_kernel.T

        def run(x: Tensor, states: list) -> tuple[Tensor, list[Tensor]]:
            out, h, c = lstm_sequence(x, *states, kernel_t, recurrent_t, self.bias, None)
            return out, [h, c]

        return run

    def _step(self, projected: Tensor, states: list) -> list[Tensor]:
        """Any activations: c = f c + i act(z_c),  h = o act(c)."""
        h, c = states
        z = projected + h @ self.recurrent_kernel
        n, gate = self.units, self.recurrent_activation
        i, f, o = gate(z[:, :n]), gate(z[:, n : 2 * n]), gate(z[:, 3 * n :])
        c = f * c + i * self.activation(z[:, 2 * n : 3 * n])
        return [o * self.activation(c), c]


class LSTM(RNN):
    """Long short-term memory (Hochreiter and Schmidhuber, 1997), with Keras's arguments,
    defaults and weights (``kernel``, ``recurrent_kernel``, ``bias`` on ``layer.cell``, gates
    i, f, c, o). The default activations run as one fused op over the sequence; other
    activations step by step. States: ``[h, c]``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.LSTM(4, return_state=True)
    >>> out, h, c = layer(ns.ones(2, 5, 3))
    >>> out.shape, c.shape, [tuple(w.shape) for w in layer.weights]
    ((2, 4), (2, 4), [(3, 16), (4, 16), (16,)])
    >>> layer.cell.bias.tolist()[3:9]  # unit_forget_bias: the forget gate's bias starts at 1
    [0.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        **kwargs,
    ) -> None:
        check_units("LSTM", units)
        cell = LSTMCell(
            units, recurrent_activation, unit_forget_bias, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, dtype=kwargs.get("dtype"), name="lstm_cell",
        )  # fmt: skip
        super().__init__(cell, dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.cell.recurrent_activation),
            "unit_forget_bias": self.cell.unit_forget_bias,
            "seed": self.seed,
        }
