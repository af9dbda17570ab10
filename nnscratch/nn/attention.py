"""``MultiheadAttention``: attention from several learned projections ("heads") at once."""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from ..autograd.device import check as check_device
from ..autograd.dtypes import bool_, get_default_dtype, to_dtype
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..ops.attention import attend
from ..ops.creation import empty, from_numpy
from ..ops.linalg import linear
from ..ops.movement import chunk, reshape, transpose, unsqueeze
from . import init
from .linear import Linear
from .module import Module
from .parameter import Parameter

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """``Linear`` under torch's name for the output projection (so the repr reads the same)."""


class MultiheadAttention(Module):
    """softmax(Q_h K_h^T / sqrt(d) + mask) V_h for each head h, concatenated and projected.

    Q, K and V are projections of query, key and value by ``in_proj_weight`` (stacked
    (3 E, E), or ``q/k/v_proj_weight`` when ``kdim``/``vdim`` differ from E) and
    ``in_proj_bias``; ``out_proj`` maps the joined heads back to E. Inputs are (L, N, E)
    (``batch_first=True``: (N, L, E)) or unbatched (L, E). ``forward`` returns the output and
    the attention weights (averaged over heads unless ``average_attn_weights=False``).

    >>> import nnscratch as ns
    >>> mha = ns.nn.MultiheadAttention(8, 2, batch_first=True)
    >>> x = ns.randn(3, 5, 8)
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape, [n for n, _ in mha.named_parameters()]
    ((3, 5, 8), (3, 5, 5), ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'])
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        check_device(type(self).__name__, device)
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn")
        self.embed_dim, self.num_heads = _positive("embed_dim", embed_dim), num_heads
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        if _positive("num_heads", num_heads) and embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads "
                f"({num_heads})"
            )
        self.head_dim = embed_dim // num_heads
        self.dropout, self.batch_first = dropout, batch_first
        dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
        self._make_parameters(bias, dtype)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias, dtype=dtype)
        self.bias_k = self.bias_v = None
        self._reset_parameters()

    def _make_parameters(self, bias: bool, dtype) -> None:
        """torch's names and registration order, so state_dicts copy across."""
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * e, e, dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = Parameter(empty(e, e, dtype=dtype))
            self.k_proj_weight = Parameter(empty(e, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(empty(e, self.vdim, dtype=dtype))
        if bias:
            self.in_proj_bias = Parameter(empty(3 * e, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)

    def _reset_parameters(self) -> None:
        """Xavier-uniform projections and zero biases (torch's scheme)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        with no_grad():
            for b in (self.in_proj_bias, self.out_proj.bias):
                if b is not None:
                    b.zero_()

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        if is_causal and attn_mask is None:
            raise RuntimeError(
                "MultiheadAttention: is_causal is a hint that attn_mask is causal; "
                "give the causal attn_mask too"
            )
        unbatched = self._check_inputs(query, key, value)
        q, k, v = (self._batch_first(t, unbatched) for t in (query, key, value))
        mask = self._merged_mask(attn_mask, key_padding_mask, q.shape[:2], k.shape[1], unbatched)
        q, k, v = self._project(q, k, v, query is key, key is value)
        p = self.dropout if self.training else 0.0
        # torch returns NaN weights for a query with every key masked, and zeros without them
        out, weights = attend(q, k, v, mask, p, 1 / math.sqrt(self.head_dim), not need_weights)
        n, length = q.shape[0], q.shape[2]
        out = self.out_proj(reshape(transpose(out, 1, 2), (n, length, self.embed_dim)))
        if not need_weights:
            return self._batch_back(out, unbatched), None
        weights = weights.mean(dim=1) if average_attn_weights else weights
        return self._batch_back(out, unbatched), weights[0] if unbatched else weights

    def _batch_first(self, t: Tensor, unbatched: bool) -> Tensor:
        """(N, L, E), whatever the layout the module was built for."""
        if unbatched:
            return unsqueeze(t, 0)
        return t if self.batch_first else transpose(t, 0, 1)

    def _batch_back(self, t: Tensor, unbatched: bool) -> Tensor:
        """The inverse of ``_batch_first``."""
        if unbatched:
            return t[0]
        return t if self.batch_first else transpose(t, 0, 1)

    def _project(self, q, k, v, query_is_key: bool, key_is_value: bool):
        """Q, K, V as (N, heads, length, head_dim); one matmul when query is key is value."""
        if self._qkv_same_embed_dim and query_is_key and key_is_value:
            q, k, v = chunk(linear(q, self.in_proj_weight, self.in_proj_bias), 3, -1)
        else:
            weights = (
                chunk(self.in_proj_weight, 3, 0)
                if self._qkv_same_embed_dim
                else (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
            )
            biases = (None,) * 3 if self.in_proj_bias is None else chunk(self.in_proj_bias, 3, 0)
            q, k, v = (linear(t, w, b) for t, w, b in zip((q, k, v), weights, biases))
        return tuple(self._split_heads(t) for t in (q, k, v))

    def _split_heads(self, t: Tensor) -> Tensor:
        n, length, _ = t.shape
        return transpose(reshape(t, (n, length, self.num_heads, self.head_dim)), 1, 2)

    def _check_inputs(self, query, key, value) -> bool:
        """True for unbatched (2-D) inputs; errors name the shapes that do not fit."""
        shapes = [getattr(t, "shape", None) for t in (query, key, value)]
        dims = {len(s) if s is not None else None for s in shapes}
        if dims not in ({2}, {3}):
            raise ValueError(
                f"MultiheadAttention expects query, key and value all 3-D (batched) or all 2-D "
                f"(unbatched), received shapes {shapes[0]}, {shapes[1]} and {shapes[2]}"
            )
        expected = (self.embed_dim, self.kdim, self.vdim)
        batch = 0 if self.batch_first or dims == {2} else 1
        if (
            any(s[-1] != e for s, e in zip(shapes, expected))
            or shapes[1][:-1] != shapes[2][:-1]
            or (dims == {3} and shapes[0][batch] != shapes[1][batch])
        ):
            raise ValueError(
                f"MultiheadAttention expects query (..., {self.embed_dim}), key "
                f"(..., {self.kdim}) and value (..., {self.vdim}), all of one batch size and key "
                f"and value of one length, received {shapes[0]}, {shapes[1]} and {shapes[2]}"
            )
        return dims == {2}

    def _merged_mask(self, attn_mask, key_padding_mask, batch_length, source, unbatched):
        """One additive float mask (N, heads, L, S) from both masks, as torch merges them."""
        (n, length), dtype = batch_length, self.out_proj.weight.dtype
        mask = None
        if attn_mask is not None:
            mask = self._attn_mask(_additive(attn_mask, dtype, "attn_mask"), n, length, source)
        if key_padding_mask is not None:
            pad = _additive(key_padding_mask, dtype, "key_padding_mask")
            expected = (source,) if unbatched else (n, source)
            if pad.shape != expected:
                raise ValueError(
                    f"MultiheadAttention expects key_padding_mask of shape {expected} (batch, "
                    f"source length), received {pad.shape}"
                )
            pad = reshape(pad, (n, 1, 1, source))
            mask = pad if mask is None else mask + pad
        return mask

    def _attn_mask(self, mask: Tensor, n: int, length: int, source: int) -> Tensor:
        if mask.shape == (length, source):
            return mask
        if mask.shape == (n * self.num_heads, length, source):
            return reshape(mask, (n, self.num_heads, length, source))
        raise RuntimeError(
            f"MultiheadAttention expects attn_mask of shape {(length, source)} or "
            f"{(n * self.num_heads, length, source)} (batch * num_heads, target length, source "
            f"length), received {mask.shape}"
        )


def _additive(mask, dtype, name: str) -> Tensor:
    """A mask as a float Tensor to add to the scores: a bool mask's True (masked) is -inf."""
    if not isinstance(mask, Tensor) or (mask.dtype != bool_ and mask.dtype.kind != "f"):
        found = f"a {mask.dtype} tensor" if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(
            f"MultiheadAttention: {name} must be a bool or floating point Tensor, received {found}"
        )
    if mask.dtype == bool_:
        return from_numpy(np.where(mask.numpy(), -np.inf, 0).astype(dtype))
    return mask if mask.dtype == dtype else mask.to(dtype)


def _positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value <= 0:
        raise ValueError(f"MultiheadAttention: {name} must be a positive int, received {value!r}")
    return int(value)
