"""Similarities, distances and the losses built on them, as ``torch.nn.functional``: composed
from existing ops, so they add no derivatives of their own.

``cosine_similarity``, ``pairwise_distance``, ``logsigmoid``, and the losses
``cosine_embedding_loss``, ``margin_ranking_loss``, ``hinge_embedding_loss``,
``triplet_margin_loss``, ``soft_margin_loss``, ``multilabel_soft_margin_loss``,
``poisson_nll_loss`` and ``gaussian_nll_loss``, with torch's arguments and formulas.
"""

from __future__ import annotations

import math

from ..autograd.tensor import Tensor
from .activation import softplus
from .creation import full_like
from .elementwise import minimum, where

__all__ = [
    "cosine_similarity", "pairwise_distance", "logsigmoid", "cosine_embedding_loss",
    "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
]  # fmt: skip

_REDUCTIONS = ("none", "mean", "sum")
_COSINE_EPSILON = 1e-12  # torch's floor under each squared length in cosine_embedding_loss


def _reduction(name: str, reduction: str, size_average=None, reduce=None) -> str:
    """torch's reading of the legacy ``size_average``/``reduce`` flags, then a check."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduction = "none" if reduce is False else "mean" if size_average else "sum"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, received {reduction!r}")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    return loss if reduction == "none" else loss.mean() if reduction == "mean" else loss.sum()


def _floored(x: Tensor, low: float) -> Tensor:
    """``max(x, low)`` in value with the gradient of ``x`` (torch clamps these under no_grad)."""
    return where(x.detach() < low, x - x.detach() + low, x)


def _tensor(name: str, what: str, value) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}: expected {what} to be a Tensor, received {type(value).__name__}")
    return value


def _length(x: Tensor, dim: int) -> Tensor:
    """The 2-norm along ``dim`` (kept), with gradient 0 at a zero vector as torch's norm, where
    sqrt's would be inf * 0 = NaN."""
    square = (x * x).sum(dim, keepdim=True)
    zero = square.detach() == 0
    return where(zero, 0.0, where(zero, 1.0, square).sqrt())


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 / max(|x1|, eps) * x2 / max(|x2|, eps))`` along ``dim`` (inputs broadcast).

    >>> import nnscratch as ns
    >>> F = ns.nn.functional
    >>> F.cosine_similarity(ns.tensor([[1.0, 0.0]]), ns.tensor([[1.0, 1.0]])).tolist()
    [0.7071067690849304]
    """
    _tensor("cosine_similarity", "x1", x1), _tensor("cosine_similarity", "x2", x2)
    n1 = _floored(_length(x1, dim), eps)
    n2 = _floored(_length(x2, dim), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:  # fmt: skip
    """The ``p``-norm of ``x1 - x2 + eps`` over the last dimension.

    >>> import nnscratch as ns
    >>> d = ns.nn.functional.pairwise_distance(ns.tensor([[3.0, 0.0]]), ns.tensor([[0.0, 4.0]]))
    >>> [round(v, 4) for v in d.tolist()]
    [5.0]
    """
    _tensor("pairwise_distance", "x1", x1), _tensor("pairwise_distance", "x2", x2)
    dim = max(x1.ndim, x2.ndim) - 1
    d = x1 - x2 + eps
    if dim < 0:
        return d.abs()
    if p == 2:
        return (d * d).sum(dim, keepdim=keepdim).sqrt()
    if p == math.inf:
        return d.abs().amax(dim, keepdim=keepdim)
    if p == 1:
        return d.abs().sum(dim, keepdim=keepdim)
    if p <= 0:
        raise ValueError(f"pairwise_distance: p must be > 0, received {p}")
    return (d.abs() ** p).sum(dim, keepdim=keepdim) ** (1.0 / p)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(1 / (1 + exp(-x)))``, i.e. ``-softplus(-x)``, stable for large ``|x|``.

    >>> import nnscratch as ns
    >>> round(ns.nn.functional.logsigmoid(ns.tensor([0.0])).item(), 6)
    -0.693147
    """
    return -softplus(-_tensor("logsigmoid", "input", input), threshold=math.inf)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None,
                          reduction: str = "mean") -> Tensor:  # fmt: skip
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) - margin)`` where
    ``target == -1``; the cosine over the last dimension.

    >>> import nnscratch as ns
    >>> F = ns.nn.functional
    >>> x = ns.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> F.cosine_embedding_loss(x, x, ns.tensor([1, -1]), reduction="none").tolist()
    [0.0, 1.0]
    """
    name = "cosine_embedding_loss"
    reduction = _reduction(name, reduction, size_average, reduce)
    _tensor(name, "input1", input1), _tensor(name, "input2", input2)
    target = _tensor(name, "target", target)
    if input1.ndim not in (1, 2) or input1.shape != input2.shape:
        raise ValueError(
            f"{name}: expected input1 and input2 of one shape, 1-D or 2-D (N, D), received "
            f"{input1.shape} and {input2.shape}"
        )
    if target.ndim != input1.ndim - 1:
        raise ValueError(
            f"{name}: expected target with {input1.ndim - 1} dims for inputs of shape "
            f"{input1.shape}, received shape {target.shape}"
        )
    dim = input1.ndim - 1
    dot = (input1 * input2).sum(dim)
    square1 = (input1 * input1).sum(dim) + _COSINE_EPSILON
    square2 = (input2 * input2).sum(dim) + _COSINE_EPSILON
    cos = dot / (square1 * square2).sqrt()
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:  # fmt: skip
    """``max(0, -target * (input1 - input2) + margin)``.

    >>> import nnscratch as ns
    >>> x1, x2 = ns.tensor([2.0, 0.0]), ns.tensor([1.0, 1.0])
    >>> ns.nn.functional.margin_ranking_loss(x1, x2, ns.tensor([1.0, 1.0])).item()
    0.5
    """
    reduction = _reduction("margin_ranking_loss", reduction, size_average, reduce)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:  # fmt: skip
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where ``target == -1``
    (an entry with another target value gets both terms, as in torch).

    >>> import nnscratch as ns
    >>> x = ns.tensor([0.3, 0.3])
    >>> ns.nn.functional.hinge_embedding_loss(x, ns.tensor([1, -1]), reduction="sum").item()
    1.0
    """
    reduction = _reduction("hinge_embedding_loss", reduction, size_average, reduce)
    pull = where(target != 1, (margin - input).clamp(min=0), 0.0)
    return _reduce(pull + where(target != -1, input, 0.0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:  # fmt: skip
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the ``pairwise_distance``;
    ``swap`` uses ``min(d(a, n), d(p, n))`` for the negative distance.

    >>> import nnscratch as ns
    >>> a, p, n = ns.tensor([[0.0, 0.0]]), ns.tensor([[0.0, 1.0]]), ns.tensor([[0.0, 3.0]])
    >>> round(ns.nn.functional.triplet_margin_loss(a, p, n, margin=3.0).item(), 4)
    1.0
    """
    name = "triplet_margin_loss"
    reduction = _reduction(name, reduction, size_average, reduce)
    dims = {_tensor(name, what, t).ndim for what, t in
            (("anchor", anchor), ("positive", positive), ("negative", negative))}  # fmt: skip
    if len(dims) != 1 or dims - {1, 2}:
        raise ValueError(
            f"{name}: expected anchor, positive and negative of 1 or 2 dims, all alike, received "
            f"shapes {anchor.shape}, {positive.shape} and {negative.shape}"
        )
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = minimum(to_negative, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + to_positive - to_negative).clamp(min=0), reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:  # fmt: skip
    """``log(1 + exp(-target * input))``, targets in {1, -1}.

    >>> import nnscratch as ns
    >>> round(ns.nn.functional.soft_margin_loss(ns.tensor([0.0]), ns.tensor([1.0])).item(), 6)
    0.693147
    """
    reduction = _reduction("soft_margin_loss", reduction, size_average, reduce)
    return _reduce(softplus(-target * input, threshold=math.inf), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:  # fmt: skip
    """Per-class binary cross-entropy on logits, averaged over the classes (the last dim).

    >>> import nnscratch as ns
    >>> x, y = ns.tensor([[0.0, 0.0]]), ns.tensor([[1.0, 0.0]])
    >>> round(ns.nn.functional.multilabel_soft_margin_loss(x, y).item(), 6)
    0.693147
    """
    reduction = _reduction("multilabel_soft_margin_loss", reduction, size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    classes = input.ndim - 1
    return _reduce(loss.sum(classes) / input.shape[classes], reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:  # fmt: skip
    """Negative log-likelihood of ``target`` under Poisson(rate): ``exp(input) - target *
    input`` for log rates, ``input - target * log(input + eps)`` for rates; ``full`` adds
    Stirling's term ``t log t - t + log(2 pi t) / 2`` where ``t > 1``.

    >>> import nnscratch as ns
    >>> ns.nn.functional.poisson_nll_loss(ns.tensor([0.0]), ns.tensor([2.0])).item()
    1.0
    """
    reduction = _reduction("poisson_nll_loss", reduction, size_average, reduce)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        safe = where(target > 1, target, 1.0)  # log(t) where t <= 1 would be NaN or -inf
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:  # fmt: skip
    """Negative log-likelihood of ``target`` under N(input, var):
    ``(log(max(var, eps)) + (input - target) ** 2 / max(var, eps)) / 2``, plus
    ``log(2 pi) / 2`` when ``full``. ``var`` may lack the last dim, or have size 1 there.

    >>> import nnscratch as ns
    >>> x = ns.tensor([1.0])
    >>> ns.nn.functional.gaussian_nll_loss(x, ns.tensor([3.0]), ns.tensor([1.0])).item()
    2.0
    """
    name = "gaussian_nll_loss"
    reduction = _reduction(name, reduction)
    if not isinstance(var, Tensor):
        var = full_like(input, float(var))  # torch takes a float variance too
    var = _gaussian_var(name, input, _tensor(name, "var", var))
    if (var.detach().numpy() < 0).any():
        raise ValueError(f"{name}: var has negative entry/entries")
    var = _floored(var, eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def _gaussian_var(name: str, input: Tensor, var: Tensor) -> Tensor:
    """``var`` shaped to broadcast with ``input``, torch's three accepted shapes."""
    if var.shape == input.shape:
        return var
    if input.shape[:-1] == var.shape:
        return var.unsqueeze(-1)
    if input.shape[:-1] == var.shape[:-1] and var.shape[-1:] == (1,):
        return var
    raise ValueError(
        f"{name}: var is of incorrect size: expected {input.shape}, {input.shape[:-1]} or "
        f"{(*input.shape[:-1], 1)} for input of shape {input.shape}, received {var.shape}"
    )
