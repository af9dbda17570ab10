"""``Optimizer``: the loop over parameter groups, per-parameter state and state dicts.

Each optimizer subclass writes one in-place update, ``_update(param, grad, state, group)``, on
NumPy arrays; the base class finds the parameters that have a gradient, creates their state
lazily and bumps their in-place version so a stale graph cannot silently reuse old values.
An update marked ``@elementwise`` may run once for a whole group, on flat arrays (``flat.py``).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import numpy as np

from ..autograd import Tensor, dtypes, enable_grad, inplace, no_grad
from ..ops import workspace
from .flat import FlatGroup
from .state_check import check_state_dict


class _RequiredParameter:
    """The default of an option that every parameter group must set itself."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


# torch's names for the hyperparameters in its "Invalid ...: value" messages.
_LABELS = {"lr": "learning rate", "eps": "epsilon value", "rho": "rho value"}


def check_range(name: str, value: float, high: float | None = None) -> None:
    """torch's hyperparameter check, in torch's words ("Invalid learning rate: -1", which
    tests compare with torch's): ``0 <= value``, and ``value <= high`` when given."""
    if not (0.0 <= value and (high is None or value <= high)):
        raise ValueError(f"Invalid {_LABELS.get(name, f'{name} value')}: {value}")


def _typename(obj) -> str:
    """``torch.typename`` for our objects: 'int', 'nnscratch.autograd.tensor.Tensor'."""
    module, name = type(obj).__module__, type(obj).__qualname__
    return name if module == "builtins" else f"{module}.{name}"


def scalar_state(value: float) -> np.ndarray:
    """A 0-d array for scalar state ('step', 'mu_product'), dtype as torch's: float32 unless
    the default dtype is float64."""
    kind = np.float64 if dtypes.get_default_dtype() == np.float64 else np.float32
    return np.array(value, dtype=kind)


def scratch(like: np.ndarray, slot: int | str = 0) -> np.ndarray:
    """A temporary shaped and typed like ``like`` for one update, in memory reused by every
    step (``ops.workspace``): updates write their intermediate terms here with ``out=`` rather
    than allocating arrays the size of the parameters on each step. ``slot`` tells apart the
    temporaries an update needs at the same time (0, 1, ...); its contents die with the update.
    """
    return workspace.scratch(f"optimizer.{slot}", like.shape, like.dtype)


def signed_grad(
    param: np.ndarray, grad: np.ndarray, maximize: bool, weight_decay: float
) -> np.ndarray:
    """``g = -grad if maximize else grad;  g = g + weight_decay * p`` (when not 0), the
    gradient every optimizer here starts from: ``grad`` itself, or made in scratch slots 0
    and 1 (the result in slot 0), never a fresh array nor a change to ``grad``."""
    g = np.negative(grad, out=scratch(grad, 0)) if maximize else grad
    if weight_decay != 0:
        decay = np.multiply(param, weight_decay, out=scratch(grad, 1))
        g = np.add(g, decay, out=scratch(grad, 0))
    return g


def square_term(g: np.ndarray, weight: float) -> np.ndarray:
    """``weight * g * g`` (in that order: ``(weight * g) * g``) in scratch slot 1, the term a
    running average of squared gradients takes in."""
    term = np.multiply(g, weight, out=scratch(g, 1))
    term *= g
    return term


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start += weight * (end - start)`` in place, with torch's two formulas (exact ends).
    Its temporary is scratch slot 1: callers keep no live term there (``end`` may be slot 0's
    gradient), so an update touches as few arrays as it can."""
    difference = np.subtract(end, start, out=scratch(start, 1))
    if abs(weight) < 0.5:
        difference *= weight
        start += difference
    else:
        difference *= 1 - weight
        np.subtract(end, difference, out=start)


class Optimizer:
    """Base class of all optimizers, read like ``torch.optim.Optimizer``.

    ``params`` is an iterable of tensors, or of dicts (parameter groups) that each hold
    ``'params'`` and any options that differ from ``defaults``. Subclasses implement
    ``_update(param, grad, state, group)`` on NumPy arrays, in place.

    >>> import nnscratch as ns
    >>> from nnscratch.optim import SGD
    >>> w = ns.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([0., 0.], requires_grad=True)
    """

    def __init__(self, params: Iterable, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_typename(params)}"
            )
        self._start(defaults)
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def _start(self, defaults: dict[str, Any]) -> None:
        """The core with no parameters yet: options, per-parameter state, groups. (Keras's
        optimizers start here and add their variables when built.)"""
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._flat_groups: dict[int, FlatGroup | None] = {}  # by group index: see _step_flat

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"

    # ---- parameter groups -------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        param_group["params"] = _as_param_list(param_group["params"])
        _split_names(param_group)
        for param in param_group["params"]:
            _check_param(param)
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)
        self._check_disjoint(param_group)
        self.param_groups.append(param_group)

    def _check_disjoint(self, param_group: dict[str, Any]) -> None:
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                kind = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {kind} to the optimizer"
                )
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")

    # ---- the step ---------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (the default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        The closure re-evaluates the model (under ``enable_grad``) before the update.
        """
        loss = None
        with no_grad():
            if closure is not None:
                with enable_grad():
                    loss = closure()
            for index, group in enumerate(self.param_groups):
                params = [p for p in group["params"] if p.grad is not None]
                self._apply(index, params, [p.grad._data for p in params], group)
        return loss

    def _apply(self, index: int, params: list, grads: list[np.ndarray], group: dict) -> None:
        """Update ``params`` (group ``index``'s tensors) in place from their gradient arrays:
        the step of both front ends (``step`` reads ``.grad``; Keras's ``apply`` is handed
        the gradients). One fused call when the group may (see ``flat.FlatGroup``), else one
        ``_update`` per parameter; each parameter's state is created before its first update."""
        states = [self.state[p] for p in params]
        for p, state in zip(params, states):
            if not state:
                self._init_state(p._data, state, group)
        if not self._step_flat(index, params, grads, states, group):
            for p, grad, state in zip(params, grads, states):
                self._update(p._data, grad, state, group)
        for p in params:
            inplace.mark_written(p)

    def _step_flat(self, index: int, params: list, grads: list, states: list, group) -> bool:
        """Update a whole group in one ``_update`` call when it may (see ``flat.FlatGroup``);
        False when the parameters must go one by one."""
        if len(params) < 2 or not getattr(type(self)._update, "elementwise", False):
            return False
        flat = self._flat_groups.get(index)
        if flat is None or not flat.fits(params, states):
            flat = self._flat_groups[index] = FlatGroup.build(params, states)
            if flat is None:
                return False
        flat.step(self._update, grads, group)
        return True

    def _init_state(self, param: np.ndarray, state: dict[str, Any], group: dict) -> None:
        """Create a parameter's state before its first update (nothing by default)."""

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """Update ``param`` in place from ``grad`` (subclasses write the algorithm here)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _update")

    # ---- state dicts ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [...]}`` with parameters numbered in
        order across groups, torch's layout: the arrays convert to torch tensors one by one."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def check_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Raise ``InputError`` (a ``ValueError``) saying what is wrong if ``state_dict``
        cannot be loaded: ``load_state_dict`` calls it before changing anything."""
        check_state_dict(self, state_dict)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a dict from ``state_dict()`` (ours, or torch's with tensors made arrays).

        Arrays are copied; floating ones take their parameter's dtype, except 'step'. The
        whole dict is checked first (``check_state_dict``): a refused one changes nothing.
        """
        self.check_state_dict(state_dict)
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in self.param_groups),
            )
        )
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            param = id_map[key]  # (checked: every key is a saved parameter id)
            state[param] = {k: _cast(param, k, v) for k, v in value.items()}
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            for name, default in self.defaults.items():
                saved.setdefault(name, default)  # a dict saved before an option existed
        self.state, self.param_groups = state, saved_groups


def _as_param_list(params) -> list:
    if isinstance(params, Tensor):
        return [params]
    if isinstance(params, set):
        raise TypeError(
            "optimizer parameters need to be organized in ordered collections, but the "
            "ordering of tensors in sets will change between runs. Please use a list instead."
        )
    return list(params)


def _split_names(param_group: dict[str, Any]) -> None:
    """Accept ``named_parameters()``: (name, tensor) pairs keep their names in 'param_names'."""
    params = param_group["params"]
    names = [p[0] for p in params if isinstance(p, tuple)]
    param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
    if names and len(names) != len(params):
        raise ValueError(
            "all optimizer params should be with/without names. Some param names are missing"
        )
    if names:
        param_group["param_names"] = names


def _check_param(param) -> None:
    if not isinstance(param, Tensor):
        raise TypeError(
            f"optimizer can only optimize Tensors, but one of the params is {_typename(param)}"
        )
    if not (param.is_leaf or param.retains_grad):
        raise ValueError("can't optimize a non-leaf Tensor")


def _cast(param: Tensor, key: str, value):
    """A copy of one saved state value: arrays become ours, floating ones the param's dtype."""
    if isinstance(value, Tensor):
        value = value._data
    if not hasattr(value, "__array__") or isinstance(value, (bool, int, float)):
        return scalar_state(value) if key == "step" else value
    array = np.array(value)  # a copy, also of torch tensors and NumPy scalars
    if key != "step" and array.dtype.kind == "f":
        array = array.astype(param.dtype, copy=False)
    return array
