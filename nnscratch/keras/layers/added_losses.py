"""Losses that layers add while they run: Keras's ``self.add_loss(value)`` in a ``call``.

A layer may add a loss term that depends on its inputs (an activity penalty, a VAE's KL
term, an endpoint layer's own loss). Keras keeps the terms of the latest forward pass: they are
cleared when the outermost layer or model is called again, and ``fit`` adds them to the
compiled loss. Here the state for that is how deep the current call is (``CallContext``,
counted by ``Layer.__call__``) and which layers hold terms (``HOLDERS``), so that clearing
touches only them and a model that never calls ``add_loss`` pays nothing but the count.

>>> import nnscratch as ns
>>> from nnscratch import keras
>>> class Penalised(keras.layers.Layer):
...     def call(self, x):
...         self.add_loss(0.5 * x.sum())
...         return x
>>> layer = Penalised()
>>> _ = layer(ns.ones(2, 2))
>>> [float(t) for t in layer.losses]
[2.0]
>>> _ = layer(ns.zeros(2, 2))  # a new call replaces the terms of the last one
>>> [float(t) for t in layer.losses]
[0.0]
"""

from __future__ import annotations

# Layers holding terms from the latest forward pass, in the order they added them.
HOLDERS: list = []


def add(layer, loss) -> None:
    """Keep ``loss`` (a Tensor) as one of ``layer``'s terms for this forward pass."""
    if not layer._added_losses:
        HOLDERS.append(layer)
    layer._added_losses.append(loss)


def clear() -> None:
    """Forget every layer's terms: an outermost call is starting."""
    for layer in HOLDERS:
        layer._added_losses.clear()
    HOLDERS.clear()
