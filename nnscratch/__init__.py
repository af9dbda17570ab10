"""nnscratch: neural networks from scratch on NumPy.

Read it like PyTorch (``import nnscratch as ns``)::

    >>> import nnscratch as ns
    >>> w = ns.tensor([[0.5, -1.0]], requires_grad=True)
    >>> loss = (w @ ns.tensor([[2.0], [1.0]])).sigmoid().sum()
    >>> loss.backward()
    >>> w.grad.shape
    (1, 2)
"""

from . import autograd
from .autograd import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.dtypes import (
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .ops import *  # noqa: F403
from .random import manual_seed
from . import nn  # noqa: E402, I001  (nn builds on the ops above)
from . import datasets, optim, utils  # noqa: E402, I001
from . import errors, io  # noqa: E402, I001
from .io import load, save  # noqa: E402, I001  (torch.save / torch.load, no pickle)

bool = bool_  # noqa: A001  (torch.bool)
float = float32  # noqa: A001  (torch.float)
double = float64
long = int64
__version__ = "0.1.0"
