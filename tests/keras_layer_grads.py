"""One layer's output and gradients, the same way for nnscratch and real Keras (torch backend):
the parity tests of the issue-21 layers compare them from the same weights and inputs."""

from __future__ import annotations

import numpy as np

import nnscratch as ns
from nnscratch import keras as nk


def run_with_grads(layer, x: np.ndarray, g: np.ndarray, **kwargs):
    """``(y, dx, [d weight for each trainable weight])`` for ``sum(layer(x) * g)``.

    ``layer`` is an nnscratch layer or a Keras 3 layer on the torch backend (its variables'
    ``.value`` are torch Parameters, which collect the gradients)."""
    if isinstance(layer, nk.layers.Layer):
        t = ns.tensor(x, requires_grad=True)
        y = layer(t, **kwargs)
        (y * ns.tensor(g)).sum().backward()
        return y.detach().numpy(), t.grad.numpy(), [w.grad.numpy() for w in layer.trainable_weights]
    import torch

    t = torch.tensor(x, requires_grad=True)
    y = layer(t, **kwargs)
    (y * torch.tensor(g)).sum().backward()
    dws = [w.value.grad.detach().numpy() for w in layer.trainable_weights]
    return y.detach().numpy(), t.grad.numpy(), dws
