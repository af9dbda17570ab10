"""SGD: gradient descent, with optional (Nesterov) momentum, Keras's formulation."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from .optimizer import Optimizer, _array


class SGD(Optimizer):
    """Stochastic gradient descent, as ``keras.optimizers.SGD``::

        momentum == 0:  w = w - lr * g
        otherwise:      m = momentum * m - lr * g            (m starts at 0)
                        w = w + m                             (plain)
                        w = w + momentum * m - lr * g         (nesterov)

    Unlike torch's SGD, the learning rate sits inside the momentum buffer.

    >>> import nnscratch as ns
    >>> w = ns.nn.Parameter(ns.tensor([1.0]))
    >>> opt = SGD(learning_rate=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.apply_gradients([(ns.tensor([1.0]), w)])
    >>> round(w.item(), 6)  # 1 - 0.1 - (0.9 * 0.1 + 0.1)
    0.71
    """

    def __init__(
        self,
        learning_rate=0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
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
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: {momentum!r}")
        self._check_hyperparameters(momentum=momentum)  # NaN passes the comparisons above
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables: list) -> None:
        """A momentum slot per variable, only when ``momentum != 0``."""
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    @elementwise
    def update_step(self, gradient: np.ndarray, variable, learning_rate: np.float32) -> None:
        """One SGD update of ``variable`` in place (see the class docstring)."""
        w = _array(variable)
        lr = w.dtype.type(learning_rate)
        if self.momentum == 0:
            w -= lr * gradient
            return
        m = self.momentums[self._get_variable_index(variable)]
        momentum = w.dtype.type(self.momentum)
        m *= momentum
        m -= lr * gradient
        if self.nesterov:
            w -= lr * gradient
            w += momentum * m
        else:
            w += m

    def get_config(self) -> dict:
        """The base config plus ``momentum`` and ``nesterov``."""
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
