"""The ``keras.ops`` parity helper: run one op on nnscratch's ``keras.ops`` and on real Keras 3's
(torch backend), compare values, dtypes and gradients.

A row is ``Row(name, args, kwargs)``: ``args`` are NumPy arrays or Python values, given to
both sides as they are except that arrays become tensors (ours: nnscratch Tensors; theirs:
torch tensors, which Keras's torch backend takes as its own). Float arrays require grad when
the row says ``grad=True``; the gradients of ``sum(out * w)`` for the same random ``w`` are then
compared. ``call`` (optional) replaces ``ops.<name>(*args, **kwargs)`` with a lambda taking the
ops module first, for ops whose arguments are structures (``ops.concatenate([a, b])``).

Tolerances follow ``tests/tolerance.py``: each output is compared with its dtype's ``rtol`` and
an ``atol`` of ``rtol`` times the largest ``|value|``; a row that needs more passes
``rtol``/``atol`` and says why in ``why``.

>>> Row("mean", (np.ones((2, 3)),), {"axis": 1}).id
'mean-0'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from tolerance import assert_close

import nnscratch as ns


def require_keras():
    """``keras`` (torch backend) and ``torch``, or a skip on a user's machine; in CI a missing
    oracle is a failure."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    if os.environ.get("CI"):
        import keras
        import torch

        return keras, torch
    return pytest.importorskip("keras"), pytest.importorskip("torch")


@dataclass
class Row:
    """One parity check of ``keras.ops.<name>``."""

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    grad: bool = True
    call: Callable[..., Any] | None = None
    rtol: float | None = None
    atol: float | None = None
    why: str = ""  # why a row needs its own tolerance, or no gradient
    check_dtype: bool = True
    index: int = 0

    @property
    def id(self) -> str:
        return f"{self.name}-{self.index}"


def numbered(rows: list[Row]) -> list[Row]:
    """The rows with ``index`` set to their position among rows of the same name, so that
    pytest ids are ``mean-0``, ``mean-1``..."""
    seen: dict[str, int] = {}
    for row in rows:
        row.index = seen.get(row.name, 0)
        seen[row.name] = row.index + 1
    return rows


def _inputs(lib, args, grad: bool, torch) -> list:
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            if lib == "ours":
                t = ns.from_numpy(np.array(a, copy=True))
            else:
                t = torch.from_numpy(np.array(a, copy=True))
            if grad and a.dtype.kind == "f":
                t.requires_grad_(True)
            out.append(t)
        else:
            out.append(a)
    return out


def _leaves(out) -> list:
    if isinstance(out, (tuple, list)):
        return [leaf for item in out for leaf in _leaves(item)]
    return [out]


def _numpy(t) -> np.ndarray:
    if isinstance(t, ns.Tensor):
        return t.detach().numpy()
    if hasattr(t, "detach"):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def _dtype_name(t) -> str:
    dtype = t.dtype if hasattr(t, "dtype") else np.asarray(t).dtype
    return str(dtype).replace("torch.", "").replace("nnscratch.", "")


def check_row(row: Row) -> None:
    """Assert that our ``keras.ops`` gives real Keras's values, dtypes and input gradients."""
    keras, torch = require_keras()
    from nnscratch.keras import ops as our_ops

    ours_in = _inputs("ours", row.args, row.grad, torch)
    theirs_in = _inputs("theirs", row.args, row.grad, torch)
    if row.call is None:
        ours = getattr(our_ops, row.name)(*ours_in, **row.kwargs)
        theirs = getattr(keras.ops, row.name)(*theirs_in, **row.kwargs)
    else:
        ours, theirs = row.call(our_ops, *ours_in), row.call(keras.ops, *theirs_in)
    ours_leaves, theirs_leaves = _leaves(ours), _leaves(theirs)
    assert len(ours_leaves) == len(theirs_leaves), f"{row.name}: output count differs"
    for k, (o, t) in enumerate(zip(ours_leaves, theirs_leaves)):
        o_np, t_np = _numpy(o), _numpy(t)
        assert o_np.shape == t_np.shape, (
            f"{row.name} output {k}: shape {o_np.shape}, Keras {t_np.shape}"
        )
        if row.check_dtype:
            assert _dtype_name(o) == _dtype_name(t), (
                f"{row.name} output {k}: dtype {_dtype_name(o)}, Keras {_dtype_name(t)}"
            )
        message = f"{row.name} output {k} differs from Keras"
        assert_close(o_np, t_np, rtol=row.rtol, atol=row.atol, err_msg=message)
    if row.grad:
        _compare_grads(row, ours_leaves, theirs_leaves, ours_in, theirs_in, torch)


def _compare_grads(row, ours, theirs, ours_in, theirs_in, torch) -> None:
    pairs = [(o, t) for o, t in zip(ours, theirs) if getattr(t, "requires_grad", False)]
    assert pairs, f"{row.name}: Keras's output needs no gradient; give the row grad=False"
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(tuple(t.shape)) for _, t in pairs]
    ours_loss = sum((o * ns.tensor(w, dtype=o.dtype)).sum() for (o, _), w in zip(pairs, weights))
    theirs_loss = sum(
        (t * torch.tensor(w, dtype=t.dtype)).sum() for (_, t), w in zip(pairs, weights)
    )
    ours_loss.backward()
    theirs_loss.backward()
    for k, (a, b) in enumerate(zip(ours_in, theirs_in)):
        if not getattr(b, "requires_grad", False):
            continue
        if b.grad is None:
            assert a.grad is None or not np.any(a.grad.numpy()), (
                f"{row.name} input {k}: Keras has no grad"
            )
            continue
        assert a.grad is not None, f"{row.name} input {k}: no gradient, Keras has one"
        assert_close(a.grad.numpy(), b.grad.numpy(), rtol=row.rtol, atol=row.atol,
                     err_msg=f"{row.name}: gradient of input {k} differs from Keras")  # fmt: skip
