"""A parameter group's update in one call: its parameters, gradients and state made flat.

Small models are bound by the cost of each NumPy call, and an optimizer makes the same dozen
calls for every parameter. When the update is elementwise (``@elementwise``), every parameter
of a group has a gradient, they share a dtype, their scalar state (the step count) agrees
and they are small (``worth_flattening``), ``FlatGroup`` runs the update once on flat
arrays instead, as torch's ``foreach`` path does.
Each state array becomes a view of one flat array per name, so the state dict shows the same
arrays; each element goes through the same operations, so the numbers are the same.
"""

from __future__ import annotations

import operator

import numpy as np

__all__ = ["FlatGroup", "elementwise", "views", "worth_flattening"]

# Flattening pays three copies per element (parameter in, gradient in, parameter out) to save
# one update call per parameter; a call costs about as much as copying this many elements
# (measured with Adam on float32: ~25 us a call, ~1.5 ns an element copied in and out).
_ELEMENTS_PER_CALL = 16_384


def elementwise(update):
    """Mark an update whose maths is elementwise in the parameter, its gradient and its state
    arrays, and whose state is all created before the first update: it may then run once on a
    whole group. A subclass overriding the update without this mark runs per parameter."""
    update.elementwise = True
    return update


def worth_flattening(arrays: list[np.ndarray]) -> bool:
    """Whether one update on ``arrays`` flattened beats one update each: there are two or
    more, and they are small enough that the copies cost less than the calls they save."""
    return len(arrays) > 1 and sum(a.size for a in arrays) <= _ELEMENTS_PER_CALL * len(arrays)


def views(flat: np.ndarray, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Views of consecutive pieces of ``flat`` shaped like ``arrays``.

    >>> flat = np.arange(5.0)
    >>> [v.tolist() for v in views(flat, [np.zeros((2, 1)), np.zeros(3)])]
    [[[0.0], [1.0]], [2.0, 3.0, 4.0]]
    """
    ends = np.cumsum([0] + [a.size for a in arrays]).tolist()
    return [flat[a:b].reshape(x.shape) for a, b, x in zip(ends[:-1], ends[1:], arrays)]


class FlatGroup:
    """Flat copies of some parameters and their state, for one update call on all of them.

    ``build`` makes one (or returns None when the parameters cannot share one update), after
    which each parameter's state arrays are views of the flat ones; ``fits`` says whether it
    still describes the parameters and state dicts of a step; ``step`` runs the update.
    """

    def __init__(self, params: list, states: list[dict], arrays: dict, scalars: dict) -> None:
        self.params, self.states = params, states
        self.param = np.empty(sum(p._data.size for p in params), params[0].dtype)
        self.param_views = views(self.param, [p._data for p in params])
        self.grad = np.empty_like(self.param)
        self.grad_views = views(self.grad, [p._data for p in params])
        self.state = {**arrays, **{key: np.array(value) for key, value in scalars.items()}}
        self.array_keys, self.scalar_keys = list(arrays), list(scalars)
        self.views = self._state_views(states)  # what ``fits`` expects to find in the states

    def _state_views(self, states: list[dict]) -> list:
        return [state.get(key) for key in self.array_keys for state in states]

    @classmethod
    def build(cls, params: list, states: list[dict]) -> FlatGroup | None:
        """Flatten ``params`` and their (initialised) state, or None if they do not fit."""
        worth = worth_flattening([p._data for p in params])
        scalars = _scalar_state(params, states) if worth else None
        if scalars is None:
            return None
        arrays = {}
        for key in states[0].keys() - scalars.keys():
            arrays[key] = np.empty(sum(p._data.size for p in params), params[0].dtype)
            for state, view in zip(states, views(arrays[key], [p._data for p in params])):
                view[...] = state[key]
                state[key] = view
        return cls(params, states, arrays, scalars)

    def fits(self, params: list, states: list[dict]) -> bool:
        """The same parameters and state dicts, still holding the views of the flat arrays
        this group made (a loaded state dict holds arrays of its own; a deep copy of the
        optimizer, views that no longer view anything: NumPy copies each array alone)."""
        return (
            len(params) == len(self.params)
            and all(map(operator.is_, params, self.params))
            and all(map(operator.is_, states, self.states))
            and all(map(operator.is_, self._state_views(states), self.views))
            and self.param_views[0].base is self.param
        )

    def step(self, update, grads: list[np.ndarray], group: dict) -> None:
        """``update(param, grad, state, group)`` once, on the flat arrays (the parameters and
        ``grads``, theirs in order); then the parameters and each one's scalar state take the
        results."""
        for view, grad_view, p, grad in zip(self.param_views, self.grad_views, self.params, grads):
            view[...] = p._data  # (item assignment: cheaper than np.concatenate)
            grad_view[...] = grad
        for key in self.scalar_keys:
            self.state[key][...] = self.states[0][key]
        update(self.param, self.grad, self.state, group)
        for view, p in zip(self.param_views, self.params):
            p._data[...] = view
        for key in self.scalar_keys:
            for state in self.states:
                state[key][...] = self.state[key]


def _scalar_state(params: list, states: list[dict]) -> dict | None:
    """The 0-d state entries (step counts) of the first parameter, when every parameter has
    the same dtype and state keys, equal 0-d entries, and arrays of its own shape and dtype
    for the rest; else None. (A 0-d parameter would make its state arrays look like step
    counts: none is fused.)"""
    keys, dtype = states[0].keys(), params[0].dtype
    scalars = {k: v for k, v in states[0].items() if isinstance(v, np.ndarray) and v.ndim == 0}
    for p, state in zip(params, states):
        if p.ndim == 0 or p.dtype != dtype or state.keys() != keys:
            return None
        for key, value in state.items():
            if not isinstance(value, np.ndarray):
                return None
            if key in scalars and not (value.ndim == 0 and value == scalars[key]):
                return None
            if key not in scalars and (value.shape != p.shape or value.dtype != dtype):
                return None
    return scalars
