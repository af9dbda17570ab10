"""What a layer call inherits from the call it runs inside: Keras's call context.

A layer's ``call`` often calls other layers without passing ``training`` (a custom block's
``self.dropout(x)``, ``self.norm(x)``). Keras gives such a call the ``training`` value of the
call it runs inside, so ``model(x, training=True)`` (what ``fit`` does) makes every Dropout
and BatchNormalization inside train, however deep. ``Layer.__call__`` keeps that value here,
with how deep the current call is (0: the next call is outermost, which also clears the last
pass's ``add_loss`` terms).

>>> import nnscratch as ns
>>> from nnscratch import keras
>>> class Block(keras.layers.Layer):
...     def __init__(self):
...         super().__init__()
...         self.drop = keras.layers.Dropout(0.5, seed=1)
...     def call(self, x):  # no training argument: the dropout inherits it
...         return self.drop(x)
>>> block = Block()
>>> bool((block(ns.ones(2, 8), training=True) == 0).any()), bool((block(ns.ones(2, 8)) == 0).any())
(True, False)
"""

from __future__ import annotations

__all__ = ["CallContext"]


class CallContext:
    """The running calls' shared state (one forward pass at a time, as in Keras)."""

    depth = 0  # how many Layer.__call__ frames are running
    training = None  # the training flag the running calls were given (None: none given)
