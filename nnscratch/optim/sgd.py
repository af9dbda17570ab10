"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .optimizer import Optimizer, check_range, scratch, signed_grad


class SGD(Optimizer):
    """Stochastic gradient descent, torch's algorithm (``torch.optim.SGD``)::

        g = -grad if maximize else grad;   g += weight_decay * p
        b = g (first step), else b = momentum * b + (1 - dampening) * g     [momentum != 0]
        g = g + momentum * b if nesterov else b                              [momentum != 0]
        p -= lr * g

    >>> import nnscratch as ns
    >>> from nnscratch.optim import SGD
    >>> w = ns.tensor([1.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()  # grad = 2 w
    ...     opt.step()
    >>> round(w.item(), 4)  # 1 - 0.2 = 0.8, then 0.8 - 0.1 * (0.9 * 2 + 1.6) = 0.46
    0.46
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_range("lr", lr)
        check_range("momentum", momentum)
        check_range("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr, "momentum": momentum, "dampening": dampening,
            "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        # Terms go to scratch slots (0: g, 1: a product), never into ``grad``, the user's.
        g = signed_grad(param, grad, group["maximize"], group["weight_decay"])
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= momentum
                dampening = group["dampening"]
                # (the same: 1.0 * g is g)
                buf += g if dampening == 0 else np.multiply(g, 1 - dampening, out=scratch(g, 1))
            if group["nesterov"]:
                g = np.add(g, np.multiply(buf, momentum, out=scratch(g, 1)), out=scratch(g, 0))
            else:
                g = buf
        param -= np.multiply(g, group["lr"], out=scratch(g, 1))
