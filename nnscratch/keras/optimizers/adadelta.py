"""Adadelta, Keras's formulation (the update is scaled by the learning rate, default 0.001)."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from .optimizer import Optimizer, _array


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
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"]
        )

    @elementwise
    def update_step(self, gradient: np.ndarray, variable, learning_rate: np.float32) -> None:
        """One Adadelta update of ``variable`` in place (see the class docstring)."""
        w, i = _array(variable), self._get_variable_index(variable)
        f = w.dtype.type
        rho, eps = f(self.rho), f(self.epsilon)
        grad_sq, delta_sq = self._accumulated_grads[i], self._accumulated_delta_vars[i]
        grad_sq *= rho
        grad_sq += f(1 - self.rho) * np.square(gradient)
        delta = -((np.sqrt(delta_sq + eps) * gradient) / np.sqrt(grad_sq + eps))
        delta_sq *= rho
        delta_sq += f(1 - self.rho) * np.square(delta)
        w += f(learning_rate) * delta

    def get_config(self) -> dict:
        """The base config plus ``rho`` and ``epsilon``."""
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
