"""Normalization: ``batch_norm``, ``layer_norm`` and ``group_norm``, each one fused op.

All three standardise x over some axes, xhat = (x - mean) / sqrt(var + eps), then scale and
shift it per feature: y = xhat * w + b. They differ only in how x is viewed: which axes the
statistics run over and which axes the parameters run along. A ``_Plan`` records both for a
reshaped view of x, and one Function, ``Normalize``, does the rest. Batch norm in eval mode
uses stored statistics instead of the batch's, which is the simpler ``FixedNormalize``.
"""

from __future__ import annotations

import functools
import math
from collections import namedtuple
from numbers import Integral, Real

import numpy as np

from ..autograd.function import Function
from ..autograd.inplace import mark_written
from ..autograd.tensor import Tensor

__all__ = ["batch_norm", "layer_norm", "group_norm"]

# view: the shape x is reshaped to; stat_axes: the axes of the view the statistics reduce;
# param_view: the shape weight and bias take to broadcast against the view.
_Plan = namedtuple("_Plan", ["view", "stat_axes", "param_view"])


def _make_plan(view: tuple, stat_axes: tuple, param_view: tuple) -> _Plan:
    """A plan without the view's size-1 axes: a size-1 innermost axis would make NumPy's
    broadcasting loop run one element at a time (several times slower)."""
    keep = [i for i, n in enumerate(view) if n != 1] or [len(view) - 1]
    return _Plan(
        tuple(view[i] for i in keep),
        tuple(j for j, i in enumerate(keep) if i in stat_axes),
        tuple(param_view[i] for i in keep),
    )


def _param_axes(plan: _Plan) -> tuple:
    """The axes weight and bias are constant along: their gradients sum over these."""
    return tuple(i for i, size in enumerate(plan.param_view) if size == 1)


def _sum(a: np.ndarray, axes: tuple, b: np.ndarray | None = None) -> np.ndarray:
    """sum(a * b) (or sum(a)) over ``axes``, kept as size-1 dims.

    einsum multiplies and adds in one pass, with no temporary for a * b, and reduces leading
    axes several times faster than ``ndarray.sum``.
    """
    spec = _einsum_spec(a.ndim, axes, b is not None)
    out = np.einsum(spec, a) if b is None else np.einsum(spec, a, b)
    return out.reshape([1 if i in axes else n for i, n in enumerate(a.shape)])


@functools.cache
def _einsum_spec(ndim: int, axes: tuple, product: bool) -> str:
    """ "abc->b" (or "abc,abc->b"): sum over ``axes``."""
    letters = "abcd"[:ndim]
    kept = "".join(c for i, c in enumerate(letters) if i not in axes)
    return f"{letters},{letters}->{kept}" if product else f"{letters}->{kept}"


def _count(shape: tuple, axes: tuple) -> int:
    return math.prod(shape[i] for i in axes)


def _standardize(x: np.ndarray, axes: tuple, eps: float):
    """(xhat, inv_std, mean, biased var) over ``axes``; two passes, so no cancellation."""
    n = _count(x.shape, axes)
    mean = _sum(x, axes) / n
    xhat = x - mean
    var = _sum(xhat, axes, xhat) / n
    inv_std = 1 / np.sqrt(var + eps)
    xhat *= inv_std
    return xhat, inv_std, mean, var


def _affine(xhat: np.ndarray, weight, bias, param_view: tuple) -> np.ndarray:
    """xhat * w + b, with either left out when None (then xhat itself is returned)."""
    y = xhat if weight is None else xhat * weight.reshape(param_view)
    if bias is not None:
        y = y + bias.reshape(param_view) if y is xhat else np.add(y, bias.reshape(param_view), y)
    return y


def _input_grad(g, xhat, scale, mean_g, mean_gx) -> np.ndarray:
    """(g - mean_g - xhat * mean_gx) * scale, in one buffer."""
    dx = xhat * mean_gx
    dx += mean_g
    np.subtract(g, dx, out=dx)
    dx *= scale
    return dx


def _param_grads(ctx, g, xhat, need_w: bool, need_b: bool):
    axes = _param_axes(ctx.plan)
    grad_w = _sum(g, axes, xhat).reshape(ctx.shapes[0]) if need_w else None
    grad_b = _sum(g, axes).reshape(ctx.shapes[1]) if need_b else None
    return grad_w, grad_b


def _update_running(running: tuple, mean: np.ndarray, var: np.ndarray, n: int) -> None:
    """running <- (1 - momentum) running + momentum batch, with the unbiased variance."""
    running_mean, running_var, momentum = running
    running_mean *= 1 - momentum
    running_mean += momentum * mean.reshape(running_mean.shape)
    running_var *= 1 - momentum
    running_var += (momentum * n / (n - 1)) * var.reshape(running_var.shape)


class Normalize(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b, statistics over the plan's axes;
    dx = inv_std (g' - mean(g') - xhat mean(g' xhat)) with g' = g w;  dw = sum(g xhat);  db = sum(g)
    Replaces: mean, sub, var, add, sqrt, div, mul, add (eight nodes and their temporaries)."""

    @staticmethod
    def forward(ctx, x, weight, bias, plan, eps, running):
        xhat, inv_std, mean, var = _standardize(x.reshape(plan.view), plan.stat_axes, eps)
        if running is not None:
            _update_running(running, mean, var, _count(plan.view, plan.stat_axes))
        ctx.save_for_backward(xhat, inv_std, weight)
        ctx.plan, ctx.shape = plan, x.shape
        ctx.shapes = tuple(None if t is None else t.shape for t in (weight, bias))
        return _affine(xhat, weight, bias, plan.param_view).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        xhat, inv_std, weight = ctx.saved_tensors
        plan, (need_x, need_w, need_b) = ctx.plan, ctx.needs_input_grad[:3]
        g = grad.reshape(plan.view)
        # Where w is constant along the statistics' axes (batch norm), the sums dx needs are
        # the parameters' own gradients (times w): two reductions serve all three gradients.
        shared = need_x and _param_axes(plan) == plan.stat_axes
        sum_g = _sum(g, _param_axes(plan)) if need_b or shared else None
        sum_gx = _sum(g, _param_axes(plan), xhat) if need_w or shared else None
        dx = None
        if need_x:
            sums = (sum_g, sum_gx) if shared else None
            dx = _normalize_input_grad(plan, g, xhat, inv_std, weight, sums)
            dx = dx.reshape(ctx.shape)
        grad_w = sum_gx.reshape(ctx.shapes[0]) if need_w else None
        grad_b = sum_g.reshape(ctx.shapes[1]) if need_b else None
        return dx, grad_w, grad_b, None, None, None


def _normalize_input_grad(plan, g, xhat, inv_std, weight, sums) -> np.ndarray:
    """dx for Normalize; ``sums`` (sum g, sum g xhat) are given when w is constant over them."""
    n = _count(plan.view, plan.stat_axes)
    w = 1 if weight is None else weight.reshape(plan.param_view)
    if sums is not None:
        return _input_grad(g, xhat, inv_std * w, sums[0] / n, sums[1] / n)
    gw = g if weight is None else g * w
    mean_g, mean_gx = _sum(gw, plan.stat_axes) / n, _sum(gw, plan.stat_axes, xhat) / n
    return _input_grad(gw, xhat, inv_std, mean_g, mean_gx)


class FixedNormalize(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b with given mean and var (batch norm in eval);
    dx = g w / sqrt(var + eps);  dw = sum(g xhat);  db = sum(g)"""

    @staticmethod
    def forward(ctx, x, weight, bias, plan, eps, mean, var):
        mean, var = (a.astype(x.dtype, copy=False).reshape(plan.param_view) for a in (mean, var))
        inv_std = 1 / np.sqrt(var + eps)
        xhat = x.reshape(plan.view) - mean
        xhat *= inv_std
        scale = inv_std if weight is None else inv_std * weight.reshape(plan.param_view)
        ctx.save_for_backward(xhat, scale)
        ctx.plan, ctx.shape = plan, x.shape
        ctx.shapes = tuple(None if t is None else t.shape for t in (weight, bias))
        return _affine(xhat, weight, bias, plan.param_view).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        xhat, scale = ctx.saved_tensors
        g = grad.reshape(ctx.plan.view)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_w, grad_b = _param_grads(ctx, g, xhat, need_w, need_b)
        dx = (g * scale).reshape(ctx.shape) if need_x else None
        return dx, grad_w, grad_b, None, None, None, None


# ---- checks ---------------------------------------------------------------------------------


def _check_tensors(name: str, input, **optional) -> None:
    """Tensors of one floating dtype: torch refuses mixed dtypes here rather than promote."""
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        found = f"a {input.dtype} tensor" if isinstance(input, Tensor) else type(input).__name__
        raise TypeError(f"{name}: expected input to be a floating point Tensor, received {found}")
    for arg, t in optional.items():
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"{name}: expected {arg} to be a Tensor, received {type(t).__name__}")
        if t is not None and t.dtype != input.dtype:
            raise TypeError(
                f"{name}: expected {arg} to have the input's dtype {input.dtype}, "
                f"received {t.dtype}"
            )


def _check_numel(name: str, arg: str, t, size: int, input_shape: tuple) -> None:
    if t is not None and t.numel() != size:
        raise RuntimeError(
            f"{name}: {arg} should contain {size} elements (one per channel of the input of "
            f"shape {input_shape}), received shape {t.shape}"
        )


def _check_eps(name: str, eps) -> float:
    if isinstance(eps, bool) or not isinstance(eps, Real) or eps < 0:
        raise ValueError(f"{name}: eps must be a non-negative number, received {eps!r}")
    return float(eps)  # a Python float never widens a float32 array


# ---- the functions --------------------------------------------------------------------------


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) of ``input`` (N, C, *) over the batch and other dims.

    In training the batch's statistics are used (biased variance), and ``running_mean`` and
    ``running_var``, when given, are updated in place with ``momentum`` (the variance
    unbiased, as torch). In eval mode the running statistics are used instead.

    >>> import nnscratch as ns
    >>> x = ns.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> mean, var = ns.zeros(2), ns.ones(2)
    >>> ns.nn.functional.batch_norm(x, mean, var, training=True, eps=0.0).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> [round(v, 5) for v in mean.tolist() + var.tolist()]
    [0.2, 2.0, 1.1, 20.9]
    """
    tensors = {"running_mean": running_mean, "running_var": running_var}
    _check_tensors("batch_norm", input, weight=weight, bias=bias, **tensors)
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm expects input of shape (N, C, *), received shape {input.shape}"
        )
    channels, eps = input.shape[1], _check_eps("batch_norm", eps)
    for arg, t in {"weight": weight, "bias": bias, **tensors}.items():
        _check_numel("batch_norm", arg, t, channels, input.shape)
    rest = math.prod(input.shape[2:])
    plan = _make_plan((input.shape[0], channels, rest), (0, 2), (1, channels, 1))
    if training:
        return _batch_norm_train(
            input, running_mean, running_var, weight, bias, plan, momentum, eps
        )
    if running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var must be given in eval mode")
    return FixedNormalize.apply(
        input, weight, bias, plan, eps, running_mean._data, running_var._data
    )


def _batch_norm_train(input, running_mean, running_var, weight, bias, plan, momentum, eps):
    if _count(plan.view, plan.stat_axes) <= 1:
        raise ValueError(
            f"batch_norm: expected more than 1 value per channel when training, received input "
            f"of shape {input.shape}"
        )
    if (running_mean is None) != (running_var is None):
        raise RuntimeError("batch_norm: give both running_mean and running_var, or neither")
    running = None if running_mean is None else (running_mean._data, running_var._data, momentum)
    out = Normalize.apply(input, weight, bias, plan, eps, running)
    if running is not None:
        mark_written(running_mean)  # a graph that saved the old statistics must not reuse them
        mark_written(running_var)
    return out


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the last dims of ``input``, those given by ``normalized_shape``.

    ``weight`` and ``bias`` (optional) have shape ``normalized_shape``.

    >>> import nnscratch as ns
    >>> ns.nn.functional.layer_norm(ns.tensor([[1.0, 3.0], [0.0, 10.0]]), (2,), eps=0.0).tolist()
    [[-1.0, 1.0], [-1.0, 1.0]]
    """
    _check_tensors("layer_norm", input, weight=weight, bias=bias)
    shape = _normalized_shape(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or input.shape[input.ndim - k :] != shape:
        raise RuntimeError(
            f"layer_norm: given normalized_shape={list(shape)}, expected input with shape "
            f"(*, {', '.join(map(str, shape))}), received shape {input.shape}"
        )
    for arg, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise RuntimeError(
                f"layer_norm: expected {arg} of shape normalized_shape {shape}, "
                f"received shape {t.shape}"
            )
    size = math.prod(shape)
    plan = _make_plan((input.numel() // size if size else 0, size), (1,), (1, size))
    return Normalize.apply(input, weight, bias, plan, _check_eps("layer_norm", eps), None)


def _normalized_shape(normalized_shape) -> tuple:
    shape = (normalized_shape,) if isinstance(normalized_shape, Integral) else normalized_shape
    try:
        shape = tuple(shape)
    except TypeError:
        shape = None
    if shape is None or not all(isinstance(n, Integral) and not isinstance(n, bool) for n in shape):
        raise TypeError(
            f"layer_norm: normalized_shape must be an int or a sequence of ints, "
            f"received {normalized_shape!r}"
        )
    return tuple(int(n) for n in shape)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Split the channels (dim 1) of ``input`` (N, C, *) into ``num_groups`` groups and
    normalise each group of each sample; ``weight`` and ``bias`` have shape (C,).

    >>> import nnscratch as ns
    >>> x = ns.tensor([[1.0, 3.0, 0.0, 10.0]])
    >>> ns.nn.functional.group_norm(x, 2, eps=0.0).tolist()
    [[-1.0, 1.0, -1.0, 1.0]]
    """
    _check_tensors("group_norm", input, weight=weight, bias=bias)
    if input.ndim < 2:
        raise ValueError(f"group_norm expects input of shape (N, C, *), received {input.shape}")
    channels = input.shape[1]
    if not isinstance(num_groups, Integral) or num_groups <= 0 or channels % num_groups:
        raise RuntimeError(
            f"group_norm: the number of channels must be divisible by num_groups, received "
            f"input of shape {input.shape} and num_groups={num_groups}"
        )
    for arg, t in (("weight", weight), ("bias", bias)):
        _check_numel("group_norm", arg, t, channels, input.shape)
    groups, rest = int(num_groups), math.prod(input.shape[2:])
    per_group = channels // groups
    plan = _make_plan((input.shape[0], groups, per_group, rest), (2, 3), (1, groups, per_group, 1))
    return Normalize.apply(input, weight, bias, plan, _check_eps("group_norm", eps), None)
