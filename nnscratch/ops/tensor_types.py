"""torch's legacy typed constructors: ``FloatTensor``, ``LongTensor``, ``DoubleTensor``, ...

``FloatTensor(2, 3)`` is an uninitialised (2, 3) float32 tensor; ``LongTensor([1, 2])`` holds
that data as int64. Each is a class whose instances are never made: calling it returns a plain
``Tensor``, and ``isinstance(x, FloatTensor)`` asks whether ``x`` is a float32 tensor (on the
CPU, where every nnscratch tensor lives), which is what torch answers for such classes.
"""

from __future__ import annotations

import numpy as np

from ..autograd import device as _device
from ..autograd.dtypes import (
    as_array,
    bool_,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    tensor_type_name,
    uint8,
)
from ..autograd.tensor import Tensor

__all__ = [
    "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
    "CharTensor", "ByteTensor", "BoolTensor",
]  # fmt: skip


class TensorType(type):
    """The metaclass of the legacy constructors: calling one builds a ``Tensor`` of its dtype;
    ``isinstance`` checks the dtype."""

    dtype: np.dtype

    def __call__(cls, *args, device=None) -> Tensor:
        name = cls.__name__
        _device.check(name, device)
        if not args:
            return Tensor._make(np.empty((0,), cls.dtype), False, None)
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            if any(a < 0 for a in args):
                raise RuntimeError(f"{name}: sizes must be non-negative, received {args}")
            return Tensor._make(np.empty(tuple(int(a) for a in args), cls.dtype), False, None)
        if len(args) != 1:
            raise TypeError(
                f"{name} expects sizes (ints) or one sequence of data, received {args!r:.80}"
            )
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype != cls.dtype:
                raise TypeError(
                    f"{name} expects a tensor of dtype {cls.dtype}, received {data.dtype} "
                    f"(use .to({cls.dtype}))"
                )
            return data
        return Tensor._make(as_array(data, cls.dtype), False, None)

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and instance.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class '{tensor_type_name(cls.dtype)}'>"


def _tensor_type(dtype) -> TensorType:
    name = tensor_type_name(dtype).removeprefix("torch.")
    doc = f"Legacy constructor of {np.dtype(dtype)} tensors, as ``torch.{name}``."
    return TensorType(name, (), {"dtype": np.dtype(dtype), "__doc__": doc})


FloatTensor = _tensor_type(float32)
DoubleTensor = _tensor_type(float64)
HalfTensor = _tensor_type(float16)
LongTensor = _tensor_type(int64)
IntTensor = _tensor_type(int32)
ShortTensor = _tensor_type(int16)
CharTensor = _tensor_type(int8)
ByteTensor = _tensor_type(uint8)
BoolTensor = _tensor_type(bool_)
