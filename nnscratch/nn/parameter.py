"""``Parameter``: a tensor that a ``Module`` registers as trainable when assigned to it."""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import get_default_dtype
from ..autograd.tensor import Tensor

_PLACEHOLDER = np.empty((0,), np.float32)


class Parameter(Tensor):
    """A leaf ``Tensor`` that requires grad and is collected by ``Module.parameters()``.

    ``Parameter(tensor)`` shares the tensor's storage, as in torch.

    >>> import nnscratch as ns
    >>> w = ns.nn.Parameter(ns.zeros(2))
    >>> w.requires_grad, isinstance(w, ns.Tensor)
    (True, True)
    >>> w
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if not isinstance(data, Tensor):  # data given as lists or arrays is copied, as torch.tensor
            data = Tensor(np.empty((0,), get_default_dtype()) if data is None else data)
        super().__init__(_PLACEHOLDER)  # sets every slot; the shared storage goes in next
        self._data = data._data
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
