"""SGD: gradient descent, with optional (Nesterov) momentum, Keras's formulation."""

from __future__ import annotations

import numpy as np

from ...optim.flat import elementwise
from ...optim.optimizer import scratch
from .optimizer import Optimizer


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
        if self.momentum != 0:
            self.add_optimizer_variables(variables, "momentum")

    @elementwise
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """One SGD update of ``param`` in place (see the class docstring)."""
        f = param.dtype.type
        step = np.multiply(grad, f(group["lr"]), out=scratch(param))  # lr * g
        if self.momentum == 0:
            param -= step
            return
        m, momentum = state["momentum"], f(self.momentum)
        m *= momentum
        m -= step
        if self.nesterov:
            param -= step
            param += np.multiply(m, momentum, out=step)
        else:
            param += m

    def get_config(self) -> dict:
        """The base config plus ``momentum`` and ``nesterov``."""
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
