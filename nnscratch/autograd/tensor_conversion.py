"""Tensor into other forms: other dtypes and devices, NumPy arrays, Python numbers and text.

``Tensor`` inherits these methods. As everywhere in Tensor (the note atop ``tensor.py``),
each is written out, and those that make a new tensor call the function in ``nnscratch.ops``
(``x.double()`` is ``_ops.to(x, float64)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import device as _device
from . import dtypes, printing

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorConversion:
    """Where the numbers live and what else they can be read as: ``to``, ``float()``,
    ``numpy()``, ``item()``, ``repr``, ``len``, ``bool(x)``, ``int(x)``, ..."""

    __slots__ = ()

    # ---- device -----------------------------------------------------------------------------
    @property
    def device(self) -> _device.device:
        """Where the numbers live: always the CPU (NumPy) in nnscratch."""
        return _device.CPU

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def is_cuda(self) -> bool:
        return False

    def get_device(self) -> int:
        """-1, torch's answer for a tensor on the CPU."""
        return -1

    # ---- other dtypes and devices ----------------------------------------------------------
    def to(self, *args, **kwargs) -> Tensor:
        """This tensor on a device and/or in a dtype: ``to(dtype)``, ``to("cpu", dtype)`` or
        ``to(other)``. The same tensor when nothing changes, unless ``copy=True``.

        >>> import nnscratch as ns
        >>> x = ns.ones(2)
        >>> x.to("cpu") is x, x.to(ns.float64).dtype, x.to(ns.device("cpu"), copy=True) is x
        (True, dtype('float64'), False)
        """
        _, dtype, copy = _device.parse_to("Tensor.to", args, kwargs)
        result = self if dtype is None else _ops.to(self, dtype)
        return _ops.clone(result) if copy and result is self else result

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
        """Always raises: nnscratch computes on the CPU."""
        _device.resolve("Tensor.cuda", "cuda")

    def pin_memory(self) -> Tensor:
        return self  # pinned memory speeds host-to-GPU copies; there is no GPU

    def is_pinned(self) -> bool:
        return False

    def type(self, dtype=None, non_blocking: bool = False):
        """With no argument, torch's type name (``'torch.FloatTensor'``); else ``to(dtype)``.

        >>> import nnscratch as ns
        >>> ns.ones(1).type(), ns.ones(1).type(ns.float64).dtype
        ('torch.FloatTensor', dtype('float64'))
        """
        if dtype is None:
            return dtypes.tensor_type_name(self.dtype)
        if isinstance(dtype, str):
            dtype = dtypes.from_tensor_type_name(dtype)
        return _ops.to(self, dtype)

    def float(self) -> Tensor:
        return _ops.to(self, dtypes.float32)

    def double(self) -> Tensor:
        return _ops.to(self, dtypes.float64)

    def long(self) -> Tensor:
        return _ops.to(self, dtypes.int64)

    def int(self) -> Tensor:
        return _ops.to(self, dtypes.int32)

    def bool(self) -> Tensor:
        return _ops.to(self, dtypes.bool_)

    def clone(self) -> Tensor:
        return _ops.clone(self)

    # ---- NumPy and Python values ------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied), as ``torch.Tensor.numpy``."""
        if self._requires_grad:
            raise RuntimeError(
                "can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()"
            )
        return self._data

    def item(self):
        """The single value of a one-element tensor, as a Python number."""
        if self._data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element, this one has shape {self.shape}"
            )
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __repr__(self) -> str:
        body = printing.format_tensor(self._data, indent=len("tensor("))
        extras = [f"size={self.shape}"] if self._data.size == 0 and self.ndim > 1 else []
        if self.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx!r}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    def __format__(self, spec: str) -> str:
        return format(self.item(), spec) if self.ndim == 0 else repr(self)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(f"only integer tensors of a single element can be an index, got {self}")
        return int(self.item())


# ``nnscratch.ops`` is built on Tensor, which inherits these methods, so it cannot be imported
# here: tensor.py hands it over with ``bind`` once the class exists (the one exception to the
# layering, tests/project/test_layering.py, stays in tensor.py).
_ops = None


def bind(ops) -> None:
    """Give this module ``nnscratch.ops``; tensor.py calls it once, after ``Tensor`` exists."""
    global _ops
    _ops = ops
