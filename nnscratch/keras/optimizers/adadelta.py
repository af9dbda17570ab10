"""Adadelta, Keras's formulation (the update is scaled by the learning rate, default 0.001)."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from ...optim.optimizer import scratch
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta (Zeiler), as ``keras.optimizers.Adadelta``::

        E[g2] = rho * E[g2] + (1 - rho) * g * g
        delta = -sqrt(E[dx2] + epsilon) / sqrt(E[g2] + epsilon) * g
        E[dx2] = rho * E[dx2] + (1 - rho) * delta * delta
        w = w + lr * delta

    Same maths as torch's, with Keras's defaults (lr 0.001, rho 0.95, epsilon 1e-7).

    >>> import nnscratch as ns
    >>> w = ns.nn.Parameter(ns.tensor([1.0]))
    >>> opt = Adadelta(learning_rate=1.0)
    >>> opt.apply_gradients([(ns.tensor([1.0]), w)])
    >>> round(w.item(), 6)  # 1 - sqrt(1e-7) / sqrt(0.05 + 1e-7)
    0.998586
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho: float = 0.95,
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
        self._check_hyperparameters(rho=rho, epsilon=epsilon)
        self.rho, self.epsilon = rho, epsilon

    def build(self, variables: list) -> None:
        """Slots: accumulated_grad and accumulated_delta_var per variable."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["accumulated_grad", "accumulated_delta_var"])

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """One Adadelta update of ``param`` in place (see the class docstring)."""
        f = param.dtype.type
        rho, eps, term = f(self.rho), f(self.epsilon), scratch(param, 1)
        grad_sq, delta_sq = state["accumulated_grad"], state["accumulated_delta_var"]
        grad_sq *= rho
        np.square(grad, out=term)
        grad_sq += np.multiply(term, f(1 - self.rho), out=term)
        delta = np.add(delta_sq, eps, out=scratch(param))  # -sqrt(E[dx^2]) g / sqrt(E[g^2])
        np.sqrt(delta, out=delta)
        delta *= grad
        denominator = np.add(grad_sq, eps, out=term)
        delta /= np.sqrt(denominator, out=denominator)
        np.negative(delta, out=delta)
        delta_sq *= rho
        np.square(delta, out=term)
        delta_sq += np.multiply(term, f(1 - self.rho), out=term)
        delta *= f(group["lr"])
        param += delta

    def get_config(self) -> dict:
        """The base config plus ``rho`` and ``epsilon``."""
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
