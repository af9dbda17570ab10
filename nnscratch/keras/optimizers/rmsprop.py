"""RMSprop, Keras's formulation (epsilon inside the square root, lr inside the momentum)."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from ...optim.optimizer import scratch
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), as ``keras.optimizers.RMSprop``::

        v = rho * v + (1 - rho) * g * g
        a = rho * a + (1 - rho) * g                                   [centered]
        step = lr * g / sqrt(v + epsilon)          (v - a * a + epsilon when centered)
        m = momentum * m + step;  w = w - m                            [momentum > 0]
        w = w - step                                                   [otherwise]

    torch puts eps (1e-8) outside the square root and lr outside the momentum buffer.

    >>> import nnscratch as ns
    >>> w = ns.nn.Parameter(ns.tensor([1.0]))
    >>> opt = RMSprop(learning_rate=0.01)
    >>> opt.apply_gradients([(ns.tensor([1.0]), w)])
    >>> round(w.item(), 5)  # 1 - 0.01 / sqrt(0.1)
    0.96838
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
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
        self._check_hyperparameters(rho=rho, momentum=momentum, epsilon=epsilon)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, variables: list) -> None:
        """Slots: velocity; momentum when ``momentum > 0``; average_gradient when centered."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, "velocity")
        if self.momentum > 0:
            self.add_optimizer_variables(variables, "momentum")
        if self.centered:
            self.add_optimizer_variables(variables, "average_gradient")

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """One RMSprop update of ``param`` in place (see the class docstring)."""
        f = param.dtype.type
        rho, term = f(self.rho), scratch(param, 1)
        v = state["velocity"]
        v *= rho
        np.square(grad, out=term)
        v += np.multiply(term, f(1 - self.rho), out=term)
        denominator = np.add(v, f(self.epsilon), out=scratch(param))
        if self.centered:
            a = state["average_gradient"]
            a *= rho
            a += np.multiply(grad, f(1 - self.rho), out=term)
            denominator -= np.square(a, out=term)
        step = np.multiply(grad, f(group["lr"]), out=term)
        step /= np.sqrt(denominator, out=denominator)
        if self.momentum > 0:
            m = state["momentum"]
            m *= f(self.momentum)
            m += step
            step = m
        param -= step

    def get_config(self) -> dict:
        """The base config plus ``rho``, ``momentum``, ``epsilon`` and ``centered``."""
        keys = ("rho", "momentum", "epsilon", "centered")
        return {**super().get_config(), **{k: getattr(self, k) for k in keys}}
