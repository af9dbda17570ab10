"""``Bidirectional``: a recurrent layer run forwards and backwards, outputs merged."""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops.movement import cat
from ..saving.serialization import deserialize_layer, serialize_layer
from .keras_tensor import is_symbolic
from .layer import Layer, Shape
from .rnn import RNN

__all__ = ["Bidirectional"]

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Runs a copy of ``layer`` over the sequence and another with ``go_backwards=True`` (or
    ``backward_layer``, whose ``go_backwards`` must differ from ``layer``'s), and merges their
    outputs: ``"concat"`` (the default; last axis), ``"sum"``, ``"mul"``, ``"ave"``, or
    ``None`` for both as a list. With
    ``return_sequences`` the backward outputs are flipped back into the input's time order;
    with ``return_state`` the states follow, the forward layer's then the backward layer's.
    The weights are the forward layer's, then the backward layer's (Keras's order). Given a
    mask (``Embedding(mask_zero=True)``), both directions skip the masked steps, and with
    ``return_sequences`` those steps output zeros (as Keras).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> lstm = keras.layers.LSTM(4, return_sequences=True, name="lstm")
    >>> layer = keras.layers.Bidirectional(lstm)
    >>> layer(ns.ones(2, 5, 3)).shape, layer.forward_layer.name, layer.backward_layer.name
    ((2, 5, 8), 'forward_lstm', 'backward_lstm')
    """

    def __init__(self, layer: RNN, merge_mode: str | None = "concat", weights=None,
                 backward_layer: RNN | None = None, **kwargs) -> None:  # fmt: skip
        _check_arguments(layer, merge_mode, weights, backward_layer)
        super().__init__(**kwargs)
        self.forward_layer = _copy(layer, "forward_", go_backwards=layer.go_backwards)
        if backward_layer is None:
            backward_layer = _copy(layer, "backward_", go_backwards=True)
        self.backward_layer = backward_layer
        _check_pair(self.forward_layer, self.backward_layer)
        for direction in (self.forward_layer, self.backward_layer):
            direction.zero_output_for_mask = direction.return_sequences  # as Keras forces it
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = False

    # ---- shapes -------------------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        for direction in (self.forward_layer, self.backward_layer):
            if not direction.built:
                direction.build(tuple(input_shape))
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape, initial_state_shape=None):
        shapes = self.forward_layer.compute_output_shape(input_shape)
        out, states = (shapes[0], shapes[1:]) if self.return_state else (shapes, [])
        if self.merge_mode == "concat":
            out = (*out[:-1], 2 * out[-1])
        outputs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return outputs + list(states) * 2
        return outputs if self.merge_mode is None else out

    def compute_mask(self, inputs, mask=None):
        """The input mask for each sequence output; none for last outputs and states."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        masks = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return masks + [None] * (2 * len(self.forward_layer.state_size))
        return masks if self.merge_mode is None else out

    # ---- calling ------------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if is_symbolic(kwargs.get("initial_state")) or is_symbolic(kwargs.get("mask")):
            raise NotImplementedError(
                f"Bidirectional '{self.name}': `initial_state` or `mask` given as symbolic "
                "tensors (functional API) is not supported yet"
            )
        return super().__call__(inputs, *args, **kwargs)

    forward = __call__

    call_takes_training = True  # call(sequences, ..., mask, training)
    call_mask_arguments = ("mask",)

    def call(self, sequences: Tensor, initial_state=None, mask=None, training: bool = False):
        states = [None, None]
        if initial_state is not None:  # the forward layer's states, then the backward's
            half = len(initial_state) // 2
            states = [list(initial_state[:half]), list(initial_state[half:])]
        options = {"mask": mask, "training": training}
        y = self.forward_layer(sequences, initial_state=states[0], **options)
        y_rev = self.backward_layer(sequences, initial_state=states[1], **options)
        finals = []
        if self.return_state:
            finals = [*y[1:], *y_rev[1:]]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        merged = self._merge(y, y_rev)
        if not self.return_state:
            return merged
        return (*merged, *finals) if self.merge_mode is None else (merged, *finals)

    def _merge(self, y: Tensor, y_rev: Tensor):
        if self.merge_mode == "concat":
            return cat([y, y_rev], -1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "mul":
            return y * y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) * 0.5
        return [y, y_rev]

    # ---- configuration ------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "layer": serialize_layer(self.forward_layer),
            "backward_layer": serialize_layer(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config: dict) -> Bidirectional:
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"])
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"])
        return cls(**config)


def _copy(layer: RNN, prefix: str, go_backwards: bool) -> RNN:
    """A twin of ``layer`` from its config, named ``<prefix><name>``, with fresh weights.

    The twin keeps ``layer``'s build_config, so it is built when ``layer`` was (as in Keras):
    ``from_config`` of a built ``Bidirectional`` then gives both directions built, and the
    clone's config equals the original's.
    """
    entry = serialize_layer(layer)
    name = layer.name[len(prefix) :] if layer.name.startswith(prefix) else layer.name
    entry["config"].update(name=prefix + name, go_backwards=go_backwards)
    return deserialize_layer(entry)


def _check_arguments(layer, merge_mode, weights, backward_layer) -> None:
    if not isinstance(layer, RNN):
        raise ValueError(
            "Bidirectional expects a recurrent layer (SimpleRNN, LSTM or GRU), received "
            f"{layer!r} (of type {type(layer).__name__})"
        )
    if backward_layer is not None and not isinstance(backward_layer, RNN):
        raise ValueError(
            "Bidirectional expects `backward_layer` to be a recurrent layer (SimpleRNN, LSTM "
            f"or GRU), received {backward_layer!r} (of type {type(backward_layer).__name__})"
        )
    if merge_mode not in _MERGE_MODES:
        raise ValueError(
            f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be one of "
            '{"sum", "mul", "ave", "concat", None}'
        )
    if weights is not None:
        raise NotImplementedError(
            "Bidirectional(weights=...) is not supported; call set_weights() once it is built"
        )


def _check_pair(forward: RNN, backward: RNN) -> None:
    if forward.go_backwards == backward.go_backwards:
        raise ValueError(
            "Forward layer and backward layer should have different `go_backwards` values, "
            f"received {forward.go_backwards} for both"
        )
    for attribute in ("return_sequences", "return_state"):
        if getattr(forward, attribute) != getattr(backward, attribute):
            raise ValueError(
                f"Forward layer and backward layer are expected to have the same value for "
                f"`{attribute}`, received {getattr(forward, attribute)} for the forward layer "
                f"and {getattr(backward, attribute)} for the backward layer"
            )
