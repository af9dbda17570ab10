"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .flat import elementwise
from .optimizer import Optimizer, check_range, scalar_state, scratch, signed_grad, square_term


class Adadelta(Optimizer):
    """Adadelta (Zeiler), torch's algorithm (``torch.optim.Adadelta``)::

        g = -grad if maximize else grad;   g += weight_decay * p
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p -= lr * delta

    >>> import nnscratch as ns
    >>> from nnscratch.optim import Adadelta
    >>> w = ns.tensor([1.0], requires_grad=True)
    >>> opt = Adadelta([w])
    >>> (w * w).sum().backward()
    >>> opt.step()  # first step: sqrt(1e-6) / sqrt(0.1 * 4 + 1e-6) * 2, about 0.00316
    >>> round(w.item(), 5)
    0.99684
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        check_range("lr", lr)
        check_range("rho", rho, high=1.0)
        check_range("eps", eps)
        check_range("weight_decay", weight_decay)
        defaults = {
            "lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
            "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, state: dict, group: dict) -> None:
        state["step"] = scalar_state(0.0)
        state["square_avg"] = np.zeros_like(param)
        state["acc_delta"] = np.zeros_like(param)

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        # Terms go to scratch slots (0: g, 1: std, 2: delta), never into ``grad``, the user's.
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1
        g = signed_grad(param, grad, group["maximize"], group["weight_decay"])
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += square_term(g, 1 - rho)
        std = np.sqrt(np.add(square_avg, eps, out=scratch(g, 1)), out=scratch(g, 1))
        delta = np.sqrt(np.add(acc_delta, eps, out=scratch(g, 2)), out=scratch(g, 2))
        delta /= std
        delta *= g
        acc_delta *= rho
        acc_delta += square_term(delta, 1 - rho)
        delta *= group["lr"]
        param -= delta
