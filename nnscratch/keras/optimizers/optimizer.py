"""``Optimizer``: the base of Keras-style optimizers (``keras.optimizers.Optimizer``).

A Keras optimizer is ``nnscratch.optim.Optimizer`` (the core both front ends share: the loop,
per-parameter state, the fused flat step) with Keras's names and habits on top. One call of
``apply(grads, variables)`` runs Keras's step, in Keras's order:

1. build on first use: one parameter group of the variables, and their slots (Keras's name for
   per-variable state, e.g. momentums) created by ``build`` in the core's ``state``;
2. drop variables whose gradient is None (with a warning), divide by ``loss_scale_factor``;
3. clip: ``clipnorm`` (each gradient alone), else ``global_clipnorm``, else ``clipvalue``;
4. decoupled weight decay: ``w *= 1 - weight_decay * learning_rate``;
5. the core's step: each subclass's ``_update(param, grad, state, group)``, the algorithm, in
   place on arrays, with the step's learning rate in ``group["lr"]`` (fused into one call on
   flat arrays for small variables, as for the torch-style optimizers);
6. ``iterations += 1``. (Keras then applies weight constraints; nnscratch's layers refuse
   ``*_constraint`` arguments, and a Parameter has no ``constraint``, so there are none.)

Variables are nnscratch Tensors (Parameters), updated in place in their dtype with no graph
recorded. The learning rate is a float (held as a float32 scalar, as Keras holds it in a
variable), a ``LearningRateSchedule`` called with ``iterations``, or a callable taking no
argument. ``variables`` lists the state in Keras's order for saving: iterations, the learning
rate, then the slots as ``build`` declared them.
"""

from __future__ import annotations

import operator
import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...autograd import Tensor, no_grad
from ...autograd.inplace import mark_written
from ...optim import optimizer as core
from ..utils import auto_name
from . import clipping, schedules
from .hyperparameters import check_hyperparameter, check_learning_rate


def _array(variable) -> np.ndarray:
    """The array a variable stores (a Tensor's ``_data``, or the array itself)."""
    return variable._data if isinstance(variable, Tensor) else variable


def _gradient_arrays(grads: list, variables: list) -> list[np.ndarray]:
    """The gradients as arrays, each in its variable's dtype and shape."""
    arrays = [g._data if isinstance(g, Tensor) else np.asarray(g) for g in grads]
    values = [_array(v) for v in variables]
    for data, value in [(d, v) for d, v in zip(arrays, values) if d.shape != v.shape]:
        raise ValueError(
            f"Gradient of shape {data.shape} does not match its variable's shape {value.shape}"
        )
    if [d for d, v in zip(arrays, values) if d.dtype != v.dtype]:
        arrays = [d if d.dtype == v.dtype else d.astype(v.dtype) for d, v in zip(arrays, values)]
    return arrays


class Optimizer(core.Optimizer):
    """Base class of Keras-style optimizers; subclasses declare their slots in ``build`` and
    write the update in ``_update`` (or, as in Keras, in ``update_step``).

    >>> import nnscratch as ns
    >>> from nnscratch.keras.optimizers import SGD
    >>> w = ns.nn.Parameter(ns.tensor([1.0, -2.0]))
    >>> opt = SGD(learning_rate=0.5)
    >>> opt.apply_gradients([(ns.tensor([2.0, -4.0]), w)])
    >>> w.tolist(), opt.iterations
    ([0.0, 0.0], 1)
    """

    def __init__(
        self,
        learning_rate,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs,
    ) -> None:
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.", stacklevel=2
            )
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if use_ema or gradient_accumulation_steps:
            raise NotImplementedError(
                "nnscratch's Keras optimizers support neither `use_ema` nor "
                f"`gradient_accumulation_steps`; received use_ema={use_ema}, "
                f"gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(v is not None for v in clips.values()) > 1:
            given = ", ".join(f"{k}={v}" for k, v in clips.items())
            raise ValueError(
                f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: {given}"
            )
        if weight_decay is not None:
            self._check_hyperparameters(weight_decay=weight_decay)
        self.name = name or auto_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._start({})  # the core, with no parameters until ``build``
        self._iterations = np.zeros((), np.int32)  # Keras: an "int" (int32) variable
        self._slot_names: list[list[str]] = []  # each add_optimizer_variables call's names
        self._extra_variables: list[np.ndarray] = []  # add_variable_from_reference's
        self._trainable_variables: list = []
        self._index: dict[int, int] = {}
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None
        self._init_learning_rate(learning_rate)

    def _init_learning_rate(self, learning_rate) -> None:
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
            return
        check_learning_rate(learning_rate, type(self).__name__)
        self._learning_rate = np.array(learning_rate, np.float32)

    def _check_hyperparameters(self, **values) -> None:
        """Refuse values outside their range (``HYPERPARAMETER_RANGES``, or the subclass's
        ``hyperparameter_ranges``), naming this optimizer."""
        ranges = getattr(self, "hyperparameter_ranges", None)
        for name, value in values.items():
            check_hyperparameter(type(self).__name__, name, value, ranges)

    # ---- the learning rate and the step count -----------------------------------------------
    @property
    def iterations(self) -> int:
        """How many steps ``apply`` has taken."""
        return int(self._iterations)

    @property
    def learning_rate(self) -> np.float32:
        """The learning rate of the next step (a schedule is evaluated at ``iterations``)."""
        lr = self._learning_rate
        if isinstance(lr, np.ndarray):
            return lr[()]
        if isinstance(lr, schedules.LearningRateSchedule):
            return np.float32(lr(self._iterations[()]))
        return np.float32(lr())

    @learning_rate.setter
    def learning_rate(self, learning_rate) -> None:
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        elif isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument."
            )
        elif isinstance(self._learning_rate, np.ndarray):
            self._check_hyperparameters(learning_rate=float(learning_rate))
            self._learning_rate[...] = float(learning_rate)
        else:  # a callable before: a float from now on
            self._init_learning_rate(float(learning_rate))

    # ---- state ------------------------------------------------------------------------------
    @property
    def variables(self) -> list[np.ndarray]:
        """The optimizer's state arrays in Keras's order: iterations, learning rate (when a
        float), then for each ``add_optimizer_variables`` call, each variable's slots, then
        any other state (``add_variable_from_reference``'s)."""
        found = [self._iterations]
        if isinstance(self._learning_rate, np.ndarray):
            found.append(self._learning_rate)
        for names in self._slot_names:
            found += [self.state[v][name] for v in self._trainable_variables for name in names]
        return found + self._extra_variables

    def build(self, variables: list) -> None:
        """Take the variables as the core's one parameter group, in order; subclasses then
        create their slots (``add_optimizer_variables``)."""
        self._trainable_variables = list(variables)
        self.add_param_group({"params": self._trainable_variables})
        self._index = {id(v): i for i, v in enumerate(self._trainable_variables)}
        self.built = True

    def _get_variable_index(self, variable) -> int:
        return self._index[id(variable)]

    def add_variable_from_reference(self, reference_variable, name: str = "var", initializer=0.0):
        """A state array shaped and typed like ``reference_variable``, filled with
        ``initializer`` (Keras's way for a custom optimizer to keep state of its own)."""
        value = _array(reference_variable)
        slot = np.full(value.shape, initializer, dtype=value.dtype)
        self._extra_variables.append(slot)
        return slot

    def add_optimizer_variables(self, variables: list, name, initializer=0.0):
        """Slots named ``name`` (one name or a list) for each variable, kept in the core's
        per-parameter ``state``; returns a list of arrays for one name, a tuple of lists for
        many. Keras's order: for each variable, one slot per name (m_0, v_0, m_1, v_1, ...).

        An ``_update`` reads its slots from ``state``: the fused step swaps them for views of
        flat arrays, so the returned lists go stale. (A Keras-style ``update_step`` runs per
        variable, with no fused step: there the lists stay the slots.)"""
        names = [name] if isinstance(name, str) else list(name)
        self._slot_names.append(names)
        for variable in variables:
            value = _array(variable)
            for slot_name in names:
                self.state[variable][slot_name] = np.full(value.shape, initializer, value.dtype)
        slots = tuple([self.state[v][n] for v in variables] for n in names)
        return slots[0] if isinstance(name, str) else slots

    def save_own_variables(self, store: dict) -> None:
        """Write the state into ``store`` as ``{'0': array, '1': array, ...}`` (Keras's layout)."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.copy()

    def load_own_variables(self, store: dict) -> None:
        """Read the state back from ``save_own_variables``'s layout (ours or real Keras's)."""
        variables = self.variables
        if len(store) != len(variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(variables)} variables whereas the saved optimizer has "
                f"{len(store)} variables.",
                stacklevel=2,
            )
            return
        for i, variable in enumerate(variables):
            variable[...] = np.asarray(store[str(i)])

    # ---- the step ---------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable) -> None:
        """``apply`` on ``(gradient, variable)`` pairs: ``zip(grads, model.trainable_weights)``."""
        grads, variables = zip(*grads_and_vars)
        self.apply(list(grads), list(variables))

    def apply(self, grads: list, trainable_variables: list | None = None) -> None:
        """Update the variables in place from their gradients (Tensors or arrays)."""
        if len(grads) == 0:
            return
        variables = self._known_variables(grads, trainable_variables)
        grads, variables = self._filter_empty_gradients(grads, variables)
        arrays = _gradient_arrays(grads, variables)
        if self.loss_scale_factor is not None:
            arrays = [g / g.dtype.type(self.loss_scale_factor) for g in arrays]
        self._apply_arrays(self._clip_gradients(arrays), variables)
        self._iterations += 1

    def _known_variables(self, grads: list, variables: list | None) -> list:
        if variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)`."
                )
            if len(grads) != len(self._trainable_variables):
                raise ValueError(
                    f"Received {len(grads)} gradients, but the optimizer is tracking "
                    f"{len(self._trainable_variables)} trainable variables."
                )
            return self._trainable_variables
        variables = list(variables)
        built = self._trainable_variables
        if len(variables) == len(built) and all(map(operator.is_, variables, built)):
            return variables  # (fit's step: the variables it was built on, in order)
        if not self.built:
            self.build(variables)
        built = self._trainable_variables  # (by identity: a deep copy keeps the old ids)
        unknown = [v for v in variables if built[self._index.get(id(v), -1)] is not v]
        if unknown:
            raise ValueError(
                f"Unknown variable of shape {tuple(unknown[0].shape)}: optimizer '{self.name}' "
                f"was built on {len(self._trainable_variables)} other variables; one optimizer "
                "serves one model."
            )
        return variables

    @staticmethod
    def _filter_empty_gradients(grads: list, variables: list) -> tuple[list, list]:
        if len([g for g in grads if g is not None]) == len(grads):  # (no `None in grads`: ==)
            return grads, variables
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(grads):
            missing = [
                getattr(v, "name", tuple(v.shape)) for g, v in zip(grads, variables) if g is None
            ]
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss.",
                stacklevel=3,
            )
        return [g for g, _ in kept], [v for _, v in kept]

    def _clip_gradients(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        if self.clipnorm and self.clipnorm > 0:
            return [clipping.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clipping.clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return [clipping.clip_by_value(g, self.clipvalue) for g in grads]
        return grads

    def _apply_arrays(self, grads: list[np.ndarray], variables: list) -> None:
        learning_rate = self.learning_rate
        self._apply_weight_decay(variables, learning_rate)
        self._prepare_step()
        if type(self).update_step is Optimizer.update_step:
            group = self.param_groups[0]
            group["lr"] = learning_rate
            self._apply(0, variables, grads, group)  # the core's step (marks them written)
        else:  # a subclass written in Keras's style, one variable at a time, on Tensors
            with no_grad():
                for grad, variable in zip(grads, variables):
                    self.update_step(grad, variable, learning_rate)
                    mark_written(variable)

    def _prepare_step(self) -> None:
        """Work done once per step before the per-variable updates (nothing by default)."""

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """Update ``param`` in place from ``grad`` with the slots in ``state`` and the step's
        learning rate in ``group["lr"]``: the algorithm, which subclasses write."""
        raise NotImplementedError(
            f"{type(self).__name__} implements neither `_update` nor Keras's `update_step`"
        )

    def update_step(self, gradient: np.ndarray, variable, learning_rate: np.float32) -> None:
        """Keras's per-variable hook: a subclass that overrides it is stepped one variable at
        a time, with its state kept by ``add_variable_from_reference`` and found with
        ``_get_variable_index``. The built-in optimizers write ``_update`` instead."""
        raise NotImplementedError(f"{type(self).__name__} does not implement `update_step`")

    # ---- weight decay -----------------------------------------------------------------------
    def exclude_from_weight_decay(
        self, var_list: list | None = None, var_names: list[str] | None = None
    ) -> None:
        """Exempt variables from weight decay: given ones, or those whose name contains any
        of ``var_names`` (e.g. ``['bias']``). Call it before the first step."""
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer is "
                "built."
            )
        self._exclude_ids = {id(v) for v in var_list or []}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        pattern, name = self._exclude_pattern, getattr(variable, "name", None)
        return not (pattern is not None and name is not None and pattern.search(name))

    def _apply_weight_decay(self, variables: list, learning_rate: np.float32) -> None:
        """Decoupled weight decay (Loshchilov & Hutter): ``w *= 1 - weight_decay * lr``."""
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                value = _array(variable)
                f = value.dtype.type
                value *= f(1) - f(self.weight_decay) * f(learning_rate)

    # ---- config -----------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, Keras's keys (a schedule is serialized as a dict)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif isinstance(lr, np.ndarray):
            lr = float(lr)
        keys = ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema")
        keys += ("ema_momentum", "ema_overwrite_frequency", "loss_scale_factor")
        extra = {k: getattr(self, k) for k in (*keys, "gradient_accumulation_steps")}
        return {"name": self.name, "learning_rate": lr, **extra}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        """An optimizer from ``get_config()``'s dict (no state)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} iterations={self.iterations}>"
