"""Adam (with AMSGrad) and AdamW, Keras's formulation: epsilon added to sqrt(v) *before* the
bias correction is folded into the step size."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from ...optim.optimizer import scratch
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba), as ``keras.optimizers.Adam``; t = iterations + 1::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        v_hat = max(v_hat, v) and use it as v                         [amsgrad]
        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w = w - alpha * m / (sqrt(v) + epsilon)

    torch instead divides by ``sqrt(v / (1 - beta_2**t)) + eps`` with eps = 1e-8; Keras's
    epsilon (1e-7) is the "epsilon hat" of the paper's section 2.

    >>> import nnscratch as ns
    >>> w = ns.nn.Parameter(ns.tensor([1.0, -1.0]))
    >>> opt = Adam(learning_rate=0.1)
    >>> opt.apply_gradients([(ns.tensor([2.0, -2.0]), w)])
    >>> [round(v, 4) for v in w.tolist()]  # the first step moves each weight by about lr
    [0.9, -0.9]
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
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
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, variables: list) -> None:
        """Slots: momentum and velocity per variable, and velocity_hat with amsgrad."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["momentum", "velocity"])
        if self.amsgrad:
            self.add_optimizer_variables(variables, "velocity_hat")

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """One Adam update of ``param`` in place (see the class docstring)."""
        f = param.dtype.type
        t, beta_1, beta_2 = f(self.iterations + 1), f(self.beta_1), f(self.beta_2)
        alpha = f(group["lr"]) * np.sqrt(f(1) - beta_2**t) / (f(1) - beta_1**t)
        m, v, term = state["momentum"], state["velocity"], scratch(param)
        m *= beta_1
        m += np.multiply(grad, f(1 - self.beta_1), out=term)
        v *= beta_2
        np.square(grad, out=term)
        v += np.multiply(term, f(1 - self.beta_2), out=term)
        if self.amsgrad:
            v = np.maximum(state["velocity_hat"], v, out=state["velocity_hat"])
        denominator = np.sqrt(v, out=term)
        denominator += f(self.epsilon)
        step = np.multiply(m, alpha, out=scratch(param, 1))
        param -= np.divide(step, denominator, out=step)

    def get_config(self) -> dict:
        """The base config plus the betas, ``epsilon`` and ``amsgrad``."""
        keys = ("beta_1", "beta_2", "epsilon", "amsgrad")
        return {**super().get_config(), **{k: getattr(self, k) for k in keys}}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``keras.optimizers.AdamW``:
    before each Adam update, ``w = w * (1 - weight_decay * lr)`` (the base class does it).

    >>> AdamW().weight_decay
    0.004
    """

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
            amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
            global_clipnorm=global_clipnorm, name=name, **kwargs,
        )  # fmt: skip
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
