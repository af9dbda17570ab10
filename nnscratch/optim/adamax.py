"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .adam import check_common
from .flat import elementwise
from .optimizer import Optimizer, lerp_, scalar_state, scratch, signed_grad


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7), torch's algorithm (``torch.optim.Adamax``)::

        g = -grad if maximize else grad;   g += weight_decay * p;   t += 1
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        p -= lr / (1 - beta1**t) * m / u

    >>> import nnscratch as ns
    >>> from nnscratch.optim import Adamax
    >>> w = ns.tensor([1.0], requires_grad=True)
    >>> opt = Adamax([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()  # first step: m / (1 - beta1) = g, u = |g|: w moves by lr
    >>> round(w.item(), 6)
    0.9
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        check_common(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
            "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, state: dict, group: dict) -> None:
        state["step"] = scalar_state(0.0)
        state["exp_avg"] = np.zeros_like(param)
        state["exp_inf"] = np.zeros_like(param)

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        # Terms go to scratch slots (0: g, 1: the rest), never into ``grad``, the user's.
        beta1, beta2 = group["betas"]
        state["step"] += 1
        g = signed_grad(param, grad, group["maximize"], group["weight_decay"])
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        lerp_(exp_avg, g, 1 - beta1)
        exp_inf *= beta2
        bound = np.abs(g, out=scratch(g, 1))
        bound += group["eps"]
        np.maximum(exp_inf, bound, out=exp_inf)
        clr = group["lr"] / (1 - beta1 ** float(state["step"]))
        ratio = np.divide(exp_avg, exp_inf, out=scratch(g, 1))
        ratio *= clr
        param -= ratio
