"""L-BFGS: a quasi-Newton method that builds its curvature model from the last few steps."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ..autograd import enable_grad, inplace, no_grad
from ..errors import InputError
from .line_search import strong_wolfe
from .optimizer import Optimizer

__all__ = ["LBFGS"]

_LISTS = ("old_dirs", "old_stps", "ro", "al")  # state held as lists of arrays or numbers


class LBFGS(Optimizer):
    """Limited-memory BFGS, torch's algorithm (``torch.optim.LBFGS``). ``step(closure)`` runs
    up to ``max_iter`` iterations on the loss that ``closure()`` recomputes::

        d = -H g, where H g comes from the two-loop recursion over the last history_size
            pairs s = x_k+1 - x_k, y = g_k+1 - g_k (a pair is kept when y.s > 1e-10),
            starting from H_0 = (y.s / y.y) I of the newest pair
        t = lr (the very first iteration: min(1, 1 / sum|g|) * lr), or a strong-Wolfe
            line search from there when line_search_fn="strong_wolfe"
        x += t d;  stop at max_iter, max_eval evaluations, max|g| <= tolerance_grad,
            or a step or loss change below tolerance_change

    All parameters form one group, treated as one flat vector.

    >>> import nnscratch as ns
    >>> w = ns.tensor([3.0, -2.0], dtype=ns.float64, requires_grad=True)
    >>> opt = ns.optim.LBFGS([w], line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = ((w - 1.0) ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> _ = opt.step(closure)
    >>> [round(v, 6) for v in w.tolist()]
    [1.0, 1.0]
    """

    def __init__(self, params: Iterable, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:  # fmt: skip
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(
                f"LBFGS: line_search_fn must be None or 'strong_wolfe', received {line_search_fn!r}"
            )
        defaults = {
            "lr": lr, "max_iter": max_iter,
            "max_eval": max_iter * 5 // 4 if max_eval is None else max_eval,
            "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
            "history_size": history_size, "line_search_fn": line_search_fn,
        }  # fmt: skip
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(
                "LBFGS doesn't support per-parameter options (parameter groups): pass one list "
                f"of parameters, received {len(self.param_groups)} groups"
            )

    @property
    def _params(self) -> list:
        return self.param_groups[0]["params"]

    # ---- the flat vector --------------------------------------------------------------------
    def _flat_grad(self) -> np.ndarray:
        return np.concatenate([
            np.zeros(p.numel(), p.dtype) if p.grad is None else p.grad._data.reshape(-1)
            for p in self._params
        ])  # fmt: skip

    def _add_step(self, t: float, d: np.ndarray) -> None:
        """x += t d, in place, parameter by parameter."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p._data += (t * d[offset : offset + n]).reshape(p.shape)
            inplace.mark_written(p)
            offset += n

    def _set_params(self, values: list[np.ndarray]) -> None:
        for p, value in zip(self._params, values):
            p._data[...] = value
            inplace.mark_written(p)

    def _evaluate(self, closure: Callable, x: list, t: float, d: np.ndarray):
        """Loss and flat gradient at x + t d; the parameters go back to x afterwards."""
        self._add_step(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._flat_grad()
        self._set_params(x)
        return loss, flat_grad

    # ---- the step -----------------------------------------------------------------------------
    def step(self, closure: Callable | None = None):
        """Run up to ``max_iter`` iterations; return the loss before the first one."""
        if closure is None:
            raise RuntimeError("LBFGS.step needs a closure that recomputes and returns the loss")
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with no_grad():
            with enable_grad():
                orig_loss = closure()
            state["func_evals"] += 1
            flat_grad = self._flat_grad()
            if np.abs(flat_grad).max() <= group["tolerance_grad"]:
                return orig_loss
            self._iterate(closure, group, state, float(orig_loss), flat_grad)
        return orig_loss

    def _iterate(self, closure, group: dict, state: dict, loss: float, flat_grad) -> None:
        lr, max_iter = group["lr"], group["max_iter"]
        tolerance_change = group["tolerance_change"]
        evaluations, n_iter = 1, 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            d = self._direction(state, flat_grad, group["history_size"])
            state["prev_flat_grad"] = flat_grad  # never written in place
            prev_loss = state["prev_loss"] = loss
            first = state["n_iter"] == 1
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if first else lr
            state["d"], state["t"] = d, t  # kept even when the loop stops right here
            gtd = float(flat_grad.dot(d))
            if gtd > -tolerance_change:
                break
            loss, flat_grad, t, used, done = self._move(closure, group, d, t, loss, flat_grad,
                                                        gtd, n_iter == max_iter)  # fmt: skip
            state["t"] = t
            evaluations += used
            state["func_evals"] += used
            if n_iter == max_iter or evaluations >= group["max_eval"] or done:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

    def _move(self, closure, group, d, t, loss, flat_grad, gtd, last: bool):
        """Take the step along ``d``; returns (loss, flat_grad, t, evaluations, converged)."""
        used = 0
        if group["line_search_fn"] == "strong_wolfe":
            x = [p._data.copy() for p in self._params]
            loss, flat_grad, t, used = strong_wolfe(
                lambda step: self._evaluate(closure, x, step, d), d, t, loss, flat_grad, gtd
            )
            self._add_step(t, d)
        else:
            self._add_step(t, d)
            if not last:  # the next step() recomputes the loss anyway
                with enable_grad():
                    loss = float(closure())
                flat_grad, used = self._flat_grad(), 1
        converged = used > 0 and np.abs(flat_grad).max() <= group["tolerance_grad"]
        return loss, flat_grad, t, used, converged

    def _direction(self, state: dict, flat_grad: np.ndarray, history_size: int) -> np.ndarray:
        """-H g by the two-loop recursion, after adding the newest (s, y) pair if it is curved
        enough; -g on the very first iteration."""
        if state["n_iter"] == 1:
            state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1.0)
            return -flat_grad
        old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        y = flat_grad - state["prev_flat_grad"]
        s = state["d"] * state["t"]
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == history_size:
                del old_dirs[0], old_stps[0], ro[0]
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            state["H_diag"] = ys / y.dot(y)
        al = [None] * history_size
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q -= al[i] * old_dirs[i]
        r = q * state["H_diag"]
        for i in range(len(old_dirs)):
            r += (al[i] - old_dirs[i].dot(r) * ro[i]) * old_stps[i]
        state["al"] = al
        return r

    # ---- state dicts --------------------------------------------------------------------------
    def check_state_dict(self, state_dict: dict) -> None:
        """The groups as every optimizer's; the state: flat arrays of the parameters' total
        size, lists of them, and numbers."""
        if isinstance(state_dict, dict) and isinstance(state_dict.get("state"), dict):
            states, size = state_dict["state"], sum(p.numel() for p in self._params)
            super().check_state_dict({**state_dict, "state": {}})
            for key, value in states.items():
                _check_lbfgs_state(key, value, size)
        else:
            super().check_state_dict(state_dict)

    def load_state_dict(self, state_dict: dict) -> None:
        """As ``Optimizer.load_state_dict``, with the history lists copied too."""
        super().load_state_dict(state_dict)
        dtype = self._params[0].dtype
        for state in self.state.values():
            for key in _LISTS:
                if key in state:
                    state[key] = [_copy(v, dtype) for v in state[key]]


def _copy(value, dtype):
    if value is None or isinstance(value, (int, float)):
        return value
    array = np.array(value._data if hasattr(value, "_data") else value)
    return array.astype(dtype, copy=False) if array.dtype.kind == "f" else array


def _check_lbfgs_state(key, state, size: int) -> None:
    where = f"LBFGS.load_state_dict expects state[{key!r}]"
    if not isinstance(state, dict):
        raise InputError(f"{where} to be a dict, received {type(state).__name__}")
    for name in ("d", "prev_flat_grad"):
        if name in state and (shape := np.shape(_copy(state[name], None))) != (size,):
            raise InputError(
                f"{where}[{name!r}] to be a flat array of {size} numbers, received shape {shape}"
            )
    for name in ("old_dirs", "old_stps"):
        values = state.get(name, [])
        shapes = [np.shape(_copy(v, None)) for v in values] if isinstance(values, list) else None
        if shapes is None or any(shape != (size,) for shape in shapes):
            received = type(values).__name__ if shapes is None else f"shapes {shapes}"
            raise InputError(
                f"{where}[{name!r}] to be a list of flat arrays of {size} numbers, "
                f"received {received:.120}"
            )
