"""Functional forms of the activations, losses, softmax and ``pad``, as ``torch.nn.functional``."""

from ..ops.activation import *  # noqa: F403
from ..ops.elementwise import tanh  # noqa: F401  (torch.nn.functional.tanh)
from ..ops.loss import *  # noqa: F403
from ..ops.padding import pad  # noqa: F401
from ..ops.softmax import *  # noqa: F403
