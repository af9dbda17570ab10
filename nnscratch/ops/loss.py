"""Fused losses for binary targets: BCE on probabilities (plain, and clipped as Keras has it),
and BCE on logits.

Each replaces a chain of elementwise ops (log, mul, sub, add, mean) with one node whose
backward is the closed form; ``tests/ops/test_loss.py`` checks both against the composition
and against torch.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .masking import keep_where

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "clipped_binary_cross_entropy",
]

_REDUCTIONS = ("none", "mean", "sum")
_LOG_FLOOR = -100.0  # torch clamps log(p) and log(1 - p) here, so p = 0 or 1 stays finite
_EPSILON = 1e-12  # torch's floor for p (1 - p) in BCE's gradient


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray | np.floating:
    if reduction == "mean":  # sum / n is what ndarray.mean computes, at a fraction of its cost
        return loss.sum() / loss.size if loss.size else np.asarray(np.nan, dtype=loss.dtype)
    return loss.sum() if reduction == "sum" else loss


def _upstream(grad, like: np.ndarray, reduction: str):
    """The incoming gradient per element, undoing the reduction's broadcast and mean."""
    return grad / like.size if reduction == "mean" else grad


@np.errstate(divide="ignore", invalid="ignore")  # -inf at p = 0 and 1, as torch, silently
def _logs(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(p) and log(1 - p)."""
    return np.log(p), np.log1p(-p)


def _check_probabilities(p: np.ndarray, result: np.ndarray | np.floating) -> None:
    """torch refuses inputs outside [0, 1]; they surface here as nan, so the valid case is free.
    (A mean or sum is a NumPy scalar: ``x != x`` finds its nan in a fraction of the time that
    ``np.isnan(x).any()`` takes on a scalar, a few microseconds on every step.)"""
    nan = np.isnan(result).any() if type(result) is np.ndarray else result != result
    if not nan:
        return
    if p.size and not (0 <= np.nanmin(p) and np.nanmax(p) <= 1 and not np.isnan(p).any()):
        raise ValueError(
            "binary_cross_entropy: all elements of input should be probabilities in [0, 1], "
            f"received values from {np.min(p)} to {np.max(p)} (for logits, use "
            "binary_cross_entropy_with_logits)"
        )


class BinaryCrossEntropy(Function):
    """l = -w [y log p + (1 - y) log(1 - p)];  dl/dp = w (p - y) / (p (1 - p)),
    dl/dy = w [log(1 - p) - log p]   (the loss's logs floored at -100, as in torch)
    Replaces: -(y * p.log() + (1 - y) * (1 - p).log()), then mean or sum."""

    @staticmethod
    def forward(ctx, p, y, weight, reduction):
        log_p, log_q = _logs(p)
        loss = -(y * np.maximum(log_p, _LOG_FLOOR) + (1.0 - y) * np.maximum(log_q, _LOG_FLOOR))
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(p, y, weight, log_p, log_q)
        ctx.reduction = reduction
        result = _reduce(loss, reduction)
        _check_probabilities(p, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        p, y, weight, log_p, log_q = ctx.saved_tensors
        g = _upstream(grad, p, ctx.reduction)
        if weight is not None:
            g = g * weight
        need_p, need_y = ctx.needs_input_grad[:2]
        grad_p = g * (p - y) / np.maximum(p * (1.0 - p), _EPSILON) if need_p else None
        grad_y = g * (log_q - log_p) if need_y else None
        return grad_p, grad_y, None, None


class ClippedBinaryCrossEntropy(Function):
    """c = clip(p, e, 1 - e);  l = -[y log c + (1 - y) log(1 - c)];
    dl/dp = (c - y) / (c (1 - c)) where e <= p <= 1 - e, else 0 (the clip's gradient),
    dl/dy = log(1 - c) - log c
    Replaces: clamp, then binary_cross_entropy (Keras's BCE on probabilities, whose clip
    keeps every log finite: no floors, no warnings)."""

    @staticmethod
    def forward(ctx, p, y, epsilon, reduction):
        clipped = np.minimum(np.maximum(p, epsilon), 1.0 - epsilon)
        log_p, log_q = np.log(clipped), np.log1p(-clipped)
        loss = -(y * log_p + (1.0 - y) * log_q)
        ctx.save_for_backward(p, y, clipped, log_p, log_q)
        ctx.reduction = reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        p, y, clipped, log_p, log_q = ctx.saved_tensors
        g = _upstream(grad, p, ctx.reduction)
        need_p, need_y = ctx.needs_input_grad[:2]
        grad_p = None
        if need_p:
            grad_p = g * (clipped - y) / (clipped * (1.0 - clipped))
            grad_p = keep_where(clipped == p, grad_p)  # NaN p: no gradient either
        grad_y = g * (log_q - log_p) if need_y else None
        return grad_p, grad_y, None, None


class BinaryCrossEntropyWithLogits(Function):
    """l = w [(1 - y) x + (1 + (c - 1) y) softplus(-x)]  (c = pos_weight, 1 by default);
    dl/dx = w [(1 + (c - 1) y) sigmoid(x) - c y],  dl/dy = w [(c - 1) softplus(-x) - x]
    Replaces: BCE on sigmoid(x), without overflow for large |x|."""

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        softplus_neg = np.logaddexp(0.0, -x)  # log(1 + exp(-x)), stable for any x
        scaled = (
            softplus_neg if pos_weight is None else (1.0 + (pos_weight - 1.0) * y) * softplus_neg
        )
        loss = (1.0 - y) * x + scaled
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight, pos_weight, softplus_neg)
        ctx.reduction = reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, weight, pos_weight, softplus_neg = ctx.saved_tensors
        g = _upstream(grad, x, ctx.reduction)
        if weight is not None:
            g = g * weight
        need_x, need_y = ctx.needs_input_grad[:2]
        sigmoid = np.exp(-softplus_neg)  # = 1 / (1 + exp(-x))
        if pos_weight is None:
            grad_x = g * (sigmoid - y) if need_x else None
            grad_y = -g * x if need_y else None
        else:
            c = pos_weight
            grad_x = g * ((1.0 + (c - 1.0) * y) * sigmoid - c * y) if need_x else None
            grad_y = g * ((c - 1.0) * softplus_neg - x) if need_y else None
        return grad_x, grad_y, None, None, None


def _check(name: str, input, target, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, received {reduction!r}")
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point Tensor input, received {input!r:.60}")
    if getattr(target, "shape", None) != input.shape:
        raise ValueError(
            f"{name}: target shape {getattr(target, 'shape', type(target).__name__)} must equal "
            f"the input shape {input.shape}"
        )


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy between probabilities ``input`` and targets in [0, 1].

    >>> import nnscratch as ns
    >>> p, y = ns.tensor([0.9, 0.2]), ns.tensor([1.0, 0.0])
    >>> round(ns.nn.functional.binary_cross_entropy(p, y).item(), 4)
    0.1643
    """
    _check("binary_cross_entropy", input, target, reduction)
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(
    input, target, weight=None, reduction: str = "mean", pos_weight=None
) -> Tensor:
    """Binary cross-entropy on logits: ``sigmoid`` and BCE in one stable op.

    >>> import nnscratch as ns
    >>> x, y = ns.tensor([2.0, -1.0]), ns.tensor([1.0, 0.0])
    >>> round(ns.nn.functional.binary_cross_entropy_with_logits(x, y).item(), 4)
    0.2201
    """
    _check("binary_cross_entropy_with_logits", input, target, reduction)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


def clipped_binary_cross_entropy(
    input, target, epsilon: float = 1e-7, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy on probabilities clipped to ``[epsilon, 1 - epsilon]`` first, as
    Keras computes it: one node for the clip and the loss.

    >>> import nnscratch as ns
    >>> p, y = ns.tensor([1.0, 0.2]), ns.tensor([1.0, 0.0])
    >>> round(ns.ops.clipped_binary_cross_entropy(p, y).item(), 4)
    0.1116
    """
    _check("clipped_binary_cross_entropy", input, target, reduction)
    if not 0 <= epsilon < 0.5:
        raise ValueError(
            f"clipped_binary_cross_entropy: epsilon must be in [0, 0.5), received {epsilon}"
        )
    return ClippedBinaryCrossEntropy.apply(input, target, epsilon, reduction)
