"""``GRU``: Keras's gated recurrent unit, on the fused ``gru_sequence`` op when it can."""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.recurrent import gru_sequence
from .. import activations
from .layer import Shape
from .rnn import RNN, Cell, Runner, check_units

__all__ = ["GRU", "GRUCell"]


class GRUCell(Cell):
    """The weights and recurrence of ``GRU``: ``kernel`` (input_dim, 3 units),
    ``recurrent_kernel`` (units, 3 units), gates in Keras's order (z, r, h), and ``bias``:
    (2, 3 units) with ``reset_after`` (row 0 for the input, row 1 for the recurrent side),
    else (3 units,).

    With ``reset_after`` the cell is torch's GRU with the gates reordered: the reset gate
    multiplies ``h recurrent_kernel_h + bias[1]_h``, as torch's r does ``h W_hn^T + b_hn``."""

    def __init__(self, units: int, recurrent_activation="sigmoid", reset_after=True,
                 **kwargs) -> None:  # fmt: skip
        super().__init__(units, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    @property
    def state_size(self) -> list[int]:
        return [self.units]

    def build(self, input_shape: Shape) -> None:
        self._add_kernels(int(input_shape[-1]), 3)
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_bias(shape, self.bias_initializer)
        super().build(input_shape)

    def runner(self) -> Runner:
        gates = (self.activation, self.recurrent_activation)
        if not self.reset_after or gates != (activations.tanh, activations.sigmoid):
            bias = self.bias if self.bias is None or not self.reset_after else self.bias[0]
            return self._stepper(self._step, self.kernel.T, bias)
        weights = self._torch_weights()

        def run(x: Tensor, states: list) -> tuple[Tensor, list[Tensor]]:
            out, h = gru_sequence(x, states[0], *weights)
            return out, [h]

        return run

    def _torch_weights(self) -> tuple:
        """(w_ih, w_hh, b_ih, b_hh) in torch's layout: gates (r, z, n), rows per output."""
        n = self.units
        order = np.r_[n : 2 * n, 0:n, 2 * n : 3 * n]  # Keras's (z, r, h) to torch's (r, z, n)
        w_ih, w_hh = self.kernel[:, order].T, self.recurrent_kernel[:, order].T
        if self.bias is None:
            return w_ih, w_hh, None, None
        bias = self.bias[:, order]
        return w_ih, w_hh, bias[0], bias[1]

    def _step(self, projected: Tensor, states: list) -> list[Tensor]:
        """Any activations, either reset placement: h = z h_prev + (1 - z) hh."""
        (h,) = states
        n, gate, kernel = self.units, self.recurrent_activation, self.recurrent_kernel
        if self.reset_after:  # the reset gate scales h's whole contribution, bias included
            rec = h @ kernel if self.bias is None else h @ kernel + self.bias[1]
            rz, h_part = rec[:, : 2 * n], rec[:, 2 * n :]
        else:  # the reset gate scales h before its matmul
            rz, h_part = h @ kernel[:, : 2 * n], None
        z = gate(projected[:, :n] + rz[:, :n])
        r = gate(projected[:, n : 2 * n] + rz[:, n:])
        h_part = r * h_part if self.reset_after else (r * h) @ kernel[:, 2 * n :]
        candidate = self.activation(projected[:, 2 * n :] + h_part)
        return [z * h + (1 - z) * candidate]


class GRU(RNN):
    """Gated recurrent unit (Cho et al., 2014), with Keras's arguments, defaults and weights
    (``kernel``, ``recurrent_kernel``, ``bias`` on ``layer.cell``, gates z, r, h).
    ``reset_after=True`` (Keras's default) with the default activations runs as one fused op;
    ``reset_after=False`` and other activations step by step.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.GRU(4, return_sequences=True)
    >>> layer(ns.ones(2, 5, 3)).shape, [tuple(w.shape) for w in layer.weights]
    ((2, 5, 4), [(3, 12), (4, 12), (2, 12)])
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
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        reset_after: bool = True,
        **kwargs,
    ) -> None:
        check_units("GRU", units)
        cell = GRUCell(
            units, recurrent_activation, reset_after, activation=activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, dtype=kwargs.get("dtype"), name="gru_cell",
        )  # fmt: skip
        super().__init__(cell, dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)

    @property
    def reset_after(self) -> bool:
        return self.cell.reset_after

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.cell.recurrent_activation),
            "reset_after": self.cell.reset_after,
            "seed": self.seed,
        }
