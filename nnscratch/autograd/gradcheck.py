"""``gradcheck``: compare autograd's gradients with central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .grad_mode import no_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients disagree."""


def gradcheck(
    fn: Callable,
    inputs: Tensor | Sequence,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check ``fn``'s gradients against central differences, for every input element.

    The outputs are reduced to one scalar with fixed random weights, ``L = sum(w * fn(x))``,
    so one backward pass gives the whole analytical gradient and each input element costs
    two forward passes: ``dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)``.

    >>> import nnscratch as ns
    >>> x = ns.randn(3, dtype=ns.float64, requires_grad=True)
    >>> ns.autograd.gradcheck(lambda x: (x * x).sum(), (x,))
    True
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    _require_float64(inputs, checked)
    weights = _output_weights(fn, inputs, seed)
    analytical = _analytical(fn, inputs, checked, weights)
    for i, grad in zip(checked, analytical):
        numerical = _numerical(fn, inputs, i, weights, eps)
        bad = ~np.isclose(grad, numerical, rtol=rtol, atol=atol)
        if bad.any():
            if not raise_exception:
                return False
            raise GradcheckError(_report(i, inputs[i].shape, grad, numerical, bad))
    return True


def _require_float64(inputs, checked) -> None:
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise ValueError(
                f"gradcheck: input {i} is {inputs[i].dtype}; finite differences need float64 "
                "inputs (make them with dtype=nnscratch.float64)"
            )


def _outputs(fn, inputs) -> list[Tensor]:
    out = fn(*inputs)
    outputs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outputs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _output_weights(fn, inputs, seed) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    with no_grad():
        return [rng.standard_normal(o.shape) for o in _outputs(fn, inputs)]


def _scalar(outputs, weights) -> float:
    return float(sum(np.sum(o._data * w) for o, w in zip(outputs, weights)))


def _analytical(fn, inputs, checked, weights) -> list[np.ndarray]:
    for i in checked:
        inputs[i].grad = None
    outputs = _outputs(fn, inputs)
    for o, w in zip(outputs, weights):
        if o.requires_grad:
            o.backward(w, retain_graph=True)
    grads = []
    for i in checked:
        grad = inputs[i].grad
        grads.append(np.zeros(inputs[i].shape) if grad is None else grad._data.copy())
        inputs[i].grad = None
    return grads


def _numerical(fn, inputs, i, weights, eps) -> np.ndarray:
    data = inputs[i]._data  # written in place, so any layout (e.g. transposed) is kept
    grad = np.zeros(data.shape)
    with no_grad():
        for index in np.ndindex(data.shape):
            original = data[index]
            data[index] = original + eps
            plus = _scalar(_outputs(fn, inputs), weights)
            data[index] = original - eps
            minus = _scalar(_outputs(fn, inputs), weights)
            data[index] = original
            grad[index] = (plus - minus) / (2 * eps)
    return grad


def _report(i, shape, analytical, numerical, bad) -> str:
    index = tuple(int(k) for k in np.argwhere(bad)[0])
    return (
        f"gradcheck failed for input {i} (shape {tuple(shape)}) at index {index}: "
        f"analytical {analytical[index]!r}, numerical {numerical[index]!r} "
        f"({int(bad.sum())} of {bad.size} elements differ)"
    )
