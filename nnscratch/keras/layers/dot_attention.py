"""``Attention`` (Luong's dot-product attention) and ``AdditiveAttention`` (Bahdanau's), as
Keras has them: a weighted average of ``value`` rows, weighted by ``softmax`` of a score
between each query row and each key row.

- 'dot': ``score = q . k`` (times a learned scalar ``scale`` with ``use_scale``);
- 'concat': ``score = concat_score_weight * sum(tanh(scale * (q + k)))``;
- additive: ``score = sum(scale * tanh(q + k))``, ``scale`` one weight per feature.

The inputs are a list ``[query, value]`` or ``[query, value, key]`` (keys default to the
values); the mask is a list ``[query_mask, value_mask]``. A masked-out value position (or a
later one, with ``use_causal_mask``) gets its score lowered by 1e9 before the softmax, Keras's
way; a masked-out query row of the output is zero. There are no projections: the features of
query and key must match (and the output has the value's).
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.arithmetic import matmul
from ...ops.dropout import dropout
from ...ops.elementwise import tanh, where
from ...ops.softmax import softmax
from .keras_tensor import is_shape
from .layer import Layer, Shape

__all__ = ["AdditiveAttention", "Attention"]

_MASK_PENALTY = 1e9  # subtracted from masked scores (Keras's value for float32)


class Attention(Layer):
    """Dot-product attention over ``[query (batch, Tq, dim), value (batch, Tv, dim_v)]``
    (and an optional ``key (batch, Tv, dim)``): output ``(batch, Tq, dim_v)``.

    ``call(inputs, mask=None, training=False, return_attention_scores=False,
    use_causal_mask=False)``; with ``return_attention_scores`` it returns ``(output,
    weights)``, the weights ``(batch, Tq, Tv)`` after the softmax (and dropout).

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.Attention(use_scale=True, score_mode="concat")
    >>> out = layer([ns.ones(2, 3, 4), ns.ones(2, 5, 4)])
    >>> out.shape, [w.name for w in layer.weights]
    ((2, 3, 4), ['scale', 'concat_score_weight'])
    """

    supports_masking = True

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                f"{self._owner}: `score_mode` must be 'dot' or 'concat', received "
                f"score_mode={score_mode!r}"
            )
        if isinstance(dropout, bool) or not isinstance(dropout, Real) or not 0 <= dropout < 1:
            raise ValueError(f"{self._owner}: `dropout` must be in [0, 1), received {dropout!r}")
        self.use_scale, self.score_mode = use_scale, score_mode
        self.dropout, self.seed = dropout, seed
        self._scores_wanted = False

    @property
    def _owner(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def build(self, input_shape) -> None:
        self._check_inputs(input_shape)
        if self.use_scale:
            self.add_weight((), "ones", name="scale")
        else:
            self.register_parameter("scale", None)
        if self.score_mode == "concat":
            self.add_weight((), "ones", name="concat_score_weight")
        else:
            self.register_parameter("concat_score_weight", None)
        super().build(input_shape)

    def __call__(self, inputs, *args, **kwargs):
        """As ``Layer.__call__``; on symbolic inputs, ``return_attention_scores=True`` makes
        two outputs (``compute_output_shape`` is asked for both)."""
        self._scores_wanted = bool(kwargs.get("return_attention_scores", False))
        try:
            return super().__call__(inputs, *args, **kwargs)
        finally:
            self._scores_wanted = False

    forward = __call__

    # ---- calling ------------------------------------------------------------------------------
    call_takes_training = True
    call_mask_arguments = ("mask",)  # one list: [query_mask, value_mask]

    def call(
        self,
        inputs,
        mask=None,
        training=False,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        self._check_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        self._check_features(query.shape, value.shape, key.shape)
        query_mask, value_mask = (mask[0], mask[1]) if mask else (None, None)
        scores = self._scores(query, key)
        keep = self._kept_scores(scores.shape, value_mask, use_causal_mask)
        if keep is not None:
            scores = where(keep, scores, scores - _MASK_PENALTY)
        weights = softmax(scores, -1)
        if training and self.dropout > 0:
            weights = dropout(weights, self.dropout, True)
        output = matmul(weights, value)
        if query_mask is not None:
            output = where(_as_bool(query_mask)[..., None], output, 0.0)
        return (output, weights) if return_attention_scores else output

    def _scores(self, query: Tensor, key: Tensor) -> Tensor:
        """Score of each query row against each key row: ``(batch, Tq, Tv)``."""
        if self.score_mode == "dot":
            scores = matmul(query, key.transpose(-2, -1))
            return scores if self.scale is None else scores * self.scale
        pairs = query.unsqueeze(-2) + key.unsqueeze(-3)  # (batch, Tq, Tv, dim)
        if self.scale is not None:
            pairs = pairs * self.scale
        return self.concat_score_weight * tanh(pairs).sum(-1)

    @staticmethod
    def _kept_scores(shape: tuple, value_mask, causal: bool):
        """Where scores count (True), broadcastable to ``shape``; None when all do."""
        keep = None if value_mask is None else _as_bool(value_mask)
        if keep is not None and keep.ndim == len(shape) - 1:
            keep = keep[..., None, :]  # one mask row for every query
        if causal:
            lower = np.tril(np.ones(shape[-2:], dtype=bool))  # query i sees keys j <= i
            keep = lower if keep is None else keep & lower
        return keep

    # ---- shapes, masks and checks -------------------------------------------------------------
    def compute_mask(self, inputs, mask=None):
        """The output has the query's steps: it keeps the query's mask."""
        self._check_inputs(inputs, mask)
        return None if mask is None or mask[0] is None else mask[0]

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        query, value = tuple(input_shape[0]), tuple(input_shape[1])
        key = tuple(input_shape[2]) if len(input_shape) > 2 else value
        self._check_features(query, value, key)
        output = (*query[:-1], value[-1])
        return (output, (*query[:-1], key[-2])) if self._scores_wanted else output

    def _check_inputs(self, inputs, mask=None) -> None:
        if not isinstance(inputs, (list, tuple)) or is_shape(inputs):
            shape = getattr(inputs, "shape", inputs)
            raise ValueError(
                f"{self._owner} must be called on a list [query, value] or [query, value, "
                f"key], received a single input of shape {shape}"
            )
        if not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{self._owner} takes a list of 2 or 3 inputs [query, value(, key)], received "
                f"{len(inputs)}"
            )
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(
                f"{self._owner}: `mask` must be a list [query_mask, value_mask], received "
                f"mask={mask!r}"
            )

    def _check_features(self, query: Shape, value: Shape, key: Shape) -> None:
        if len(query) < 3 or len(value) < 3 or len(key) < 3:
            raise ValueError(
                f"{self._owner} expects inputs of shape (batch, steps, features), received "
                f"query {tuple(query)}, value {tuple(value)}, key {tuple(key)}"
            )
        if None not in (query[-1], key[-1]) and query[-1] != key[-1]:
            raise ValueError(
                f"{self._owner}: query and key must have the same number of features, "
                f"received query {tuple(query)} and key {tuple(key)}"
            )
        if None not in (value[-2], key[-2]) and value[-2] != key[-2]:
            raise ValueError(
                f"{self._owner}: value and key must have the same number of steps, received "
                f"value {tuple(value)} and key {tuple(key)}"
            )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }


class AdditiveAttention(Attention):
    """Bahdanau-style attention: ``score = sum(scale * tanh(q + k))`` over the features, with
    ``scale`` a ``(dim,)`` weight (glorot uniform) when ``use_scale`` (the default), else 1.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.AdditiveAttention()
    >>> layer([ns.ones(2, 3, 4), ns.ones(2, 5, 4)]).shape, layer.scale.shape
    ((2, 3, 4), (4,))
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        self._check_inputs(input_shape)
        if self.use_scale:
            self.add_weight((input_shape[0][-1],), "glorot_uniform", name="scale")
        else:
            self.register_parameter("scale", None)
        self.register_parameter("concat_score_weight", None)
        Layer.build(self, input_shape)

    def _scores(self, query: Tensor, key: Tensor) -> Tensor:
        features = tanh(query.unsqueeze(-2) + key.unsqueeze(-3))  # (batch, Tq, Tv, dim)
        return (features if self.scale is None else features * self.scale).sum(-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config


def _as_bool(mask) -> np.ndarray:
    """A mask as a NumPy bool array; numbers count as True when nonzero, as Keras casts."""
    array = np.asarray(getattr(mask, "_data", mask))
    return array if array.dtype == bool else array != 0
