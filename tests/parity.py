"""The parity helper: run one lambda on nnscratch and on torch, compare values and gradients.

``check(fn, *arrays)`` calls ``fn(lib, *tensors)`` with ``lib`` = nnscratch and ``lib`` = torch.
Float arrays become tensors that require grad; others (indices, masks) become plain tensors.
It compares the outputs, then the input gradients for the same random upstream gradient, and
finally runs nnscratch's float64 ``gradcheck`` (finite differences) on the same function.
Tolerances follow the suite's policy (``tests/conftest.py``, ``tolerance.py``): by default
each output and gradient is compared with its dtype's ``rtol`` and an ``atol`` of ``rtol``
times its largest ``|value|``; a call that passes ``rtol``/``atol`` says why it needs them.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from tolerance import assert_close

import nnscratch as ns


def require_torch():
    """torch, or a skip on a user's machine; in CI a missing oracle is a failure."""
    if os.environ.get("CI"):
        import torch

        return torch
    return pytest.importorskip("torch")


def _as_list(out) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _make_inputs(lib, arrays, grad: bool):
    tensors = []
    for a in arrays:
        a = np.array(a, copy=True, order="K")  # keeps a transposed layout for nnscratch
        if lib is ns:
            t = ns.from_numpy(a)
        else:
            t = lib.from_numpy(a.copy(order="C"))
        if grad and a.dtype.kind == "f":
            t.requires_grad_(True)
        tensors.append(t)
    return tensors


def _to_numpy(t) -> np.ndarray:
    if isinstance(t, ns.Tensor):
        return t.detach().numpy()
    return t.detach().cpu().numpy()


def check(
    fn,
    *arrays,
    grad: bool = True,
    gradcheck: bool = True,
    atol: float | None = None,
    rtol: float | None = None,
    seed: int = 0,
) -> None:
    """Assert that ``fn`` gives the same outputs and input gradients on nnscratch and torch,
    to ``rtol``/``atol`` (default: the policy's for the compared dtype and magnitude)."""
    torch = require_torch()
    ours_in, theirs_in = _make_inputs(ns, arrays, grad), _make_inputs(torch, arrays, grad)
    ours, theirs = _as_list(fn(ns, *ours_in)), _as_list(fn(torch, *theirs_in))
    assert len(ours) == len(theirs), f"{len(ours)} outputs, torch gives {len(theirs)}"
    for k, (o, t) in enumerate(zip(ours, theirs)):
        assert o.shape == tuple(t.shape), f"output {k}: shape {o.shape}, torch {tuple(t.shape)}"
        assert str(o.dtype) == str(t.dtype).replace("torch.", ""), f"output {k}: dtype {o.dtype}"
        assert_close(_to_numpy(o), _to_numpy(t), rtol=rtol, atol=atol,
                     err_msg=f"output {k} differs from torch")  # fmt: skip
    if not grad:
        return
    _compare_grads(ours, theirs, ours_in, theirs_in, torch, seed, atol, rtol)
    if gradcheck and all(a.dtype != np.float32 for a in map(np.asarray, arrays)):
        inputs = _make_inputs(ns, arrays, True)
        ns.autograd.gradcheck(lambda *xs: fn(ns, *xs), inputs)


def _compare_grads(ours, theirs, ours_in, theirs_in, torch, seed, atol, rtol) -> None:
    rng = np.random.default_rng(seed)
    pairs = [(o, t) for o, t in zip(ours, theirs) if t.requires_grad]
    if not pairs:
        return
    weights = [rng.standard_normal(t.shape) for _, t in pairs]
    ours_loss = sum((o * ns.tensor(w, dtype=o.dtype)).sum() for (o, _), w in zip(pairs, weights))
    theirs_loss = sum(
        (t * torch.tensor(w, dtype=t.dtype)).sum() for (_, t), w in zip(pairs, weights)
    )
    ours_loss.backward()
    theirs_loss.backward()
    for k, (a, b) in enumerate(zip(ours_in, theirs_in)):
        if not b.requires_grad:
            continue
        if b.grad is None:
            assert a.grad is None or not np.any(a.grad.numpy()), f"input {k}: torch has no grad"
            continue
        assert a.grad is not None, f"input {k}: no gradient, torch has one"
        assert_close(a.grad.numpy(), _to_numpy(b.grad), rtol=rtol, atol=atol,
                     err_msg=f"gradient of input {k} differs from torch")  # fmt: skip


def copy_torch_state(ours, theirs) -> None:
    """Load the torch module ``theirs``'s state into our module ``ours``, after checking that
    our state_dict has torch's names and shapes, in torch's order."""
    names = [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == names
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def module_pair(name: str, *args, dtype: str = "float64", nudge: float = 0.0, **kwargs):
    """``(ours, torch's)`` ``nn.<name>(*args, **kwargs)`` in ``dtype``, ours holding torch's
    state. ``nudge`` first adds that much Gaussian noise to torch's parameters, so that a
    weight or bias that starts at 0 or 1 (or a swapped pair) would show in a comparison."""
    torch = require_torch()
    theirs = getattr(torch.nn, name)(*args, **kwargs, dtype=getattr(torch, dtype))
    ours = getattr(ns.nn, name)(*args, **kwargs, dtype=getattr(ns, dtype))
    if nudge:
        with torch.no_grad():
            for p in theirs.parameters():
                p.add_(nudge * torch.randn_like(p))
    copy_torch_state(ours, theirs)
    return ours, theirs
