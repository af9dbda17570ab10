"""Lion: the sign of an interpolated momentum, Keras's formulation."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from ...optim.optimizer import scratch
from .hyperparameters import HYPERPARAMETER_RANGES
from .optimizer import Optimizer


class Lion(Optimizer):
    """Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms"), as
    ``keras.optimizers.Lion``::

        w = w - lr * sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g

    >>> import nnscratch as ns
    >>> w = ns.nn.Parameter(ns.tensor([1.0, 1.0]))
    >>> opt = Lion(learning_rate=0.1)
    >>> opt.apply_gradients([(ns.tensor([3.0, -0.5]), w)])
    >>> [round(v, 6) for v in w.tolist()]
    [0.9, 1.1]
    """

    # Lion has no bias correction to break: a beta of 1 is allowed, as in Keras
    hyperparameter_ranges = {**HYPERPARAMETER_RANGES, "beta_1": (1.0, True), "beta_2": (1.0, True)}

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
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
        self.beta_1, self.beta_2 = beta_1, beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                f"Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}."
            )
        self._check_hyperparameters(beta_1=beta_1, beta_2=beta_2)  # NaN, and beta_2 too

    def build(self, variables: list) -> None:
        """A momentum slot per variable."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, "momentum")

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """One Lion update of ``param`` in place (see the class docstring)."""
        f = param.dtype.type
        m, term = state["momentum"], scratch(param, 1)
        direction = np.multiply(m, f(self.beta_1), out=scratch(param))
        direction += np.multiply(grad, f(1 - self.beta_1), out=term)
        np.sign(direction, out=direction)
        param -= np.multiply(direction, f(group["lr"]), out=direction)
        m *= f(self.beta_2)
        m += np.multiply(grad, f(1 - self.beta_2), out=term)

    def get_config(self) -> dict:
        """The base config plus the betas."""
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
