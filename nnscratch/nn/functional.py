"""Functional forms of the layers, as ``torch.nn.functional``: activations, softmax, ``pad``,
``linear``, ``dropout`` and the losses."""

from ..ops.activation import *  # noqa: F403
from ..ops.classification_loss import *  # noqa: F403
from ..ops.elementwise import tanh  # noqa: F401  (torch.nn.functional.tanh)
from ..ops.linalg import linear  # noqa: F401
from ..ops.loss import *  # noqa: F403
from ..ops.padding import pad  # noqa: F401
from ..ops.regression_loss import *  # noqa: F403
from ..ops.softmax import *  # noqa: F403
from .dropout import dropout  # noqa: F401  (composed from ops: a random mask times the input)
