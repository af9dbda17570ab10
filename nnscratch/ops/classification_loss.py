"""Fused classification losses: cross_entropy (log-softmax inside), nll_loss and kl_div.

Inputs are ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)`` with the classes on dim 1 (dim 0 when
unbatched). The ops move the classes last and flatten the rest into rows ``(M, C)``, so one
code path serves every layout. ``mean`` divides by the summed weight of the non-ignored targets
(index targets) or by the number of rows (probability targets), exactly as torch.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..autograd.dtypes import promote
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..errors import LabelError
from .loss import _REDUCTIONS
from .regression_loss import _legacy_reduction

__all__ = ["cross_entropy", "nll_loss", "kl_div"]

_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))  # torch takes Long or Byte indices


# ---- layout: (N, C, d1, ...) <-> rows (M, C) -------------------------------------------------
def _rows(a: np.ndarray) -> np.ndarray:
    """The class axis last and every other axis flattened: (M, C)."""
    if a.ndim == 1:
        return a.reshape(1, -1)
    if a.ndim == 2:
        return a
    return np.moveaxis(a, 1, -1).reshape(-1, a.shape[1])


def _unrows(rows: np.ndarray, shape: tuple) -> np.ndarray:
    """The inverse of ``_rows`` for an array of ``shape``."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    return np.moveaxis(rows.reshape(shape[:1] + shape[2:] + shape[1:2]), -1, 1)


def _log_softmax(rows: np.ndarray) -> np.ndarray:
    """Max-shifted, so logits of 1e4 stay finite."""
    with np.errstate(invalid="ignore", divide="ignore"):  # all -inf rows give nan, as torch
        shifted = rows - rows.max(axis=1, keepdims=True, initial=-np.inf)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


# ---- index targets: the weight each row's target carries -------------------------------------
def _picked(t: np.ndarray, weight, ignore_index: int, dtype) -> tuple:
    """(safe indices, w[t] with 0 where ignored, ignored mask or None) for flat targets ``t``."""
    ignored = t == ignore_index
    if not ignored.any():
        w_t = np.ones(t.shape, dtype) if weight is None else weight[t]
        return t, w_t, None
    safe = np.where(ignored, 0, t)
    w_t = np.ones(t.shape, dtype) if weight is None else weight[safe]
    w_t[ignored] = 0
    return safe, w_t, ignored


def _finish(ctx, loss: np.ndarray, reduction: str, total, shape: tuple) -> np.ndarray:
    """Reduce the per-row losses; ``mean`` divides by ``total``, as torch."""
    ctx.reduction, ctx.total = reduction, total
    if reduction == "none":
        return loss.reshape(shape)
    with np.errstate(invalid="ignore", divide="ignore"):  # nothing counted: 0 / 0 = nan, as torch
        return loss.sum() / total if reduction == "mean" else loss.sum()


def _row_grad(ctx, grad, rows: int, ignored) -> np.ndarray:
    """The upstream gradient per row, (M, 1); ignored rows get none (torch skips them)."""
    if ctx.reduction == "none":
        g = grad.reshape(-1).copy()
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # nothing counted: 1 / 0
            g = np.full(rows, grad / ctx.total if ctx.reduction == "mean" else grad, grad.dtype)
    if ignored is not None:
        g[ignored] = 0
    return g[:, None]


class CrossEntropy(Function):
    """l_n = -sum_c q_nc log softmax(x_n)_c,  q_n = (1 - e) w[y_n] onehot(y_n) + (e / C) w
    (0 where y_n = ignore_index);  dl/dx_n = softmax(x_n) sum_c q_nc - q_n
    Replaces: (1 - e) nll_loss(log_softmax(x, 1), y, w) + e/C * (-(log_softmax * w).sum(1)),
    torch's composition, as one max-shifted node."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, smoothing):
        logp = _log_softmax(_rows(x))
        safe, w_t, ignored = _picked(target.reshape(-1), weight, ignore_index, x.dtype)
        loss = -w_t * np.take_along_axis(logp, safe[:, None], axis=1)[:, 0]
        if ignored is not None:
            loss[ignored] = 0  # (not -0 * log p, which is nan for a -inf logit)
        if smoothing:
            classes = logp.shape[1]
            smooth = -(logp.sum(axis=1) if weight is None else logp @ weight)
            if ignored is not None:
                smooth[ignored] = 0
            loss = (1.0 - smoothing) * loss + (smoothing / classes) * smooth
        ctx.save_for_backward(logp, safe, w_t, ignored, weight)
        ctx.shape, ctx.smoothing = x.shape, smoothing
        return _finish(ctx, loss, reduction, w_t.sum(), target.shape)

    @staticmethod
    def backward(ctx, grad):
        logp, safe, w_t, ignored, weight = ctx.saved_tensors
        rows, classes = logp.shape
        e = ctx.smoothing
        with np.errstate(invalid="ignore"):  # a zero weight times an infinite 1/0 is nan, as torch
            g = _row_grad(ctx, grad, rows, ignored)  # already 0 on ignored rows
            picked = (1.0 - e) * w_t[:, None] * g  # q at the target class, times g
            total_q = picked
            if e:
                spread = (e / classes) * (
                    np.ones(classes, logp.dtype) if weight is None else weight
                )
                total_q = picked + spread.sum() * g
            dx = np.exp(logp) * total_q
            dx[np.arange(rows), safe] -= picked[:, 0]
            if e:
                dx -= spread * g
        return _unrows(dx, ctx.shape), None, None, None, None, None


class CrossEntropyWithProbabilities(Function):
    """l_n = -sum_c q_nc log softmax(x_n)_c,  q = w ((1 - e) y + e / C);
    dl/dx_n = softmax(x_n) sum_c q_nc - q_n,  dl/dy_n = -(1 - e) w log softmax(x_n)
    Replaces: -(log_softmax(x, 1) * q).sum(1), torch's composition, as one max-shifted node."""

    @staticmethod
    def forward(ctx, x, target, weight, reduction, smoothing):
        logp = _log_softmax(_rows(x))
        y = _rows(target.astype(x.dtype, copy=False))
        q = y if not smoothing else (1.0 - smoothing) * y + smoothing / logp.shape[1]
        if weight is not None:
            q = q * weight
        loss = -(logp * q).sum(axis=1)
        ctx.save_for_backward(logp, q, weight)
        ctx.shape, ctx.smoothing = x.shape, smoothing
        return _finish(ctx, loss, reduction, logp.shape[0], _index_shape(x.shape))

    @staticmethod
    def backward(ctx, grad):
        logp, q, weight = ctx.saved_tensors
        g = _row_grad(ctx, grad, logp.shape[0], None)
        need_x, need_y = ctx.needs_input_grad[:2]
        dx = dy = None
        if need_x:
            dx = _unrows((np.exp(logp) * q.sum(axis=1, keepdims=True) - q) * g, ctx.shape)
        if need_y:
            scale = -(1.0 - ctx.smoothing) * g
            dy = _unrows(logp * (scale if weight is None else scale * weight), ctx.shape)
        return dx, dy, None, None, None


class NLLLoss(Function):
    """l_n = -w[y_n] x[n, y_n]  (0 where y_n = ignore_index);  dl/dx[n, c] = -w[y_n] 1[c = y_n]"""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        rows = _rows(x)
        safe, w_t, ignored = _picked(target.reshape(-1), weight, ignore_index, x.dtype)
        loss = -w_t * np.take_along_axis(rows, safe[:, None], axis=1)[:, 0]
        if ignored is not None:
            loss[ignored] = 0
        ctx.save_for_backward(safe, w_t, ignored)
        ctx.shape, ctx.rows = x.shape, rows.shape
        return _finish(ctx, loss, reduction, w_t.sum(), target.shape)

    @staticmethod
    def backward(ctx, grad):
        safe, w_t, ignored = ctx.saved_tensors
        rows = ctx.rows[0]
        dx = np.zeros(ctx.rows, grad.dtype)
        with np.errstate(invalid="ignore"):  # a zero weight times an infinite 1/0 is nan, as torch
            dx[np.arange(rows), safe] = -w_t * _row_grad(ctx, grad, rows, ignored)[:, 0]
        return _unrows(dx, ctx.shape), None, None, None, None


class KLDiv(Function):
    """l = y (log y - x)  (0 where y = 0), or exp(y) (y - x) for log targets;
    dl/dx = -y or -exp(y),  dl/dy = log y + 1 - x (nan at y = 0, torch's xlogy rule)
    or exp(y) (y - x + 1)"""

    @staticmethod
    def forward(ctx, x, y, reduction, log_target):
        x, y = promote(x, y)
        if x.shape != y.shape:  # torch broadcasts silently; gradients take the common shape
            x, y = np.broadcast_arrays(x, y)
        with np.errstate(invalid="ignore", divide="ignore"):  # y < 0 gives nan, as torch
            if log_target:
                loss = np.exp(y) * (y - x)
            else:
                loss = np.where(y == 0, 0, y * np.log(y)) - y * x
        ctx.save_for_backward(x, y)
        ctx.log_target = log_target
        ctx.divisor = {"mean": loss.size, "batchmean": x.shape[0] if x.ndim else 1}.get(
            reduction, 1
        )
        if reduction == "none":
            return loss
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty mean: 0 / 0 = nan
            return loss.sum() / ctx.divisor

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        with np.errstate(invalid="ignore", divide="ignore"):
            g = grad / ctx.divisor
            target = np.exp(y) if ctx.log_target else y
            dx = -target * g if need_x else None
            if not need_y:
                dy = None
            elif ctx.log_target:
                dy = target * (y - x + 1.0) * g
            else:  # d/dy xlogy(y, y) = xlogy(y != 0, y) + y / y, as torch differentiates it
                dy = (np.where(y != 0, np.log(y), 0) + y / y - x) * g
        return dx, dy, None, None


# ---- argument checks, with torch's rules ------------------------------------------------------
def _check_input(name: str, input, weight, reduction: str):
    """A known reduction and a float input of rank >= 1; returns weight as an array of C."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, received {reduction!r}")
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point Tensor input, received {input!r:.60}")
    if input.ndim == 0:
        raise ValueError(
            f"{name}: expected an input of shape (C,), (N, C) or (N, C, d1, ...), "
            "received a 0-dim tensor"
        )
    if weight is None:
        return None
    classes = input.shape[0 if input.ndim == 1 else 1]
    weight = np.asarray(weight, dtype=input.dtype)  # not differentiated, as in torch
    if weight.shape != (classes,):
        raise ValueError(
            f"{name}: weight tensor should be defined either for all {classes} classes or no "
            f"classes but got weight tensor of shape: {weight.shape}"
        )
    return weight


def _index_shape(shape: tuple) -> tuple:
    """The shape of an index target for an input of ``shape``: (), (N,) or (N, d1, ...)."""
    return () if len(shape) == 1 else shape[:1] + shape[2:]


def _check_index_target(name: str, input, target, ignore_index: int) -> None:
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: expected a Tensor target, received {type(target).__name__}")
    expected = _index_shape(input.shape)
    if target.shape != expected or target.dtype.kind not in "iu":
        probabilities = "" if name == "nll_loss" else (
            f", or class probabilities (floating point, shape {input.shape})"
        )  # fmt: skip
        raise ValueError(
            f"{name}: for an input of shape {input.shape}, expected a target of class indices "
            f"(int64, shape {expected}){probabilities}; received {target.dtype} with shape "
            f"{target.shape}"
        )
    if target.dtype not in _INDEX_DTYPES:
        raise TypeError(
            f"{name}: a target of class indices must be int64 (or uint8), received {target.dtype}"
        )
    _check_range(name, np.asarray(target), input.shape[0 if input.ndim == 1 else 1], ignore_index)


def _check_range(name: str, t: np.ndarray, classes: int, ignore_index: int) -> None:
    if not t.size or (t.min() >= 0 and t.max() < classes):
        return
    bad = t[((t < 0) | (t >= classes)) & (t != ignore_index)]
    if bad.size:  # LabelError is an IndexError, as torch raises
        raise LabelError(
            f"{name}: target {bad.flat[0]} is out of bounds for {classes} classes "
            f"(expected 0 to {classes - 1}, or ignore_index={ignore_index})"
        )


def _check_probability_target(name: str, input, target) -> None:
    if target.dtype.kind != "f":
        raise TypeError(
            f"{name}: a target of the input's shape {input.shape} holds class probabilities and "
            f"must be floating point, received {target.dtype}; a target of class indices must "
            f"be int64 with shape {_index_shape(input.shape)}"
        )


def cross_entropy(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits ``input`` and class indices or class probabilities.

    ``target`` holds int64 class indices of shape (N,) (or (N, d1, ...); () for a (C,) input),
    or floating point probabilities of the input's shape. The log-softmax is fused in.
    ``size_average`` and ``reduce`` are torch's deprecated flags. ``weight`` is not differentiated.

    >>> import nnscratch as ns
    >>> from nnscratch.ops.classification_loss import cross_entropy
    >>> logits = ns.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 1e4]])
    >>> round(cross_entropy(logits, ns.tensor([0, 2])).item(), 4)
    0.1198
    """
    name = "cross_entropy"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    weight = _check_input(name, input, weight, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"{name}: label_smoothing must be between 0.0 and 1.0, received {label_smoothing}"
        )
    smoothing = float(label_smoothing)
    if isinstance(target, Tensor) and target.shape == input.shape:
        _check_probability_target(name, input, target)
        return CrossEntropyWithProbabilities.apply(input, target, weight, reduction, smoothing)
    _check_index_target(name, input, target, ignore_index)
    return CrossEntropy.apply(input, target, weight, ignore_index, reduction, smoothing)


def nll_loss(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class indices ``target`` under log-probabilities ``input``.

    >>> import nnscratch as ns
    >>> from nnscratch.ops.classification_loss import nll_loss
    >>> nll_loss(ns.tensor([[-0.5, -1.0], [-2.0, -0.25]]), ns.tensor([0, 1])).item()
    0.375
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    weight = _check_input("nll_loss", input, weight, reduction)
    _check_index_target("nll_loss", input, target, ignore_index)
    return NLLLoss.apply(input, target, weight, ignore_index, reduction)


def kl_div(
    input, target, size_average=None, reduce=None, reduction: str = "mean", log_target=False
) -> Tensor:
    """Kullback-Leibler divergence ``target * (log target - input)``, ``input`` in log space.

    ``'batchmean'`` divides the sum by the batch size (the true KL divergence); ``'mean'``
    divides by the number of elements, with torch's warning.

    >>> import nnscratch as ns
    >>> from nnscratch.ops.classification_loss import kl_div
    >>> p = ns.tensor([[0.5, 0.5]])
    >>> kl_div(p.log(), p, reduction="batchmean").item()
    0.0
    """
    legacy = size_average is not None or reduce is not None
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reductions = (*_REDUCTIONS, "batchmean")
    if reduction not in reductions:
        raise ValueError(f"kl_div: reduction must be one of {reductions}, received {reduction!r}")
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        raise TypeError(f"kl_div: expected a floating point Tensor input, received {input!r:.60}")
    if not isinstance(target, Tensor):
        raise TypeError(f"kl_div: expected a Tensor target, received {type(target).__name__}")
    if reduction == "mean" and not legacy:
        warnings.warn(
            "kl_div: reduction 'mean' divides the total loss by both the batch size and the "
            "support size. 'batchmean' divides only by the batch size, and aligns with the KL "
            "div math definition.",
            UserWarning,
            stacklevel=2,
        )
    return KLDiv.apply(input, target, reduction, bool(log_target))
