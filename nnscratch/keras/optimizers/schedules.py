"""Learning-rate schedules: ``schedule(step)`` gives the learning rate at an optimizer step.

Keras computes every schedule in float32 (the dtype of ``initial_learning_rate`` as a tensor);
so do we, with NumPy float32 scalars, so the values agree with Keras's to the last bit or so.
An optimizer given a schedule calls it with its ``iterations`` count before each update.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import numpy as np

_F = np.float32  # Keras's floatx


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step) -> np.float32:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()`."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Rebuild a schedule from ``get_config()``'s dict."""
        return cls(**config)


def _check_decay_steps(decay_steps, name: str = "decay_steps") -> None:
    if decay_steps <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={decay_steps}")


class _RateDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments, and the progress
    ``step / decay_steps`` (floored with ``staircase``) that each turns into a rate."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str | None = None,
    ) -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = type(self).__name__ if name is None else name

    def _progress(self, step) -> np.float32:
        p = _F(step) / _F(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def get_config(self) -> dict[str, Any]:
        keys = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")
        return {k: getattr(self, k) for k in keys}


class ExponentialDecay(_RateDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with ``staircase`` the
    exponent is floored, so the rate drops in steps every ``decay_steps``.

    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    >>> [round(float(schedule(s)), 6) for s in (0, 9, 10, 25)]
    [0.1, 0.1, 0.05, 0.025]
    """

    def __call__(self, step) -> np.float32:
        return _F(self.initial_learning_rate) * np.power(_F(self.decay_rate), self._progress(step))


class InverseTimeDecay(_RateDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (the ratio floored
    with ``staircase``)."""

    def __call__(self, step) -> np.float32:
        return _F(self.initial_learning_rate) / (_F(1) + _F(self.decay_rate) * self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, and ``values[-1]`` after the last boundary.

    >>> schedule = PiecewiseConstantDecay(boundaries=[10, 20], values=[1.0, 0.5, 0.1])
    >>> [float(schedule(s)) for s in (0, 10, 11, 20, 21)]
    [1.0, 1.0, 0.5, 0.5, 0.10000000149011612]
    """

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of "
                f"length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = np.asarray(step)
        bounds = self.boundaries
        if step.dtype.kind in "iu":  # Keras casts the boundaries to the step's integer dtype
            bounds = [int(b) for b in bounds]
        index = bisect.bisect_left(bounds, step.item())
        value = self.values[index]
        return _F(value) if isinstance(value, float) else np.asarray(value)[()]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``, the step capped at
    ``decay_steps``; with ``cycle`` the horizon grows to the next multiple of ``decay_steps``."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step) -> np.float32:
        initial, end = _F(self.initial_learning_rate), _F(self.end_learning_rate)
        step, horizon = _F(step), _F(self.decay_steps)
        if self.cycle:
            horizon = horizon * (_F(1) if step == 0 else np.ceil(step / _F(self.decay_steps)))
        else:
            step = np.minimum(step, horizon)
        return (initial - end) * np.power(_F(1) - step / horizon, _F(self.power)) + end

    def get_config(self) -> dict[str, Any]:
        keys = ("initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle")
        return {**{k: getattr(self, k) for k in keys}, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine annealing, after an optional linear warmup (Loshchilov & Hutter, SGDR).

    Without ``warmup_target``: ``lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps))
    + alpha)`` with ``s = min(step, decay_steps)``. With it, the rate first climbs linearly from
    ``lr0`` to ``warmup_target`` over ``warmup_steps``, then decays from ``warmup_target``.

    >>> schedule = CosineDecay(1.0, decay_steps=10)
    >>> [round(float(schedule(s)), 6) for s in (0, 5, 10, 99)]
    [1.0, 0.5, 0.0, 0.0]
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step: np.float32, decay_from: np.float32) -> np.float32:
        cosine = _F(0.5) * (_F(1) + np.cos(_F(math.pi) * (step / _F(self.decay_steps))))
        return decay_from * (_F(1 - self.alpha) * cosine + _F(self.alpha))

    def __call__(self, step) -> np.float32:
        initial, step = _F(self.initial_learning_rate), _F(step)
        if self.warmup_target is None:
            return self._decay(np.minimum(step, _F(self.decay_steps)), initial)
        target, warmup = _F(self.warmup_target), _F(self.warmup_steps)
        step = np.minimum(step, _F(self.decay_steps) + warmup)
        if step < warmup:
            return (target - initial) * (step / warmup) + initial
        return self._decay(step - warmup, target)

    def get_config(self) -> dict[str, Any]:
        keys = ("initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target")
        return {**{k: getattr(self, k) for k in keys}, "warmup_steps": self.warmup_steps}


_SCHEDULES = {
    cls.__name__: cls
    for cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay)
}
_SCHEDULES["CosineDecay"] = CosineDecay


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """Keras's layout: ``{'module', 'class_name', 'config', 'registered_name'}``."""
    return {
        "module": "keras.optimizers.schedules",
        "class_name": type(schedule).__name__,
        "config": schedule.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict[str, Any]) -> LearningRateSchedule:
    """A schedule from ``serialize()``'s dict (ours or real Keras's)."""
    name = config.get("class_name")
    if name not in _SCHEDULES:
        raise ValueError(
            f"Unknown learning rate schedule {name!r}; expected one of {sorted(_SCHEDULES)}"
        )
    return _SCHEDULES[name].from_config(dict(config.get("config", {})))
