"""``MultiHeadAttention`` with Keras's weight layout, composed from nnscratch's ops."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.activation import sigmoid
from ...ops.arithmetic import matmul
from ...ops.dropout import dropout
from ...ops.elementwise import where
from ...ops.linalg import linear
from ...ops.movement import reshape, transpose
from ...ops.softmax import softmax
from .. import initializers, regularizers
from .keras_tensor import is_symbolic
from .layer import Layer, Shape

__all__ = ["MultiHeadAttention"]

_MASKED_SCORE = -1e9  # what Keras's Softmax puts in masked places before normalising


class MultiHeadAttention(Layer):
    """softmax(Q_h K_h^T / sqrt(key_dim) + mask) V_h for each head h, joined and projected.

    ``call(query, value, key=None)`` takes ``(batch, T, dim)`` queries and ``(batch, S, dim)``
    values (keys default to the values). The weights are Keras's, in Keras's order:
    ``query``/``key``/``value`` kernels ``(dim, num_heads, key_dim or value_dim)`` with biases
    ``(num_heads, key_dim or value_dim)``, then the output kernel ``(num_heads, value_dim,
    dim)`` and bias ``(dim,)``. Masks are boolean (True: attend): ``attention_mask`` of shape
    ``(batch, T, S)`` (or broadcastable), ``query_mask`` ``(batch, T)``, ``value_mask`` and
    ``key_mask`` ``(batch, S)``, and ``use_causal_mask``. A query with every key masked gets
    zero attention weights, as Keras's ``Softmax`` gives them.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> out, scores = mha(ns.randn(3, 5, 8), ns.randn(3, 6, 8), return_attention_scores=True)
    >>> out.shape, scores.shape, [tuple(w.shape) for w in mha.weights][::2]
    ((3, 5, 8), (3, 2, 5, 6), [(8, 2, 4), (8, 2, 4), (8, 2, 4), (2, 4, 8)])
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape=None,
        attention_axes=None,
        sliding_window: int | None = None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        use_gate: bool = False,
        seed: int | None = None,
        **kwargs,
    ) -> None:
        _check_positive("num_heads", num_heads)
        _check_positive("key_dim", key_dim)
        _check_positive("value_dim", value_dim, optional=True)
        _check_positive("sliding_window", sliding_window, optional=True)
        if isinstance(dropout, bool) or not isinstance(dropout, Real) or not 0 <= dropout < 1:
            raise ValueError(f"MultiHeadAttention: dropout must be in [0, 1), received {dropout!r}")
        super().__init__(**kwargs)
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim or key_dim
        self.dropout, self.use_bias, self.use_gate = dropout, use_bias, use_gate
        self._output_shape = _as_shape(output_shape)
        self.attention_axes = _as_axes(attention_axes)
        self.sliding_window, self.seed = sliding_window, seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    # ---- building -----------------------------------------------------------------------------
    def __call__(self, query, value=None, key=None, **kwargs):
        """Keras's ``layer(query, value, key=None, ...)``: builds from all three shapes.

        In a functional model the tensors travel as one list ``[query, value(, key)]``, the
        form a graph node records and replays."""
        if value is None and isinstance(query, (list, tuple)) and len(query) in (2, 3):
            query, value, key = (*query, None)[:3]
        if value is None:
            raise TypeError(
                f"MultiHeadAttention '{self.name}' needs `query` and `value`: "
                "call(query, value, key=None, ...)"
            )
        if is_symbolic([query, value, key]):
            packed = [query, value] if key is None else [query, value, key]
            return super().__call__(packed, **kwargs)
        query, value = self._convert_input(query), self._convert_input(value)
        key = value if key is None else self._convert_input(key)
        if not self.built:
            self.build(query.shape, value.shape, key.shape)
        return super().__call__(query, value, key=key, **kwargs)

    forward = __call__

    def build(self, query_shape: Shape, value_shape: Shape | None = None, key_shape=None) -> None:
        if value_shape is None and query_shape and isinstance(query_shape[0], (list, tuple)):
            query_shape, value_shape, key_shape = (*query_shape, None)[:3]  # a saved list
        if value_shape is None:
            raise ValueError(
                f"MultiHeadAttention '{self.name}' builds from query_shape and value_shape; "
                f"received only query_shape={tuple(query_shape)}"
            )
        given = [tuple(s) for s in (query_shape, value_shape, key_shape) if s is not None]
        key_shape = value_shape if key_shape is None else key_shape
        self._check_shapes(tuple(query_shape), tuple(value_shape), tuple(key_shape))
        self.attention_axes = (1,)
        heads, dims = self.num_heads, (query_shape[-1], key_shape[-1], value_shape[-1])
        self._projection("query", (dims[0], heads, self.key_dim))
        self._projection("key", (dims[1], heads, self.key_dim))
        if self.use_gate:
            self._projection("gate", (dims[0], heads, self.value_dim))
        self._projection("value", (dims[2], heads, self.value_dim))
        out = self._output_shape or (dims[0],)
        self._projection("attention_output", (heads, self.value_dim, *out), bias_shape=out,
                         input_axes=2)  # fmt: skip
        super().build(given)  # the shapes given, kept as the build_config

    def _projection(self, name: str, kernel_shape: tuple, bias_shape=None, input_axes=1):
        """Keras's EinsumDense weights: ``<name>_kernel`` and (with use_bias) ``<name>_bias``.
        As EinsumDense does, a fan-based initializer counts the kernel's first ``input_axes``
        axes as its inputs and the rest as its outputs."""
        init = self.kernel_initializer
        if isinstance(init, initializers.VarianceScaling):
            axes = range(len(kernel_shape))
            init = init.with_axes(axes[:input_axes], axes[input_axes:])
        self.add_weight(kernel_shape, init, regularizer=self.kernel_regularizer,
                        name=f"{name}_kernel")  # fmt: skip
        if self.use_bias:
            self.add_weight(bias_shape or kernel_shape[1:], self.bias_initializer,
                            regularizer=self.bias_regularizer, name=f"{name}_bias")  # fmt: skip

    def _check_shapes(self, query: Shape, value: Shape, key: Shape) -> None:
        if len(query) != 3 or len(value) != 3 or len(key) != 3:
            raise NotImplementedError(
                f"MultiHeadAttention '{self.name}' supports inputs of rank 3 (batch, length, "
                f"features) only, received query {query}, value {value} and key {key}"
            )
        if value[1:-1] != key[1:-1]:
            raise ValueError(
                f"MultiHeadAttention '{self.name}': all dimensions of `value` and `key`, except "
                f"the last one, must be equal. Received: value_shape={value} and key_shape={key}"
            )
        if self.attention_axes not in (None, (1,), (-2,)):
            raise NotImplementedError(
                f"MultiHeadAttention '{self.name}' supports the default attention_axes (the "
                f"sequence axis, 1) only, received attention_axes={self.attention_axes}"
            )

    def _maybe_build(self, input_shape) -> None:
        """From a functional graph: ``input_shape`` is the list of the three shapes."""
        if not self.built:
            self.build(*input_shape)

    def compute_mask(self, inputs, mask=None):
        """The output has the query's steps, so it keeps the query's mask (as Keras)."""
        return mask[0] if isinstance(mask, (list, tuple)) else mask

    def compute_output_shape(self, query_shape: Shape, value_shape=None, key_shape=None) -> Shape:
        if query_shape and isinstance(query_shape[0], (list, tuple)):  # the packed list
            query_shape = query_shape[0]
        query_shape = tuple(query_shape)
        return query_shape[:-1] + self._output_shape if self._output_shape else query_shape

    # ---- calling ------------------------------------------------------------------------------
    call_takes_training = True
    call_mask_arguments = ("query_mask", "value_mask", "key_mask")  # each input's, in order

    def call(
        self,
        query: Tensor,
        value: Tensor,
        key: Tensor | None = None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores: bool = False,
        training: bool = False,
        use_causal_mask: bool = False,
    ):
        key = value if key is None else key
        self._check_inputs(query, value, key)
        masks = {"query_mask": query_mask, "value_mask": value_mask, "key_mask": key_mask,
                 "attention_mask": attention_mask}  # fmt: skip
        mask = self._mask(query.shape, value.shape, masks, use_causal_mask)
        q = self._split_heads(self._project(query, "query"))
        k = self._split_heads(self._project(key, "key"))
        v = self._split_heads(self._project(value, "value"))
        scores = matmul(q * (1.0 / math.sqrt(self.key_dim)), transpose(k, -2, -1))
        scores = self._masked_softmax(scores, mask)
        out = transpose(matmul(dropout(scores, self.dropout, training), v), 1, 2)
        if self.use_gate:
            out = out * sigmoid(self._project(query, "gate"))
        out = self._output(out)
        return (out, scores) if return_attention_scores else out

    def _project(self, x: Tensor, name: str) -> Tensor:
        """x (batch, length, dim) times the kernel (dim, heads, depth): (batch, length, heads,
        depth), one ``linear`` with the kernel seen as a (dim, heads * depth) matrix."""
        kernel, bias = getattr(self, f"{name}_kernel"), getattr(self, f"{name}_bias", None)
        dim, heads, depth = kernel.shape
        weight = reshape(kernel, (dim, heads * depth)).T
        y = linear(x, weight, None if bias is None else reshape(bias, (heads * depth,)))
        return reshape(y, (*x.shape[:-1], heads, depth))

    @staticmethod
    def _split_heads(x: Tensor) -> Tensor:
        return transpose(x, 1, 2)  # (batch, heads, length, depth)

    def _output(self, x: Tensor) -> Tensor:
        """(batch, T, heads, value_dim) through the output kernel (heads, value_dim, *out)."""
        kernel, bias = self.attention_output_kernel, getattr(self, "attention_output_bias", None)
        heads, depth, *out = kernel.shape
        size = math.prod(out)
        weight = reshape(kernel, (heads * depth, size)).T
        flat = reshape(x, (*x.shape[:2], heads * depth))
        y = linear(flat, weight, None if bias is None else reshape(bias, (size,)))
        return reshape(y, (*x.shape[:2], *out))

    @staticmethod
    def _masked_softmax(scores: Tensor, mask: np.ndarray | None) -> Tensor:
        """Keras's Softmax with a mask: masked scores set very low, then masked weights 0
        (so a query with no key left gets zeros, not a uniform average)."""
        if mask is None:
            return softmax(scores, -1)
        return where(mask, softmax(where(mask, scores, _MASKED_SCORE), -1), 0.0)

    # ---- masks --------------------------------------------------------------------------------
    def _mask(self, query_shape, value_shape, masks: dict, causal: bool) -> np.ndarray | None:
        """One boolean mask broadcastable to the scores (batch, heads, T, S), True to attend:
        the AND of every mask given, as Keras merges them."""
        batch, length, source = query_shape[0], query_shape[1], value_shape[1]
        parts = []
        if masks["query_mask"] is not None:  # (batch, T) -> (batch, 1, T, 1)
            query_mask = self._padding_mask(masks["query_mask"], "query_mask", (batch, length))
            parts.append(query_mask[:, None, :, None])
        for name in ("value_mask", "key_mask"):  # (batch, S) -> (batch, 1, 1, S)
            if masks[name] is not None:
                parts.append(self._padding_mask(masks[name], name, (batch, source))[:, None, None])
        rows, cols = np.arange(length)[:, None], np.arange(source)[None, :]
        if causal:
            parts.append(cols <= rows)
        if self.sliding_window is not None:
            parts.append(np.abs(rows - cols) < self.sliding_window)
        if masks["attention_mask"] is not None:
            scores = (batch, self.num_heads, length, source)
            parts.append(self._attention_mask(masks["attention_mask"], scores))
        return np.logical_and.reduce(np.broadcast_arrays(*parts)) if parts else None

    def _padding_mask(self, mask, name: str, shape: tuple) -> np.ndarray:
        array = _as_bool(mask)
        if array.shape != shape:
            raise ValueError(
                f"MultiHeadAttention '{self.name}' expects {name} of shape {shape} (batch, "
                f"length), received mask of shape {array.shape}"
            )
        return array

    def _attention_mask(self, mask, scores: tuple) -> np.ndarray:
        """(B, T, S) masks gain a heads axis, (T, S) masks a batch one too (as in Keras)."""
        array = _as_bool(mask)
        fits = False
        if 2 <= array.ndim <= 4:
            array = array.reshape(array.shape[:-2] + (1,) * (4 - array.ndim) + array.shape[-2:])
            fits = all(m in (1, s) for m, s in zip(array.shape, scores))
        if not fits:
            batch, _, length, source = scores
            raise ValueError(
                f"MultiHeadAttention '{self.name}' expects attention_mask of shape (batch, T, S) "
                f"= {(batch, length, source)} (or broadcastable to the scores' shape {scores}), "
                f"received mask of shape {_as_bool(mask).shape}"
            )
        return array

    def _check_inputs(self, query: Tensor, value: Tensor, key: Tensor) -> None:
        shapes = (query.shape, value.shape, key.shape)
        built = (self.query_kernel.shape[0], self.value_kernel.shape[0], self.key_kernel.shape[0])
        fits = all(len(s) == 3 and s[-1] == d for s, d in zip(shapes, built))
        if not fits or len({s[0] for s in shapes}) != 1 or shapes[1][1] != shapes[2][1]:
            raise ValueError(
                f"MultiHeadAttention '{self.name}' expects query (batch, T, {built[0]}), value "
                f"(batch, S, {built[1]}) and key (batch, S, {built[2]}), received query "
                f"{shapes[0]}, value {shapes[1]} and key {shapes[2]}"
            )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self.attention_axes,
            "sliding_window": self.sliding_window,
            "kernel_initializer": self.kernel_initializer,
            "bias_initializer": self.bias_initializer,
            "kernel_regularizer": self.kernel_regularizer,
            "bias_regularizer": self.bias_regularizer,
            "seed": self.seed,
        }


def _check_positive(arg: str, value, optional: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, Integral) or value <= 0:
        raise ValueError(
            f"Received an invalid value for argument `{arg}`, expected a positive integer"
            f"{' or None' if optional else ''}. Received: {arg}={value!r}"
        )


def _as_shape(output_shape) -> tuple | None:
    if not output_shape:
        return None
    if isinstance(output_shape, Integral):
        return (int(output_shape),)
    try:
        return tuple(int(d) for d in output_shape)
    except TypeError:
        raise ValueError(
            f"Invalid `output_shape`: {output_shape!r}. When specified, the `output_shape` "
            "should be of type tuple, list, or int."
        ) from None


def _as_axes(attention_axes) -> tuple | None:
    if attention_axes is None:
        return None
    if isinstance(attention_axes, Integral):
        return (int(attention_axes),)
    if not isinstance(attention_axes, (list, tuple)):
        raise ValueError(
            f"`attention_axes` must be an int, list, or tuple. Received: "
            f"attention_axes={attention_axes!r}"
        )
    return tuple(attention_axes)


def _as_bool(mask) -> np.ndarray:
    """A mask as a NumPy bool array; Keras casts numbers to bool (nonzero: attend)."""
    array = np.asarray(getattr(mask, "_data", mask))
    return array if array.dtype == bool else array != 0
