"""Recurrent layers over whole sequences, as torch.nn: ``RNN``, ``LSTM``, ``GRU`` (``RNNBase``).

Each layer and direction is one fused op from ``ops/recurrent.py`` (the input projections of all
steps in one matmul, then the recurrence); layers stack with dropout between them, and the
reverse direction runs the same op on the time-reversed sequence.
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

from ..autograd.device import check as check_device
from ..autograd.dtypes import get_default_dtype, to_dtype
from ..autograd.tensor import Tensor
from ..ops.creation import empty
from ..ops.movement import cat, stack
from ..ops.recurrent import gru_sequence, lstm_sequence, rnn_sequence
from . import init
from .dropout import dropout
from .module import Module
from .parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The multi-layer recurrent layer behind ``RNN``, ``LSTM`` and ``GRU`` (``mode`` is one of
    ``'RNN_TANH'``, ``'RNN_RELU'``, ``'LSTM'``, ``'GRU'``).

    Parameters per layer ``k`` and direction, with torch's names and shapes:
    ``weight_ih_l{k}`` (G*hidden, in), ``weight_hh_l{k}`` (G*hidden, hidden), ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (G*hidden,), suffixed ``_reverse`` for the backward direction, where G is
    the number of gates (1, 4 or 3). All start uniform in +-1/sqrt(hidden_size), drawn from
    nnscratch's generator. Inputs are (seq, batch, features), or (batch, seq, features) with
    ``batch_first``, or (seq, features) unbatched.

    >>> import nnscratch as ns
    >>> ns.nn.RNNBase("GRU", 3, 5, num_layers=2).weight_ih_l1.shape
    (15, 5)
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        check_device(type(self).__name__, device)
        _check_config(self._get_name(), mode, input_size, hidden_size, num_layers, dropout)
        if proj_size:
            raise NotImplementedError(
                f"{self._get_name()}: proj_size={proj_size} (LSTM with projections) is not "
                "supported by nnscratch; apply a Linear layer to the output instead"
            )
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        self._all_weights = []  # parameter names, one list per layer and direction
        dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
        for layer in range(num_layers):
            for suffix in ("", "_reverse") if bidirectional else ("",):
                self._all_weights.append(self._add_weights(f"l{layer}{suffix}", layer, dtype))
        self.reset_parameters()

    def _add_weights(self, tag: str, layer: int, dtype) -> list[str]:
        gates = _GATES[self.mode] * self.hidden_size
        width = self.input_size if layer == 0 else self.hidden_size * self._directions
        shapes = {"weight_ih": (gates, width), "weight_hh": (gates, self.hidden_size)}
        if self.bias:
            shapes.update(bias_ih=(gates,), bias_hh=(gates,))
        for kind, shape in shapes.items():
            setattr(self, f"{kind}_{tag}", Parameter(empty(*shape, dtype=dtype)))
        return [f"{kind}_{tag}" for kind in shapes]

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters, one list per layer and direction: [w_ih, w_hh, (b_ih, b_hh)]."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Nothing to do: torch packs the weights into one buffer for cuDNN; the NumPy
        kernels read each weight where it is."""

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def forward(self, input: Tensor, hx: Tensor | tuple[Tensor, Tensor] | None = None):
        """``(output, h_n)`` (``(output, (h_n, c_n))`` for LSTM) with torch's shapes."""
        batched = self._check_input(input)
        x = input if batched else input.unsqueeze(1)
        x = x.transpose(0, 1) if batched and self.batch_first else x
        states = self._initial_states(hx, x.shape[1], batched)
        output, finals = self._layers(x, states)
        if not batched:
            output, finals = output.squeeze(1), [f.squeeze(1) for f in finals]
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, (tuple(finals) if self.mode == "LSTM" else finals[0])

    def _layers(self, x: Tensor, states: list) -> tuple[Tensor, list[Tensor]]:
        """Run every layer and direction; return the last layer's output and stacked finals."""
        finals = [[] for _ in states]  # per kind of state: one per layer and direction
        for layer in range(self.num_layers):
            if layer:  # between layers only, and only in training mode
                x = dropout(x, self.dropout, self.training)
            outputs = []
            for direction in range(self._directions):
                k = layer * self._directions + direction
                start = [None if s is None else s[k] for s in states]
                out, *last = self._direction(x, k, direction == 1, start)
                outputs.append(out)
                for kept, state in zip(finals, last):
                    kept.append(state)
            x = outputs[0] if len(outputs) == 1 else cat(outputs, 2)
        return x, [stack(kept) for kept in finals]

    def _direction(self, x: Tensor, k: int, reverse: bool, start: list) -> tuple:
        """One direction of one layer, one fused op; the reverse direction reads (and writes)
        the sequence backwards."""
        weights = [getattr(self, name) for name in self._all_weights[k]]
        weights += [None] * (4 - len(weights))  # (w_ih, w_hh, b_ih, b_hh), biases maybe None
        x = x[::-1] if reverse else x
        if self.mode == "LSTM":
            out, *last = lstm_sequence(x, *start, *weights)
        elif self.mode == "GRU":
            out, *last = gru_sequence(x, *start, *weights)
        else:
            out, *last = rnn_sequence(x, *start, *weights, self.mode[4:].lower())
        return (out[::-1] if reverse else out), *last

    # ---- checks ----------------------------------------------------------------------------
    def _check_input(self, input) -> bool:
        """Raise on a bad input; True when it has a batch dimension."""
        name = self._get_name()
        layout = "(batch, seq, features)" if self.batch_first else "(seq, batch, features)"
        shape = getattr(input, "shape", None)
        if not isinstance(input, Tensor) or input.ndim not in (2, 3):
            raise ValueError(
                f"{name}: expected input of 2 or 3 dimensions {layout}, or (seq, features) "
                f"unbatched, received {_describe(input)}"
            )
        if shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: expected input with {self.input_size} features (input_size) in its "
                f"last dimension, received shape {shape}"
            )
        seq = shape[1] if input.ndim == 3 and self.batch_first else shape[0]
        if seq == 0:
            raise RuntimeError(f"{name}: expected a sequence of length > 0, received shape {shape}")
        _check_dtype(name, "input", input, self.weight_ih_l0)
        return input.ndim == 3

    def _initial_states(self, hx, batch: int, batched: bool) -> list:
        """hx as a list of (layers * directions, batch, hidden) tensors (None for zeros)."""
        names = ("h0", "c0") if self.mode == "LSTM" else ("hx",)
        if hx is None:
            return [None] * len(names)
        if self.mode == "LSTM" and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(
                f"{self._get_name()}: expected hx as a tuple (h0, c0) of tensors, received "
                f"{_describe(hx)}"
            )
        states = list(hx) if self.mode == "LSTM" else [hx]
        size = (self.num_layers * self._directions, batch, self.hidden_size)
        layout = "(num_layers * num_directions, batch, hidden_size)"
        if not batched:
            size, layout = (
                size[::2],
                "(num_layers * num_directions, hidden_size) for unbatched input",
            )
        for name, state in zip(names, states):
            _check_state(self._get_name(), name, state, size, layout)
            _check_dtype(self._get_name(), name, state, self.weight_ih_l0)
        return states if batched else [s.unsqueeze(1) for s in states]

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        defaults = (("num_layers", 1), ("bias", True), ("batch_first", False), ("dropout", 0))
        for name, default in (*defaults, ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``, act tanh or relu.

    Returns ``(output, h_n)``: output (seq, batch, D*hidden) holds the last layer's h_t for
    every t (both directions concatenated when bidirectional, D = 2); h_n
    (num_layers*D, batch, hidden) the final state of each layer and direction.

    >>> import nnscratch as ns
    >>> rnn = ns.nn.RNN(4, 6, num_layers=2, nonlinearity="relu")
    >>> out, h_n = rnn(ns.randn(5, 3, 4))
    >>> out.shape, h_n.shape
    ((5, 3, 6), (2, 3, 6))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity '{nonlinearity}'; select 'tanh' or 'relu'")
        self.nonlinearity = nonlinearity
        super().__init__(
            f"RNN_{nonlinearity.upper()}", input_size, hidden_size, num_layers, bias,
            batch_first, dropout, bidirectional, 0, device, dtype,
        )  # fmt: skip


class LSTM(RNNBase):
    """Long short-term memory: gates ``(i, f, g, o)`` = (sigmoid, sigmoid, tanh, sigmoid) of
    ``x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh``, ``c_t = f c_{t-1} + i g``, ``h_t = o tanh(c_t)``.

    Returns ``(output, (h_n, c_n))`` with torch's shapes; ``hx`` is an optional ``(h0, c0)``.
    ``proj_size`` (LSTM with projections) is not supported.

    >>> import nnscratch as ns
    >>> lstm = ns.nn.LSTM(4, 6, batch_first=True, bidirectional=True)
    >>> out, (h_n, c_n) = lstm(ns.randn(3, 5, 4))
    >>> out.shape, h_n.shape, c_n.shape
    ((3, 5, 12), (2, 3, 6), (2, 3, 6))
    >>> lstm
    LSTM(4, 6, batch_first=True, bidirectional=True)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, proj_size, device, dtype,
        )  # fmt: skip


class GRU(RNNBase):
    """Gated recurrent unit: ``r, z = sigmoid(x W_i{r,z}^T + b_i{r,z} + h W_h{r,z}^T + b_h{r,z})``,
    ``n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn))``, ``h_t = (1 - z) n + z h_{t-1}``.

    Returns ``(output, h_n)`` with torch's shapes.

    >>> import nnscratch as ns
    >>> out, h_n = ns.nn.GRU(4, 6)(ns.randn(5, 4))  # unbatched: (seq, features)
    >>> out.shape, h_n.shape
    ((5, 6), (1, 6))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, 0, device, dtype,
        )  # fmt: skip


# ---- checks, shared with the cells -----------------------------------------------------------


def _check_config(layer, mode, input_size, hidden_size, num_layers, dropout) -> None:
    if mode not in _GATES:
        raise ValueError(f"{layer}: unrecognized mode {mode!r}; expected one of {list(_GATES)}")
    _check_size(layer, "input_size", input_size, minimum=0)
    _check_size(layer, "hidden_size", hidden_size, minimum=1)
    _check_size(layer, "num_layers", num_layers, minimum=1)
    if isinstance(dropout, bool) or not isinstance(dropout, Real) or not 0 <= dropout <= 1:
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of an "
            f"element being zeroed, received {dropout!r}"
        )
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            "dropout acts between recurrent layers (not after the last), so non-zero dropout "
            f"expects num_layers greater than 1, but got dropout={dropout} and num_layers=1",
            UserWarning,
            stacklevel=4,
        )


def _check_size(layer: str, name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{layer}: {name} must be an int >= {minimum}, received {value!r}")


def _check_state(layer: str, name: str, state, shape: tuple, layout: str) -> None:
    """An initial state must be a tensor of ``shape``; ``layout`` names its dimensions."""
    if not isinstance(state, Tensor) or state.shape != shape:
        raise RuntimeError(
            f"{layer}: expected {name} of shape {shape} {layout}, received {_describe(state)}"
        )


def _check_dtype(layer: str, name: str, tensor: Tensor, weight: Tensor) -> None:
    if tensor.dtype != weight.dtype:
        raise TypeError(
            f"{layer}: expected {name} of dtype {weight.dtype} (the parameters' dtype), "
            f"received {tensor.dtype}; convert one of them with .to(dtype)"
        )


def _describe(value) -> str:
    if isinstance(value, Tensor):
        return f"shape {value.shape}"
    return f"a {type(value).__name__}"
