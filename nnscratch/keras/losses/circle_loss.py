"""The Circle loss (Sun et al., 2020) for metric learning on L2-normalised embeddings.

Every pair of embeddings gets a cosine distance ``d = max(1 - q . k, 0)``. Pairs of the same
label (positives, the diagonal left out by default) and of different labels (negatives) are
re-weighted by how far each is from its optimum, scaled by ``gamma``, and pooled with a
log-sum-exp per query row: ``loss = softplus(lse_pos + lse_neg)``. Rows without positives (or
negatives) score 0 and, as in Keras, drop out of the mean.

>>> import nnscratch as ns
>>> e = ns.tensor([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-0.6, 0.8]])
>>> [round(v, 5) for v in circle([0, 0, 1, 1], e).tolist()]
[7e-05, 6.40166, 6.40166, 7e-05]
"""

from __future__ import annotations

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from .functions import _float_tensor
from .loss import Loss, LossFunctionWrapper

__all__ = ["circle", "Circle"]

_OUTSIDE = -1e30  # stands for -inf in the masked log-sum-exp: exp underflows to 0 exactly


def _masks(labels: np.ndarray, ref_labels: np.ndarray, remove_diagonal: bool):
    same = labels.reshape(-1, 1) == ref_labels.reshape(1, -1)
    positive = same & ~np.eye(*same.shape, dtype=bool) if remove_diagonal else same
    return positive, ~same


def _masked_logsumexp(x: Tensor, mask: np.ndarray) -> Tensor:
    """log-sum-exp of each row's entries where ``mask``; a row with none gives about -1e30
    (Keras: -inf), whose softplus is 0 either way."""
    return ops.logsumexp(ops.where(mask, x, _OUTSIDE), 1)


def _circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
            gamma=80, margin=0.4) -> tuple[Tensor, np.ndarray]:  # fmt: skip
    """The per-row Circle loss and Keras's mask of the rows that count (loss > 0)."""
    y_pred = _float_tensor(y_pred)
    labels = np.asarray(y_true).astype(np.int32)
    keys = y_pred if ref_embeddings is None else _float_tensor(ref_embeddings, y_pred.dtype)
    ref = labels if ref_labels is None else np.asarray(ref_labels).astype(np.int32)
    distance = ops.relu(1.0 - ops.matmul(y_pred, keys.transpose(0, 1)))
    positive, negative = _masks(labels, ref, remove_diagonal)
    pos_weight = ops.relu((margin + distance) * positive.astype(y_pred.dtype))
    neg_weight = ops.relu((1.0 + margin - distance) * negative.astype(y_pred.dtype))
    pos = -gamma * pos_weight * (margin - distance)
    neg = gamma * neg_weight * ((1.0 - margin) - distance)
    loss = ops.softplus(_masked_logsumexp(pos, positive) + _masked_logsumexp(neg, negative))
    return loss, loss._data > 0


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4) -> Tensor:  # fmt: skip
    """The Circle loss of each embedding in ``y_pred`` (rows, L2-normalised) against
    ``ref_embeddings`` (default: ``y_pred`` itself), labels ``y_true`` / ``ref_labels``."""
    return _circle(y_true, y_pred, ref_labels, ref_embeddings, remove_diagonal, gamma, margin)[0]


class Circle(LossFunctionWrapper):
    """The Circle loss (see ``circle``); rows scoring 0 are left out of the mean."""

    def __init__(
        self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
        reduction="sum_over_batch_size", name="circle", dtype=None,
    ):  # fmt: skip
        super().__init__(
            circle, reduction=reduction, name=name, dtype=dtype, gamma=gamma, margin=margin,
            remove_diagonal=remove_diagonal,
        )  # fmt: skip
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def _call_with_mask(self, y_true, y_pred):
        return _circle(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self), "gamma": self.gamma, "margin": self.margin,
            "remove_diagonal": self.remove_diagonal,
        }  # fmt: skip
