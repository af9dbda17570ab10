"""``SimpleRNN``: ``h_t = activation(x_t kernel + h_{t-1} recurrent_kernel + bias)``."""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.recurrent import rnn_sequence
from .. import activations
from .layer import Shape
from .rnn import RNN, Cell, Runner, check_units

__all__ = ["SimpleRNN", "SimpleRNNCell"]

_FUSED = {activations.tanh: "tanh", activations.relu: "relu"}  # what rnn_sequence computes


class SimpleRNNCell(Cell):
    """The weights and recurrence of ``SimpleRNN``: ``kernel`` (input_dim, units),
    ``recurrent_kernel`` (units, units), ``bias`` (units,)."""

    @property
    def state_size(self) -> list[int]:
        return [self.units]

    def build(self, input_shape: Shape) -> None:
        self._add_kernels(int(input_shape[-1]), 1)
        self._add_bias((self.units,), self.bias_initializer)
        super().build(input_shape)

    def runner(self) -> Runner:
        kernel_t = self.kernel.T  # torch's (out, in) layout, a view
        if self.activation not in _FUSED:
            return self._stepper(self._step, kernel_t, self.bias)
        recurrent_t, nonlinearity = self.recurrent_kernel.T, _FUSED[self.activation]

        def run(x: Tensor, states: list) -> tuple[Tensor, list[Tensor]]:
            out, h = rnn_sequence(x, states[0], kernel_t, recurrent_t, self.bias, None,
                                  nonlinearity)  # fmt: skip
            return out, [h]

        return run

    def _step(self, projected: Tensor, states: list) -> list[Tensor]:
        return [self.activation(projected + states[0] @ self.recurrent_kernel)]


class SimpleRNN(RNN):
    """A fully connected recurrent layer: ``h_t = activation(x_t kernel + h_{t-1}
    recurrent_kernel + bias)``, Keras's arguments, defaults and weights (``kernel``,
    ``recurrent_kernel``, ``bias``, on ``layer.cell``). tanh and relu run as one fused op;
    other activations step by step.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.SimpleRNN(4, return_sequences=True)
    >>> layer(ns.ones(2, 5, 3)).shape, [tuple(w.shape) for w in layer.weights]
    ((2, 5, 4), [(3, 4), (4, 4), (4,)])
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        **kwargs,
    ) -> None:
        check_units("SimpleRNN", units)
        cell = SimpleRNNCell(
            units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            dtype=kwargs.get("dtype"), name="simple_rnn_cell",
        )  # fmt: skip
        super().__init__(cell, dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
