"""``DepthwiseConv1D`` and ``SeparableConv1D``: the 1-D depthwise and separable convolutions,
on the grouped ``conv1d`` op.

They are the 2-D layers' bases (``depthwise_conv.py``) with one spatial dim: each of the ``C``
input channels is filtered on its own by ``depth_multiplier`` kernels, a ``conv1d`` with
``groups = C``. Keras's kernel ``(k, C, depth_multiplier)`` reshaped to
``(k, 1, C * depth_multiplier)`` and permuted to torch's ``(C * depth_multiplier, 1, k)`` puts
output channel ``c * depth_multiplier + m`` on channel ``c``'s kernel ``m``, Keras's order. The
separable layer follows with a pointwise (kernel size 1) ``conv1d`` of Keras's
``(1, C * depth_multiplier, filters)`` kernel. Their constructors are the bases' as they are:
Keras's 1-D defaults.
"""

from __future__ import annotations

from ...ops.conv import conv1d
from .depthwise_conv import _DepthwiseConv, _SeparableConv

__all__ = ["DepthwiseConv1D", "SeparableConv1D"]


class DepthwiseConv1D(_DepthwiseConv):
    """Each input channel convolved over steps on its own with ``depth_multiplier`` kernels:
    ``channels * depth_multiplier`` outputs; ``kernel`` is ``(k, channels, depth_multiplier)``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.DepthwiseConv1D(3, depth_multiplier=2, padding="same")
    >>> layer(ns.ones(1, 6, 3)).shape, layer.kernel.shape
    ((1, 6, 6), (3, 3, 2))
    """

    rank = 1
    _op = staticmethod(conv1d)


class SeparableConv1D(_SeparableConv):
    """A depthwise convolution over steps (``depthwise_kernel``, ``(k, channels,
    depth_multiplier)``), then a pointwise one (``pointwise_kernel``, ``(1, channels *
    depth_multiplier, filters)``), then ``bias`` and ``activation``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> layer = keras.layers.SeparableConv1D(4, 3)
    >>> layer(ns.ones(1, 6, 3)).shape, [w.shape for w in layer.weights]
    ((1, 4, 4), [(3, 3, 1), (1, 3, 4), (4,)])
    """

    rank = 1
    _op = staticmethod(conv1d)
