"""Adagrad, Keras's formulation (accumulator starts at 0.1, epsilon inside the square root)."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from ...optim.optimizer import scratch
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), as ``keras.optimizers.Adagrad``::

        acc = acc + g * g                     (acc starts at initial_accumulator_value)
        w = w - lr * g / sqrt(acc + epsilon)

    torch starts the accumulator at 0 and adds eps (1e-10) outside the square root.

    >>> import nnscratch as ns
    >>> w = ns.nn.Parameter(ns.tensor([1.0]))
    >>> opt = Adagrad(learning_rate=0.1)
    >>> opt.apply_gradients([(ns.tensor([1.0]), w)])
    >>> round(w.item(), 5)  # 1 - 0.1 / sqrt(1.1)
    0.90465
    """

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value: float = 0.1,
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
        self._check_hyperparameters(
            initial_accumulator_value=initial_accumulator_value, epsilon=epsilon
        )
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables: list) -> None:
        """An accumulator per variable, filled with ``initial_accumulator_value``."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(
            variables, "accumulator", initializer=self.initial_accumulator_value
        )

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """One Adagrad update of ``param`` in place (see the class docstring)."""
        f = param.dtype.type
        acc = state["accumulator"]
        acc += np.square(grad, out=scratch(param))
        denominator = np.add(acc, f(self.epsilon), out=scratch(param))
        np.sqrt(denominator, out=denominator)
        step = np.multiply(grad, f(group["lr"]), out=scratch(param, 1))
        param -= np.divide(step, denominator, out=step)

    def get_config(self) -> dict:
        """The base config plus ``initial_accumulator_value`` and ``epsilon``."""
        extra = {"initial_accumulator_value": self.initial_accumulator_value}
        return {**super().get_config(), **extra, "epsilon": self.epsilon}
