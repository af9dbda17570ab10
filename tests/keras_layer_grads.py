"""One layer's output and gradients, the same way for nnscratch and real Keras (torch backend):
the parity tests of the issue-21 layers compare them from the same weights and inputs, and
a small model of those layers trained by both libraries from the same weights."""

from __future__ import annotations

import numpy as np
from tolerance import assert_close

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


def assert_grads_match_keras(ours, theirs, x: np.ndarray, g: np.ndarray) -> None:
    """``ours`` and Keras's ``theirs``, holding the same weights, give the same output, input
    gradient and gradient of every trainable weight for ``sum(layer(x) * g)``."""
    y, dx, dws = run_with_grads(ours, x, g)
    y_k, dx_k, dws_k = run_with_grads(theirs, x, g)
    assert_close(y, y_k)
    assert_close(dx, dx_k)
    assert len(dws) == len(dws_k) == len(ours.weights) == len(theirs.weights)
    for dw, dw_k in zip(dws, dws_k):
        assert_close(dw, dw_k)


def assert_trains_as_keras(model, keras, x, y, *, batch_size: int, epochs: int) -> None:
    """``model(lib)`` builds and compiles the same model with ``lib`` = nnscratch's keras or
    the real ``keras``; ours starts from Keras's weights, both fit in order (no shuffle) and
    every weight ends where Keras's does."""
    ours, theirs = model(nk), model(keras)
    ours.set_weights(theirs.get_weights())
    ours.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, shuffle=False)
    theirs.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, shuffle=False)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        assert_close(mine, keras_weight)
