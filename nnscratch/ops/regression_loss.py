"""Fused regression losses: mse_loss, l1_loss, huber_loss and smooth_l1_loss.

Each is one node for ``f(input - target)`` followed by its reduction, with gradients for both
the input and the target (torch gives the target one when it requires grad). A target of another
shape broadcasts against the input with torch's UserWarning; shapes that cannot broadcast raise
a ValueError naming both. Signatures are torch's, deprecated ``size_average``/``reduce`` slots
and the elementwise ``weight`` of torch 2.13 included (a weighted loss composes ops).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..autograd.dtypes import promote
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .loss import _REDUCTIONS, _reduce

__all__ = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"]


def _difference(ctx, x: np.ndarray, y: np.ndarray, reduction: str) -> np.ndarray:
    """d = x - y in torch's common dtype; remembers what backward needs to undo the reduction."""
    x, y = promote(x, y)
    d = x - y
    ctx.reduction = reduction
    ctx.size = d.size
    return d


def _gradients(ctx, grad, slope: np.ndarray) -> tuple:
    """(dl/dx, dl/dy) = (g f'(d), -g f'(d)) for l = f(x - y), in the broadcast shape."""
    if ctx.reduction != "mean":
        g = grad
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # an empty mean: nan, as torch
            g = grad / ctx.size
    gx = g * slope
    need_x, need_y = ctx.needs_input_grad[:2]
    return (gx if need_x else None), (-gx if need_y else None)


class MSELoss(Function):
    """l = (x - y)^2;  dl/dx = 2 (x - y),  dl/dy = -2 (x - y)
    Replaces: ((x - y) ** 2), then mean or sum."""

    @staticmethod
    def forward(ctx, x, y, reduction):
        d = _difference(ctx, x, y, reduction)
        ctx.save_for_backward(d)
        return _reduce(d * d, reduction)

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        return (*_gradients(ctx, grad, 2.0 * d), None)


class L1Loss(Function):
    """l = |x - y|;  dl/dx = sign(x - y) (0 at 0, as torch),  dl/dy = -sign(x - y)
    Replaces: (x - y).abs(), then mean or sum."""

    @staticmethod
    def forward(ctx, x, y, reduction):
        d = _difference(ctx, x, y, reduction)
        ctx.save_for_backward(d)
        return _reduce(np.abs(d), reduction)

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        return (*_gradients(ctx, grad, np.sign(d)), None)


class HuberLoss(Function):
    """l = d^2 / 2 if |d| < delta else delta (|d| - delta / 2), d = x - y;
    dl/dx = clip(d, -delta, delta),  dl/dy = -dl/dx"""

    @staticmethod
    def forward(ctx, x, y, reduction, delta):
        d = _difference(ctx, x, y, reduction)
        z = np.abs(d)
        loss = np.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta))
        ctx.save_for_backward(d)
        ctx.delta = delta
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        return (*_gradients(ctx, grad, np.clip(d, -ctx.delta, ctx.delta)), None, None)


class SmoothL1Loss(Function):
    """l = d^2 / (2 beta) if |d| < beta else |d| - beta / 2, d = x - y  (huber / beta);
    dl/dx = clip(d / beta, -1, 1),  dl/dy = -dl/dx"""

    @staticmethod
    def forward(ctx, x, y, reduction, beta):
        d = _difference(ctx, x, y, reduction)
        z = np.abs(d)
        loss = np.where(z < beta, 0.5 * d * d / beta, z - 0.5 * beta)
        ctx.save_for_backward(d)
        ctx.beta = beta
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        return (*_gradients(ctx, grad, np.clip(d / ctx.beta, -1.0, 1.0)), None, None)


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """torch's mapping of the deprecated ``size_average`` and ``reduce`` flags, with its warning."""
    if size_average is None and reduce is None:
        return reduction
    reduction = "none" if reduce is False else ("sum" if size_average is False else "mean")
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        "instead.",
        UserWarning,
        stacklevel=3,
    )
    return reduction


def _check(name: str, input, target, reduction: str) -> None:
    """torch's checks: a known reduction, tensors, and shapes that broadcast (with a warning)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, received {reduction!r}")
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point Tensor input, received {input!r:.60}")
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: expected a Tensor target, received {type(target).__name__}")
    if target.shape == input.shape:
        return
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ValueError(
            f"{name}: target shape {target.shape} does not broadcast with input shape "
            f"{input.shape}; they should be equal"
        ) from None
    warnings.warn(
        f"{name}: using a target size {target.shape} that is different to the input size "
        f"{input.shape}. This will likely lead to incorrect results due to broadcasting. "
        "Please ensure they have the same size.",
        UserWarning,
        stacklevel=3,
    )


def _weighted(name: str, loss: Tensor, input, weight, reduction: str, by_weight: bool) -> Tensor:
    """torch's weighted losses, composed of ops: ``mean`` is sum(w l) / sum(w) for mse and l1,
    but mean(w l) for huber (``by_weight=False``)."""
    if getattr(weight, "shape", None) != input.shape:
        raise ValueError(
            f"{name}: weight and input must have the same size, received weight shape "
            f"{getattr(weight, 'shape', type(weight).__name__)} and input shape {input.shape}"
        )
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum" or not by_weight:
        return loss.sum() if reduction == "sum" else loss.mean()
    return loss.sum() / weight.sum()


def mse_loss(
    input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None
) -> Tensor:
    """Mean squared error: the reduction of ``(input - target) ** 2``.

    ``size_average`` and ``reduce`` are torch's deprecated flags; ``weight`` (the input's shape)
    scales each element, and ``mean`` then divides by its sum, as in torch.

    >>> import nnscratch as ns
    >>> from nnscratch.ops.regression_loss import mse_loss
    >>> mse_loss(ns.tensor([1.0, 2.0]), ns.tensor([0.0, 0.0])).item()
    2.5
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check("mse_loss", input, target, reduction)
    if weight is None:
        return MSELoss.apply(input, target, reduction)
    loss = MSELoss.apply(input, target, "none")
    return _weighted("mse_loss", loss, input, weight, reduction, by_weight=True)


def l1_loss(
    input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None
) -> Tensor:
    """Mean absolute error: the reduction of ``|input - target|`` (``weight`` as in mse_loss).

    >>> import nnscratch as ns
    >>> from nnscratch.ops.regression_loss import l1_loss
    >>> l1_loss(ns.tensor([1.0, -3.0]), ns.tensor([0.0, 0.0]), reduction="sum").item()
    4.0
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check("l1_loss", input, target, reduction)
    if weight is None:
        return L1Loss.apply(input, target, reduction)
    loss = L1Loss.apply(input, target, "none")
    return _weighted("l1_loss", loss, input, weight, reduction, by_weight=True)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:
    """Huber loss: squared error below ``delta``, ``delta``-scaled absolute error above it.

    With ``weight`` (the input's shape), ``mean`` is the plain mean of the weighted losses,
    as in torch.

    >>> import nnscratch as ns
    >>> from nnscratch.ops.regression_loss import huber_loss
    >>> huber_loss(ns.tensor([0.5, 3.0]), ns.tensor([0.0, 0.0]), reduction="none").tolist()
    [0.125, 2.5]
    """
    _check("huber_loss", input, target, reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss does not support non-positive values for delta, got {delta}")
    if weight is None:
        return HuberLoss.apply(input, target, reduction, float(delta))
    loss = HuberLoss.apply(input, target, "none", float(delta))
    return _weighted("huber_loss", loss, input, weight, reduction, by_weight=False)


def smooth_l1_loss(
    input, target, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0
) -> Tensor:
    """Smooth L1 loss: ``huber_loss(delta=beta) / beta``; ``beta=0`` is ``l1_loss``, as in torch.

    >>> import nnscratch as ns
    >>> from nnscratch.ops.regression_loss import smooth_l1_loss
    >>> smooth_l1_loss(ns.tensor([0.5, 3.0]), ns.tensor([0.0, 0.0]), reduction="none").tolist()
    [0.125, 2.5]
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check("smooth_l1_loss", input, target, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss does not support negative values for beta, got {beta}")
    if beta == 0:  # the quadratic zone vanishes (and d / beta would divide by zero)
        return L1Loss.apply(input, target, reduction)
    return SmoothL1Loss.apply(input, target, reduction, float(beta))
