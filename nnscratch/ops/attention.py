"""``scaled_dot_product_attention``: softmax(q k^T * scale + mask) v, composed from existing ops.

The composition (matmul, where or add, softmax, matmul) already has one node per BLAS call or
per pass over the scores, so a fused op would save little; the gradients come from the parts.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from ..autograd.dtypes import bool_
from ..autograd.tensor import Tensor
from .arithmetic import matmul
from .dropout import check_p, scaled_mask
from .elementwise import where
from .movement import expand, reshape, transpose, unsqueeze
from .softmax import softmax

__all__ = ["scaled_dot_product_attention"]


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(query @ key^T * scale + mask) @ value, for query (..., L, E), key (..., S, E)
    and value (..., S, Ev); the result has shape (..., L, Ev).

    ``attn_mask`` broadcasts to (..., L, S): a bool mask keeps the scores where it is True
    (torch's convention), a float mask is added to them. ``is_causal`` lets position i attend
    to positions j <= i only. ``scale`` defaults to 1 / sqrt(E). A query whose every score is
    masked gives zeros, as in torch. ``dropout_p`` drops attention weights at random (through
    nnscratch's generator); ``enable_gqa`` shares each key/value head among query heads.

    >>> import nnscratch as ns
    >>> q, v = ns.zeros(2, 2), ns.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> ns.nn.functional.scaled_dot_product_attention(q, q, v, is_causal=True).tolist()
    [[1.0, 2.0], [2.0, 3.0]]
    """
    if enable_gqa:
        key, value = _share_heads(query, key), _share_heads(query, value)
    _check_inputs(query, key, value)
    scale = _check_scale(scale, query.shape[-1])
    mask = _check_mask(attn_mask, is_causal, query, key)
    return attend(
        query,
        key,
        value,
        mask,
        float(check_p(dropout_p, "scaled_dot_product_attention: dropout_p")),
        scale,
    )[0]


def attend(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    mask,
    dropout_p: float,
    scale: float,
    safe: bool = True,
) -> tuple[Tensor, Tensor]:
    """(softmax(q k^T scale + mask) v, the attention weights), after dropout.

    ``mask`` is None, a bool array/Tensor (True takes part) or a float Tensor (added). With
    ``safe``, a query whose scores are all -inf gets weights 0 (torch's SDPA) instead of NaN
    (torch's ``MultiheadAttention`` when it returns weights).
    """
    scores = matmul(query * scale, transpose(key, -2, -1))
    if mask is not None:
        scores = where(mask, scores, -math.inf) if mask.dtype == bool_ else scores + mask
    dead = np.isneginf(scores._data).all(-1, keepdims=True) if safe and mask is not None else None
    if dead is not None and dead.any():
        weights = where(dead, 0.0, softmax(where(dead, 0.0, scores), -1))
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = weights * Tensor._make(scaled_mask(weights.shape, dropout_p, weights.dtype),
                                         False, None)  # fmt: skip
    return matmul(weights, value), weights


def _share_heads(query: Tensor, kv: Tensor) -> Tensor:
    """Grouped-query attention: key/value head h serves query heads h*r .. h*r + r - 1."""
    if any(getattr(t, "ndim", 0) < 3 for t in (query, kv)) or query.shape[-3] % kv.shape[-3]:
        raise RuntimeError(
            f"scaled_dot_product_attention: with enable_gqa the query heads (dim -3) must be a "
            f"multiple of the key/value heads, received query {getattr(query, 'shape', None)} "
            f"and {getattr(kv, 'shape', None)}"
        )
    heads, repeats = kv.shape[-3], query.shape[-3] // kv.shape[-3]
    grown = expand(unsqueeze(kv, -3), (*kv.shape[:-3], heads, repeats, *kv.shape[-2:]))
    return reshape(grown, (*kv.shape[:-3], heads * repeats, *kv.shape[-2:]))


# ---- checks ---------------------------------------------------------------------------------


def _check_inputs(query, key, value) -> None:
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor) or t.dtype.kind != "f" or t.ndim < 2:
            found = f"shape {t.shape}, {t.dtype}" if isinstance(t, Tensor) else type(t).__name__
            raise TypeError(
                f"scaled_dot_product_attention: expected {name} to be a floating point Tensor "
                f"with at least 2 dims, received {found}"
            )
    if len({query.dtype, key.dtype, value.dtype}) > 1:
        raise TypeError(
            f"scaled_dot_product_attention: expected query, key and value of one dtype, "
            f"received {query.dtype}, {key.dtype} and {value.dtype}"
        )
    qk_batch = _broadcast(query.shape[:-2], key.shape[:-2])
    batch = None if qk_batch is None else _broadcast(qk_batch, value.shape[:-2])
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2] or batch is None:
        raise RuntimeError(
            f"scaled_dot_product_attention: query {query.shape}, key {key.shape} and value "
            f"{value.shape} do not fit: need query (..., L, E), key (..., S, E), value (..., S, Ev)"
        )


def _check_scale(scale, embed: int) -> float:
    if scale is None:
        return 1 / math.sqrt(embed)
    if isinstance(scale, bool) or not isinstance(scale, Real):
        raise TypeError(f"scaled_dot_product_attention: scale must be a number, received {scale!r}")
    return float(scale)


def _check_mask(mask, is_causal: bool, query: Tensor, key: Tensor):
    """The mask as ``attend`` takes it: a causal bool array, the bool mask, or a float mask
    in the query's dtype; its shape must broadcast to the scores' shape."""
    length, source = query.shape[-2], key.shape[-2]
    if is_causal:
        if mask is not None:
            raise RuntimeError(
                "scaled_dot_product_attention: give attn_mask or is_causal=True, not both"
            )
        return np.tril(np.ones((length, source), bool))
    if mask is None:
        return None
    if not isinstance(mask, Tensor) or (mask.dtype != bool_ and mask.dtype.kind != "f"):
        found = f"a {mask.dtype} tensor" if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(
            f"scaled_dot_product_attention: attn_mask must be a bool or floating point Tensor, "
            f"received {found}"
        )
    scores = (*np.broadcast_shapes(query.shape[:-2], key.shape[:-2]), length, source)
    if _broadcast(mask.shape, scores) != scores:
        raise RuntimeError(
            f"scaled_dot_product_attention: attn_mask of shape {mask.shape} does not broadcast "
            f"to the attention scores' shape {scores} (query {query.shape}, key {key.shape})"
        )
    return mask if mask.dtype in (bool_, query.dtype) else mask.to(query.dtype)


def _broadcast(a: tuple, b: tuple) -> tuple | None:
    """The broadcast shape of a and b, or None when they do not broadcast."""
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        return None
