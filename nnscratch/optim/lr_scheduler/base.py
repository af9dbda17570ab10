"""The scheduler base class: the initial step, ``step()``, ``get_last_lr()`` and state dicts."""

from __future__ import annotations

import warnings
from typing import Any

from .state_check import check_state_dict

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available."
)
STEP_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "You should call them in this order: `optimizer.step()` before `lr_scheduler.step()`. "
    "Failure to do this will result in skipping the first value of the learning rate schedule."
)


def _check_optimizer(optimizer) -> None:
    if not isinstance(getattr(optimizer, "param_groups", None), list):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _group_values(optimizer, key: str) -> list:
    return [group[key] for group in optimizer.param_groups]


def _per_group(name: str, optimizer, value) -> list:
    """``value`` once per param group; a list or tuple must already hold one per group."""
    if not isinstance(value, (list, tuple)):
        return [value] * len(optimizer.param_groups)
    if len(value) != len(optimizer.param_groups):
        raise ValueError(
            f"{name} must have the same length as optimizer.param_groups. "
            f"{name} has {len(value)} values, param_groups has {len(optimizer.param_groups)}."
        )
    return list(value)


def _track_optimizer_steps(optimizer) -> None:
    """Wrap ``optimizer.step`` once, so a scheduler stepped first can warn (torch #20124)."""
    step = getattr(optimizer, "step", None)
    if step is None or getattr(step, "_wrapped_by_lr_sched", False):
        return

    def wrapper(*args, **kwargs):
        optimizer._opt_called = True
        return step(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True
    optimizer.step = wrapper


class LRScheduler:
    """Base class: sets ``initial_lr`` in each group, then takes the initial step (epoch 0).

    Subclasses write ``get_lr()``; ``step()`` advances ``last_epoch`` and writes its values
    into ``group["lr"]``; ``get_last_lr()`` returns them. ``last_epoch`` other than -1 resumes
    a schedule and needs ``initial_lr`` already in every group.
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(
                    f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                    "scheduler with last_epoch >= 0 (load the optimizer's state first)"
                )
        self.base_lrs: list[float] = _group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        _track_optimizer_steps(optimizer)
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def check_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Raise ``InputError`` (a ``ValueError``) saying what is wrong if ``state_dict``
        cannot be loaded: a field of another kind than this scheduler's, a list with another
        length, a key naming a method. ``load_state_dict`` calls it before changing anything."""
        check_state_dict(self, state_dict)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by ``state_dict()``, once ``check_state_dict``
        accepts them all (a refused dict changes nothing)."""
        self.check_state_dict(state_dict)
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` wrote, one per param group."""
        return self._last_lr

    def get_lr(self) -> list[float]:
        """The next learning rates; called by ``step()``, not by users."""
        raise NotImplementedError

    def _warn_if_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, "
                "please use `get_last_lr()`.",
                UserWarning,
                stacklevel=3,
            )

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (``epoch`` is deprecated, as in torch) and update the lrs."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            if getattr(getattr(self.optimizer, "step", None), "_wrapped_by_lr_sched", False):
                warnings.warn(STEP_ORDER_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._get_lr_called_within_step = True
        try:
            values = self._next_lrs(epoch)
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr: list[float] = _group_values(self.optimizer, "lr")

    def _next_lrs(self, epoch: int | None) -> list[float]:
        if epoch is None:
            self.last_epoch += 1
            return self.get_lr()
        self.last_epoch = epoch
        closed_form = getattr(self, "_get_closed_form_lr", None)
        return closed_form() if closed_form is not None else self.get_lr()
