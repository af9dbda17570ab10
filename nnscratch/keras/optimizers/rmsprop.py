"""RMSprop, Keras's formulation (epsilon inside the square root, lr inside the momentum)."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from .optimizer import Optimizer, _array


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
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    @elementwise
    def update_step(self, gradient: np.ndarray, variable, learning_rate: np.float32) -> None:
        """One RMSprop update of ``variable`` in place (see the class docstring)."""
        w, i = _array(variable), self._get_variable_index(variable)
        f = w.dtype.type
        v = self._velocities[i]
        v *= f(self.rho)
        v += f(1 - self.rho) * np.square(gradient)
        denominator = v + f(self.epsilon)
        if self.centered:
            a = self._average_gradients[i]
            a *= f(self.rho)
            a += f(1 - self.rho) * gradient
            denominator -= np.square(a)
        step = (gradient * f(learning_rate)) / np.sqrt(denominator, out=denominator)
        if self.momentum > 0:
            m = self._momentums[i]
            m *= f(self.momentum)
            m += step
            step = m
        w -= step

    def get_config(self) -> dict:
        """The base config plus ``rho``, ``momentum``, ``epsilon`` and ``centered``."""
        keys = ("rho", "momentum", "epsilon", "centered")
        return {**super().get_config(), **{k: getattr(self, k) for k in keys}}
