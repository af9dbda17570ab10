"""Functional forms of the activations and ``pad``, as ``torch.nn.functional``."""

from ..ops.activation import *  # noqa: F403
# pad joins once ops.movement has it
