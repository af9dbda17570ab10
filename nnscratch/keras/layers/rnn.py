"""The recurrent layers' shared machinery: ``RNN``, the layer over a sequence, and ``Cell``.

A cell (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``) owns the weights, in Keras's layout, and
the recurrence over a whole time-major sequence: one fused op from ``ops/recurrent.py`` for
the standard activations (the weights handed over in torch's layout, as views), or the steps
composed from Tensor ops for any other activation. The layer owns what Keras's ``RNN`` does
around it: checks, input dropout, ``go_backwards``, masks (``rnn_masking.py``), and which
outputs to return.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.creation import from_numpy, zeros
from ...ops.dropout import scaled_mask
from ...ops.linalg import linear
from ...ops.movement import stack
from .. import activations, initializers, regularizers
from .keras_tensor import is_symbolic
from .layer import Layer, Shape
from .rnn_masking import Runner, run_masked

__all__ = ["Cell", "RNN", "Runner", "check_units"]


class Cell(Layer):
    """A recurrent cell: ``state_size`` (one entry per state, the output first),
    ``build((batch, features))`` and ``runner()``: a function ``(x, states) -> (outputs,
    final states)``, the recurrence over ``x`` (T, B, features) from ``states`` (each (B,
    units), or None for zeros) giving the outputs (T, B, units). The runner prepares the
    weights once (transposed, reordered), so the masked path, which calls it once per piece of
    the batch, pays for that once; ``sequence(x, states)`` is one run.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> cell = keras.layers.LSTM(4).cell
    >>> cell.build((None, 3))
    >>> out, (h, c) = cell.sequence(ns.ones(5, 2, 3), cell.initial_states(2))
    >>> out.shape, h.shape, c.shape
    ((5, 2, 4), (2, 4), (2, 4))
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
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    state_size: list[int]  # set by each cell: [units] or [units, units]

    def _add_kernels(self, input_dim: int, gates: int) -> None:
        """``kernel`` (input_dim, gates * units) and ``recurrent_kernel`` (units, gates *
        units), Keras's names and layout."""
        width = gates * self.units
        self.add_weight(
            (input_dim, width),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.add_weight(
            (self.units, width),
            self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            name="recurrent_kernel",
        )

    def _add_bias(self, shape: tuple, initializer) -> None:
        if self.use_bias:
            self.add_weight(shape, initializer, regularizer=self.bias_regularizer, name="bias")
        else:
            self.register_parameter("bias", None)

    def initial_states(self, batch: int) -> list[Tensor]:
        """Zeros, one (batch, size) tensor per state."""
        return [zeros(batch, size, dtype=self._dtype) for size in self.state_size]

    def runner(self) -> Runner:
        raise NotImplementedError

    def sequence(self, x: Tensor, states: list) -> tuple[Tensor, list[Tensor]]:
        return self.runner()(x, states)

    def _stepper(self, step, kernel_t: Tensor, bias: Tensor | None) -> Runner:
        """The composed path, for any activations: the input side of every step as one
        ``linear``, then ``step(projected_t, states) -> states`` per step; a step's output is
        its first state."""

        def run(x: Tensor, states: list) -> tuple[Tensor, list[Tensor]]:
            states = self.initial_states(x.shape[1]) if states[0] is None else states
            projected, outputs = linear(x, kernel_t, bias), []
            for t in range(len(projected)):
                states = step(projected[t], states)
                outputs.append(states[0])
            return stack(outputs), states

        return run


class RNN(Layer):
    """The layer that runs a ``Cell`` over sequences (batch, timesteps, features), with
    Keras's ``return_sequences``, ``return_state``, ``go_backwards``, input ``dropout`` (one
    mask per sequence, shared by all steps, as Keras) and masking: a masked step leaves the
    states as they were and repeats the previous output (zeros before any kept step).
    ``recurrent_dropout`` is not supported (an error when training with it), nor ``stateful``;
    ``unroll`` is accepted and changes nothing. ``SimpleRNN``, ``LSTM`` and ``GRU`` are this
    layer with their cell.

    Call: ``layer(sequences, initial_state=None, mask=None, training=False)``; ``mask`` is
    boolean (batch, timesteps), True for steps to keep (``Embedding(mask_zero=True)`` makes it
    and models pass it on). With ``return_state`` the result is ``(output, *final_states)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.GRU(2, return_sequences=True, return_state=True)
    >>> out, h = layer(ns.randn(1, 4, 3), mask=np.array([[True, True, False, False]]))
    >>> out[0, 3].tolist() == out[0, 1].tolist() == h[0].tolist()  # the padding is skipped
    True
    """

    def __init__(
        self,
        cell: Cell,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        activity_regularizer=None,
        **kwargs,
    ) -> None:
        name = type(self).__name__
        _check_unsupported(name, kwargs, activity_regularizer, stateful)
        kwargs.pop("use_cudnn", None)  # Keras's choice of kernel: meaningless here
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), False, bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.dropout = _fraction(name, "dropout", dropout)
        self.recurrent_dropout = _fraction(name, "recurrent_dropout", recurrent_dropout)
        self.seed = seed

    @property
    def units(self) -> int:
        return self.cell.units

    @property
    def state_size(self) -> list[int]:
        return self.cell.state_size

    # ---- shapes -------------------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        self._check_rank(tuple(input_shape))
        if input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' needs a known number of features (the "
                f"last dimension), received shape {tuple(input_shape)}"
            )
        if not self.cell.built:
            self.cell.build((input_shape[0], int(input_shape[-1])))
        self.input_dim = int(input_shape[-1])
        super().build(input_shape)

    def _check_rank(self, shape: Shape) -> None:
        if len(shape) != 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects inputs of rank 3 (batch, "
                f"timesteps, features), received shape {tuple(shape)}"
            )

    def compute_output_shape(self, input_shape: Shape, initial_state_shape=None):
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, size) for size in self.state_size]
        return out

    def compute_mask(self, inputs, mask=None):
        """The input mask for ``return_sequences`` outputs, none for the last output and
        the states (as Keras)."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out] + [None] * len(self.state_size) if self.return_state else out

    # ---- calling ------------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if is_symbolic(kwargs.get("initial_state")) or is_symbolic(kwargs.get("mask")):
            raise NotImplementedError(
                f"{type(self).__name__} '{self.name}': `initial_state` or `mask` given as "
                "symbolic tensors (functional API) is not supported yet; pass them when calling "
                "the layer on real tensors, or let the mask come from Embedding(mask_zero=True)"
            )
        return super().__call__(inputs, *args, **kwargs)

    forward = __call__

    call_takes_training = True  # call(sequences, ..., mask, training)
    call_mask_arguments = ("mask",)

    def call(self, sequences: Tensor, initial_state=None, mask=None, training: bool = False):
        self._check_input(sequences)
        self._check_recurrent_dropout(training)
        x = sequences.transpose(0, 1)  # time-major, as the ops want it
        x = self._input_dropout(x) if training and self.dropout > 0 else x
        states = self._initial_states(initial_state, x.shape[1])
        mask = self._as_mask(mask, sequences.shape)
        if self.go_backwards:
            x, mask = x[::-1], None if mask is None else mask[:, ::-1]
        outputs, finals = self._run(x, states, mask)
        output = outputs.transpose(0, 1) if self.return_sequences else outputs[-1]
        return (output, *finals) if self.return_state else output

    def _run(self, x: Tensor, states: list, mask: np.ndarray | None) -> tuple:
        """The cell over time-major ``x``: one run, or the masked path if a step is masked."""
        run = self.cell.runner()
        if mask is None or mask.all():
            return run(x, states)
        zeros_ = self.cell.initial_states(x.shape[1])
        states = [z if s is None else s for s, z in zip(states, zeros_)]
        # a state other than the output is read at each row's end only by cutting the batch
        # into pieces by length; otherwise one run of the compacted batch will do
        split = self.return_state and len(self.state_size) > 1
        options = (self.zero_output_for_mask, not self.return_sequences, split)
        return run_masked(run, x, states, mask, *options)

    def _check_input(self, x: Tensor) -> None:
        self._check_rank(x.shape)
        if x.shape[-1] != self.input_dim:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects inputs with last dimension "
                f"{self.input_dim}, received shape {tuple(x.shape)}"
            )
        if x.shape[1] == 0:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects at least one timestep, received "
                f"shape {tuple(x.shape)}"
            )

    def _input_dropout(self, x: Tensor) -> Tensor:
        """One mask per sequence (batch, features), the same at every step (as Keras)."""
        keep = scaled_mask(tuple(x.shape[1:]), float(self.dropout), x.dtype)
        return x * from_numpy(keep)

    def _check_recurrent_dropout(self, training: bool) -> None:
        if training and self.recurrent_dropout > 0:
            raise NotImplementedError(
                f"{type(self).__name__} '{self.name}': recurrent_dropout="
                f"{self.recurrent_dropout} is not supported by nnscratch when training; use "
                "dropout= (on the inputs) or a Dropout layer"
            )

    def _initial_states(self, initial_state, batch: int) -> list:
        """The given initial states, checked and cast; None (zeros) for each state if none."""
        if initial_state is None:
            return [None] * len(self.state_size)
        given = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(given) != len(self.state_size):
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects {len(self.state_size)} initial "
                f"state(s), received {len(given)}"
            )
        states = [self._convert_input(s) for s in given]
        for state, size in zip(states, self.state_size):
            if state.shape != (batch, size):
                raise ValueError(
                    f"{type(self).__name__} '{self.name}' expects initial states of shape "
                    f"({batch}, {size}), received shape {tuple(state.shape)}"
                )
        return states

    def _as_mask(self, mask, shape: tuple) -> np.ndarray | None:
        """The mask as a boolean (batch, timesteps) array, or None."""
        if mask is None:
            return None
        values = np.asarray(mask._data if isinstance(mask, Tensor) else mask)
        if values.ndim == 3 and values.shape[-1] == 1:
            values = values[..., 0]
        if values.shape != tuple(shape[:2]):
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects a mask of shape {tuple(shape[:2])}"
                f" (batch, timesteps) for inputs of shape {tuple(shape)}, received shape "
                f"{values.shape}"
            )
        return values.astype(bool, copy=False)

    # ---- configuration ------------------------------------------------------------------------
    def get_config(self) -> dict:
        """Keras's keys: the RNN's options, the cell's arguments, dropout (subclasses add
        their own, such as ``recurrent_activation``)."""
        cell = self.cell
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "units": cell.units,
            "activation": activations.serialize(cell.activation),
            "use_bias": cell.use_bias,
            "kernel_initializer": cell.kernel_initializer,
            "recurrent_initializer": cell.recurrent_initializer,
            "bias_initializer": cell.bias_initializer,
            "kernel_regularizer": cell.kernel_regularizer,
            "recurrent_regularizer": cell.recurrent_regularizer,
            "bias_regularizer": cell.bias_regularizer,
            **dict.fromkeys(_UNSUPPORTED),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }


# Keras's arguments that nnscratch does not implement: in configs as None, refused otherwise.
_UNSUPPORTED = ("activity_regularizer", "kernel_constraint", "recurrent_constraint",
                "bias_constraint")  # fmt: skip


def _check_unsupported(name: str, kwargs: dict, activity_regularizer, stateful) -> None:
    """Keras's arguments that nnscratch does not implement: accepted only when unused."""
    if stateful:
        raise NotImplementedError(
            f"{name}: stateful=True is not supported by nnscratch (states are not kept "
            "between batches); pass the states yourself with initial_state= and return_state=True"
        )
    unused = {k: kwargs.pop(k) for k in _UNSUPPORTED[1:] if k in kwargs}
    unused["activity_regularizer"] = activity_regularizer
    given = sorted(k for k, v in unused.items() if v is not None)
    if given:
        raise NotImplementedError(f"{name}: {', '.join(given)} not supported by nnscratch yet")


def _fraction(name: str, arg: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value <= 1:
        raise ValueError(
            f"{name}: `{arg}` must be a float between 0 and 1, received {arg}={value!r}"
        )
    return float(value)


def check_units(name: str, units) -> None:
    """``units`` must be a positive int."""
    if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
        raise ValueError(
            f"{name}: received an invalid value for argument `units`, expected a positive "
            f"integer, got {units!r}"
        )
