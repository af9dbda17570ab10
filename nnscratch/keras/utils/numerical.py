"""``to_categorical`` and ``normalize``: label and feature arrays as Keras's utilities make them.

NumPy input gives NumPy output, as Keras: ``to_categorical`` of a list or an array is a float64
array (Keras fills ``np.zeros``), and ``normalize`` of an array divides by NumPy's norm. An
nnscratch ``Tensor`` gives a ``Tensor`` (float32 one-hots; a differentiable normalization).
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns

from ...autograd.tensor import Tensor

__all__ = ["normalize", "to_categorical"]

_EPSILON = 1e-7  # keras.config.epsilon(): the smallest norm a Tensor is divided by


def to_categorical(x, num_classes: int | None = None):
    """One-hot rows for integer class labels: ``[0, 2] -> [[1, 0, 0], [0, 0, 1]]``.

    ``num_classes`` defaults to ``max(x) + 1``. A trailing axis of size 1 is dropped first
    (labels of shape ``(n, 1)`` give ``(n, num_classes)``). A label outside
    ``[0, num_classes)`` raises ``IndexError`` (Keras lets NumPy wrap negative labels round).

    >>> to_categorical([0, 2])
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    is_tensor = isinstance(x, Tensor)
    labels = np.array(x.detach().numpy() if is_tensor else x, dtype="int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if not num_classes:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    _check_labels(labels, int(num_classes))
    one_hot = np.zeros((labels.size, int(num_classes)), np.float32 if is_tensor else np.float64)
    one_hot[np.arange(labels.size), labels] = 1
    one_hot = one_hot.reshape(shape + (int(num_classes),))
    return ns.from_numpy(one_hot) if is_tensor else one_hot


def _check_labels(labels: np.ndarray, num_classes: int) -> None:
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise IndexError(
            f"to_categorical expects class labels in [0, {num_classes}) for "
            f"num_classes={num_classes}, received label {int(bad[0])}"
        )


def normalize(x, axis: int = -1, order: int = 2):
    """``x`` divided by its ``order``-norm along ``axis`` (rows of norm 1 by default).

    A NumPy array is divided by ``np.linalg.norm`` (a zero norm leaves the row at zero) and
    stays an array of its own shape (Keras returns a vector as a ``(1, n)`` array, and with
    ``axis=0`` divides by norms along the wrong axis). Anything else becomes a Tensor divided
    by ``max(norm, 1e-7)``, so that gradients flow through it (``order`` must then be an int
    >= 1, as in Keras).

    >>> normalize(np.array([[3.0, 4.0]]))
    array([[0.6, 0.8]])
    """
    if isinstance(x, np.ndarray):
        norm = np.linalg.norm(x, order, axis, keepdims=True)
        return x / np.where(norm == 0, 1, norm)
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    from ..ops.conversion import as_tensor

    tensor = as_tensor(x)
    if tensor.dtype.kind != "f":
        tensor = tensor.to(ns.float32)
    if tensor.ndim == 0:
        tensor = tensor.reshape(1)
    norm = (tensor.abs() ** order).sum(dim=axis, keepdim=True) ** (1.0 / order)
    return tensor / ns.clamp(norm, min=_EPSILON)
