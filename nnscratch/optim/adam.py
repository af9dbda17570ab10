"""Adam (with the AMSGrad variant) and AdamW, its decoupled-weight-decay form."""

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


def check_betas(betas: tuple[float, float]) -> None:
    """torch's check, shared by the Adam family: each beta in [0, 1)."""
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def check_common(lr: float, eps: float, betas: tuple[float, float], weight_decay: float) -> None:
    """Adam-family validation, in torch's order and wording."""
    check_range("lr", lr)
    check_range("eps", eps)
    check_betas(betas)
    check_range("weight_decay", weight_decay)


class Adam(Optimizer):
    """Adam (Kingma & Ba), torch's algorithm (``torch.optim.Adam``)::

        g = -grad if maximize else grad;  t += 1
        g += weight_decay * p     (or p *= 1 - lr * weight_decay if decoupled_weight_decay)
        m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v) and use it for v                                  [amsgrad]
        p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    >>> import nnscratch as ns
    >>> from nnscratch.optim import Adam
    >>> w = ns.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()  # the first Adam step moves each weight by about lr
    >>> [round(v, 6) for v in w.tolist()]
    [0.9, -0.9]
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_common(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
            "amsgrad": amsgrad, "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, state: dict, group: dict) -> None:
        state["step"] = scalar_state(0.0)
        state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param)

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        # Terms go to scratch slots (0: g, 1: the rest), never into ``grad``, the user's.
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        state["step"] += 1
        step = float(state["step"])
        if weight_decay != 0 and group["decoupled_weight_decay"]:
            param *= 1 - lr * weight_decay
            weight_decay = 0
        g = signed_grad(param, grad, group["maximize"], weight_decay)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += square_term(g, 1 - beta2)
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            exp_avg_sq = state["max_exp_avg_sq"]
        step_size = lr / (1 - beta1**step)
        denom = np.sqrt(exp_avg_sq, out=scratch(g, 1))
        denom /= (1 - beta2**step) ** 0.5
        denom += group["eps"]
        ratio = np.divide(exp_avg, denom, out=denom)
        ratio *= step_size
        param -= ratio


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter): Adam whose weight decay shrinks the weights directly,
    ``p *= 1 - lr * weight_decay``, instead of entering the moments (``torch.optim.AdamW``).

    >>> import nnscratch as ns
    >>> from nnscratch.optim import AdamW
    >>> w = ns.tensor([1.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()  # 1 * (1 - 0.05), then the Adam step of about 0.1
    >>> round(w.item(), 6)
    0.85
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad,
            maximize=maximize, decoupled_weight_decay=True,
        )  # fmt: skip

    def load_state_dict(self, state_dict: dict) -> None:
        """As ``Optimizer.load_state_dict``; the decay stays decoupled whatever was saved."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
