"""Single recurrent steps, as torch.nn: ``RNNCell``, ``LSTMCell``, ``GRUCell``.

A cell is one time step: the same fused op as the sequence layers, over a sequence of length
one.
"""

from __future__ import annotations

import math

from ..autograd.device import check as check_device
from ..autograd.dtypes import get_default_dtype, to_dtype
from ..autograd.tensor import Tensor
from ..ops.creation import empty
from ..ops.recurrent import gru_sequence, lstm_sequence, rnn_sequence
from . import init
from .module import Module
from .parameter import Parameter
from .rnn import _check_dtype, _check_size, _check_state, _describe

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class RNNCellBase(Module):
    """The parameters of a cell with ``num_chunks`` gates: ``weight_ih`` (G*hidden, in),
    ``weight_hh`` (G*hidden, hidden), ``bias_ih`` and ``bias_hh`` (G*hidden,) or None, all
    uniform in +-1/sqrt(hidden_size) from nnscratch's generator.

    >>> import nnscratch as ns
    >>> ns.nn.RNNCellBase(3, 5, bias=False, num_chunks=4).weight_hh.shape
    (20, 5)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        check_device(type(self).__name__, device)
        name = type(self).__name__
        _check_size(name, "input_size", input_size, minimum=0)
        _check_size(name, "hidden_size", hidden_size, minimum=1)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(empty(gates, input_size, dtype=dtype))
        self.weight_hh = Parameter(empty(gates, hidden_size, dtype=dtype))
        for kind in ("bias_ih", "bias_hh"):
            self.register_parameter(kind, Parameter(empty(gates, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _prepare(self, input, hx, names: tuple) -> tuple[Tensor, list, bool]:
        """(input as a sequence of one step (1, batch, in), states or Nones, batched)."""
        batched = self._check_input(input)
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            states = [None] * len(names)
        else:
            states = list(hx) if len(names) == 2 else [hx]
            shape, layout = (x.shape[0], self.hidden_size), "(batch, hidden_size)"
            if not batched:
                shape, layout = (self.hidden_size,), "(hidden_size,) for unbatched input"
            for name, state in zip(names, states):
                _check_state(self._get_name(), name, state, shape, layout)
                _check_dtype(self._get_name(), name, state, self.weight_hh)
            states = states if batched else [s.unsqueeze(0) for s in states]
        return x.unsqueeze(0), states, batched

    def _weights(self) -> tuple:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def _check_input(self, input) -> bool:
        name = self._get_name()
        if not isinstance(input, Tensor) or input.ndim not in (1, 2):
            raise ValueError(
                f"{name}: expected input of 1 or 2 dimensions (batch, features), or "
                f"(features,) unbatched, received {_describe(input)}"
            )
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: expected input with {self.input_size} features (input_size) in its "
                f"last dimension, received shape {input.shape}"
            )
        _check_dtype(name, "input", input, self.weight_ih)
        return input.ndim == 2

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text


class RNNCell(RNNCellBase):
    """One Elman step: ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``, act tanh or relu.

    ``forward(input, hx=None)``: input (batch, in) or (in,), hx like the result (zeros if None).

    >>> import nnscratch as ns
    >>> cell = ns.nn.RNNCell(3, 4, nonlinearity="relu")
    >>> cell(ns.randn(2, 3)).shape, cell
    ((2, 4), RNNCell(3, 4, nonlinearity=relu))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNNCell: unknown nonlinearity {nonlinearity!r}; select 'tanh' or 'relu'"
            )
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h0,), batched = self._prepare(input, hx, ("hx",))
        _, h = rnn_sequence(x, h0, *self._weights(), self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: gates ``(i, f, g, o)`` of ``x W_ih^T + b_ih + h W_hh^T + b_hh``,
    ``c' = f c + i g``, ``h' = o tanh(c')``; returns ``(h', c')``.

    ``forward(input, hx=None)``: hx is an optional tuple ``(h, c)``, zeros if None.

    >>> import nnscratch as ns
    >>> h, c = ns.nn.LSTMCell(3, 4)(ns.randn(3))  # unbatched
    >>> h.shape, c.shape
    ((4,), (4,))
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None):
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"LSTMCell: expected hx as a tuple (h, c), received {_describe(hx)}")
        x, states, batched = self._prepare(input, hx, ("h", "c"))
        _, h, c = lstm_sequence(x, *states, *self._weights())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: ``r, z = sigmoid(...)``, ``n = tanh(x W_in^T + b_in + r (h W_hn^T +
    b_hn))``, ``h' = (1 - z) n + z h``.

    >>> import nnscratch as ns
    >>> ns.nn.GRUCell(3, 4)(ns.randn(5, 3), ns.zeros(5, 4)).shape
    (5, 4)
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h0,), batched = self._prepare(input, hx, ("hx",))
        _, h = gru_sequence(x, h0, *self._weights())
        return h if batched else h.squeeze(0)
