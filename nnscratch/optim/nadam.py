"""NAdam: Adam with Nesterov momentum and a momentum schedule."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .adam import check_common
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


class NAdam(Optimizer):
    """NAdam (Dozat), torch's algorithm (``torch.optim.NAdam``)::

        g = -grad if maximize else grad;   t += 1
        g += weight_decay * p   (or p *= 1 - lr * weight_decay if decoupled_weight_decay)
        mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay));   P_t = mu_1 ... mu_t
        m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2**t)) + eps
        p -= lr * (1 - mu_t) / (1 - P_t) * g / d + lr * mu_{t+1} / (1 - P_t mu_{t+1}) * m / d

    >>> import nnscratch as ns
    >>> from nnscratch.optim import NAdam
    >>> w = ns.tensor([1.0], requires_grad=True)
    >>> opt = NAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> 0.85 < w.item() < 0.9
    True
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_common(lr, eps, betas, weight_decay)
        check_range("momentum_decay", momentum_decay)
        defaults = {
            "lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
            "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, state: dict, group: dict) -> None:
        state["step"] = scalar_state(0.0)
        state["mu_product"] = scalar_state(1.0)  # kept in float32, like torch's, for parity
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        # Terms go to scratch slots (0: g, 1: denom, 2: a ratio), never into ``grad``.
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        state["step"] += 1
        step = float(state["step"])
        if weight_decay != 0 and group["decoupled_weight_decay"]:
            param *= 1 - lr * weight_decay
            weight_decay = 0
        g = signed_grad(param, grad, group["maximize"], weight_decay)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * group["momentum_decay"]))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * group["momentum_decay"]))
        state["mu_product"] *= mu
        mu_product = float(state["mu_product"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += square_term(g, 1 - beta2)
        denom = np.divide(exp_avg_sq, 1 - beta2**step, out=scratch(g, 1))
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        ratio = np.divide(g, denom, out=scratch(g, 2))
        ratio *= -lr * (1.0 - mu) / (1.0 - mu_product)
        param += ratio
        np.divide(exp_avg, denom, out=ratio)
        ratio *= -lr * mu_next / (1.0 - mu_product * mu_next)
        param += ratio
