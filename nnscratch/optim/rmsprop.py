"""RMSprop: divide the gradient by a running root mean square (centered, with momentum)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .flat import elementwise
from .optimizer import (
    Optimizer,
    check_range,
    lerp_,
    scalar_state,
    scratch,
    signed_grad,
    square_term,
)


class RMSprop(Optimizer):
    """RMSprop (Hinton), torch's algorithm (``torch.optim.RMSprop``)::

        g = -grad if maximize else grad;   g += weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - gbar**2) + eps, with gbar = alpha * gbar + (1 - alpha) * g  [centered]
        avg = sqrt(v) + eps                                                        [otherwise]
        b = momentum * b + g / avg;  p -= lr * b                          [momentum > 0]
        p -= lr * g / avg                                                 [otherwise]

    >>> import nnscratch as ns
    >>> from nnscratch.optim import RMSprop
    >>> w = ns.tensor([1.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward()
    >>> opt.step()  # first step: g / sqrt(0.01 g**2) = 10, so w moves by 0.1
    >>> round(w.item(), 6)
    0.9
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_range("lr", lr)
        check_range("eps", eps)
        check_range("momentum", momentum)
        check_range("weight_decay", weight_decay)
        check_range("alpha", alpha)
        defaults = {
            "lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
            "weight_decay": weight_decay, "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, state: dict, group: dict) -> None:
        state["step"] = scalar_state(0.0)
        state["square_avg"] = np.zeros_like(param)
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param)

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        # Terms go to scratch slots (0: g, 1: the rest), never into ``grad``, the user's.
        alpha = group["alpha"]
        state["step"] += 1
        g = signed_grad(param, grad, group["maximize"], group["weight_decay"])
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += square_term(g, 1 - alpha)
        avg = scratch(g, 1)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, g, 1 - alpha)
            np.subtract(square_avg, np.multiply(grad_avg, grad_avg, out=avg), out=avg)
            np.sqrt(avg, out=avg)
        else:
            np.sqrt(square_avg, out=avg)
        avg += group["eps"]
        ratio = np.divide(g, avg, out=avg)
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += ratio
            param -= np.multiply(buf, group["lr"], out=ratio)
        else:
            ratio *= group["lr"]
            param -= ratio
