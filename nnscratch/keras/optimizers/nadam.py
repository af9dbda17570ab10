"""Nadam: Adam with Nesterov momentum and Dozat's momentum schedule, Keras's formulation."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from ...optim.optimizer import scratch
from .optimizer import Optimizer


class Nadam(Optimizer):
    """Nadam (Dozat, "Incorporating Nesterov Momentum into Adam"), as ``keras.optimizers.Nadam``;
    t = iterations + 1 and mu_t = beta_1 * (1 - 0.5 * 0.96**t)::

        P_t = mu_1 * ... * mu_t            (one product for all variables, updated per step)
        m = beta_1 * m + (1 - beta_1) * g;   v = beta_2 * v + (1 - beta_2) * g * g
        m_hat = mu_{t+1} * m / (1 - P_t * mu_{t+1}) + (1 - mu_t) * g / (1 - P_t)
        v_hat = v / (1 - beta_2**t)
        w = w - lr * m_hat / (sqrt(v_hat) + epsilon)

    The same schedule as torch's NAdam (momentum_decay 0.004 gives its 0.96**t), with Keras's
    epsilon (1e-7) and decay base written as 0.96.

    >>> import nnscratch as ns
    >>> w = ns.nn.Parameter(ns.tensor([1.0]))
    >>> opt = Nadam(learning_rate=0.1)
    >>> opt.apply_gradients([(ns.tensor([2.0]), w)])
    >>> round(w.item(), 4)  # a first step a little longer than lr (the Nesterov look-ahead)
    0.8937
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
        """Slots: momentum and velocity per variable, then the shared product P (from 1)."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["momentum", "velocity"])
        dtype = variables[0].dtype if variables else np.float32
        self._u_product = np.ones((), dtype)
        self._extra_variables.append(self._u_product)

    def _mu(self, step: int):
        """Dozat's momentum schedule ``beta_1 * (1 - 0.5 * 0.96**step)`` in the slots' dtype."""
        f = self._u_product.dtype.type
        return f(self.beta_1) * (f(1) - f(0.5) * f(0.96) ** f(step))

    def _prepare_step(self) -> None:
        """P_t = P_{t-1} * mu_t, once per step before the variables' updates."""
        self._u_product *= self._mu(self.iterations + 1)

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """One Nadam update of ``param`` in place (see the class docstring)."""
        f = param.dtype.type
        t = self.iterations + 1
        mu_t, mu_next, product = self._mu(t), self._mu(t + 1), f(self._u_product)
        m, v, term = state["momentum"], state["velocity"], scratch(param, 1)
        m *= f(self.beta_1)
        m += np.multiply(grad, f(1 - self.beta_1), out=term)
        v *= f(self.beta_2)
        np.square(grad, out=term)
        v += np.multiply(term, f(1 - self.beta_2), out=term)
        m_hat = np.multiply(m, mu_next, out=scratch(param))
        m_hat /= f(1) - product * mu_next
        np.multiply(grad, f(1) - mu_t, out=term)
        m_hat += np.divide(term, f(1) - product, out=term)
        v_hat = np.divide(v, f(1) - f(self.beta_2) ** f(t), out=term)
        denominator = np.sqrt(v_hat, out=v_hat)
        denominator += f(self.epsilon)
        m_hat *= f(group["lr"])
        param -= np.divide(m_hat, denominator, out=m_hat)

    def get_config(self) -> dict:
        """The base config plus the betas and ``epsilon``."""
        keys = ("beta_1", "beta_2", "epsilon")
        return {**super().get_config(), **{k: getattr(self, k) for k in keys}}
