"""Intersection over union from an accumulated confusion matrix: IoU, BinaryIoU, MeanIoU,
OneHotIoU and OneHotMeanIoU.

For class c, ``IoU_c = tp / (tp + fp + fn)`` = ``cm[c, c] / (row_c + col_c - cm[c, c])``; the
result is the mean over ``target_class_ids`` of the classes that occurred (a class with an
empty union is left out of the mean). As in Keras the matrix is int32 by default (``dtype``),
and weights are cast to it.

>>> m = MeanIoU(num_classes=2)
>>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
>>> round(float(m.result()), 4)
0.3333
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from .base import FLOATX, Metric, _array

__all__ = ["IoU", "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU"]


class IoU(Metric):
    """The mean IoU over ``target_class_ids``; labels and predictions are class ids
    (``sparse_y_true`` / ``sparse_y_pred``) or scores over ``axis`` (their argmax)."""

    _direction = "up"

    def __init__(self, num_classes: int, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):  # fmt: skip
        super().__init__(name=name, dtype=dtype or "int32")
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"{type(self).__name__}: target class id {max(target_class_ids)} is out of "
                f"range [0, {num_classes})"
            )
        self.num_classes, self.target_class_ids = num_classes, list(target_class_ids)
        self.ignore_class, self.axis = ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = sparse_y_true, sparse_y_pred
        self.reset_state()

    def reset_state(self) -> None:
        self.total_cm = np.zeros((self.num_classes, self.num_classes), self.dtype)

    def _ids(self, x, sparse: bool) -> np.ndarray:
        x = _array(x)
        if not sparse:
            x = np.argmax(x, self.axis)
        return x.astype(self.dtype).reshape(-1)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        t = self._ids(y_true, self.sparse_y_true)
        p = self._ids(y_pred, self.sparse_y_pred)
        weight = np.asarray(1 if sample_weight is None else sample_weight).astype(self.dtype)
        weight = np.broadcast_to(weight.reshape(-1) if weight.ndim > 1 else weight, t.shape)
        keep = (t >= 0) & (t < self.num_classes) & (p >= 0) & (p < self.num_classes)
        if self.ignore_class is not None:
            keep &= t != self.ignore_class
        cell = t[keep].astype(np.int64) * self.num_classes + p[keep].astype(np.int64)
        counts = np.bincount(cell, weight[keep], self.num_classes**2)
        self.total_cm = self.total_cm + counts.reshape(self.total_cm.shape).astype(self.dtype)

    def result(self) -> Tensor:
        cm = self.total_cm
        tp = np.diag(cm).astype(FLOATX)
        union = (cm.sum(0) + cm.sum(1) - np.diag(cm)).astype(FLOATX)
        tp, union = tp[self.target_class_ids], union[self.target_class_ids]
        valid = union > 1e-9
        iou = np.where(valid, tp / (union + FLOATX(1e-7)), 0).astype(FLOATX)
        return Tensor(np.asarray(iou.sum() / (valid.sum(dtype=FLOATX) + FLOATX(1e-7)), FLOATX))

    def get_config(self) -> dict:
        return {
            **super().get_config(), "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }  # fmt: skip


class BinaryIoU(IoU):
    """IoU of two classes, the prediction being 1 where ``y_pred >= threshold``."""

    def __init__(self, target_class_ids=(0, 1), threshold: float = 0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = _array(y_pred).astype(FLOATX) >= FLOATX(self.threshold)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {
            "target_class_ids": self.target_class_ids, "threshold": self.threshold,
            "name": self.name, "dtype": self.dtype,
        }  # fmt: skip


class MeanIoU(IoU):
    """The IoU averaged over every class."""

    def __init__(self, num_classes: int, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):  # fmt: skip
        super().__init__(
            num_classes, list(range(num_classes)), name=name, dtype=dtype,
            ignore_class=ignore_class, sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred, axis=axis,
        )  # fmt: skip

    def get_config(self) -> dict:
        return _ordered(self, "num_classes", "name", "dtype", "ignore_class", "sparse_y_true",
                        "sparse_y_pred", "axis")  # fmt: skip


class OneHotIoU(IoU):
    """IoU with one-hot labels (and, unless ``sparse_y_pred``, class scores)."""

    def __init__(self, num_classes: int, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):  # fmt: skip
        super().__init__(
            num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
            sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis,
        )  # fmt: skip

    def get_config(self) -> dict:
        return _ordered(self, "num_classes", "target_class_ids", "name", "dtype",
                        "ignore_class", "sparse_y_pred", "axis")  # fmt: skip


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot labels (and, unless ``sparse_y_pred``, class scores)."""

    def __init__(self, num_classes: int, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):  # fmt: skip
        super().__init__(
            num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
            sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis,
        )  # fmt: skip

    def get_config(self) -> dict:
        return _ordered(self, "num_classes", "name", "dtype", "ignore_class", "sparse_y_pred",
                        "axis")  # fmt: skip


def _ordered(metric: IoU, *keys: str) -> dict:
    """The config with Keras's keys in Keras's order (each IoU variant writes its own)."""
    return {key: getattr(metric, key) for key in keys}
