"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .flat import elementwise
from .optimizer import Optimizer, check_range, scalar_state, scratch, signed_grad


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), torch's algorithm (``torch.optim.Adagrad``)::

        g = -grad if maximize else grad;   g += weight_decay * p;   t += 1
        clr = lr / (1 + (t - 1) * lr_decay)
        s += g * g            (s starts at initial_accumulator_value)
        p -= clr * g / (sqrt(s) + eps)

    >>> import nnscratch as ns
    >>> from nnscratch.optim import Adagrad
    >>> w = ns.tensor([1.0], requires_grad=True)
    >>> opt = Adagrad([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()  # first step: g / sqrt(g**2) = 1, so w moves by lr
    >>> round(w.item(), 6)
    0.9
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        check_range("lr", lr)
        check_range("lr_decay", lr_decay)
        check_range("weight_decay", weight_decay)
        check_range("initial_accumulator_value", initial_accumulator_value)
        check_range("eps", eps)
        defaults = {
            "lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value, "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)
        # torch creates Adagrad's state at construction (so it is in state_dict() at once)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p._data, self.state[p], group)

    def _init_state(self, param: np.ndarray, state: dict, group: dict) -> None:
        state["step"] = scalar_state(0.0)
        state["sum"] = np.full_like(param, group["initial_accumulator_value"])

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        # Terms go to scratch slots (0: g, 1: the rest), never into ``grad``, the user's.
        state["step"] += 1
        step = float(state["step"])
        g = signed_grad(param, grad, group["maximize"], group["weight_decay"])
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"]
        state_sum += np.multiply(g, g, out=scratch(g, 1))
        std = np.sqrt(state_sum, out=scratch(g, 1))
        std += group["eps"]
        ratio = np.divide(g, std, out=std)
        ratio *= clr
        param -= ratio
