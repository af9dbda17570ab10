"""Gradient clipping, as ``torch.nn.utils``: by total norm, or elementwise by value.

This rescales gradients that autograd already computed; nothing here is a derivative. The
writes are in place under ``no_grad``, as in torch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...ops.creation import tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

_Tensors = Tensor | Iterable[Tensor]


def _as_list(tensors: _Tensors) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters: _Tensors) -> list[Tensor]:
    return [p.grad for p in _as_list(parameters) if p.grad is not None]


def _vector_norm(values: np.ndarray, norm_type: float) -> np.ndarray:
    """The p-norm of a flat array (inf: max |x|, -inf: min |x|, 0: count of non-zeros)."""
    return np.asarray(np.linalg.norm(values.ravel(), norm_type))


def get_total_norm(
    tensors: _Tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None
) -> Tensor:
    """The norm of all ``tensors`` together, as if concatenated into one vector.

    >>> import nnscratch as ns
    >>> ns.nn.utils.get_total_norm([ns.tensor([3.0]), ns.tensor([4.0])]).item()
    5.0
    """
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    # Each tensor's norm, then the norm of those norms: torch's order of operations.
    norms = np.stack([_vector_norm(t.detach().numpy(), norm_type) for t in tensors])
    total = _vector_norm(norms, norm_type).astype(tensors[0].dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return tensor(total)


def clip_grads_with_norm_(
    parameters: _Tensors, max_norm: float, total_norm: Tensor, foreach=None
) -> None:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))``."""
    grads = _grads(parameters)
    if not grads:
        return
    total = np.asarray(total_norm)
    coefficient = np.minimum(float(max_norm) / (total + 1e-6), 1.0).astype(total.dtype)
    with no_grad():
        for grad in grads:
            grad.mul_(coefficient)  # also when it is 1, as torch: no branch on the value


def clip_grad_norm_(
    parameters: _Tensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach=None,
) -> Tensor:
    """Rescale the gradients so their total norm is at most ``max_norm``; return the norm
    they had before clipping.

    >>> import nnscratch as ns
    >>> w = ns.zeros(2, requires_grad=True)
    >>> (w * ns.tensor([3.0, 4.0])).sum().backward()
    >>> ns.nn.utils.clip_grad_norm_([w], max_norm=1.0).item()
    5.0
    >>> [round(g, 4) for g in w.grad.tolist()]
    [0.6, 0.8]
    """
    parameters = _as_list(parameters)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters: _Tensors, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]`` in place.

    >>> import nnscratch as ns
    >>> w = ns.zeros(2, requires_grad=True)
    >>> (w * ns.tensor([-3.0, 0.5])).sum().backward()
    >>> ns.nn.utils.clip_grad_value_(w, 1.0)
    >>> w.grad.tolist()
    [-1.0, 0.5]
    """
    clip_value = float(clip_value)
    if math.isnan(clip_value):
        raise ValueError("clip_grad_value_: clip_value must be a number, received nan")
    with no_grad():
        for grad in _grads(parameters):
            grad.copy_(grad.clamp(-clip_value, clip_value))
