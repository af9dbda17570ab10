"""``Embedding``: integer ids to learned vectors, on the ``embedding`` op of ``nn.Embedding``."""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.embedding import embedding
from .. import initializers, regularizers
from .layer import Layer, Shape

__all__ = ["Embedding"]


class Embedding(Layer):
    """Maps each integer id in ``[0, input_dim)`` to a row of ``embeddings``, a weight of
    shape ``(input_dim, output_dim)``; inputs of shape ``s`` give outputs ``(*s, output_dim)``.

    With ``mask_zero=True`` id 0 means padding: ``compute_mask`` returns ``inputs != 0``, for
    the layers downstream to skip those positions (id 0 still has its own row).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.Embedding(10, 3, mask_zero=True)
    >>> ids = ns.tensor([[4, 2, 0]])
    >>> layer(ids).shape, layer.embeddings.shape, layer.compute_mask(ids).tolist()
    ((1, 3, 3), (10, 3), [[True, True, False]])
    """

    _autocast = False  # ids stay integers

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        mask_zero: bool = False,
        weights=None,
        **kwargs,
    ) -> None:
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"`{arg}` must be a positive integer. Received: {arg}={value!r} "
                    f"(of type {type(value).__name__})."
                )
        kwargs.pop("input_length", None)  # Keras 2's argument, ignored by Keras 3 too
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = input_dim, output_dim
        if embeddings_initializer == "uniform":  # Keras's alias, not in initializers.get yet
            embeddings_initializer = initializers.RandomUniform()
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero  # as Keras's: only a layer that makes a mask has one
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape: Shape | None = None) -> None:
        if self.built:  # e.g. from ``weights=``; Keras builds once too
            return
        self.add_weight(
            (self.input_dim, self.output_dim),
            self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            name="embeddings",
        )
        super().build(input_shape)

    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def call(self, inputs: Tensor) -> Tensor:
        return embedding(self._ids(inputs), self.embeddings)

    def _ids(self, inputs: Tensor) -> Tensor:
        """Integer ids (Keras casts other dtypes to int32), each checked against input_dim."""
        if inputs.dtype.kind not in "iu":
            inputs = inputs.to(np.int32 if inputs.dtype.kind in "fb" else np.int64)
        ids = inputs._data
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            bad = ids.min() if ids.min() < 0 else ids.max()
            raise IndexError(
                f"Embedding '{self.name}' received id {bad}, out of range for "
                f"input_dim={self.input_dim}: ids must lie in [0, {self.input_dim - 1}] "
                f"(inputs of shape {inputs.shape})"
            )
        return inputs

    def compute_mask(self, inputs, mask=None) -> Tensor | None:
        """``inputs != 0`` (True where a real token is) with ``mask_zero``, else None."""
        if not self.mask_zero:
            return None
        ids = inputs if isinstance(inputs, Tensor) else Tensor(np.asarray(inputs))
        return ids != 0

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": self.embeddings_initializer,
            "embeddings_regularizer": self.embeddings_regularizer,
            "mask_zero": self.mask_zero,
        }
