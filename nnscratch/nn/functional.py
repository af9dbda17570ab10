"""Functional forms of the activations and ``pad``, as ``torch.nn.functional``."""

from ..ops.activation import *  # noqa: F403
from ..ops.loss import *  # noqa: F403
from ..ops.movement import *  # noqa: F403  (pad)
from ..ops.softmax import *  # noqa: F403
