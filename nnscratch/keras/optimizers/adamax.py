"""Adamax, Keras's formulation (epsilon added to the infinity norm)."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from ...optim.optimizer import scratch
from .optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7), as ``keras.optimizers.Adamax``; t = iterations + 1::

        m = beta_1 * m + (1 - beta_1) * g
        u = max(beta_2 * u, |g|)
        w = w - lr * m / ((1 - beta_1**t) * (u + epsilon))

    torch adds eps inside the max instead: ``u = max(beta_2 * u, |g| + eps)``.

    >>> import nnscratch as ns
    >>> w = ns.nn.Parameter(ns.tensor([1.0]))
    >>> opt = Adamax(learning_rate=0.1)
    >>> opt.apply_gradients([(ns.tensor([2.0]), w)])
    >>> round(w.item(), 6)
    0.9
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs,
        )  # fmt: skip
        self._check_hyperparameters(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables: list) -> None:
        """Slots: momentum (m) and norm (u) per variable."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["momentum", "norm"])

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """One Adamax update of ``param`` in place (see the class docstring)."""
        f = param.dtype.type
        beta_1_power = f(self.beta_1) ** f(self.iterations + 1)
        m, u, term = state["momentum"], state["norm"], scratch(param)
        m *= f(self.beta_1)
        m += np.multiply(grad, f(1 - self.beta_1), out=term)
        u *= f(self.beta_2)
        np.maximum(u, np.abs(grad, out=term), out=u)
        denominator = np.add(u, f(self.epsilon), out=term)
        denominator *= f(1) - beta_1_power
        step = np.multiply(m, f(group["lr"]), out=scratch(param, 1))
        param -= np.divide(step, denominator, out=step)

    def get_config(self) -> dict:
        """The base config plus the betas and ``epsilon``."""
        keys = ("beta_1", "beta_2", "epsilon")
        return {**super().get_config(), **{k: getattr(self, k) for k in keys}}
